// Per-value posterior with the final parameters: predict_proba and predict (VGM_SPEC §7.3).
#pragma once

#include <cstdint>
#include <span>

#include "modenorm/core/estep_tables.hpp"

namespace modenorm::core {

// w_k(x): the weighted log-probabilities sklearn's predict and predict_proba start from,
// evaluated in sklearn's operation order (VGM_SPEC §4.2). `out` has one slot per component.
void weighted_log_prob_row(double x, const EStepTables& tables, std::span<double> out);

// ln r_k(x) = w_k(x) - logsumexp_j w_j(x) (VGM_SPEC §4.3, §7.3).
void predict_log_proba_row(double x, const EStepTables& tables, std::span<double> out);

// r_k(x) = exp(ln r_k(x)): sklearn's predict_proba for one value.
void predict_proba_row(double x, const EStepTables& tables, std::span<double> out);

// sklearn's predict: argmax_k w_k(x), ties to the lowest index.
[[nodiscard]] int argmax_component(double x, const EStepTables& tables);

// counts[argmax_component(v)] += 1 for every v: the per-rank part of the CTAB-GAN valid rule
// (VGM_SPEC §1.4); the caller all-reduces the K counts.
void count_argmax(std::span<const double> x, const EStepTables& tables,
                  std::span<std::uint64_t> counts);

// The same counts for ascending `x` (the fit's sorted blocks), without evaluating every row:
// a run of rows is credited to component c at once when c provably beats every other
// component on the run's whole range by more than any rounding of argmax_component could
// close (each w_j - w_c is a quadratic, so its maximum is at an end or the vertex); other runs
// are halved, down to a few rows evaluated one by one. Gives exactly count_argmax's counts.
void count_argmax_sorted(std::span<const double> x, const EStepTables& tables,
                         std::span<std::uint64_t> counts);

}  // namespace modenorm::core
