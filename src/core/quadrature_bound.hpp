// Whether a tile's Gauss rule is accurate for the E-step under given parameters (private to the
// quadrature E-step, tile_quadrature.hpp).
#pragma once

#include <cstdint>

#include "modenorm/core/estep_tables.hpp"

namespace modenorm::core::detail {

// True when the n-node Gauss rule of any set of rows in [lo, hi] provably gives every
// component's sums sum r_k (x - c)^m, m <= 2, within `tolerance` relative of the row-by-row
// sums (up to components whose responsibility is below e^-50 of the best one everywhere near
// the tile, whose absolute error is then below e^-50 times the tile's rows).
//
// The argument, with t the tile's centre, h its half width and u = (x - t) / h in [-1, 1]:
// every w_j(t + h u) = a_j + b_j u + g_j u^2 is a quadratic (VGM_SPEC §4.2), so r_k(u) =
// 1 / sum_j exp(d_j(u)) with d_j = w_j - w_k extends to complex u. On the Bernstein ellipse
// E_rho (semi-axes A = (rho + 1/rho)/2, B = (rho - 1/rho)/2), relative to the best component at
// the centre: if |Im d_j| < pi/2 for a component j, exp(d_j) has a non-negative real part; if
// instead Re d_j <= -50 everywhere on E_rho, |exp(d_j)| is negligible. When every component is
// one or the other, the denominator stays away from 0 and |r_k| <= e^(max Re d_k) / (1 - small)
// on E_rho. Chebyshev truncation then bounds the best degree-(2n - 1 - m) approximation of r_k,
// and the Gauss rule's error is at most twice the rows times that (positive weights). The
// bound is divided by a lower bound of the tile's own contribution of component k on the real
// interval, so the tolerance is relative. Several rho are tried; any that proves it is enough.
// `moment_error` is what the stored rule misses of the tile's Chebyshev moments, per row.
// `hint` (optional) names the ellipse to try first and receives the one that proved it; the
// answer does not depend on it, only the time it takes.
[[nodiscard]] bool quadrature_is_accurate(double lo, double hi, int nodes, double moment_error,
                                          double tolerance, const EStepTables& tables,
                                          std::uint8_t* hint = nullptr);

}  // namespace modenorm::core::detail
