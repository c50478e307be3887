// Mode-specific normalisation of a block of rows and its exact inverse (VGM_SPEC §8).
//
// Every row draws one valid component from predict_proba restricted to the valid components,
// +1e-6 each, renormalised (VGM_SPEC §7.3, §8.1), and keeps alpha = (x - m_k) / (4 std_k)
// unclipped, so the inverse is exact for every value, the extremes included (DESIGN.md §1).
//
// The uniform of global row i comes from Random123's Philox4x32-10, so a row's result depends
// only on (model, seed, i), never on the rank count or the slab size. The stream, precisely:
//   key     = {seed & 0xffffffff, seed >> 32}
//   counter = {i & 0xffffffff, i >> 32, 0, kModeSamplingStream}
//   u       = (((w0 << 32) | w1) >> 11) * 2^-53        (53 bits, in [0, 1))
// The drawn position s among the valid components is numpy's choice(): the number of entries
// of the cumulative, normalised probabilities that are <= u (searchsorted, side 'right').
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "modenorm/core/estep_tables.hpp"
#include "modenorm/core/model.hpp"

namespace modenorm::core {

inline constexpr double kSamplingFloor = 1e-6;  // added to every valid probability (§8.1)
inline constexpr double kStdMultiplier = 4.0;   // alpha = (x - m) / (4 std) (§1.2)
inline constexpr double kResearchClip = 0.99;   // the research code's transform clip (§1.2)
inline constexpr double kInverseClip = 1.0;     // the research code's inverse clip (§8.2)
// Counter word 3 of every mode-sampling draw ("mode"): keeps this stream apart from the
// bootstrap and k-means streams even when they share a seed.
inline constexpr std::uint32_t kModeSamplingStream = 0x6d6f6465U;

// What the transform of a row needs from the model.
struct TransformTables {
  EStepTables estep;          // all K components: predict_proba normalises over every one
  std::vector<int> valid;     // valid component indices, in component order
  std::vector<double> means;  // m_k of valid[j]
  std::vector<double> scale;  // 4 std_k of valid[j] (the denominator, formed first: §8.1)

  [[nodiscard]] int components() const { return estep.components(); }
  [[nodiscard]] int valid_count() const { return static_cast<int>(valid.size()); }
};

// Throws std::invalid_argument unless 1 <= valid.size() <= K <= 255 and each index is in range.
[[nodiscard]] TransformTables make_transform_tables(const Params& params,
                                                    const Eigen::ArrayXd& stds,
                                                    std::span<const int> valid);
[[nodiscard]] TransformTables make_transform_tables(const FittedModel& model);

// The 53-bit uniform of global row `row`, straight from Random123 (the reference the
// vectorised generator inside transform_block is tested against).
[[nodiscard]] double mode_uniform(std::uint64_t seed, std::uint64_t row);

// q_j for every valid j of one value, computed from predict_proba_row exactly as §8.1 says
// (the reference for the block kernel). `q` has valid_count() entries.
void sampling_probabilities_row(double x, const TransformTables& tables, std::span<double> q);

// The block kernel's q_j for every value (row-major: q[i * valid_count() + j]).
void sampling_probabilities(std::span<const double> x, const TransformTables& tables,
                            std::span<double> q);

// Transforms rows first_row .. first_row + x.size() - 1 (global indices):
// component[i] = the drawn component index k (not its position among the valid ones),
// alpha[i] = (x[i] - m_k) / (4 std_k), unclipped. counts[k] += rows that drew k (K entries).
// Values must be finite (the caller validates).
void transform_block(std::span<const double> x, std::uint64_t first_row, std::uint64_t seed,
                     const TransformTables& tables, std::span<double> alpha,
                     std::span<std::uint8_t> component, std::span<std::uint64_t> counts);

// The research code's stored view: alpha clipped to [-0.99, 0.99] (lossy; §8.1 step 4).
void clip_alpha(std::span<double> alpha);

// Per-component means and standard deviations the inverse needs (K entries each).
struct InverseTables {
  std::vector<double> means;
  std::vector<double> stds;
  std::vector<bool> valid;
};
[[nodiscard]] InverseTables make_inverse_tables(const FittedModel& model);

// The first row whose component is not a valid component index of the model, if any.
[[nodiscard]] std::optional<std::size_t> first_invalid_component(
    std::span<const std::uint8_t> component, const InverseTables& tables);

// x[i] = ((alpha'[i] * 4) * std_k) + m_k with k = component[i] (§8.2), alpha' = alpha
// clipped to [-1, 1] when `clipped` (files written with the research clip), else alpha.
// Components must be valid (first_invalid_component).
void inverse_block(std::span<const double> alpha, std::span<const std::uint8_t> component,
                   const InverseTables& tables, bool clipped, std::span<double> x);

}  // namespace modenorm::core
