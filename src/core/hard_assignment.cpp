#include "modenorm/core/hard_assignment.hpp"

#include <cmath>
#include <utility>
#include <vector>

namespace modenorm::core {

int nearest_mean(double x, std::span<const double> means) {
  int best = 0;
  double best_distance = std::abs(x - means[0]);
  for (std::size_t k = 1; k < means.size(); ++k) {
    const double distance = std::abs(x - means[k]);
    if (distance < best_distance) {
      best_distance = distance;
      best = static_cast<int>(k);
    }
  }
  return best;
}

namespace {

// Per-component sums with Neumaier compensation, added row by row in row order.
class HardSums {
 public:
  explicit HardSums(std::span<const double> means)
      : means_(means),
        stats_(make_empty_stats(Eigen::Map<const Eigen::ArrayXd>(
            means.data(), static_cast<Eigen::Index>(means.size())))),
        t1_error_(means.size()),
        t2_error_(means.size()) {}

  void add(int c, double v) {
    const auto u = static_cast<std::size_t>(c);
    const double d = v - means_[u];
    stats_.R[c] += 1.0;  // exact: counts stay far below 2^53 per block
    add(stats_.T1[c], t1_error_[u], d);
    add(stats_.T2[c], t2_error_[u], d * d);
  }

  SufficientStats finish(std::size_t rows) && {
    for (Eigen::Index c = 0; c < stats_.R.size(); ++c) {
      stats_.T1[c] += t1_error_[static_cast<std::size_t>(c)];
      stats_.T2[c] += t2_error_[static_cast<std::size_t>(c)];
    }
    stats_.rows = rows;
    return std::move(stats_);
  }

 private:
  static void add(double& sum, double& error, double v) {
    const double t = sum + v;
    error += std::abs(sum) >= std::abs(v) ? (sum - t) + v : (v - t) + sum;
    sum = t;
  }

  std::span<const double> means_;
  SufficientStats stats_;
  std::vector<double> t1_error_, t2_error_;
};

// True when mean c is nearer than every other mean to every x in [lo, hi] by more than the
// rounding of |x - m| could close: g(x) = |x - m_j| - |x - m_c| is monotone, so its minimum
// over the interval is at an end.
bool nearest_on(int c, double lo, double hi, std::span<const double> means) {
  const double mc = means[static_cast<std::size_t>(c)];
  for (std::size_t j = 0; j < means.size(); ++j) {
    if (static_cast<int>(j) == c) continue;
    const double margin = 1e-12 * (std::abs(lo) + std::abs(hi) + std::abs(means[j]) + std::abs(mc));
    const double at_lo = std::abs(lo - means[j]) - std::abs(lo - mc);
    const double at_hi = std::abs(hi - means[j]) - std::abs(hi - mc);
    if (!(std::min(at_lo, at_hi) > margin)) return false;  // NaN: not proven
  }
  return true;
}

// Runs this short are compared row by row.
constexpr std::size_t kDirectRows = 16;

void assign_sorted_run(std::span<const double> x, std::span<const double> means, HardSums& sums) {
  if (x.size() > kDirectRows) {
    const int first = nearest_mean(x.front(), means);
    if (first == nearest_mean(x.back(), means) && nearest_on(first, x.front(), x.back(), means)) {
      for (const double v : x) sums.add(first, v);
      return;
    }
    const std::size_t half = x.size() / 2;
    assign_sorted_run(x.first(half), means, sums);
    assign_sorted_run(x.subspan(half), means, sums);
    return;
  }
  for (const double v : x) sums.add(nearest_mean(v, means), v);
}

}  // namespace

SufficientStats hard_assignment_stats(std::span<const double> x, std::span<const double> means) {
  // Per-component compensated sums: this runs once, so accuracy is worth the few flops.
  HardSums sums(means);
  for (const double v : x) sums.add(nearest_mean(v, means), v);
  return std::move(sums).finish(x.size());
}

SufficientStats hard_assignment_stats_sorted(std::span<const double> x,
                                             std::span<const double> means) {
  HardSums sums(means);
  assign_sorted_run(x, means, sums);
  return std::move(sums).finish(x.size());
}

}  // namespace modenorm::core
