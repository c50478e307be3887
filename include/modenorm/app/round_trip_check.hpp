#pragma once
// The check at the end of `modenorm run`: every restored value against the original, scaled by
// the bound the transform promises, |restored - x| <= 1e-12 (|x| + |mean_k|).

#include <mpi.h>

#include <cstdint>
#include <string>

#include "modenorm/core/model.hpp"

namespace modenorm::app {

struct RoundTripReport {
  std::uint64_t rows = 0;
  double max_scaled_error = 0.0;      // max |restored - x| / (|x| + |mean_k|)
  std::uint64_t beyond_clip = 0;   // rows with |alpha| > 0.99: what the research clip would lose
  std::uint64_t beyond_4_std = 0;  // rows more than 4 std from their mode (|alpha| > 1)
  double max_scaled_error_beyond = 0.0;  // the maximum scaled error over those rows
  double max_value = 0.0;             // the largest original value and its restoration
  double max_value_restored = 0.0;
};

// Collective. Reads the three files in slabs of `slab_rows` rows per rank.
[[nodiscard]] RoundTripReport check_round_trip(const std::string& original,
                                               const std::string& transformed,
                                               const std::string& restored,
                                               const std::string& dataset,
                                               const core::FittedModel& model,
                                               std::uint64_t slab_rows, MPI_Comm comm);

}  // namespace modenorm::app
