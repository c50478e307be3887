#include "component_skipping.hpp"

#include <algorithm>
#include <cmath>

namespace modenorm::core::detail {
namespace {

// Bound on the rounding error of the kernel's w_k(x) = log_norm - 0.5 (x P - mP)^2 for
// x in [lo, hi]: a few ulps of each term it adds, taken with a wide (1e-12) factor.
double evaluation_margin(double log_norm, double P, double mP, double lo, double hi) {
  const double y_max = std::max(std::abs(lo * P - mP), std::abs(hi * P - mP));
  const double x_max = std::max(std::abs(lo), std::abs(hi));
  return 1e-12 * (std::abs(log_norm) + y_max * y_max + y_max * (x_max * P + std::abs(mP)));
}

// w_k(x) as the kernel forms it.
double weighted_log_prob(const EStepTables& tables, int k, double x) {
  const double y = x * tables.P[k] - tables.mP[k];
  return tables.log_norm[k] - 0.5 * y * y;
}

// The largest value of d(x) = w_j(x) - w_c(x) on [lo, hi]: at an end, or at the vertex of the
// quadratic when it opens downwards (P_j^2 > P_c^2) and the vertex lies inside.
double largest_difference(const EStepTables& tables, int j, int c, double lo, double hi) {
  const double* P = tables.P.data();
  const double* mP = tables.mP.data();
  double gap = std::max(weighted_log_prob(tables, j, lo) - weighted_log_prob(tables, c, lo),
                        weighted_log_prob(tables, j, hi) - weighted_log_prob(tables, c, hi));
  const double curvature = P[j] * P[j] - P[c] * P[c];
  if (curvature > 0.0) {
    const double vertex = (P[j] * mP[j] - P[c] * mP[c]) / curvature;
    if (vertex > lo && vertex < hi) {
      gap = std::max(gap,
                     weighted_log_prob(tables, j, vertex) - weighted_log_prob(tables, c, vertex));
    }
  }
  return gap;
}

}  // namespace

int active_components(double lo, double hi, const EStepTables& tables, std::span<int> active) {
  const int k = tables.components();
  const double* P = tables.P.data();
  const double* mP = tables.mP.data();
  const double* log_norm = tables.log_norm.data();

  const double mid = 0.5 * (lo + hi);
  int best = 0;
  double best_w = weighted_log_prob(tables, 0, mid);
  for (int c = 1; c < k; ++c) {
    const double w = weighted_log_prob(tables, c, mid);
    if (w > best_w) {
      best_w = w;
      best = c;
    }
  }
  const double best_margin = evaluation_margin(log_norm[best], P[best], mP[best], lo, hi);

  int count = 0;
  for (int c = 0; c < k; ++c) {
    if (c == best) {
      active[static_cast<std::size_t>(count++)] = c;
      continue;
    }
    const double gap = largest_difference(tables, c, best, lo, hi);
    const double margin = best_margin + evaluation_margin(log_norm[c], P[c], mP[c], lo, hi);
    // A NaN gap (non-finite parameters) keeps the component: only a proven gap skips.
    if (!(gap + margin < kSkipGap)) active[static_cast<std::size_t>(count++)] = c;
  }
  return count;
}

bool dominates_on(int c, double lo, double hi, const EStepTables& tables) {
  const int k = tables.components();
  const double* P = tables.P.data();
  const double* mP = tables.mP.data();
  const double* log_norm = tables.log_norm.data();
  const double c_margin = evaluation_margin(log_norm[c], P[c], mP[c], lo, hi);
  for (int j = 0; j < k; ++j) {
    if (j == c) continue;
    const double gap = largest_difference(tables, j, c, lo, hi);
    // Both forms of w agree to ~1e-15 relative; the margin is 1e-12 of the terms' size.
    const double margin = c_margin + evaluation_margin(log_norm[j], P[j], mP[j], lo, hi);
    if (!(gap + margin < 0.0)) return false;  // NaN: not proven
  }
  return true;
}

}  // namespace modenorm::core::detail
