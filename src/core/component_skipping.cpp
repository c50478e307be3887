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

}  // namespace

int active_components(double lo, double hi, const EStepTables& tables, std::span<int> active) {
  const int k = tables.components();
  const double* P = tables.P.data();
  const double* mP = tables.mP.data();
  const double* log_norm = tables.log_norm.data();
  const auto w_at = [&](int c, double x) {
    const double y = x * P[c] - mP[c];
    return log_norm[c] - 0.5 * y * y;
  };

  const double mid = 0.5 * (lo + hi);
  int best = 0;
  double best_w = w_at(0, mid);
  for (int c = 1; c < k; ++c) {
    const double w = w_at(c, mid);
    if (w > best_w) {
      best_w = w;
      best = c;
    }
  }
  const double best_margin = evaluation_margin(log_norm[best], P[best], mP[best], lo, hi);
  const double best_lo = w_at(best, lo);
  const double best_hi = w_at(best, hi);

  int count = 0;
  for (int c = 0; c < k; ++c) {
    if (c == best) {
      active[static_cast<std::size_t>(count++)] = c;
      continue;
    }
    double gap = std::max(w_at(c, lo) - best_lo, w_at(c, hi) - best_hi);
    // Vertex of the difference: d'(x) = -(P_c^2 - P_b^2) x + (P_c mP_c - P_b mP_b) = 0;
    // a maximum only if P_c^2 > P_b^2 (the difference opens downwards).
    const double curvature = P[c] * P[c] - P[best] * P[best];
    if (curvature > 0.0) {
      const double vertex = (P[c] * mP[c] - P[best] * mP[best]) / curvature;
      if (vertex > lo && vertex < hi) gap = std::max(gap, w_at(c, vertex) - w_at(best, vertex));
    }
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
  const auto w_at = [&](int j, double x) {
    const double y = x * P[j] - mP[j];
    return log_norm[j] - 0.5 * y * y;
  };
  const double c_margin = evaluation_margin(log_norm[c], P[c], mP[c], lo, hi);
  for (int j = 0; j < k; ++j) {
    if (j == c) continue;
    double gap = std::max(w_at(j, lo) - w_at(c, lo), w_at(j, hi) - w_at(c, hi));
    // d(x) = w_j - w_c has its maximum inside only if it opens downwards (P_j^2 > P_c^2).
    const double curvature = P[j] * P[j] - P[c] * P[c];
    if (curvature > 0.0) {
      const double vertex = (P[j] * mP[j] - P[c] * mP[c]) / curvature;
      if (vertex > lo && vertex < hi) gap = std::max(gap, w_at(j, vertex) - w_at(c, vertex));
    }
    // Both forms of w agree to ~1e-15 relative; the margin is 1e-12 of the terms' size.
    const double margin = c_margin + evaluation_margin(log_norm[j], P[j], mP[j], lo, hi);
    if (!(gap + margin < 0.0)) return false;  // NaN: not proven
  }
  return true;
}

}  // namespace modenorm::core::detail
