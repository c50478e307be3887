#pragma once
// Writing the rows of contiguous datasets straight to their bytes in the file with O_DIRECT.
//
// Why: on a local disk, buffered writes (what MPI-IO does under HDF5) can run far below the
// disk's direct-I/O rate (measured here: 0.1 GB/s buffered vs 0.65-1.6 GB/s direct, see
// bench/RESULTS.md "scale"). A contiguous, unfiltered dataset allocated at creation
// (create_dataset_1d) has all its rows at one fixed file offset that HDF5 never touches again,
// so each rank can write its own byte range itself. Only the whole 4 KiB blocks of a range go
// through O_DIRECT; the partial blocks at its ends (shared with a neighbour's range, another
// dataset or HDF5's metadata) are written through the page cache, byte-exactly, so they never
// overwrite anything else. finish() makes everything durable.
//
// HDF5 keeps the file open meanwhile: it writes only its metadata (never inside these ranges:
// the datasets are never filled and the MPI-IO driver has no raw-data sieve buffer), and when
// it flushes or closes it sets the file's size to its end of allocation, which lies past every
// allocated dataset. So callers write rows here, finish(), and let HDF5 write attributes, flush
// and close as usual.
//
// Not collective: each rank writes its own rows (disjoint ranges). Values are written in the
// machine's byte order; raw_data_offset only accepts datasets stored in that order.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>

#include "modenorm/io/dataset_1d.hpp"
#include "modenorm/io/hdf5_types.hpp"
#include "modenorm/parallel/shard.hpp"

namespace modenorm::io {

// The file offset of row 0 of a contiguous dataset whose storage is allocated, when the stored
// type is the machine's own (so memory can be copied as it is) and the offset is a multiple of
// the element size; nullopt otherwise (then use write_rows). The same on every rank.
[[nodiscard]] std::optional<std::uint64_t> raw_data_offset(const Dataset1D& dataset);

namespace detail {
// 4 KiB-aligned memory in which a byte range of a file is laid out at the same offset within a
// 4 KiB page as in a 4 KiB block of the file, so its whole blocks can go to O_DIRECT as they are.
class DirectBytes {
 public:
  explicit DirectBytes(std::size_t max_bytes);
  // Memory for `bytes` bytes that go to the file at `file_offset`.
  [[nodiscard]] std::byte* place(std::uint64_t file_offset, std::size_t bytes);

 private:
  struct Free {
    void operator()(void* p) const noexcept;
  };
  std::size_t max_bytes_;
  std::unique_ptr<std::byte, Free> memory_;
};
}  // namespace detail

// A buffer of up to `max_rows` elements whose memory can be handed to O_DIRECT for the rows
// [first, first + n) of a dataset: see detail::DirectBytes.
template <Hdf5Element T>
class DirectBuffer {
 public:
  explicit DirectBuffer(std::size_t max_rows) : bytes_(max_rows * sizeof(T)) {}
  // `rows.size()` elements for `rows`, placed for writing at `data_offset` (raw_data_offset).
  [[nodiscard]] std::span<T> place(parallel::RowRange rows, std::uint64_t data_offset) {
    // raw_data_offset guarantees this; with it the elements stay aligned for T.
    if (data_offset % sizeof(T) != 0) throw std::logic_error("DirectBuffer::place: offset");
    const auto n = static_cast<std::size_t>(rows.size());
    std::byte* memory = bytes_.place(data_offset + rows.begin * sizeof(T), n * sizeof(T));
    return {reinterpret_cast<T*>(memory), n};
  }

 private:
  detail::DirectBytes bytes_;
};

// Writes rows of one or more contiguous datasets of one file.
class DirectRowWriter {
 public:
  // Opens `path` twice (O_DIRECT and buffered). Throws std::runtime_error naming the file if it
  // cannot.
  explicit DirectRowWriter(const std::filesystem::path& path);
  DirectRowWriter(const DirectRowWriter&) = delete;
  DirectRowWriter& operator=(const DirectRowWriter&) = delete;
  ~DirectRowWriter();

  // Writes `values` to rows [rows.begin, rows.end) of the dataset whose row 0 is at
  // `data_offset` (raw_data_offset). `values` must come from DirectBuffer<T>::place for the same
  // rows and offset (std::logic_error otherwise). Throws std::runtime_error on a failed write.
  template <Hdf5Element T>
  void write(std::uint64_t data_offset, parallel::RowRange rows, std::span<const T> values) {
    if (values.size() != rows.size()) throw std::logic_error("DirectRowWriter::write: size");
    write_bytes(data_offset + rows.begin * sizeof(T), std::as_bytes(values));
  }
  template <Hdf5Element T>
  void write(std::uint64_t data_offset, parallel::RowRange rows, std::span<T> values) {
    write<T>(data_offset, rows, std::span<const T>(values));
  }
  // fsync: every row written so far is on disk. May be called again after more writes (e.g.
  // once per slab, before recording the slab as done). Throws on failure.
  void finish();

 private:
  void write_bytes(std::uint64_t file_offset, std::span<const std::byte> bytes);

  std::filesystem::path path_;
  int direct_fd_ = -1;
  int buffered_fd_ = -1;
};

}  // namespace modenorm::io
