#include "modenorm/core/estep_tables.hpp"

#include <cmath>
#include <numbers>

#include "modenorm/core/special_functions.hpp"

namespace modenorm::core {

Eigen::ArrayXd expected_log_weights(const Params& params) {
  // VGM_SPEC §4.1: psi(a_k) - psi(a_k + b_k) + running sum over j < k of
  // psi(b_j) - psi(a_j + b_j), accumulated left to right like np.cumsum.
  const Eigen::Index k = params.a.size();
  Eigen::ArrayXd out(k);
  double running = 0.0;
  for (Eigen::Index j = 0; j < k; ++j) {
    const double psi_sum = digamma(params.a[j] + params.b[j]);
    out[j] = (digamma(params.a[j]) - psi_sum) + running;
    running += digamma(params.b[j]) - psi_sum;
  }
  return out;
}

EStepTables make_estep_tables(const Params& params) {
  const Eigen::Index k = params.a.size();
  EStepTables t;
  t.P = params.P;
  t.mP = params.m * params.P;
  t.shift = params.m;
  t.log_P = params.P.log();
  t.half_log_nu = 0.5 * params.nu.log();
  t.half_log_lambda.resize(k);
  for (Eigen::Index j = 0; j < k; ++j) {
    // VGM_SPEC §4.2: 0.5 (ln 2 + psi(nu/2) - 1/beta), grouped as sklearn groups it.
    const double log_lambda = std::numbers::ln2 + digamma(0.5 * params.nu[j]);
    t.half_log_lambda[j] = 0.5 * (log_lambda - 1.0 / params.beta[j]);
  }
  t.log_weights = expected_log_weights(params);
  const double half_log_2pi = 0.5 * std::log(2.0 * std::numbers::pi);
  t.log_norm = t.log_P - t.half_log_nu + t.half_log_lambda + t.log_weights - half_log_2pi;
  return t;
}

}  // namespace modenorm::core
