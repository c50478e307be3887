#include "modenorm/core/final_attributes.hpp"

#include <cmath>
#include <stdexcept>
#include <utility>

namespace modenorm::core {

Eigen::ArrayXd mixture_weights(const Params& params) {
  // wt_k = a_k / (a_k + b_k) * prod_{j<k} b_j / (a_j + b_j), in sklearn's order: the stick
  // fractions times the running product (np.cumprod of the remainders, shifted by one).
  const Eigen::Index k = params.a.size();
  Eigen::ArrayXd w(k);
  double remaining = 1.0;
  for (Eigen::Index j = 0; j < k; ++j) {
    const double total = params.a[j] + params.b[j];
    w[j] = params.a[j] / total * remaining;
    remaining *= params.b[j] / total;
  }
  return w / w.sum();
}

Eigen::ArrayXd component_stds(const Params& params) { return params.C.sqrt(); }

std::vector<bool> valid_components(const Eigen::ArrayXd& weights, double threshold,
                                   std::span<const std::uint64_t> argmax_counts) {
  const auto k = static_cast<std::size_t>(weights.size());
  if (!argmax_counts.empty() && argmax_counts.size() != k) {
    throw std::invalid_argument("valid_components: one argmax count per component expected");
  }
  std::vector<bool> valid(k);
  for (std::size_t j = 0; j < k; ++j) {
    const bool heavy = weights[static_cast<Eigen::Index>(j)] > threshold;
    valid[j] = heavy && (argmax_counts.empty() || argmax_counts[j] > 0);
  }
  return valid;
}

void record_fit(FittedModel& model, const FitResult& fit,
                std::vector<std::uint64_t> argmax_counts) {
  model.params = fit.params;
  model.weights = fit.weights;
  model.stds = fit.stds;
  model.valid = valid_components(fit.weights, model.settings.weight_threshold, argmax_counts);
  model.argmax_counts = std::move(argmax_counts);
  model.lower_bounds = fit.lower_bounds;
  model.n_iter = fit.n_iter;
  model.converged = fit.converged;
}

}  // namespace modenorm::core
