#include "modenorm/core/em_loop.hpp"

#include <cmath>
#include <limits>

#include "modenorm/core/final_attributes.hpp"
#include "modenorm/core/lower_bound.hpp"
#include "modenorm/core/mstep.hpp"

namespace modenorm::core {

FitResult run_em(const FitSettings& settings, const Priors& priors,
                 const SufficientStats& init_stats, const DataPass& pass,
                 const IterationObserver& observer, const EmState* resume) {
  FitResult result;
  double previous = -std::numeric_limits<double>::infinity();
  int first = 1;
  if (resume != nullptr && !resume->lower_bounds.empty()) {
    result.params = resume->params;
    result.lower_bounds = resume->lower_bounds;
    result.lower_bound = previous = resume->lower_bounds.back();
    result.n_iter = static_cast<int>(resume->lower_bounds.size());
    result.converged = resume->converged;
    first = result.converged ? settings.max_iter + 1 : result.n_iter + 1;
  } else {
    // VGM_SPEC §3: the initialisation is the M-step applied to the initial responsibilities.
    result.params = m_step(init_stats, priors, settings);
  }
  for (int t = first; t <= settings.max_iter; ++t) {
    const SufficientStats stats = pass(make_estep_tables(result.params));
    result.params = m_step(stats, priors, settings);
    const double bound = lower_bound(result.params, stats.H);
    result.lower_bounds.push_back(bound);
    result.lower_bound = bound;
    result.n_iter = t;
    result.log_prob_norm =
        stats.rows > 0 ? stats.sum_log_norm / static_cast<double>(stats.rows) : 0.0;
    result.converged = has_converged(bound, previous, stats.rows, settings);
    if (observer) {
      observer({t, bound, bound - previous, &stats, &result.params, result.converged});
    }
    if (result.converged) break;
    previous = bound;
  }
  result.weights = mixture_weights(result.params);
  result.stds = component_stds(result.params);
  return result;
}

}  // namespace modenorm::core
