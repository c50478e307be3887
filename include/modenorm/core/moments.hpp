// Mergeable data moments and the data-dependent priors (VGM_SPEC §2).
#pragma once

#include <cstdint>
#include <span>

#include "modenorm/core/vgm_types.hpp"

namespace modenorm::core {

// Count, mean and centred sum of squares (M2) of a set of values, plus min, max and plain sum
// for the input fingerprint. Blocks are summarised two-pass (mean, then squares about it) and
// combined with Chan et al.'s update, which never forms the cancelling sum of raw squares.
// Combining is deterministic: the result depends only on the operands and their order.
struct DataMoments {
  std::uint64_t count = 0;
  double mean = 0.0;
  double m2 = 0.0;  // sum (x - mean)^2
  double min = 0.0;
  double max = 0.0;
  double sum = 0.0;

  [[nodiscard]] double sample_variance() const;      // ddof = 1 (0 when count < 2)
  [[nodiscard]] double population_variance() const;  // ddof = 0 (0 when count == 0)
};

[[nodiscard]] DataMoments moments_of_block(std::span<const double> values);

// Moments of the union of the two sets (Chan, Golub & LeVeque).
[[nodiscard]] DataMoments combine(const DataMoments& first, const DataMoments& second);

// alpha0 and beta0 from the settings, m0 = mean, nu0 = 1, psi0 = sample variance (§2).
[[nodiscard]] Priors priors_from_moments(const DataMoments& moments, const FitSettings& settings);

}  // namespace modenorm::core
