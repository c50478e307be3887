#include "modenorm/app/slab_plan.hpp"

#include <algorithm>

#include "modenorm/core/errors.hpp"

namespace modenorm::app {

SlabPlan::SlabPlan(std::uint64_t rows, std::uint64_t slab_rows, int rank, int ranks)
    : rows_(rows),
      slab_rows_(slab_rows),
      ranks_(ranks),
      shard_(parallel::shard_rows(rows, rank, ranks)) {
  if (slab_rows == 0) throw core::InputError("--slab-rows: must be at least 1");
  // Rank 0 holds the largest shard (shard_rows gives the extra rows to the first ranks).
  const std::uint64_t largest = parallel::shard_rows(rows, 0, ranks).size();
  slabs_ = (largest + slab_rows - 1) / slab_rows;
}

parallel::RowRange SlabPlan::slab(std::uint64_t s) const {
  const std::uint64_t begin = std::min(shard_.end, shard_.begin + s * slab_rows_);
  const std::uint64_t end = std::min(shard_.end, begin + slab_rows_);
  return {begin, end};
}

std::uint64_t SlabPlan::rows_done(std::uint64_t steps) const {
  std::uint64_t done = 0;
  for (int r = 0; r < ranks_; ++r) {
    done += std::min(parallel::shard_rows(rows_, r, ranks_).size(), steps * slab_rows_);
  }
  return done;
}

}  // namespace modenorm::app
