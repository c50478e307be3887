// Initial statistics from given means: every row to its nearest mean (VGM_SPEC §3, "accept
// explicit initial means ... which is how parity with sklearn is tested", DESIGN §4).
#pragma once

#include <span>

#include "modenorm/core/vgm_types.hpp"

namespace modenorm::core {

// Index of the mean nearest to x (|x - mean_k| smallest, ties to the lowest index).
[[nodiscard]] int nearest_mean(double x, std::span<const double> means);

// Hard responsibilities r_ik = [k = nearest_mean(x_i)] as sufficient statistics of one block,
// shifted by the means themselves (VGM_SPEC §5.1 with c_k = mean_k). H = 0 (r ln r = 0).
// Blocks merge with merge_into; then m_step gives the initial parameters (VGM_SPEC §3).
[[nodiscard]] SufficientStats hard_assignment_stats(std::span<const double> x,
                                                    std::span<const double> means);

// The same statistics, bit for bit, for ascending `x` (the fit's sorted blocks): runs of rows
// whose nearest mean is provably one component are credited without comparing every row to
// every mean (in 1-D, |x - m_j| - |x - m_c| is monotone in x, so a margin at both ends of a
// run proves it for the whole run); each component still adds its rows in row order.
[[nodiscard]] SufficientStats hard_assignment_stats_sorted(std::span<const double> x,
                                                           std::span<const double> means);

}  // namespace modenorm::core
