// Quantities derived once after the fit (VGM_SPEC §7.1, §7.2, §1.2, §1.4).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "modenorm/core/em_loop.hpp"
#include "modenorm/core/model.hpp"
#include "modenorm/core/vgm_types.hpp"

namespace modenorm::core {

// sklearn's weights_: expected stick lengths from the final a, b, renormalised (§7.1).
[[nodiscard]] Eigen::ArrayXd mixture_weights(const Params& params);

// std_k = sqrt(C_k), as CTGAN and RDT take it (§7.2).
[[nodiscard]] Eigen::ArrayXd component_stds(const Params& params);

// Valid components: weights_ > threshold (§1.2); with argmax counts given (non-empty), also
// the CTAB-GAN rule "predict() picks it for at least one row" (§1.4).
[[nodiscard]] std::vector<bool> valid_components(const Eigen::ArrayXd& weights, double threshold,
                                                 std::span<const std::uint64_t> argmax_counts);

// Stores the fit's result in `model`: the variational parameters, weights_, stds, the
// lower-bound history and the valid mask from `argmax_counts` (rows for which each
// component is predict()) with the model's settings.weight_threshold. The same for the
// distributed fit and a fit in memory.
void record_fit(FittedModel& model, const FitResult& fit, std::vector<std::uint64_t> argmax_counts);

}  // namespace modenorm::core
