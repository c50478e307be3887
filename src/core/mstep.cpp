#include "modenorm/core/mstep.hpp"

#include <algorithm>
#include <limits>

namespace modenorm::core {

ComponentMoments component_moments(const SufficientStats& stats) {
  // VGM_SPEC §5.1: sklearn adds 10 eps to every count, always.
  constexpr double kTenEps = 10.0 * std::numeric_limits<double>::epsilon();
  const Eigen::Index k = stats.R.size();
  ComponentMoments out;
  out.N = stats.R + kTenEps;
  out.xbar.resize(k);
  out.D.resize(k);
  for (Eigen::Index j = 0; j < k; ++j) {
    const double c = stats.c[j];
    out.xbar[j] = (stats.T1[j] + c * stats.R[j]) / out.N[j];
    const double delta = out.xbar[j] - c;
    // Shifted form of sum r (x - xbar)^2; rounding can make it a tiny negative number for a
    // component sitting on one repeated value, where sklearn's centred sum is >= 0.
    const double d = stats.T2[j] - 2.0 * delta * stats.T1[j] + delta * delta * stats.R[j];
    out.D[j] = std::max(0.0, d);
  }
  return out;
}

Params m_step(const SufficientStats& stats, const Priors& priors, const FitSettings& settings) {
  const ComponentMoments mom = component_moments(stats);
  const Eigen::Index k = stats.R.size();
  Params p;
  p.a.resize(k);
  p.b.resize(k);
  p.beta.resize(k);
  p.m.resize(k);
  p.nu.resize(k);
  p.C.resize(k);
  p.P.resize(k);

  // VGM_SPEC §5.2, stick-breaking weights: b_k = alpha0 + sum_{j>k} N_j, the tail accumulated
  // from j = K-1 downwards as sklearn's reversed cumsum does.
  double tail = 0.0;
  for (Eigen::Index j = k - 1; j >= 0; --j) {
    p.a[j] = 1.0 + mom.N[j];
    p.b[j] = priors.alpha0 + tail;
    tail += mom.N[j];
  }
  for (Eigen::Index j = 0; j < k; ++j) {
    const double n = mom.N[j];
    // sklearn's sk = D / N + reg_covar, then N * sk (not D + N reg): keeps its rounding.
    const double s = mom.D[j] / n + settings.reg_covar;
    p.beta[j] = priors.beta0 + n;
    p.m[j] = (priors.beta0 * priors.m0 + n * mom.xbar[j]) / p.beta[j];
    p.nu[j] = priors.nu0 + n;
    const double diff = mom.xbar[j] - priors.m0;
    const double scatter = priors.psi0 + n * s + (n * priors.beta0 / p.beta[j]) * (diff * diff);
    p.C[j] = scatter / p.nu[j];
    p.P[j] = 1.0 / std::sqrt(p.C[j]);  // 1x1 Cholesky and triangular solve
  }
  return p;
}

}  // namespace modenorm::core
