#include "modenorm/app/fit_shard.hpp"

#include <spdlog/spdlog.h>

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "modenorm/app/slab_prefetch.hpp"
#include "modenorm/core/block_sort.hpp"
#include "modenorm/core/errors.hpp"
#include "modenorm/io/slab_io.hpp"
#include "modenorm/parallel/collective_check.hpp"
#include "modenorm/parallel/communicator.hpp"
#include "modenorm/parallel/gather.hpp"
#include "modenorm/parallel/mpi_error.hpp"

namespace modenorm::app {
namespace {

// 128-bit products keep floor(j * N / S) exact for any 64-bit row counts.
__extension__ using u128 = unsigned __int128;

// Global row of sample j when S of N rows are sampled evenly: floor(j * N / S).
std::uint64_t sample_row(std::uint64_t j, std::uint64_t n, std::uint64_t s) {
  return static_cast<std::uint64_t>(static_cast<u128>(j) * n / s);
}

// First sample index whose row is >= row: smallest j with floor(j * N / S) >= row.
std::uint64_t first_sample_at_or_after(std::uint64_t row, std::uint64_t n, std::uint64_t s) {
  if (s == 0) return 0;
  std::uint64_t j = static_cast<std::uint64_t>(static_cast<u128>(row) * s / n);
  while (j < s && sample_row(j, n, s) < row) ++j;
  while (j > 0 && sample_row(j - 1, n, s) >= row) --j;
  return j;
}

// Per-rank findings of the validation scan, combined into one verdict for all ranks.
struct ScanState {
  std::uint64_t bad = 0;
  std::uint64_t first_bad_row = std::numeric_limits<std::uint64_t>::max();
  double first_bad_value = 0.0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  std::vector<double> sample;

