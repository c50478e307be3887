#include "quadrature_bound.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace modenorm::core::detail {
namespace {

// |Im d_j| below this (< pi/2) keeps exp(d_j) in the right half-plane.
constexpr double kMaxImaginary = 1.5;
// Ellipse parameters tried, largest (fastest decay, strictest conditions) first.
constexpr std::array<double, 6> kRhos = {128.0, 64.0, 32.0, 16.0, 11.0, 8.0};

}  // namespace

bool quadrature_is_accurate(double lo, double hi, int nodes, double moment_error, double tolerance,
                            const EStepTables& tables) {
  const double t = 0.5 * (lo + hi);
  const double h = 0.5 * (hi - lo);
  if (!(h > 0.0)) return std::isfinite(t);  // one distinct value: the rule is the tile itself
  const int k = tables.components();
  constexpr int kMax = 256;
  if (k > kMax) return false;
  std::array<double, kMax> da{}, db{}, dg{};

  // w_j(t + h u) = a_j + b_j u + g_j u^2 (VGM_SPEC §4.2: w = log_norm - 0.5 (x P - m P)^2).
  int best = 0;
  for (int j = 0; j < k; ++j) {
    const double y = t * tables.P[j] - tables.mP[j];
    da[static_cast<std::size_t>(j)] = tables.log_norm[j] - 0.5 * y * y;
    db[static_cast<std::size_t>(j)] = -h * tables.P[j] * y;
    dg[static_cast<std::size_t>(j)] = -0.5 * h * h * tables.P[j] * tables.P[j];
    if (da[static_cast<std::size_t>(j)] > da[static_cast<std::size_t>(best)]) best = j;
  }
  const auto b = static_cast<std::size_t>(best);
  const double a_best = da[b], b_best = db[b], g_best = dg[b];
  // d_j = w_j - w_best = da_j + db_j u + dg_j u^2; from here db, dg hold magnitudes.
  std::array<double, kMax> up{}, scale{};
  double max_up = -std::numeric_limits<double>::infinity();
  for (int j = 0; j < k; ++j) {
    const auto i = static_cast<std::size_t>(j);
    da[i] -= a_best;
    db[i] = std::abs(db[i] - b_best);
    dg[i] = std::abs(dg[i] - g_best);
    up[i] = da[i] + db[i] + dg[i];  // max of d_j on the real interval
    max_up = std::max(max_up, up[i]);
  }
  // ln of an upper bound of the denominator sum_j e^d_j on the real interval (>= 1 there).
  double sum = 0.0;
  for (int j = 0; j < k; ++j) sum += std::exp(up[static_cast<std::size_t>(j)] - max_up);
  const double log_den = max_up + std::log(sum);
  if (!std::isfinite(log_den)) return false;
  // The scale each component's error is measured against: its smallest responsibility on the
  // tile, or its prior expected weight exp(E[ln pi_k]) (VGM_SPEC §4.1) when that is larger, so
  // that the bound is relative to what the component holds overall, not only on this tile.
  double spread = 0.0;
  for (int j = 0; j < k; ++j) {
    const auto i = static_cast<std::size_t>(j);
    scale[i] = std::max(da[i] - db[i] - dg[i] - log_den, tables.log_weights[j]);
    spread = std::max(spread, up[i] - scale[i]);
  }
  const double log_tolerance = std::log(tolerance);
  // Components this small everywhere on the tile are left out of the analytic argument: their
  // own sums (in [0, rows e^up]) and what they change of the others' responsibilities (a factor
  // within e^up of 1) are inside the tolerance whatever the rule does with them.
  const double drop_below = log_tolerance - std::log(4.0 * k) - spread;
  std::array<bool, kMax> kept{};
  for (int j = 0; j < k; ++j) {
    const auto i = static_cast<std::size_t>(j);
    kept[i] = j == best || up[i] > std::min(drop_below, log_tolerance - std::log(4.0) + scale[i]);
  }

  for (const double rho : kRhos) {
    const double A = 0.5 * (rho + 1.0 / rho);
    const double B = 0.5 * (rho - 1.0 / rho);
    double negligible = 0.0;
    bool proven = true;
    std::array<double, kMax> re{};
    for (int j = 0; j < k && proven; ++j) {
      const auto i = static_cast<std::size_t>(j);
      if (!kept[i]) continue;
      const double imaginary = (db[i] + 2.0 * dg[i] * A) * B;
      re[i] = da[i] + db[i] * A + dg[i] * A * A;  // max of Re d_j on E_rho
      if (imaginary < kMaxImaginary) continue;    // e^d_j in the right half-plane
      negligible += std::exp(re[i]);              // else |e^d_j| <= e^re_j, any phase
      proven = negligible < 0.5;
    }
    if (!proven) continue;
    // On E_rho |r_j| <= e^re_j / (1 - negligible). The Gauss rule's error for r (x - c)^m,
    // m <= 2, is at most 2 rows 2 M rho^-(2n - 3) / (rho - 1), plus what the stored rule misses
    // of the exact moments (moment_error per Chebyshev coefficient, whose sum is
    // <= 2 M rho / (rho - 1)); each must stay below tolerance / 2 of the component's scale.
    const double truncation =
        std::log(4.0) + (3.0 - 2.0 * nodes) * std::log(rho) - std::log(rho - 1.0);
    const double moments = std::log(2.0 * std::max(moment_error, 1e-300) * rho / (rho - 1.0));
    const double per_component =
        std::max(truncation, moments) + std::log(2.0) - std::log1p(-negligible) - log_tolerance;
    bool accurate = true;
    for (int j = 0; j < k && accurate; ++j) {
      const auto i = static_cast<std::size_t>(j);
      if (kept[i]) accurate = re[i] - scale[i] + per_component <= 0.0;
    }
    if (accurate) return true;
  }
  return false;
}

}  // namespace modenorm::core::detail
