// Which components can matter on an interval of x (private to the E-step kernel).
#pragma once

#include <span>

#include "modenorm/core/estep_tables.hpp"

namespace modenorm::core::detail {

// Below this gap to the best component, exp(w_k - max_j w_j) is below the flush threshold of
// fast_math::exp (-708) even after the evaluation margin, i.e. the kernel would compute
// exactly 0 for it: skipping it changes no bit of the result.
inline constexpr double kSkipGap = -750.0;

// Writes, in increasing order, the components k for which the upper bound of
// w_k(x) - w_j(x) over [lo, hi] is >= kSkipGap, where j is the best component at the midpoint.
// w_k is a downward quadratic in x, so the difference of two of them is a quadratic whose
// maximum over [lo, hi] is at an end point or at its vertex. Returns the count written.
int active_components(double lo, double hi, const EStepTables& tables, std::span<int> active);

// True when w_c(x) > w_j(x) + margin for every other j and every x in [lo, hi], the margin
// covering the rounding of either way of evaluating w (VGM_SPEC §4.2): then argmax_component
// returns c for every value in [lo, hi].
bool dominates_on(int c, double lo, double hi, const EStepTables& tables);

}  // namespace modenorm::core::detail
