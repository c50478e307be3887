#pragma once
// How a row-wise command walks its shard: every rank owns shard_rows' contiguous range and
// processes it in slabs of at most `slab_rows` rows. Every rank runs the same number of slab
// steps (ranks that have run out get empty ranges), so the collective reads and writes of each
// step match up on every rank (DESIGN.md §4).

#include <cstdint>

#include "modenorm/parallel/shard.hpp"

namespace modenorm::app {

class SlabPlan {
 public:
  // Throws core::InputError when slab_rows is 0.
  SlabPlan(std::uint64_t rows, std::uint64_t slab_rows, int rank, int ranks);

  [[nodiscard]] const parallel::RowRange& shard() const noexcept { return shard_; }
  [[nodiscard]] std::uint64_t slab_rows() const noexcept { return slab_rows_; }
  // Slab steps, the same on every rank.
  [[nodiscard]] std::uint64_t slabs() const noexcept { return slabs_; }
  // This rank's global rows of step `s` (empty once its shard is done).
  [[nodiscard]] parallel::RowRange slab(std::uint64_t s) const;
  // Rows finished over all ranks after `steps` steps.
  [[nodiscard]] std::uint64_t rows_done(std::uint64_t steps) const;

 private:
  std::uint64_t rows_;
  std::uint64_t slab_rows_;
  int ranks_;
  parallel::RowRange shard_;
  std::uint64_t slabs_ = 0;
};

}  // namespace modenorm::app
