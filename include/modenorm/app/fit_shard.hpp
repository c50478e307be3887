#pragma once
// This rank's part of the data for the fit: whole fixed-size global blocks (shard_blocks), each
// handed to the algorithm sorted (the fit's sums are order-free, and sorted blocks let the
// E-step skip components; DESIGN.md §4). Resident when the shard fits the memory budget,
// otherwise re-read from the file in slabs of whole blocks on every pass; both give the same
// blocks, so both give the same model.

#include <mpi.h>

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "modenorm/app/stage_timer.hpp"
#include "modenorm/io/csv_column.hpp"
#include "modenorm/io/dataset_1d.hpp"
#include "modenorm/io/slab_io.hpp"
#include "modenorm/parallel/shard.hpp"

namespace modenorm::app {

struct FitShardOptions {
  std::uint64_t block_rows = 65536;
  std::uint64_t memory_budget_bytes = 0;  // per rank; the shard is resident if it fits
  std::uint64_t sample_rows = 1'000'000;  // deterministic global sample for k-means
  io::BadValuePolicy bad_values = io::BadValuePolicy::error;
  io::IoOptions io;
};

// What the first pass learns about the whole column (identical on every rank).
struct ColumnSummary {
  std::uint64_t rows_total = 0;    // rows in the dataset
  std::uint64_t rows_used = 0;     // finite rows (rows_total - rows_skipped)
  std::uint64_t rows_skipped = 0;  // non-finite rows dropped under --bad-values skip
  double min = 0.0;
  double max = 0.0;
  std::vector<double> sample;  // finite values at global rows floor(j * N / S), in row order
};

class FitShard {
 public:
  using BlockVisitor = std::function<void(std::uint64_t global_block, std::span<const double>)>;

  // Collective. Reads the shard once: checks every value is finite (an error names the count,
  // the first bad row and its value, on every rank alike), takes the k-means sample, and keeps
  // the sorted blocks when they fit the budget.
  FitShard(const io::Dataset1D& dataset, const FitShardOptions& options, MPI_Comm comm,
           StageTimer& timer);

  [[nodiscard]] const ColumnSummary& summary() const noexcept { return summary_; }
  [[nodiscard]] bool resident() const noexcept { return resident_; }
  [[nodiscard]] std::uint64_t block_count() const noexcept { return nblocks_; }
  [[nodiscard]] std::uint64_t first_block() const noexcept { return first_block_; }
  [[nodiscard]] std::uint64_t local_blocks() const noexcept { return local_blocks_; }

  // Collective when streaming (slab reads). Visits this rank's blocks in global order, each
  // sorted ascending and holding only finite values.
  void for_each_block(const BlockVisitor& visit) const;

 private:
  // Reads this rank's blocks [first, first + count) (raw order) into `out`. Collective.
  void read_blocks(std::uint64_t first, std::uint64_t count, std::vector<double>& out) const;
  // Drops non-finite values of one raw block when skipping (after validation), then sorts.
  void prepare_block(std::vector<double>& block) const;
  [[nodiscard]] std::uint64_t blocks_per_slab() const;

  const io::Dataset1D& dataset_;
  FitShardOptions options_;
  MPI_Comm comm_;
  std::uint64_t nblocks_ = 0;
  std::uint64_t first_block_ = 0;
  std::uint64_t local_blocks_ = 0;
  parallel::RowRange rows_;
  bool resident_ = false;
  std::vector<double> values_;             // resident: sorted blocks back to back
  std::vector<std::uint64_t> block_start_;  // resident: offsets of each local block in values_
  ColumnSummary summary_;
};

}  // namespace modenorm::app
