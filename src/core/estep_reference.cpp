// Scalar reference E-step (VGM_SPEC §4.2, §4.3, §5.1), kept simple and close to sklearn.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "modenorm/core/compensated_sum.hpp"
#include "modenorm/core/estep.hpp"

namespace modenorm::core {

namespace {

// Row i counts weights[i] times (once each when `weights` is empty).
SufficientStats reference_sums(std::span<const double> x, std::span<const double> weights,
                               const EStepTables& tables) {
  const auto k = static_cast<std::size_t>(tables.components());
  const double log_2pi = std::log(2.0 * std::numbers::pi);
  std::vector<CompensatedSum> R(k), T1(k), T2(k);
  CompensatedSum H, sum_log_norm;
  std::vector<double> w(k);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double xi = x[i];
    const double q = weights.empty() ? 1.0 : weights[i];
    double max_w = -std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < k; ++j) {
      const auto e = static_cast<Eigen::Index>(j);
      // VGM_SPEC §4.2 in sklearn's order: y = x P - m P, then the terms left to right.
      const double y = xi * tables.P[e] - tables.mP[e];
      const double log_gauss = -0.5 * (log_2pi + y * y) + tables.log_P[e];
      w[j] =
          (log_gauss - tables.half_log_nu[e]) + tables.half_log_lambda[e] + tables.log_weights[e];
      max_w = std::max(max_w, w[j]);
    }
    // VGM_SPEC §4.3: log-sum-exp shifted by the maximum.
    double sum_exp = 0.0;
    for (std::size_t j = 0; j < k; ++j) sum_exp += std::exp(w[j] - max_w);
    const double log_norm = max_w + std::log(sum_exp);
    sum_log_norm.add(q * log_norm);
    for (std::size_t j = 0; j < k; ++j) {
      const double log_r = w[j] - log_norm;
      const double r = std::exp(log_r);
      const double qr = q * r;
      const double d = xi - tables.shift[static_cast<Eigen::Index>(j)];
      R[j].add(qr);
      T1[j].add(qr * d);
      T2[j].add(qr * d * d);
      H.add(qr * log_r);
    }
  }
  SufficientStats out = make_empty_stats(tables.shift);
  for (std::size_t j = 0; j < k; ++j) {
    const auto e = static_cast<Eigen::Index>(j);
    out.R[e] = R[j].value();
    out.T1[e] = T1[j].value();
    out.T2[e] = T2[j].value();
  }
  out.H = H.value();
  out.sum_log_norm = sum_log_norm.value();
  out.rows = x.size();
  return out;
}

}  // namespace

SufficientStats estep_block_reference(std::span<const double> x, const EStepTables& tables) {
  return reference_sums(x, {}, tables);
}

SufficientStats estep_weighted_rows_reference(std::span<const double> x,
                                              std::span<const double> weights,
                                              const EStepTables& tables) {
  return reference_sums(x, weights, tables);
}

}  // namespace modenorm::core
