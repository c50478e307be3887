// Parameters that look fitted (narrow spikes, wide tails, dead components far in the weight
// tail), for kernel tests: k-means, the initial M-step, then `iterations` EM iterations.
#pragma once

#include <vector>

#include "modenorm/core/estep.hpp"
#include "modenorm/core/hard_assignment.hpp"
#include "modenorm/core/kmeans.hpp"
#include "modenorm/core/moments.hpp"
#include "modenorm/core/mstep.hpp"

namespace modenorm::core::test {

inline Params fitted_params(const std::vector<double>& x, int iterations) {
  const FitSettings settings;
  const Priors priors = priors_from_moments(moments_of_block(x), settings);
  const KMeansResult km = kmeans_serial(x, settings.components, 42, 50);
  Params p = m_step(hard_assignment_stats(x, km.centres), priors, settings);
  for (int i = 0; i < iterations; ++i) {
    p = m_step(estep_blocks(x, make_estep_tables(p)), priors, settings);
  }
  return p;
}

}  // namespace modenorm::core::test