  void scan(std::span<const double> raw, std::uint64_t first_row, std::uint64_t n,
            std::uint64_t s) {
    for (std::size_t i = 0; i < raw.size(); ++i) {
      const double v = raw[i];
      if (!std::isfinite(v)) {
        if (bad++ == 0) {
          first_bad_row = first_row + i;
          first_bad_value = v;
        }
        continue;
      }
      min = std::min(min, v);
      max = std::max(max, v);
    }
    for (std::uint64_t j = first_sample_at_or_after(first_row, n, s);
         j < s && sample_row(j, n, s) < first_row + raw.size(); ++j) {
      const double v = raw[sample_row(j, n, s) - first_row];
      if (std::isfinite(v)) sample.push_back(v);
    }
  }
};

}  // namespace

FitShard::FitShard(const io::Dataset1D& dataset, const FitShardOptions& options, MPI_Comm comm,
                   StageTimer& timer)
    : dataset_(dataset), options_(options), comm_(comm) {
  const int rank = parallel::comm_rank(comm);
  const int ranks = parallel::comm_size(comm);
  const std::uint64_t n = dataset.size();
  const std::uint64_t b = options.block_rows;
  nblocks_ = parallel::block_count(n, b);
  rows_ = parallel::shard_blocks(n, b, rank, ranks);
  first_block_ = rows_.begin / b;
  local_blocks_ = (rows_.size() + b - 1) / b;
  const bool fits = rows_.size() * sizeof(double) <= options.memory_budget_bytes;
  resident_ = parallel::allreduce_min(fits ? 1 : 0, comm) == 1;
  const std::uint64_t s = std::min(n, options.sample_rows);

  ScanState state;
  {
    auto scope = timer.stage("read + validate", static_cast<double>(rows_.size()));
    if (resident_) {
      values_.resize(rows_.size());
      io::read_rows<double>(dataset_, rows_, std::span<double>(values_), options_.io);
      state.scan(values_, rows_.begin, n, s);
    } else {
      std::vector<double> slab;
      const std::uint64_t per_slab = blocks_per_slab();
      const auto slabs = parallel::allreduce_max((local_blocks_ + per_slab - 1) / per_slab, comm);
      for (std::uint64_t i = 0; i < slabs; ++i) {
        const std::uint64_t first = std::min(i * per_slab, local_blocks_);
        read_blocks(first, std::min(per_slab, local_blocks_ - first), slab);
        state.scan(slab, rows_.begin + first * b, n, s);
      }
    }
  }

  // One verdict for all ranks: the count, the first bad row and its value.
  summary_.rows_total = n;
  summary_.rows_skipped = parallel::allreduce_sum(state.bad, comm);
  summary_.rows_used = n - summary_.rows_skipped;
  if (summary_.rows_skipped > 0) {
    const auto first_row = parallel::allreduce_min(state.first_bad_row, comm);
    int owner = 0;
    for (int r = 0; r < ranks; ++r) {
      const auto range = parallel::shard_blocks(n, b, r, ranks);
      if (first_row >= range.begin && first_row < range.end) owner = r;
    }
    const auto value =
        parallel::broadcast_string(fmt::format("{}", state.first_bad_value), owner, comm);
    const std::string what = fmt::format("{}: {} non-finite value(s); the first is {} at row {}",
                                         dataset.where(), summary_.rows_skipped, value, first_row);
    if (options.bad_values == io::BadValuePolicy::error) {
      throw parallel::CollectiveError(owner, what + " (use --bad-values skip to drop such rows)",
                                      /*input_error=*/true);
    }
    if (rank == 0) spdlog::warn("{}; skipped (--bad-values skip)", what);
  }
  summary_.min = parallel::allreduce_min(state.min, comm);
  summary_.max = parallel::allreduce_max(state.max, comm);
  summary_.sample = parallel::allgather_concat<double>(state.sample, comm);

  if (resident_) {
    auto scope = timer.stage("sort blocks", static_cast<double>(rows_.size()));
    // Compact each block (dropping skipped rows) and sort it in place.
    std::uint64_t write = 0;
    for (std::uint64_t blk = 0; blk < local_blocks_; ++blk) {
      const std::uint64_t begin = blk * b;
      const std::uint64_t end = std::min(begin + b, rows_.size());
      block_start_.push_back(write);
      for (std::uint64_t i = begin; i < end; ++i) {
        if (std::isfinite(values_[i])) values_[write++] = values_[i];
      }
      core::sort_block_for_fit(
          std::span<double>(values_).subspan(block_start_.back(), write - block_start_.back()));
    }
    block_start_.push_back(write);
    values_.resize(write);
    values_.shrink_to_fit();
  }
}

std::uint64_t FitShard::blocks_per_slab() const {
  // Half the budget for the two slab buffers of the read-ahead, each between one block and
  // 1 GiB. The slabs hold whole blocks, so their size changes no sum.
  const std::uint64_t block_bytes = options_.block_rows * sizeof(double);
  const std::uint64_t slab_bytes = std::clamp<std::uint64_t>(options_.memory_budget_bytes / 4,
                                                             block_bytes, std::uint64_t{1} << 30);
  return std::max<std::uint64_t>(1, slab_bytes / block_bytes);
}

void FitShard::read_blocks(std::uint64_t first, std::uint64_t count,
                           std::vector<double>& out) const {
  const std::uint64_t b = options_.block_rows;
  const std::uint64_t begin = std::min(rows_.begin + first * b, rows_.end);
  const std::uint64_t end = std::min(begin + count * b, rows_.end);
  out.resize(end - begin);
  io::read_rows<double>(dataset_, {begin, end}, std::span<double>(out), options_.io);
}

void FitShard::prepare_block(std::vector<double>& block) const {
  if (options_.bad_values == io::BadValuePolicy::skip) {
    std::erase_if(block, [](double v) { return !std::isfinite(v); });
  }
  core::sort_block_for_fit(block);
}

void FitShard::for_each_block(const BlockVisitor& visit) const {
  if (resident_) {
    for (std::uint64_t blk = 0; blk < local_blocks_; ++blk) {
      visit(first_block_ + blk, std::span<const double>(values_).subspan(
                                    block_start_[blk], block_start_[blk + 1] - block_start_[blk]));
    }
    return;
  }
  const std::uint64_t b = options_.block_rows;
  const std::uint64_t per_slab = blocks_per_slab();
  const auto slabs = parallel::allreduce_max((local_blocks_ + per_slab - 1) / per_slab, comm_);
  const auto slab_rows = [this, b, per_slab](std::uint64_t i) {
    const std::uint64_t first = std::min(i * per_slab, local_blocks_);
    const std::uint64_t begin = std::min(rows_.begin + first * b, rows_.end);
    return parallel::RowRange{begin, std::min(begin + per_slab * b, rows_.end)};
  };
  // With direct reads of a float64 dataset, slab i + 1 is read on a second thread while the
  // blocks of slab i are sorted and summed (slab_prefetch.hpp); otherwise collective reads.
  const auto prefetch =
      make_slab_prefetcher(dataset_, options_.io.direct_reads, slabs, slab_rows, comm_);
  std::vector<double> slab;
  std::vector<double> block;
  for (std::uint64_t i = 0; i < slabs; ++i) {
    const std::uint64_t first = std::min(i * per_slab, local_blocks_);
    const std::uint64_t count = std::min(per_slab, local_blocks_ - first);
    std::span<const double> rows;
    if (prefetch) {
      rows = parallel::run_collectively([&] { return prefetch->take(i); }, comm_);
    } else {
      read_blocks(first, count, slab);
      rows = slab;
    }
    for (std::uint64_t blk = 0; blk < count; ++blk) {
      const std::uint64_t begin = blk * b;
      const std::uint64_t end = std::min<std::uint64_t>(begin + b, rows.size());
      block.assign(rows.begin() + static_cast<std::ptrdiff_t>(begin),
                   rows.begin() + static_cast<std::ptrdiff_t>(end));
      prepare_block(block);
      visit(first_block_ + first + blk, block);
    }
  }
}

}  // namespace modenorm::app
