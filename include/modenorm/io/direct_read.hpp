#pragma once
// Reading the rows of a contiguous dataset straight from its bytes in the file with O_DIRECT:
// the read-side twin of direct_write.hpp, for the same reason (buffered reads through MPI-IO
// ran at ~0.24 GB/s on 1e9 rows here, a direct-I/O dd at 0.6-2 GB/s; bench/RESULTS.md).
//
// The file is read through a 4 KiB-aligned bounce buffer in large pieces and copied into the
// caller's rows, so any destination works. Linux writes back dirty cached pages of the range
// before a direct read, so rows written through the page cache are seen too.
//
// Not collective: each rank reads its own rows. Only for datasets raw_data_offset accepts
// (contiguous, allocated, stored in the machine's own type equal to T); callers fall back to
// the collective read_rows otherwise.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

#include "modenorm/io/hdf5_types.hpp"
#include "modenorm/parallel/shard.hpp"

namespace modenorm::io {

class DirectRowReader {
 public:
  // Opens `path` with O_DIRECT. Throws std::runtime_error naming the file if it cannot.
  explicit DirectRowReader(const std::filesystem::path& path,
                           std::size_t buffer_bytes = std::size_t{64} << 20);
  DirectRowReader(const DirectRowReader&) = delete;
  DirectRowReader& operator=(const DirectRowReader&) = delete;
  ~DirectRowReader();

  // Reads rows [rows.begin, rows.end) of the dataset whose row 0 is at `data_offset`
  // (raw_data_offset) into `out` (out.size() == rows.size()). Throws std::runtime_error naming
  // the file on a failed or short read (a file cut short).
  template <Hdf5Element T>
  void read(std::uint64_t data_offset, parallel::RowRange rows, std::span<T> out) {
    read_bytes(data_offset + rows.begin * sizeof(T), std::as_writable_bytes(out));
  }
  // The file's bytes [file_offset, file_offset + out.size()) into `out`; errors as read().
  void read_bytes(std::uint64_t file_offset, std::span<std::byte> out);

 private:
  struct Free {
    void operator()(void* p) const noexcept;
  };
  std::filesystem::path path_;
  int fd_ = -1;
  std::size_t buffer_bytes_;
  std::unique_ptr<std::byte, Free> buffer_;
};

}  // namespace modenorm::io
