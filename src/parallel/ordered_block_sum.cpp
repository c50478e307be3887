#include "modenorm/parallel/ordered_block_sum.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "modenorm/parallel/communicator.hpp"

namespace modenorm::parallel {
namespace {

// Largest element count per MPI_Allreduce: 2^27 doubles = 1 GiB, well under MPI's int count
// and the 2 GiB per-call limits of the MPI stack (PERFORMANCE_NOTES, trap 3).
constexpr std::size_t kMaxReduceElements = std::size_t{1} << 27;

std::size_t checked_size(std::uint64_t nblocks, std::size_t stride) {
  if (stride != 0 && nblocks > SIZE_MAX / stride) {
    throw std::length_error("ordered block sum: nblocks x width overflows");
  }
  return static_cast<std::size_t>(nblocks) * stride;
}

// In-place fixed pairwise tree over blocks of `stride` doubles; the first `width` columns of
// block 0 hold the result.
void pairwise_in_place(std::span<double> blocks, std::uint64_t nblocks, std::size_t stride,
                       std::size_t width) {
  for (std::uint64_t step = 1; step < nblocks; step *= 2) {
    for (std::uint64_t i = 0; i + step < nblocks; i += 2 * step) {
      double* target = blocks.data() + i * stride;
      const double* source = blocks.data() + (i + step) * stride;
      for (std::size_t c = 0; c < width; ++c) target[c] += source[c];
    }
  }
}

}  // namespace

std::vector<double> pairwise_block_sum(std::span<const double> blocks, std::uint64_t nblocks,
                                       std::size_t width) {
  if (blocks.size() != checked_size(nblocks, width)) {
    throw std::invalid_argument("pairwise_block_sum: expected " + std::to_string(nblocks) + " x " +
                                std::to_string(width) + " values, got " +
                                std::to_string(blocks.size()));
  }
  if (nblocks == 0) return std::vector<double>(width, 0.0);
  std::vector<double> work(blocks.begin(), blocks.end());
  pairwise_in_place(work, nblocks, width, width);
  work.resize(width);
  return work;
}

BlockPartials::BlockPartials(std::uint64_t nblocks, std::size_t width)
    : nblocks_(nblocks),
      width_(width),
      stride_(width + 1),
      data_(checked_size(nblocks, width + 1), 0.0) {
  if (width == 0) throw std::invalid_argument("BlockPartials: width must be positive");
}

std::span<double> BlockPartials::block(std::uint64_t index) {
  if (index >= nblocks_) {
    throw std::out_of_range("BlockPartials: block " + std::to_string(index) + " of " +
                            std::to_string(nblocks_));
  }
  double* start = data_.data() + index * stride_;
  start[width_] = 1.0;  // claim marker, summed across ranks by reduce()
  return {start, width_};
}

std::vector<double> BlockPartials::reduce(MPI_Comm comm) const {
  std::vector<double> all(data_.size());
  use_error_codes(comm);
  for (std::size_t offset = 0; offset < data_.size(); offset += kMaxReduceElements) {
    const std::size_t count = std::min(kMaxReduceElements, data_.size() - offset);
    check_mpi(MPI_Allreduce(data_.data() + offset, all.data() + offset,
                            detail::mpi_count(count, "MPI_Allreduce"), MPI_DOUBLE, MPI_SUM, comm),
              "MPI_Allreduce");
  }
  // Every rank sees the same claim counts, so every rank throws (or not) alike.
  for (std::uint64_t b = 0; b < nblocks_; ++b) {
    const double claims = all[b * stride_ + width_];
    if (claims != 1.0) {
      throw std::logic_error("ordered block sum: block " + std::to_string(b) + " was claimed by " +
                             std::to_string(static_cast<long long>(claims)) +
                             " ranks, expected exactly 1");
    }
  }
  if (nblocks_ == 0) return std::vector<double>(width_, 0.0);
  pairwise_in_place(all, nblocks_, stride_, width_);
  all.resize(width_);
  return all;
}

std::vector<double> ordered_block_sum(std::span<const double> local_blocks,
                                      std::uint64_t first_block, std::uint64_t nblocks,
                                      std::size_t width, MPI_Comm comm) {
  if (width == 0 ? !local_blocks.empty() : local_blocks.size() % width != 0) {
    throw std::invalid_argument("ordered_block_sum: " + std::to_string(local_blocks.size()) +
                                " values is not a whole number of blocks of width " +
                                std::to_string(width));
  }
  BlockPartials partials(nblocks, width);
  const std::uint64_t local_count = width == 0 ? 0 : local_blocks.size() / width;
  for (std::uint64_t b = 0; b < local_count; ++b) {
    auto target = partials.block(first_block + b);
    std::copy_n(local_blocks.begin() + static_cast<std::ptrdiff_t>(b * width), width,
                target.begin());
  }
  return partials.reduce(comm);
}

}  // namespace modenorm::parallel
