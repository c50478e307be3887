#include "modenorm/core/evaluation.hpp"

#include <Random123/philox.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

namespace modenorm::core {
namespace {

__extension__ using Unsigned128 = unsigned __int128;

// floor(a * b / c) without overflow.
std::uint64_t mul_div(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  return static_cast<std::uint64_t>(Unsigned128{a} * b / c);
}

constexpr std::size_t kChunkRows = 2048;  // rows whose probabilities are held at once

// Valid position of each component index (-1: not valid).
std::array<int, 256> valid_positions(const TransformTables& tables) {
  std::array<int, 256> position{};
  position.fill(-1);
  for (std::size_t j = 0; j < tables.valid.size(); ++j) {
    position[static_cast<std::size_t>(tables.valid[j])] = static_cast<int>(j);
  }
  return position;
}

// Orders extremes: larger value first, then lower row (a strict total order).
bool larger_first(const ExtremeRow& a, const ExtremeRow& b) {
  return a.value != b.value ? a.value > b.value : a.row < b.row;
}
bool smaller_first(const ExtremeRow& a, const ExtremeRow& b) {
  return a.value != b.value ? a.value < b.value : a.row < b.row;
}

}  // namespace

std::uint64_t stratified_sample_row(std::uint64_t seed, std::uint64_t stratum,
                                    std::uint64_t sample_size, std::uint64_t rows) {
  if (sample_size == 0 || sample_size > rows || stratum >= sample_size) {
    throw std::invalid_argument("stratified_sample_row: need stratum < S <= N");
  }
  const std::uint64_t begin = mul_div(stratum, rows, sample_size);
  const std::uint64_t end = mul_div(stratum + 1, rows, sample_size);
  const r123::Philox4x32 philox;
  const r123::Philox4x32::key_type key{
      {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  const r123::Philox4x32::ctr_type counter{
      {static_cast<std::uint32_t>(stratum), static_cast<std::uint32_t>(stratum >> 32),
       static_cast<std::uint32_t>(sample_size), kEvaluationSampleStream}};
  const auto w = philox(counter, key);
  const std::uint64_t bits = ((std::uint64_t{w[0]} << 32) | w[1]) >> 11;
  const double u = static_cast<double>(bits) * 0x1p-53;
  const auto offset = static_cast<std::uint64_t>(u * static_cast<double>(end - begin));
  return std::min(begin + offset, end - 1);
}

std::uint64_t first_stratum_at_or_after(std::uint64_t row, std::uint64_t sample_size,
                                        std::uint64_t rows) {
  if (row >= rows) return sample_size;
  // The stratum holding `row` is the largest j with floor(j N / S) <= row; every earlier
  // stratum ends at or before its start, so its row lies before `row`.
  return static_cast<std::uint64_t>((Unsigned128{row + 1} * sample_size - 1) / rows);
}

ScaledErrorHistogram::ScaledErrorHistogram()
    : counts_(static_cast<std::size_t>(2 + (kHighestExponent - kLowestExponent) * kBinsPerOctave),
              0) {}

void ScaledErrorHistogram::add(double error) {
  std::size_t bin = 0;
  if (error > 0) {
    int exponent = 0;
    const double fraction = std::frexp(error, &exponent);  // error = fraction 2^exponent
    // error in [2^(exponent-1), 2^exponent): the octave starting at exponent - 1.
    const double position =
        (exponent - 1 - kLowestExponent + std::log2(2.0 * fraction)) * kBinsPerOctave;
    const double last = static_cast<double>(counts_.size() - 1);
    bin = 1 + static_cast<std::size_t>(std::clamp(std::floor(position), 0.0, last - 1));
  }
  ++counts_[bin];
}

std::uint64_t ScaledErrorHistogram::total() const {
  std::uint64_t total = 0;
  for (const auto c : counts_) total += c;
  return total;
}

double ScaledErrorHistogram::quantile_upper_bound(double q) const {
  if (!(q > 0 && q <= 1)) throw std::invalid_argument("quantile_upper_bound: q in (0, 1]");
  const auto n = total();
  if (n == 0) return 0.0;
  const auto needed = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(n)));
  std::uint64_t seen = 0;
  for (std::size_t bin = 0; bin < counts_.size(); ++bin) {
    seen += counts_[bin];
    if (seen >= needed) {
      if (bin == 0) return 0.0;
      if (bin + 1 == counts_.size()) return INFINITY;  // beyond the top edge
      return std::exp2(kLowestExponent + static_cast<double>(bin) / kBinsPerOctave);
    }
  }
  return INFINITY;
}

void ExtremeRows::add(const ExtremeRow& row) {
  if (largest_.size() < keep_ || larger_first(row, largest_.back())) {
    largest_.insert(std::upper_bound(largest_.begin(), largest_.end(), row, larger_first), row);
    if (largest_.size() > keep_) largest_.pop_back();
  }
  if (smallest_.empty() || smaller_first(row, smallest_.front())) smallest_.assign(1, row);
}

void ExtremeRows::merge(const ExtremeRows& other) {
  for (const auto& row : other.largest_) add(row);
  for (const auto& row : other.smallest_) add(row);
}

void add_round_trip_rows(std::span<const double> x, std::span<const double> restored,
                         std::span<const std::uint8_t> component, const TransformTables& tables,
                         RoundTripSums& sums) {
  if (restored.size() != x.size() || component.size() != x.size()) {
    throw std::invalid_argument("add_round_trip_rows: sizes do not match");
  }
  const auto position = valid_positions(tables);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const int j = position[component[i]];
    if (j < 0) {
      throw std::invalid_argument("row " + std::to_string(i) + " of the block has component " +
                                  std::to_string(component[i]) + ", which is not valid");
    }
    const double mean = tables.means[static_cast<std::size_t>(j)];
    const double error = std::abs(restored[i] - x[i]) / (std::abs(x[i]) + std::abs(mean));
    sums.histogram.add(error);
    sums.max_error = std::max(sums.max_error, error);
    if (error > 1e-12) ++sums.over_bound;
    // More than 4 std from the drawn mode: |x - m| > 4 std, i.e. |alpha| > 1.
    if (std::abs(x[i] - mean) > tables.scale[static_cast<std::size_t>(j)]) {
      sums.max_error_beyond_4_std = std::max(sums.max_error_beyond_4_std, error);
    }
  }
}

