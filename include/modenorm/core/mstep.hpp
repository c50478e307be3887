// The M-step: posterior parameters from the shifted sums (VGM_SPEC §5.1, §5.2).
#pragma once

#include "modenorm/core/vgm_types.hpp"

namespace modenorm::core {

// Per-component moments recovered from the shifted sums (VGM_SPEC §5.1).
struct ComponentMoments {
  Eigen::ArrayXd N;     // R_k + 10 eps (sklearn's nk)
  Eigen::ArrayXd xbar;  // weighted mean, divided by the eps-inflated N_k
  Eigen::ArrayXd D;     // centred scatter sum_i r_ik (x_i - xbar_k)^2, clamped at 0
};

[[nodiscard]] ComponentMoments component_moments(const SufficientStats& stats);

// Every rank runs this identically on identical (all-reduced) stats.
[[nodiscard]] Params m_step(const SufficientStats& stats, const Priors& priors,
                            const FitSettings& settings);

}  // namespace modenorm::core
