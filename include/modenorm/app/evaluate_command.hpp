#pragma once
// `modenorm evaluate`: is the encoder right, at any size? Fit quality of the model, what
// fitting on a sample (as public solutions do) costs on the full data, the round trip with
// its extremes, and whether the sampled modes follow the posterior (DESIGN.md §1).

#include <cstdint>
#include <string>

namespace modenorm::app {

struct EvaluateOptions {
  std::string in;  // the data the model was fitted on and the transform read
  std::string dataset = "/Amount";
  std::string model;        // model.json
  std::string transformed;  // the transform output (/alpha, /component)
  std::string restored;     // optional: the inverse output; recomputed in memory when empty
  std::string report;       // the JSON report
  std::string compare_samples = "10000,100000,1%";
  std::uint64_t seed = 42;  // the samples' draw (stratified_sample_row)
  std::uint64_t kmeans_sample = 1'000'000;
  std::uint64_t slab_rows = std::uint64_t{8} << 20;
  int top = 10;  // how many of the largest values the report lists
  std::string io = "direct";
  bool force = false;
  std::string metrics;
};

// Collective: every rank of MPI_COMM_WORLD calls it with the same options. Returns the exit code.
int run_evaluate(const EvaluateOptions& options);

}  // namespace modenorm::app
