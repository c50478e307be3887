// The reproducible reduction: per-block partial sums combined in a fixed order over the global
// block index, so the result is bitwise identical at any rank count.
#pragma once

#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace modenorm::parallel {

// Serial: sums `nblocks` consecutive vectors of `width` doubles (block b is
// blocks[b*width, (b+1)*width)) with a fixed pairwise tree over the block index: at stride
// 1, 2, 4, ... block i absorbs block i + stride. The tree depends only on nblocks.
[[nodiscard]] std::vector<double> pairwise_block_sum(std::span<const double> blocks,
                                                     std::uint64_t nblocks, std::size_t width);

// Collects this rank's per-block partial vectors for a later collective reduce().
// Every rank constructs it with the same nblocks and width; each global block must be claimed
// (block()) by exactly one rank, which reduce() verifies.
class BlockPartials {
 public:
  BlockPartials(std::uint64_t nblocks, std::size_t width);

  // The zero-initialised partial vector of global block `index`, claimed by this rank.
  [[nodiscard]] std::span<double> block(std::uint64_t index);

  [[nodiscard]] std::uint64_t nblocks() const noexcept { return nblocks_; }
  [[nodiscard]] std::size_t width() const noexcept { return width_; }

  // Collective. Returns, on every rank, the pairwise_block_sum of all ranks' blocks.
  // One MPI_Allreduce(SUM) gathers the blocks: each element has exactly one non-zero
  // contributor and adding exact zeros is exact, so every rank sees the same array whatever
  // order MPI reduces in. An extra column counts claims per block; a block claimed by no rank
  // or by several throws std::logic_error (on every rank alike).
  [[nodiscard]] std::vector<double> reduce(MPI_Comm comm) const;

 private:
  std::uint64_t nblocks_;
  std::size_t width_;
  std::size_t stride_;        // width_ + 1: the last column holds this rank's claim count
  std::vector<double> data_;  // nblocks_ x stride_
};

// Convenience for the common case of contiguous ownership (shard_blocks): this rank owns
// blocks [first_block, first_block + local_blocks.size() / width). Collective.
[[nodiscard]] std::vector<double> ordered_block_sum(std::span<const double> local_blocks,
                                                    std::uint64_t first_block,
                                                    std::uint64_t nblocks, std::size_t width,
                                                    MPI_Comm comm);

}  // namespace modenorm::parallel
