#pragma once
// The configuration of `modenorm run` (a TOML file, DESIGN.md §2). Precedence: built-in
// defaults < the file < `--set section.key=value` on the command line. Unknown sections and
// keys are rejected with their name, so a typo never silently falls back to a default.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace modenorm::app {

struct RunConfig {
  struct Input {
    std::string csv;  // a CSV to ingest first, or
    std::string h5;   // an existing HDF5 file
    std::string column = "Amount";
    std::string dataset = "/Amount";
  } input;
  struct Scale {
    std::int64_t rows = 0;  // 0: use the input as it is
    double jitter = 0.0;
    std::int64_t seed = 2026;
  } scale;
  struct Fit {
    std::int64_t components = 10;
    double weight_prior = 0.001;
    std::int64_t max_iter = 100;
    double tol = 1e-3;
    std::string tol_mode = "absolute";
    double reg_covar = 1e-6;
    double eps = 0.005;
    std::int64_t seed = 42;
    std::string init = "kmeans";
    std::string memory_budget = "auto";
    std::string estep = "quadrature";
  } fit;
  struct Transform {
    std::int64_t seed = 7;
    bool clip = false;
    std::string alpha_dtype = "f64";
  } transform;
  struct Check {
    bool inverse = true;  // restore every row and report the round-trip error
  } check;
  struct Evaluate {
    bool enabled = false;  // run `modenorm evaluate` and write evaluation.json
    std::string compare_samples = "10000,100000,1%";
    std::int64_t seed = 42;  // seed of the samples' draw
  } evaluate;
  struct Output {
    std::string dir = "out/run";
    bool force = false;
  } output;
};

// Reads `path` (TOML) over the defaults, then applies each "section.key=value" override (the
// value in TOML syntax: 10, 0.5, "text", true). Throws core::InputError naming the file, the
// key and the problem.
[[nodiscard]] RunConfig load_run_config(const std::string& path,
                                        const std::vector<std::string>& overrides);

// The effective configuration, logged and stored in every output.
[[nodiscard]] nlohmann::ordered_json to_json(const RunConfig& config);

}  // namespace modenorm::app
