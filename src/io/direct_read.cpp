#include "modenorm/io/direct_read.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

namespace modenorm::io {
namespace {

// O_DIRECT alignment of offsets, lengths and memory (see direct_write.cpp).
constexpr std::uint64_t kBlock = 4096;

}  // namespace

void DirectRowReader::Free::operator()(void* p) const noexcept { std::free(p); }

DirectRowReader::DirectRowReader(const std::filesystem::path& path, std::size_t buffer_bytes)
    : path_(path), buffer_bytes_(std::max<std::size_t>(kBlock, buffer_bytes / kBlock * kBlock)) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC);
  if (fd_ < 0) {
    throw std::runtime_error("cannot open " + path.string() +
                             " for direct I/O: " + std::strerror(errno));
  }
  buffer_.reset(static_cast<std::byte*>(std::aligned_alloc(kBlock, buffer_bytes_)));
  if (!buffer_) {
    ::close(fd_);
    throw std::bad_alloc();
  }
}

DirectRowReader::~DirectRowReader() { ::close(fd_); }

void DirectRowReader::read_bytes(std::uint64_t file_offset, std::span<std::byte> out) {
  std::uint64_t want = file_offset;  // next file byte `out` still needs
  const std::uint64_t end = file_offset + out.size();
  std::byte* to = out.data();
  while (want < end) {
    const std::uint64_t from = want / kBlock * kBlock;  // aligned start of this piece
    const std::uint64_t length =
        std::min<std::uint64_t>(buffer_bytes_, (end - from + kBlock - 1) / kBlock * kBlock);
    std::uint64_t got = 0;
    while (got < length) {
      const ssize_t n = ::pread(fd_, buffer_.get() + got, static_cast<std::size_t>(length - got),
                                static_cast<off_t>(from + got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        throw std::runtime_error("cannot read " + path_.string() + " at offset " +
                                 std::to_string(from + got) + ": " + std::strerror(errno));
      }
      if (n == 0) break;  // end of file: fine if the rows were already covered
      got += static_cast<std::uint64_t>(n);
    }
    const std::uint64_t usable = std::min(from + got, end);
    if (usable <= want) {
      throw std::runtime_error(path_.string() + " ends at byte " + std::to_string(from + got) +
                               ", before the rows it should hold (byte " + std::to_string(end) +
                               "): the file is cut short");
    }
    std::memcpy(to, buffer_.get() + (want - from), static_cast<std::size_t>(usable - want));
    to += usable - want;
    want = usable;
  }
}

}  // namespace modenorm::io
