#pragma once
// Fits on deterministic uniform samples, the way public solutions fit (10k rows, 100k rows,
// 1 %), so `modenorm evaluate` can measure on the full data what sampling costs.

#include <mpi.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "modenorm/core/model.hpp"
#include "modenorm/parallel/shard.hpp"

namespace modenorm::app {

struct SampleSpec {
  std::string label;       // as the user wrote it: "10000", "1%"
  std::uint64_t rows = 0;  // sample size
};

// "10000,100000,1%": row counts, or percentages of `rows` (rounded to the nearest row, at
// least 1). Sizes of at least `rows` are dropped (that is the full fit). Throws
// core::InputError naming --compare-samples and the bad item.
[[nodiscard]] std::vector<SampleSpec> parse_sample_specs(const std::string& text,
                                                         std::uint64_t rows);

// Each rank's part of every sample: the values at stratified_sample_row(seed, i, S, N) that
// fall in the slabs it is shown, in row order.
class SampleCollector {
 public:
  SampleCollector(std::vector<SampleSpec> specs, std::uint64_t seed, std::uint64_t rows);
  // Rows [range.begin, range.end) of the column, `x` their values. Slabs come in row order.
  void add_slab(parallel::RowRange range, std::span<const double> x);
  [[nodiscard]] const std::vector<SampleSpec>& specs() const noexcept { return specs_; }
  // Collective: sample s on rank 0, every rank's part concatenated in rank order (= stratum
  // order); empty on the other ranks.
  [[nodiscard]] std::vector<double> gather_on_rank0(std::size_t s, MPI_Comm comm) const;

 private:
  std::vector<SampleSpec> specs_;
  std::uint64_t seed_;
  std::uint64_t rows_;
  std::vector<std::vector<double>> local_;
};

struct SampleFit {
  SampleSpec spec;
  std::optional<core::FittedModel> model;  // nullopt when the sample could not be fitted
  std::string failure;                     // why not
  double seconds = 0.0;                    // fit time on rank 0
};

// Collective. Rank 0 fits every sample with the settings, seed and k-means sample size of
// `full` (the full-data model) and sends the models to every rank.
[[nodiscard]] std::vector<SampleFit> fit_samples(const SampleCollector& samples,
                                                 const core::FittedModel& full,
                                                 std::uint64_t kmeans_sample, MPI_Comm comm);

}  // namespace modenorm::app