TransformCheckSums::TransformCheckSums(std::size_t valid_count)
    : observed(valid_count, 0),
      expected(valid_count, 0.0),
      second_moments(valid_count * valid_count, 0.0),
      alpha_sum(valid_count, 0.0),
      alpha_square_sum(valid_count, 0.0) {}

void add_transform_rows(std::span<const double> x, std::span<const double> alpha,
                        std::span<const std::uint8_t> component, const TransformTables& tables,
                        TransformCheckSums& sums) {
  if (alpha.size() != x.size() || component.size() != x.size()) {
    throw std::invalid_argument("add_transform_rows: sizes do not match");
  }
  const auto nv = tables.valid.size();
  if (sums.observed.size() != nv) throw std::invalid_argument("add_transform_rows: valid count");
  const auto position = valid_positions(tables);
  std::vector<double> q(kChunkRows * nv);
  std::vector<double> columns(kChunkRows * nv);  // q transposed: column j is contiguous
  for (std::size_t start = 0; start < x.size(); start += kChunkRows) {
    const std::size_t n = std::min(kChunkRows, x.size() - start);
    sampling_probabilities(x.subspan(start, n), tables, std::span<double>(q).first(n * nv));
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < nv; ++j) columns[j * kChunkRows + i] = q[i * nv + j];
    }
    for (std::size_t j = 0; j < nv; ++j) {
      const double* qj = columns.data() + j * kChunkRows;
      for (std::size_t k = j; k < nv; ++k) {
        const double* qk = columns.data() + k * kChunkRows;
        double s = 0.0;
#pragma omp simd reduction(+ : s)
        for (std::size_t i = 0; i < n; ++i) s += qj[i] * qk[i];
        sums.second_moments[j * nv + k] += s;
        if (k != j) sums.second_moments[k * nv + j] += s;
      }
      double e = 0.0;
#pragma omp simd reduction(+ : e)
      for (std::size_t i = 0; i < n; ++i) e += qj[i];
      sums.expected[j] += e;
    }
    for (std::size_t i = start; i < start + n; ++i) {
      const int j = position[component[i]];
      if (j < 0) {
        throw std::invalid_argument("row " + std::to_string(i) + " of the block has component " +
                                    std::to_string(component[i]) + ", which is not valid");
      }
      const auto uj = static_cast<std::size_t>(j);
      const double a = alpha[i];
      ++sums.observed[uj];
      sums.alpha_sum[uj] += a;
      sums.alpha_square_sum[uj] += a * a;
      if (std::abs(a) > kResearchClip) ++sums.beyond_clip;
      if (std::abs(a) > 1.0) ++sums.beyond_4_std;
    }
  }
}

}  // namespace modenorm::core
