#include "modenorm/io/direct_write.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

#include "modenorm/io/hdf5_handle.hpp"

namespace modenorm::io {
namespace {

// O_DIRECT wants file offsets, lengths and memory addresses aligned to the logical block size;
// 4 KiB covers every common device.
constexpr std::uint64_t kBlock = 4096;
// One pwrite of at most 1 GiB (Linux writes at most ~2 GiB per call anyway).
constexpr std::uint64_t kMaxCall = std::uint64_t{1} << 30;

std::string errno_text() { return std::strerror(errno); }

void write_all(int fd, const std::byte* data, std::uint64_t bytes, std::uint64_t offset,
               const std::filesystem::path& path) {
  while (bytes > 0) {
    const auto n = static_cast<std::size_t>(std::min(bytes, kMaxCall));
    const ssize_t written = ::pwrite(fd, data, n, static_cast<off_t>(offset));
    if (written < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("cannot write " + std::to_string(n) + " bytes at offset " +
                               std::to_string(offset) + " of " + path.string() + ": " +
                               errno_text());
    }
    const auto done = static_cast<std::uint64_t>(written);
    data += done;
    bytes -= done;
    offset += done;
  }
}

}  // namespace

std::optional<std::uint64_t> raw_data_offset(const Dataset1D& dataset) {
  // The rows go to the file as they are in memory: only when the stored type is the native one
  // (the little-endian types create_dataset_1d uses, on a little-endian machine).
  const DatatypeHandle stored(H5Dget_type(dataset.id()));
  if (!stored || H5Tequal(stored.get(), native_type(dataset.type())) <= 0) return std::nullopt;
  const haddr_t offset = H5Dget_offset(dataset.id());
  if (offset == HADDR_UNDEF || offset % element_size(dataset.type()) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(offset);
}

namespace detail {

void DirectBytes::Free::operator()(void* p) const noexcept { std::free(p); }

DirectBytes::DirectBytes(std::size_t max_bytes) : max_bytes_(max_bytes) {
  // One spare block for the shift that place() applies.
  const std::size_t bytes = (max_bytes + 2 * kBlock) / kBlock * kBlock;
  memory_.reset(static_cast<std::byte*>(std::aligned_alloc(kBlock, bytes)));
  if (!memory_) throw std::bad_alloc();
}

std::byte* DirectBytes::place(std::uint64_t file_offset, std::size_t bytes) {
  if (bytes > max_bytes_) throw std::logic_error("DirectBuffer::place: too many rows");
  return memory_.get() + file_offset % kBlock;
}

}  // namespace detail

DirectRowWriter::DirectRowWriter(const std::filesystem::path& path) : path_(path) {
  direct_fd_ = ::open(path.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC);
  if (direct_fd_ < 0) {
    throw std::runtime_error("cannot open " + path.string() + " for direct I/O: " + errno_text());
  }
  buffered_fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (buffered_fd_ < 0) {
    const std::string why = errno_text();
    ::close(direct_fd_);
    throw std::runtime_error("cannot open " + path.string() + " for writing: " + why);
  }
}

DirectRowWriter::~DirectRowWriter() {
  ::close(direct_fd_);
  ::close(buffered_fd_);
}

void DirectRowWriter::write_bytes(std::uint64_t file_offset, std::span<const std::byte> bytes) {
  if (bytes.empty()) return;
  const std::byte* data = bytes.data();
  const std::uint64_t begin = file_offset;
  const std::uint64_t end = begin + bytes.size();
  // Whole blocks inside [begin, end) go direct; the partial ones at the ends through the cache.
  const std::uint64_t inner_begin = std::min(end, (begin + kBlock - 1) / kBlock * kBlock);
  const std::uint64_t inner_end = std::max(inner_begin, end / kBlock * kBlock);
  if (inner_end > inner_begin &&
      reinterpret_cast<std::uintptr_t>(data + (inner_begin - begin)) % kBlock != 0) {
    // O_DIRECT would fail with EINVAL; this is a caller's bug, not an I/O error.
    throw std::logic_error("DirectRowWriter::write: values not placed by DirectBuffer::place");
  }
  if (inner_begin > begin) {
    write_all(buffered_fd_, data, inner_begin - begin, begin, path_);
  }
  if (inner_end > inner_begin) {
    write_all(direct_fd_, data + (inner_begin - begin), inner_end - inner_begin, inner_begin,
              path_);
  }
  if (end > inner_end) {
    write_all(buffered_fd_, data + (inner_end - begin), end - inner_end, inner_end, path_);
  }
}

void DirectRowWriter::finish() {
  if (::fsync(buffered_fd_) != 0 || ::fsync(direct_fd_) != 0) {
    throw std::runtime_error("cannot flush " + path_.string() + " to disk: " + errno_text());
  }
}

}  // namespace modenorm::io
