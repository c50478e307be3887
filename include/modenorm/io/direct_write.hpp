#pragma once
// Writing the rows of a contiguous dataset straight to its bytes in the file with O_DIRECT.
//
// Why: on a local disk, buffered writes (what MPI-IO does under HDF5) can run far below the
// disk's direct-I/O rate (measured here: 0.1 GB/s buffered vs 0.65-1.6 GB/s direct, see
// bench/RESULTS.md "scale"). A contiguous, unfiltered dataset allocated at creation
// (create_dataset_1d) has all its rows at one fixed file offset that HDF5 never touches again,
// so each rank can write its own byte range itself. Only the whole 4 KiB blocks of a range go
// through O_DIRECT; the partial blocks at its ends (shared with a neighbour's range) are
// written through the page cache, and finish() makes everything durable.
//
// Not collective: each rank writes its own rows (disjoint ranges). Values are written in the
// machine's byte order, which is the dataset's for float64 datasets created by this project.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>

#include "modenorm/io/dataset_1d.hpp"
#include "modenorm/parallel/shard.hpp"

namespace modenorm::io {

// The file offset of row 0 of a contiguous float64 dataset whose storage is allocated, when it
// is a multiple of 8 bytes; nullopt otherwise (then use write_rows).
[[nodiscard]] std::optional<std::uint64_t> raw_data_offset(const Dataset1D& dataset);

// A buffer of doubles whose memory can be handed to O_DIRECT for rows [first, first + n):
// the element for row `first` sits at the same offset within a 4 KiB page as its bytes within
// a 4 KiB block of the file.
class DirectBuffer {
 public:
  explicit DirectBuffer(std::size_t max_rows);
  // `rows.size()` doubles for `rows`, placed for writing at `data_offset` (raw_data_offset).
  [[nodiscard]] std::span<double> place(parallel::RowRange rows, std::uint64_t data_offset);

 private:
  struct Free {
    void operator()(void* p) const noexcept;
  };
  std::size_t max_rows_;
  std::unique_ptr<std::byte, Free> memory_;
};

class DirectRowWriter {
 public:
  // Opens `path` twice (O_DIRECT and buffered) for writing rows at `data_offset`. Throws
  // std::runtime_error naming the file if it cannot.
  DirectRowWriter(const std::filesystem::path& path, std::uint64_t data_offset);
  DirectRowWriter(const DirectRowWriter&) = delete;
  DirectRowWriter& operator=(const DirectRowWriter&) = delete;
  ~DirectRowWriter();

  // Writes `values` (from DirectBuffer::place for the same rows) to rows [rows.begin, rows.end).
  void write(parallel::RowRange rows, std::span<const double> values);
  // fsync: the rows written are on disk. Throws on failure.
  void finish();

 private:
  std::filesystem::path path_;
  std::uint64_t offset_;
  int direct_fd_ = -1;
  int buffered_fd_ = -1;
};

}  // namespace modenorm::io
