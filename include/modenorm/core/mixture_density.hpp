// The fitted mixture as a plain density, p(x) = sum_k weights_k N(x; means_k, covariances_k):
// the "plug-in" model whose mean log-likelihood per row measures fit quality (modenorm
// evaluate). It uses sklearn's final attributes (VGM_SPEC §7.1, §7.2), not the variational
// predictive densities the E-step uses.
#pragma once

#include <span>
#include <vector>

#include "modenorm/core/model.hpp"

namespace modenorm::core {

struct PlugInMixture {
  std::vector<double> log_coefficient;  // ln w_k - ln sigma_k - 0.5 ln(2 pi)
  std::vector<double> mean;
  std::vector<double> inverse_std;  // 1 / sigma_k

  [[nodiscard]] std::size_t components() const { return mean.size(); }
};

// The plug-in mixture of a fitted model; components with weight exactly 0 are left out (they
// add nothing to p(x)). Throws std::invalid_argument if no component has a positive weight.
[[nodiscard]] PlugInMixture plug_in_mixture(const FittedModel& model);

// ln p(x) of one value, by log-sum-exp (exact to rounding even where p(x) underflows).
[[nodiscard]] double log_density(double x, const PlugInMixture& mixture);

// sum_i ln p(x_i). Vectorised over rows with the project's branch-free exp; the terms are
// added in a fixed order, so the result depends only on the values and their order.
[[nodiscard]] double log_likelihood_sum(std::span<const double> x, const PlugInMixture& mixture);

}  // namespace modenorm::core
