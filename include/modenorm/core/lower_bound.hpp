// The variational lower bound and the convergence test (VGM_SPEC §6).
#pragma once

#include <cstdint>

#include "modenorm/core/vgm_types.hpp"

namespace modenorm::core {

// sklearn's _compute_lower_bound in 1-D (VGM_SPEC §6.1), constants dropped. H is the entropy
// sum of the E-step that produced `params` by the M-step. A sum over rows, not a mean.
[[nodiscard]] double lower_bound(const Params& params, double H);

// VGM_SPEC §6.2 (absolute, sklearn) or §6.3 (per_row): |change| < tol, or |change| / n < tol.
// The first iteration compares against -infinity and never converges.
[[nodiscard]] bool has_converged(double lower_bound_now, double lower_bound_before,
                                 std::uint64_t rows, const FitSettings& settings);

}  // namespace modenorm::core
