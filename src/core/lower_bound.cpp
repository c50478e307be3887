#include "modenorm/core/lower_bound.hpp"

#include <cmath>
#include <numbers>

#include "modenorm/core/special_functions.hpp"

namespace modenorm::core {

double lower_bound(const Params& params, double H) {
  // VGM_SPEC §6.1, summed in sklearn's grouping: -H - sum lnWnorm + sum lnB - 0.5 sum ln beta.
  const Eigen::Index k = params.a.size();
  double log_wishart = 0.0;
  double log_beta_sum = 0.0;
  double log_precision_sum = 0.0;
  for (Eigen::Index j = 0; j < k; ++j) {
    const double nu = params.nu[j];
    const double log_det_chol = std::log(params.P[j]) - 0.5 * std::log(nu);
    log_wishart += -(nu * log_det_chol + nu * 0.5 * std::numbers::ln2 + log_gamma(0.5 * nu));
    log_beta_sum += log_beta(params.a[j], params.b[j]);
    log_precision_sum += std::log(params.beta[j]);
  }
  return -H - log_wishart + log_beta_sum - 0.5 * log_precision_sum;
}

bool has_converged(double lower_bound_now, double lower_bound_before, std::uint64_t rows,
                   const FitSettings& settings) {
  const double change = std::abs(lower_bound_now - lower_bound_before);  // inf on iteration 1
  switch (settings.tol_mode) {
    case ToleranceMode::absolute:
      return change < settings.tol;
    case ToleranceMode::per_row:
      return rows > 0 && change / static_cast<double>(rows) < settings.tol;
  }
  return false;
}

}  // namespace modenorm::core
