// Plain data types of the 1-D variational Gaussian mixture (VGM_SPEC §0, §2, §5).
#pragma once

#include <cstdint>

#include <Eigen/Core>

namespace modenorm::core {

// How the EM loop decides it has converged (VGM_SPEC §6.2, §6.3).
enum class ToleranceMode {
  absolute,  // |LB_t - LB_{t-1}| < tol: scikit-learn's rule (parity mode)
  per_row,   // |LB_t - LB_{t-1}| / n < tol: scale-free, meaningful at 1e9 rows
};

// The CTGAN / RDT settings of the mixture and of the valid-component rule (VGM_SPEC §1).
struct FitSettings {
  int components = 10;
  double weight_concentration_prior = 0.001;  // alpha0 (Dirichlet process)
  double mean_precision_prior = 1.0;          // beta0
  double reg_covar = 1e-6;
  double tol = 1e-3;
  ToleranceMode tol_mode = ToleranceMode::absolute;
  int max_iter = 100;
  double weight_threshold = 0.005;  // valid iff weights_ > threshold (strict)
};

// Data-dependent priors (VGM_SPEC §2).
struct Priors {
  double alpha0 = 0.0;  // weight concentration prior
  double beta0 = 0.0;   // mean precision prior
  double m0 = 0.0;      // mean prior = data mean
  double nu0 = 0.0;     // degrees-of-freedom prior = 1 (one feature)
  double psi0 = 0.0;    // covariance prior = sample variance (ddof = 1)
};

// Variational posterior parameters, one entry per component (VGM_SPEC §0, §5.2).
struct Params {
  Eigen::ArrayXd a;     // Beta posterior of stick k, first shape
  Eigen::ArrayXd b;     // Beta posterior of stick k, second shape
  Eigen::ArrayXd beta;  // mean precision scale
  Eigen::ArrayXd m;     // posterior mean of the component mean
  Eigen::ArrayXd nu;    // degrees of freedom
  Eigen::ArrayXd C;     // "covariance" = 1 / E[lambda]
  Eigen::ArrayXd P;     // C^(-1/2), sklearn's precisions_cholesky_

  [[nodiscard]] int components() const { return static_cast<int>(a.size()); }
};

// The only data-dependent quantities of an EM iteration (VGM_SPEC §5.1): shifted sums per
// component, with shift c_k known to every rank (the E-step's m_k), plus the entropy term.
// Sums from different blocks with the same shifts add component-wise (merge_into).
struct SufficientStats {
  Eigen::ArrayXd R;           // sum_i r_ik
  Eigen::ArrayXd T1;          // sum_i r_ik (x_i - c_k)
  Eigen::ArrayXd T2;          // sum_i r_ik (x_i - c_k)^2
  Eigen::ArrayXd c;           // shifts c_k
  double H = 0.0;             // sum_i sum_k r_ik ln r_ik (<= 0; only the lower bound uses it)
  double sum_log_norm = 0.0;  // sum_i L_i, for sklearn's log_prob_norm diagnostic (§4.3)
  std::uint64_t rows = 0;

  [[nodiscard]] int components() const { return static_cast<int>(R.size()); }
};

// Zero sums for `shifts.size()` components with the given shifts.
[[nodiscard]] SufficientStats make_empty_stats(const Eigen::ArrayXd& shifts);

// into += block. Both must use identical shifts (checked; throws std::invalid_argument).
// Addition order is the caller's: the MPI layer merges fixed global blocks in a fixed order.
void merge_into(SufficientStats& into, const SufficientStats& block);

}  // namespace modenorm::core
