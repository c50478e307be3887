#include "modenorm/app/fit_reduction.hpp"

#include "modenorm/parallel/ordered_block_sum.hpp"

namespace modenorm::app {
namespace {

// Layout of one block's statistics: R[K], T1[K], T2[K], H, sum of L_i, rows.
std::size_t stats_width(std::size_t k) { return 3 * k + 3; }

void pack(const core::SufficientStats& s, std::span<double> out) {
  const auto k = static_cast<std::size_t>(s.components());
  for (std::size_t i = 0; i < k; ++i) {
    const auto ki = static_cast<Eigen::Index>(i);
    out[i] = s.R[ki];
    out[k + i] = s.T1[ki];
    out[2 * k + i] = s.T2[ki];
  }
  out[3 * k] = s.H;
  out[3 * k + 1] = s.sum_log_norm;
  out[3 * k + 2] = static_cast<double>(s.rows);  // exact: block rows are far below 2^53
}

core::SufficientStats unpack(std::span<const double> in, const Eigen::ArrayXd& shifts) {
  const auto k = static_cast<std::size_t>(shifts.size());
  core::SufficientStats s = core::make_empty_stats(shifts);
  for (std::size_t i = 0; i < k; ++i) {
    const auto ki = static_cast<Eigen::Index>(i);
    s.R[ki] = in[i];
    s.T1[ki] = in[k + i];
    s.T2[ki] = in[2 * k + i];
  }
  s.H = in[3 * k];
  s.sum_log_norm = in[3 * k + 1];
  s.rows = static_cast<std::uint64_t>(in[3 * k + 2]);
  return s;
}

}  // namespace

core::SufficientStats reduce_block_stats(const FitShard& shard, const Eigen::ArrayXd& shifts,
                                         const BlockStatistic& per_block, MPI_Comm comm) {
  const std::size_t width = stats_width(static_cast<std::size_t>(shifts.size()));
  parallel::BlockPartials partials(shard.block_count(), width);
  shard.for_each_block([&](std::uint64_t block, std::span<const double> values) {
    pack(per_block(block, values), partials.block(block));
  });
  return unpack(partials.reduce(comm), shifts);
}

double reduce_block_scalar(const FitShard& shard,
                           const std::function<double(std::span<const double>)>& per_block,
                           MPI_Comm comm) {
  parallel::BlockPartials partials(shard.block_count(), 1);
  shard.for_each_block([&](std::uint64_t block, std::span<const double> values) {
    partials.block(block)[0] = per_block(values);
  });
  return partials.reduce(comm)[0];
}

}  // namespace modenorm::app
