// The whole fit of a small in-memory column on one process: what public solutions do when
// they fit on a 10k-row or 1 % sample (modenorm evaluate refits such samples to measure what
// they cost). The same steps as `modenorm fit` with --init kmeans and --estep rows: priors
// (VGM_SPEC §2), k-means++ and Lloyd on an evenly spaced subsample (§3.1), EM over every
// value in sorted blocks (§4-§6), final attributes and the valid rule over the values (§7, §1.4).
#pragma once

#include <cstdint>
#include <vector>

#include "modenorm/core/estep.hpp"
#include "modenorm/core/model.hpp"

namespace modenorm::core {

struct SerialFitOptions {
  FitSettings settings;
  std::uint64_t seed = 42;
  std::uint64_t kmeans_sample = 1'000'000;  // rows of the evenly spaced k-means subsample
  std::uint64_t block_rows = kFitBlockRows;
};

// Fits `values` (finite; at least 2 and at least K of them, else std::invalid_argument).
// The values are taken by value: they are sorted in blocks for the E-step.
[[nodiscard]] FittedModel fit_in_memory(std::vector<double> values,
                                        const SerialFitOptions& options);

}  // namespace modenorm::core
