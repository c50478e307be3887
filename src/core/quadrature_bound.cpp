#include "quadrature_bound.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "modenorm/core/fast_math.hpp"

namespace modenorm::core::detail {
namespace {

// |Im d_j| below this (< pi/2) keeps exp(d_j) in the right half-plane.
constexpr double kMaxImaginary = 1.5;
// Ellipse parameters tried, largest (fastest decay, strictest conditions) first.
constexpr std::array<double, 6> kRhos = {128.0, 64.0, 32.0, 16.0, 11.0, 8.0};

// What the bound needs of each rho, computed once (logs are most of its cost otherwise).
struct Ellipse {
  double A = 0.0;               // semi-axis along the real line, (rho + 1/rho) / 2
  double B = 0.0;               // semi-axis along the imaginary line, (rho - 1/rho) / 2
  double log_rho = 0.0;         // ln rho
  double log_excess = 0.0;      // ln(rho / (rho - 1))
  double log_decay_base = 0.0;  // ln 4 - ln(rho - 1), the truncation term without rho^-(2n-3)
};

const std::array<Ellipse, kRhos.size()>& ellipses() {
  static const auto table = [] {
    std::array<Ellipse, kRhos.size()> out;
    for (std::size_t i = 0; i < kRhos.size(); ++i) {
      const double rho = kRhos[i];
      out[i] = {0.5 * (rho + 1.0 / rho), 0.5 * (rho - 1.0 / rho), std::log(rho),
                std::log(rho / (rho - 1.0)), std::log(4.0) - std::log(rho - 1.0)};
    }
    return out;
  }();
  return table;
}

}  // namespace

bool quadrature_is_accurate(double lo, double hi, int nodes, double moment_error, double tolerance,
                            const EStepTables& tables, std::uint8_t* hint) {
  const double t = 0.5 * (lo + hi);
  const double h = 0.5 * (hi - lo);
  if (!(h > 0.0)) return std::isfinite(t);  // one distinct value: the rule is the tile itself
  const int k = tables.components();
  // Called once per tile and pass: small uninitialised arrays (each entry is written before it
  // is read); more components than this are summed row by row.
  constexpr int kMax = 64;
  if (k > kMax) return false;
  std::array<double, kMax> da, db, dg;

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
  std::array<double, kMax> up, scale;
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
  if (!std::isfinite(max_up)) return false;
  for (int j = 0; j < k; ++j) {
    sum += fast_math::exp_nonpositive(up[static_cast<std::size_t>(j)] - max_up);
  }
  const double log_den = max_up + fast_math::log(sum);
  // The scale each component's error is measured against: its smallest responsibility on the
  // tile, or its prior expected weight exp(E[ln pi_k]) (VGM_SPEC §4.1) when that is larger, so
  // that the bound is relative to what the component holds overall, not only on this tile.
  double spread = 0.0;
  for (int j = 0; j < k; ++j) {
    const auto i = static_cast<std::size_t>(j);
    scale[i] = std::max(da[i] - db[i] - dg[i] - log_den, tables.log_weights[j]);
    spread = std::max(spread, up[i] - scale[i]);
  }
  const double log_tolerance = fast_math::log(tolerance);
  const double log_moment_error = fast_math::log(2.0 * std::max(moment_error, 1e-300));
  constexpr double kLog2 = 0.69314718055994530942;
  // Components this small everywhere on the tile are left out of the analytic argument: their
  // own sums (in [0, rows e^up]) and what they change of the others' responsibilities (a factor
  // within e^up of 1) are inside the tolerance whatever the rule does with them.
  const double drop_below = log_tolerance - fast_math::log(4.0 * k) - spread;
  const double own_floor = log_tolerance - 2.0 * kLog2;  // tolerance / 4
  std::array<bool, kMax> kept;
  for (int j = 0; j < k; ++j) {
    const auto i = static_cast<std::size_t>(j);
    kept[i] = j == best || up[i] > std::min(drop_below, own_floor + scale[i]);
  }

  // Whether the ellipse E_rho proves the rule accurate.
  const auto proves = [&](const Ellipse& e) {
    const double A = e.A;
    const double B = e.B;
    double negligible = 0.0;
    std::array<double, kMax> re;
    for (int j = 0; j < k; ++j) {
      const auto i = static_cast<std::size_t>(j);
      if (!kept[i]) continue;
      const double imaginary = (db[i] + 2.0 * dg[i] * A) * B;
      re[i] = da[i] + db[i] * A + dg[i] * A * A;  // max of Re d_j on E_rho
      if (imaginary < kMaxImaginary) continue;    // e^d_j in the right half-plane
      // Otherwise |e^d_j| <= e^re_j whatever its phase; together they must stay small.
      if (!(re[i] < 0.0)) return false;
      negligible += fast_math::exp_nonpositive(re[i]);
      if (!(negligible < 0.5)) return false;
    }
    // On E_rho |r_j| <= e^re_j / (1 - negligible). The Gauss rule's error for r (x - c)^m,
    // m <= 2, is at most 2 rows 2 M rho^-(2n - 3) / (rho - 1), plus what the stored rule misses
    // of the exact moments (moment_error per Chebyshev coefficient, whose sum is
    // <= 2 M rho / (rho - 1)); each must stay below tolerance / 2 of the component's scale.
    const double truncation = e.log_decay_base + (3.0 - 2.0 * nodes) * e.log_rho;
    const double moments = log_moment_error + e.log_excess;
    // -ln(1 - negligible) <= 2 negligible for negligible < 0.5 (no log per attempt).
    const double per_component =
        std::max(truncation, moments) + kLog2 + 2.0 * negligible - log_tolerance;
    for (int j = 0; j < k; ++j) {
      const auto i = static_cast<std::size_t>(j);
      if (kept[i] && !(re[i] - scale[i] + per_component <= 0.0)) return false;
    }
    return true;
  };
  // The answer is whether any ellipse proves it, so the order of the attempts is free: the one
  // that proved this tile last time (parameters move slowly between passes) goes first.
  const auto& all = ellipses();
  if (hint != nullptr && *hint < all.size() && proves(all[*hint])) return true;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (hint != nullptr && i == *hint) continue;
    if (proves(all[i])) {
      if (hint != nullptr) *hint = static_cast<std::uint8_t>(i);
      return true;
    }
  }
  return false;
}

}  // namespace modenorm::core::detail
