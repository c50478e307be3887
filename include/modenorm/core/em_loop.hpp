// The EM loop (VGM_SPEC §6.2), serial or distributed: the data pass is supplied by the caller.
#pragma once

#include <functional>
#include <vector>

#include "modenorm/core/estep_tables.hpp"
#include "modenorm/core/vgm_types.hpp"

namespace modenorm::core {

// One E-step over all rows: the serial version runs the kernel over local blocks; the MPI
// version also all-reduces, so every rank returns the same bits. Must set `rows` (global).
using DataPass = std::function<SufficientStats(const EStepTables&)>;

struct IterationReport {
  int iteration = 0;                       // t = 1..max_iter
  double lower_bound = 0.0;                // LB_t (VGM_SPEC §6.1)
  double change = 0.0;                     // LB_t - LB_{t-1} (inf at t = 1)
  const SufficientStats* stats = nullptr;  // the E-step sums of this iteration
  const Params* params = nullptr;          // theta_t, after the M-step
  bool converged = false;                  // this iteration passed the convergence test
};

using IterationObserver = std::function<void(const IterationReport&)>;

struct FitResult {
  Params params;                     // theta at exit
  Eigen::ArrayXd weights;            // sklearn's weights_ (VGM_SPEC §7.1)
  Eigen::ArrayXd stds;               // sqrt(C) (VGM_SPEC §7.2)
  std::vector<double> lower_bounds;  // LB_1 .. LB_n_iter
  double lower_bound = 0.0;          // LB at exit (sklearn's lower_bound_)
  double log_prob_norm = 0.0;        // mean L_i of the last E-step (diagnostic)
  int n_iter = 0;
  bool converged = false;
};

// Where an interrupted fit stands after iteration t = lower_bounds.size(): the parameters
// theta_t and the bounds so far. EM is deterministic, so continuing from it gives exactly the
// iterates an uninterrupted run would have produced.
struct EmState {
  Params params;
  std::vector<double> lower_bounds;
  bool converged = false;
};

// init_stats -> initial M-step -> up to max_iter of {E-step (pass), M-step, bound, test}.
// With `resume`, init_stats is ignored and the loop continues after resume->lower_bounds.size()
// iterations. Every rank runs the identical per-component arithmetic on identical sums.
[[nodiscard]] FitResult run_em(const FitSettings& settings, const Priors& priors,
                               const SufficientStats& init_stats, const DataPass& pass,
                               const IterationObserver& observer = {},
                               const EmState* resume = nullptr);

}  // namespace modenorm::core
