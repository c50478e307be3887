#include "modenorm/core/hard_assignment.hpp"

#include <cmath>
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

SufficientStats hard_assignment_stats(std::span<const double> x, std::span<const double> means) {
  const auto k = static_cast<Eigen::Index>(means.size());
  SufficientStats stats = make_empty_stats(Eigen::Map<const Eigen::ArrayXd>(means.data(), k));
  // Per-component compensated sums: this runs once, so accuracy is worth the few flops.
  std::vector<double> t1_error(means.size()), t2_error(means.size());
  const auto add = [](double& sum, double& error, double v) {
    const double t = sum + v;
    error += std::abs(sum) >= std::abs(v) ? (sum - t) + v : (v - t) + sum;
    sum = t;
  };
  for (const double v : x) {
    const int c = nearest_mean(v, means);
    const auto u = static_cast<std::size_t>(c);
    const double d = v - means[u];
    stats.R[c] += 1.0;  // exact: counts stay far below 2^53 per block
    add(stats.T1[c], t1_error[u], d);
    add(stats.T2[c], t2_error[u], d * d);
  }
  for (Eigen::Index c = 0; c < k; ++c) {
    stats.T1[c] += t1_error[static_cast<std::size_t>(c)];
    stats.T2[c] += t2_error[static_cast<std::size_t>(c)];
  }
  stats.rows = x.size();
  return stats;
}

}  // namespace modenorm::core
