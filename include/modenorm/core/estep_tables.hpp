// Per-iteration constants of the E-step, computed once from the parameters (VGM_SPEC §4).
#pragma once

#include "modenorm/core/vgm_types.hpp"

namespace modenorm::core {

// E[ln pi_k] of the Dirichlet-process stick-breaking prior (VGM_SPEC §4.1).
[[nodiscard]] Eigen::ArrayXd expected_log_weights(const Params& params);

// Everything a row needs: the weighted log-probability of component k at x is
//   w_k(x) = log_norm_k - 0.5 * (x P_k - m_k P_k)^2                  (VGM_SPEC §4.2, §4.3)
// The reference path instead keeps sklearn's operation order with the separate terms.
struct EStepTables {
  Eigen::ArrayXd P;         // precisions_cholesky_
  Eigen::ArrayXd mP;        // m_k * P_k
  Eigen::ArrayXd log_norm;  // ln P - 0.5 ln nu + half_log_lambda + E[ln pi] - 0.5 ln(2 pi)
  Eigen::ArrayXd shift;     // c_k = m_k, the shift of the sums (VGM_SPEC §5.1)
  // sklearn's separate terms (reference kernel and predict):
  Eigen::ArrayXd log_P;            // ln P_k
  Eigen::ArrayXd half_log_nu;      // 0.5 ln nu_k
  Eigen::ArrayXd half_log_lambda;  // 0.5 (ln 2 + psi(nu_k / 2) - 1 / beta_k)
  Eigen::ArrayXd log_weights;      // E[ln pi_k]

  [[nodiscard]] int components() const { return static_cast<int>(P.size()); }
};

[[nodiscard]] EStepTables make_estep_tables(const Params& params);

}  // namespace modenorm::core
