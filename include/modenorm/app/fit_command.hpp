#pragma once
// `modenorm fit`: the exact, distributed variational Bayesian GMM (VGM_SPEC §2-§7, §10).

#include <cstdint>
#include <string>

#include "modenorm/core/estep.hpp"

namespace modenorm::app {

struct FitOptions {
  std::string in;
  std::string dataset = "/Amount";
  std::string model;
  int components = 10;
  double weight_prior = 0.001;
  int max_iter = 100;
  double tol = 1e-3;
  std::string tol_mode = "absolute";
  double reg_covar = 1e-6;
  double eps = 0.005;
  std::uint64_t seed = 42;
  std::string init = "kmeans";
  std::string memory_budget = "auto";
  std::string bad_values = "error";
  std::uint64_t block_rows = core::kFitBlockRows;
  std::uint64_t kmeans_sample = 1'000'000;
  std::string distinct = "auto";           // auto | on | off: the distinct-value fast path
  std::uint64_t distinct_max = 1'000'000;  // auto uses it when at most this many values
  std::string estep = "quadrature";        // quadrature | rows: how each pass sums the blocks
  std::string io = "direct";               // direct | mpio: how the shard is read
  std::string checkpoint;  // save the EM state here every checkpoint_every iterations
  int checkpoint_every = 10;
  bool resume = false;  // continue from `checkpoint` when it exists
  std::string metrics;
  bool force = false;
};

// Collective: every rank of MPI_COMM_WORLD calls it with the same options. Returns the exit code.
int run_fit(const FitOptions& options);

}  // namespace modenorm::app
