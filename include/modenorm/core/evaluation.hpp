// Per-row measurements of `modenorm evaluate` (the encoder's own checks at any size): the
// round-trip error of restored values, the extremes, and the agreement of the sampled modes
// with the probabilities they were drawn from. Every accumulator merges exactly (integer
// counts) or is summed per fixed block by the caller, so a report does not depend on how the
// rows were split over ranks.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "modenorm/core/transform.hpp"

namespace modenorm::core {

// Row i of an S-row stratified uniform sample of N rows: stratum i is rows
// [floor(i N / S), floor((i + 1) N / S)), and one row is drawn uniformly in it with Philox
// keyed by `seed` (counter {i, S, kEvaluationSampleStream}). Every row has probability S / N,
// no row is drawn twice, and the sample depends only on (seed, S, N): the way public
// solutions fit "on 1 %", made deterministic. Requires 1 <= S <= N.
inline constexpr std::uint32_t kEvaluationSampleStream = 0x73616d70U;  // "samp"
[[nodiscard]] std::uint64_t stratified_sample_row(std::uint64_t seed, std::uint64_t stratum,
                                                  std::uint64_t sample_size, std::uint64_t rows);
// The first stratum whose row may lie at or after `row` (strata are in row order).
[[nodiscard]] std::uint64_t first_stratum_at_or_after(std::uint64_t row, std::uint64_t sample_size,
                                                      std::uint64_t rows);

// Counts of scaled errors e = |restored - x| / (|x| + |m_k|) in logarithmic bins: bin 0 holds
// e = 0, then kBinsPerOctave bins per power of two from 2^kLowestExponent (smaller errors go
// to bin 1) up to 2^kHighestExponent (larger ones to the last bin). Quantiles are reported as
// the upper edge of their bin: an upper bound within 2^(1/8) (9 %) of the exact value.
class ScaledErrorHistogram {
 public:
  static constexpr int kBinsPerOctave = 8;
  static constexpr int kLowestExponent = -80;
  static constexpr int kHighestExponent = 8;

  ScaledErrorHistogram();
  void add(double error);
  [[nodiscard]] std::span<const std::uint64_t> counts() const { return counts_; }
  [[nodiscard]] std::span<std::uint64_t> counts() { return counts_; }
  [[nodiscard]] std::uint64_t total() const;
  // The smallest bin edge E with at least ceil(q * total) errors <= E (0 when they are all
  // exact). q in (0, 1].
  [[nodiscard]] double quantile_upper_bound(double q) const;

 private:
  std::vector<std::uint64_t> counts_;
};

// One row kept for the report's list of extremes.
struct ExtremeRow {
  double value = 0.0;
  std::uint64_t row = 0;
  double restored = 0.0;
  double alpha = 0.0;
  int component = 0;
};

// The `keep` largest values and the smallest one seen, with their rows. Ties go to the lower
// row, so the result is the same whatever order rows arrive in.
class ExtremeRows {
 public:
  explicit ExtremeRows(std::size_t keep = 10) : keep_(keep) {}
  // Whether a row with this value could enter the lists (cheap: call before building a row).
  [[nodiscard]] bool wants(double value) const {
    return largest_.size() < keep_ || value >= largest_.back().value || smallest_.empty() ||
           value <= smallest_.front().value;
  }
  void add(const ExtremeRow& row);
  void merge(const ExtremeRows& other);
  [[nodiscard]] const std::vector<ExtremeRow>& largest() const { return largest_; }    // descending
  [[nodiscard]] const std::vector<ExtremeRow>& smallest() const { return smallest_; }  // <= 1 row
  [[nodiscard]] std::size_t keep() const { return keep_; }

 private:
  std::size_t keep_;
  std::vector<ExtremeRow> largest_;
  std::vector<ExtremeRow> smallest_;
};

// Round-trip measurements of one block of rows.
struct RoundTripSums {
  ScaledErrorHistogram histogram;
  double max_error = 0.0;
  double max_error_beyond_4_std = 0.0;  // over rows with |alpha| > 1
  std::uint64_t over_bound = 0;         // rows with e > 1e-12 (the transform's promise)
};

// Adds rows: x (original), restored, alpha and component (the fitted index) row by row.
void add_round_trip_rows(std::span<const double> x, std::span<const double> restored,
                         std::span<const std::uint8_t> component, const TransformTables& tables,
                         RoundTripSums& sums);

// Transform measurements per valid component j (tables.valid[j]) of one block of rows.
struct TransformCheckSums {
  explicit TransformCheckSums(std::size_t valid_count);
  std::vector<std::uint64_t> observed;  // rows that drew j
  std::vector<double> expected;         // sum_i q_ij: the rows expected to draw j
  std::vector<double> second_moments;   // sum_i q_ij q_ik, row-major V x V
  std::vector<double> alpha_sum;        // over the rows that drew j
  std::vector<double> alpha_square_sum;
  std::uint64_t beyond_clip = 0;   // |alpha| > 0.99: lost to the research code's clip
  std::uint64_t beyond_4_std = 0;  // |alpha| > 1: more than 4 std from the drawn mode
};

// Adds rows: q_ij from sampling_probabilities (the probabilities the transform draws from),
// and the drawn component and alpha of each row. Throws std::invalid_argument naming the
// block position of a component that is not a valid component of `tables`.
void add_transform_rows(std::span<const double> x, std::span<const double> alpha,
                        std::span<const std::uint8_t> component, const TransformTables& tables,
                        TransformCheckSums& sums);

}  // namespace modenorm::core
