// `modenorm evaluate`: one distributed pass over the data, its transform and its restoration
// (fit quality, round trip, extremes, sampled modes against the posterior), then fits on
// deterministic uniform samples and one more pass scoring them on every row.
//
// Every floating-point sum is formed per fixed 1 Mi-row block and the blocks are combined in
// global order (parallel::BlockPartials), and every count is an integer: the report's numbers
// are the same at any rank count and slab size (only its timings differ).

#include "modenorm/app/evaluate_command.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "modenorm/app/command.hpp"
#include "modenorm/app/interrupt.hpp"
#include "modenorm/app/metrics_file.hpp"
#include "modenorm/app/progress.hpp"
#include "modenorm/app/sample_fits.hpp"
#include "modenorm/app/stage_timer.hpp"
#include "modenorm/app/transform_file.hpp"
#include "modenorm/core/chi_squared.hpp"
#include "modenorm/core/errors.hpp"
#include "modenorm/core/evaluation.hpp"
#include "modenorm/core/mixture_density.hpp"
#include "modenorm/core/transform.hpp"
#include "modenorm/io/attributes.hpp"
#include "modenorm/io/dataset_1d.hpp"
#include "modenorm/io/hdf5_file.hpp"
#include "modenorm/io/model_json.hpp"
#include "modenorm/io/slab_io.hpp"
#include "modenorm/io/staged_output.hpp"
#include "modenorm/parallel/collective_check.hpp"
#include "modenorm/parallel/communicator.hpp"
#include "modenorm/parallel/gather.hpp"
#include "modenorm/parallel/ordered_block_sum.hpp"
#include "modenorm/parallel/shard.hpp"

namespace modenorm::app {
namespace {

using nlohmann::ordered_json;

// The fixed blocks every sum is formed over (part of the report's bits, not of its meaning).
constexpr std::uint64_t kEvaluationBlockRows = std::uint64_t{1} << 20;
constexpr double kTailQuantile = 0.9999;

ordered_json to_json(const EvaluateOptions& o) {
  return {{"in", o.in},
          {"dataset", o.dataset},
          {"model", o.model},
          {"transformed", o.transformed},
          {"restored", o.restored},
          {"report", o.report},
          {"compare_samples", o.compare_samples},
          {"seed", o.seed},
          {"kmeans_sample", o.kmeans_sample},
          {"slab_rows", o.slab_rows},
          {"top", o.top},
          {"io", o.io}};
}

void validate(const EvaluateOptions& o) {
  if (o.io != "direct" && o.io != "mpio") {
    throw core::InputError("--io: expected direct or mpio, got '" + o.io + "'");
  }
  if (o.slab_rows == 0) throw core::InputError("--slab-rows: must be at least 1");
  if (o.kmeans_sample == 0) throw core::InputError("--kmeans-sample: must be at least 1");
  if (o.top < 1 || o.top > 1000) throw core::InputError("--top: must be between 1 and 1000");
}

// The values each pass reads, for one slab of this rank's rows.
struct SlabBuffers {
  std::vector<double> x;
  std::vector<double> alpha;
  std::vector<std::uint8_t> component;
  std::vector<double> restored;
};

// The per-block layout of the first pass's floating-point sums.
struct FirstPassLayout {
  std::size_t valid;
  [[nodiscard]] std::size_t width() const { return 1 + valid * (valid + 3); }
  [[nodiscard]] std::size_t expected() const { return 1; }
  [[nodiscard]] std::size_t second_moments() const { return 1 + valid; }
  [[nodiscard]] std::size_t alpha_sum() const { return 1 + valid + valid * valid; }
  [[nodiscard]] std::size_t alpha_square_sum() const { return alpha_sum() + valid; }
};

ordered_json extreme_to_json(const core::ExtremeRow& e, const core::TransformTables& tables) {
  std::size_t j = 0;
  while (j + 1 < tables.valid.size() && tables.valid[j] != e.component) ++j;
  const double error =
      std::abs(e.restored - e.value) / (std::abs(e.value) + std::abs(tables.means[j]));
  return {{"row", e.row},          {"value", e.value},         {"restored", e.restored},
          {"scaled_error", error}, {"component", e.component}, {"alpha", e.alpha}};
}

// The extremes of every rank, merged: each rank's rows travel as 5 doubles (row < 2^53).
core::ExtremeRows gather_extremes(const core::ExtremeRows& local, MPI_Comm comm) {
  std::vector<double> packed;
  for (const auto* list : {&local.largest(), &local.smallest()}) {
    for (const auto& e : *list) {
      packed.insert(packed.end(), {e.value, static_cast<double>(e.row), e.restored, e.alpha,
                                   static_cast<double>(e.component)});
    }
  }
  const auto all = parallel::allgather_concat<double>(packed, comm);
  core::ExtremeRows merged(local.keep());
  for (std::size_t i = 0; i + 5 <= all.size(); i += 5) {
    merged.add({all[i], static_cast<std::uint64_t>(all[i + 1]), all[i + 2], all[i + 3],
                static_cast<int>(all[i + 4])});
  }
  return merged;
}

ordered_json modes_to_json(const core::FittedModel& model) {
  ordered_json modes = ordered_json::array();
  for (const int k : model.valid_indices()) {
    modes.push_back({{"component", k},
                     {"weight", model.weights[k]},
                     {"mean", model.params.m[k]},
                     {"std", model.stds[k]}});
  }
  return modes;
}

// How far the sample's modes are from the full fit's: for every valid mode of the full fit,
// the distance to the nearest valid mode of the sample fit (absolute and in the full mode's
// standard deviations); the worst of them, and how many full modes have no sample mode
// within one of their standard deviations.
ordered_json mode_shift(const core::FittedModel& full, const core::FittedModel& sample) {
  double largest = 0.0;
  double largest_in_std = 0.0;
  int missed = 0;
  const auto sample_modes = sample.valid_indices();
  for (const int k : full.valid_indices()) {
    double nearest = INFINITY;
    for (const int s : sample_modes) {
      nearest = std::min(nearest, std::abs(sample.params.m[s] - full.params.m[k]));
    }
    largest = std::max(largest, nearest);
    largest_in_std = std::max(largest_in_std, nearest / full.stds[k]);
    if (nearest > full.stds[k]) ++missed;
  }
  return {{"largest_mean_shift", largest},
          {"largest_mean_shift_in_std", largest_in_std},
          {"full_modes_without_a_sample_mode_within_1_std", missed}};
}

}  // namespace

int run_evaluate(const EvaluateOptions& options) {
  MPI_Comm comm = MPI_COMM_WORLD;
  const int rank = parallel::comm_rank(comm);
  const int ranks = parallel::comm_size(comm);
  const auto wall_start = std::chrono::steady_clock::now();
  StageTimer timer;

  core::FittedModel model;
  parallel::run_collectively(
      [&] {
        validate(options);
        model = io::read_model_file(options.model);
      },
      comm);
  io::StagedOutput report_output(options.report, comm, {.force = options.force},
                                 {options.in, options.model, options.transformed});
  auto in_file = io::open_file(options.in, io::FileMode::read_only, comm);
  const auto input = io::open_dataset_1d(in_file, options.dataset);
  auto transformed_file = io::open_file(options.transformed, io::FileMode::read_only, comm);
  const auto info =
      check_transform_file(transformed_file, io::model_to_json(model).dump(), options.model);
  const auto alpha_ds =
      io::open_dataset_1d(transformed_file, "/alpha", {.type = std::nullopt, .allow_empty = true});
  const auto component_ds = io::open_dataset_1d(
      transformed_file, "/component", {.type = io::ElementType::uint8, .allow_empty = true});
  std::optional<io::File> restored_file;
  std::optional<io::Dataset1D> restored_ds;
  if (!options.restored.empty()) {
    restored_file.emplace(io::open_file(options.restored, io::FileMode::read_only, comm));
    parallel::run_collectively(
        [&] {
          if (!io::has_attribute(*restored_file, "complete") ||
              io::read_int64_attribute(*restored_file, "complete") != 1) {
            throw core::InputError("--restored " + options.restored +
                                   " is not complete (no complete = 1 attribute): the inverse "
                                   "that wrote it did not finish");
          }
        },
        comm);
    restored_ds.emplace(io::open_dataset_1d(*restored_file, options.dataset));
  }
  const std::uint64_t N = input.size();
  parallel::run_collectively(
      [&] {
        const auto mismatch = [&](const io::Dataset1D& d) {
          return core::InputError(d.where() + " has " + std::to_string(d.size()) + " rows but " +
                                  input.where() + " has " + std::to_string(N) +
                                  ": they are not the same data");
        };
        if (alpha_ds.size() != N) throw mismatch(alpha_ds);
        if (component_ds.size() != N) throw mismatch(component_ds);
        if (restored_ds && restored_ds->size() != N) throw mismatch(*restored_ds);
      },
      comm);
  const auto specs = parallel::run_collectively(
      [&] { return parse_sample_specs(options.compare_samples, N); }, comm);

  const auto tables = core::make_transform_tables(model);
  const auto inverse_tables = core::make_inverse_tables(model);
  const auto mixture = core::plug_in_mixture(model);
  const std::size_t V = tables.valid.size();
  const FirstPassLayout layout{V};
  const auto nblocks = parallel::block_count(N, kEvaluationBlockRows);
  const auto shard = parallel::shard_blocks(N, kEvaluationBlockRows, rank, ranks);
  // Slabs of whole blocks, the same number of steps on every rank (the reads are collective).
  const std::uint64_t slab_rows =
      (options.slab_rows + kEvaluationBlockRows - 1) / kEvaluationBlockRows * kEvaluationBlockRows;
  const auto steps = parallel::allreduce_max((shard.size() + slab_rows - 1) / slab_rows, comm);
  const auto slab_of = [&](std::uint64_t s) {
    const auto begin = std::min(shard.begin + s * slab_rows, shard.end);
    return parallel::RowRange{begin, std::min(begin + slab_rows, shard.end)};
  };
  io::IoOptions reads;
  reads.direct_reads = options.io == "direct";
  if (rank == 0) {
    spdlog::info("evaluate options: {}", to_json(options).dump());
    spdlog::info(
        "evaluate: {} rows of {} on {} rank(s); transform {}{}; restored values {}; samples: {}", N,
        input.where(), ranks, options.transformed, info.clipped ? " (clipped: lossy)" : "",
        restored_ds ? "from " + options.restored : std::string("recomputed from alpha"),
        specs.empty() ? std::string("none") : options.compare_samples);
  }

  // First pass: everything about the model, the transform and the round trip.
  parallel::BlockPartials sums(nblocks, layout.width());
  std::vector<std::uint64_t> observed(V, 0);
  std::uint64_t beyond_clip = 0;
  std::uint64_t beyond_4_std = 0;
  core::RoundTripSums round_trip;
  core::ExtremeRows extremes(static_cast<std::size_t>(options.top));
  SampleCollector samples(specs, options.seed, N);
  {
    ProgressReporter progress("evaluate", N, rank == 0);
    progress.update(0);
    SlabBuffers buffers;
    std::uint64_t done = 0;  // this rank's rows so far
    for (std::uint64_t s = 0; s < steps; ++s) {
      throw_if_interrupted(comm);
      const auto rows = slab_of(s);
      const auto n = static_cast<std::size_t>(rows.size());
      buffers.x.resize(n);
      buffers.alpha.resize(n);
      buffers.component.resize(n);
      buffers.restored.resize(n);
      {
        auto scope = timer.stage("read", static_cast<double>(n));
        (void)io::read_rows<double>(input, rows, buffers.x, reads);
        (void)io::read_rows<double>(alpha_ds, rows, buffers.alpha, reads);
        (void)io::read_rows<std::uint8_t>(component_ds, rows, buffers.component, reads);
        if (restored_ds) (void)io::read_rows<double>(*restored_ds, rows, buffers.restored, reads);
      }
      auto scope = timer.stage("checks", static_cast<double>(n));
      parallel::run_collectively(
          [&] {
            const auto bad = std::find_if(buffers.x.begin(), buffers.x.end(),
                                          [](double v) { return !std::isfinite(v); });
            if (bad != buffers.x.end()) {
              throw core::InputError(
                  input.where() + ": row " +
                  std::to_string(rows.begin + static_cast<std::uint64_t>(bad - buffers.x.begin())) +
                  " is not finite; the transform cannot have encoded it");
            }
            if (const auto bad_row =
                    core::first_invalid_component(buffers.component, inverse_tables)) {
              throw core::InputError(component_ds.where() + ": row " +
                                     std::to_string(rows.begin + *bad_row) + " has component " +
                                     std::to_string(buffers.component[*bad_row]) +
                                     ", which is not a valid component of " + options.model);
            }
          },
          comm);
      if (!restored_ds) {
        core::inverse_block(buffers.alpha, buffers.component, inverse_tables, info.clipped,
                            buffers.restored);
      }
      samples.add_slab(rows, buffers.x);
      for (std::uint64_t begin = 0; begin < n; begin += kEvaluationBlockRows) {
        const auto count = std::min<std::uint64_t>(kEvaluationBlockRows, n - begin);
        const std::span<const double> x = std::span<const double>(buffers.x).subspan(begin, count);
        const std::span<const double> alpha =
            std::span<const double>(buffers.alpha).subspan(begin, count);
        const std::span<const std::uint8_t> component =
            std::span<const std::uint8_t>(buffers.component).subspan(begin, count);
        const std::span<const double> restored =
            std::span<const double>(buffers.restored).subspan(begin, count);
        const auto block = sums.block((rows.begin + begin) / kEvaluationBlockRows);
        block[0] = core::log_likelihood_sum(x, mixture);
        core::TransformCheckSums check(V);
        core::add_transform_rows(x, alpha, component, tables, check);
        std::copy(check.expected.begin(), check.expected.end(),
                  block.begin() + static_cast<std::ptrdiff_t>(layout.expected()));
        std::copy(check.second_moments.begin(), check.second_moments.end(),
                  block.begin() + static_cast<std::ptrdiff_t>(layout.second_moments()));
        std::copy(check.alpha_sum.begin(), check.alpha_sum.end(),
                  block.begin() + static_cast<std::ptrdiff_t>(layout.alpha_sum()));
        std::copy(check.alpha_square_sum.begin(), check.alpha_square_sum.end(),
                  block.begin() + static_cast<std::ptrdiff_t>(layout.alpha_square_sum()));
        for (std::size_t j = 0; j < V; ++j) observed[j] += check.observed[j];
        beyond_clip += check.beyond_clip;
        beyond_4_std += check.beyond_4_std;
        core::add_round_trip_rows(x, restored, component, tables, round_trip);
        for (std::size_t i = 0; i < x.size(); ++i) {
          if (extremes.wants(x[i])) {
            extremes.add({x[i], rows.begin + begin + i, restored[i], alpha[i], component[i]});
          }
        }
      }
      done += n;
      progress.update(parallel::allreduce_sum(done, comm));
    }
  }
  std::vector<double> totals;
  std::vector<std::uint64_t> histogram;
  core::ExtremeRows all_extremes(extremes.keep());
  {
    auto scope = timer.stage("reductions");
    totals = sums.reduce(comm);
    observed = parallel::allreduce_sum(observed, comm);
    beyond_clip = parallel::allreduce_sum(beyond_clip, comm);
    beyond_4_std = parallel::allreduce_sum(beyond_4_std, comm);
    histogram =
        parallel::allreduce_sum(std::vector<std::uint64_t>(round_trip.histogram.counts().begin(),
                                                           round_trip.histogram.counts().end()),
                                comm);
    std::copy(histogram.begin(), histogram.end(), round_trip.histogram.counts().begin());
    round_trip.max_error = parallel::allreduce_max(round_trip.max_error, comm);
    round_trip.max_error_beyond_4_std =
        parallel::allreduce_max(round_trip.max_error_beyond_4_std, comm);
    round_trip.over_bound = parallel::allreduce_sum(round_trip.over_bound, comm);
    all_extremes = gather_extremes(extremes, comm);
  }

  // Fits on the samples, then a pass scoring each on every row.
  std::vector<SampleFit> fits;
  {
    auto scope = timer.stage("sample fits");
    fits = fit_samples(samples, model, options.kmeans_sample, comm);
  }
  std::vector<core::PlugInMixture> sample_mixtures;
  std::vector<std::size_t> fitted;  // indices into fits of the models that exist
  for (std::size_t f = 0; f < fits.size(); ++f) {
    if (fits[f].model) {
      sample_mixtures.push_back(core::plug_in_mixture(*fits[f].model));
      fitted.push_back(f);
    }
  }
  std::vector<double> sample_totals;
  if (!fitted.empty()) {
    parallel::BlockPartials sample_sums(nblocks, fitted.size());
    std::vector<double> x;
    for (std::uint64_t s = 0; s < steps; ++s) {
      throw_if_interrupted(comm);
      const auto rows = slab_of(s);
      x.resize(static_cast<std::size_t>(rows.size()));
      {
        auto scope = timer.stage("read", static_cast<double>(x.size()));
        (void)io::read_rows<double>(input, rows, x, reads);
      }
      auto scope = timer.stage("sample scores", static_cast<double>(x.size()));
      for (std::uint64_t begin = 0; begin < x.size(); begin += kEvaluationBlockRows) {
        const auto count = std::min<std::uint64_t>(kEvaluationBlockRows, x.size() - begin);
        const auto block = sample_sums.block((rows.begin + begin) / kEvaluationBlockRows);
        for (std::size_t m = 0; m < sample_mixtures.size(); ++m) {
          block[m] = core::log_likelihood_sum(std::span<const double>(x).subspan(begin, count),
                                              sample_mixtures[m]);
        }
      }
    }
    sample_totals = sample_sums.reduce(comm);
  }
  const auto stages = timer.summarise(comm);

  // The report (rank 0), written under a temporary name and renamed when whole.
  const double n = static_cast<double>(N);
  const double mean_log_likelihood = totals[0] / n;
  ordered_json report;
  parallel::run_collectively(
      [&] {
        if (rank != 0) return;
        const double lower_bound = model.lower_bounds.empty() ? NAN : model.lower_bounds.back();
        const double rows_fitted = static_cast<double>(model.input.rows - model.input.rows_skipped);
        report["schema"] = "modenorm-evaluation/1";
        report["options"] = to_json(options);
        report["input"] = {{"file", options.in}, {"dataset", options.dataset}, {"rows", N}};
        report["model"] = {{"file", options.model},
                           {"rows_fitted", model.input.rows - model.input.rows_skipped},
                           {"data_path", model.data_path},
                           {"n_iter", model.n_iter},
                           {"converged", model.converged},
                           {"valid_modes", modes_to_json(model)}};
        report["fit_quality"] = {
            {"mean_log_likelihood", mean_log_likelihood},
            {"lower_bound_per_row", lower_bound / rows_fitted},
            {"valid_mode_count", V},
            {"note",
             "mean log-likelihood per row of the data under the plug-in mixture "
             "(weights_, means_, covariances_); higher is better"}};
        ordered_json sampling = ordered_json::array();
        sampling.push_back({{"sample", "full data"},
                            {"rows", model.input.rows - model.input.rows_skipped},
                            {"valid_mode_count", V},
                            {"mean_log_likelihood", mean_log_likelihood}});
        for (std::size_t f = 0; f < fits.size(); ++f) {
          const auto& fit = fits[f];
          ordered_json entry = {{"sample", fit.spec.label}, {"rows", fit.spec.rows}};
          if (!fit.model) {
            entry["failure"] = fit.failure;
          } else {
            const auto m = static_cast<std::size_t>(std::find(fitted.begin(), fitted.end(), f) -
                                                    fitted.begin());
            const double sample_mean = sample_totals[m] / n;
            entry["valid_mode_count"] = fit.model->valid_indices().size();
            entry["mean_log_likelihood"] = sample_mean;
            entry["log_likelihood_loss_per_row"] = mean_log_likelihood - sample_mean;
            entry.update(mode_shift(model, *fit.model));
            entry["n_iter"] = fit.model->n_iter;
            entry["converged"] = fit.model->converged;
            entry["fit_seconds"] = fit.seconds;
            entry["valid_modes"] = modes_to_json(*fit.model);
          }
          sampling.push_back(entry);
        }
        report["sampling"] = sampling;

        ordered_json largest = ordered_json::array();
        for (const auto& e : all_extremes.largest()) largest.push_back(extreme_to_json(e, tables));
        report["round_trip"] = {
            {"restored_from", restored_ds ? options.restored : std::string("recomputed")},
            {"lossy", info.lossy},
            {"max_scaled_error", round_trip.max_error},
            {"p99_99_scaled_error_at_most",
             round_trip.histogram.quantile_upper_bound(kTailQuantile)},
            {"rows_over_1e-12", round_trip.over_bound},
            {"rows_beyond_clip", beyond_clip},
            {"rows_beyond_4_std", beyond_4_std},
            {"max_scaled_error_beyond_4_std", round_trip.max_error_beyond_4_std},
            {"min", all_extremes.smallest().empty()
                        ? ordered_json()
                        : extreme_to_json(all_extremes.smallest().front(), tables)},
            {"largest", largest},
            {"note",
             "scaled error = |restored - x| / (|x| + |mean_k|); the 99.99th percentile is "
             "the upper edge of its histogram bin (bins of 2^(1/8)); rows beyond the clip "
             "have |alpha| > 0.99, the values the research code cannot restore"}};

        std::vector<double> expected(V);
        std::vector<double> second(V * V);
        std::copy_n(totals.begin() + static_cast<std::ptrdiff_t>(layout.expected()), V,
                    expected.begin());
        std::copy_n(totals.begin() + static_cast<std::ptrdiff_t>(layout.second_moments()), V * V,
                    second.begin());
        const auto test = core::categorical_counts_test(observed, expected, second);
        ordered_json modes = ordered_json::array();
        for (std::size_t j = 0; j < V; ++j) {
          const double count = static_cast<double>(observed[j]);
          const double mean = count > 0 ? totals[layout.alpha_sum() + j] / count : NAN;
          const double square = count > 0 ? totals[layout.alpha_square_sum() + j] / count : NAN;
          modes.push_back({{"component", tables.valid[j]},
                           {"observed", observed[j]},
                           {"expected", expected[j]},
                           {"observed_share", count / n},
                           {"expected_share", expected[j] / n},
                           {"alpha_mean", mean},
                           {"alpha_std", std::sqrt(std::max(0.0, square - mean * mean))}});
        }
        report["transform"] = {
            {"modes", modes},
            {"chi_squared",
             {{"statistic", test.statistic},
              {"degrees_of_freedom", test.degrees_of_freedom},
              {"p_value", test.p_value},
              {"note",
               "observed mode counts against the sum of the rows' sampling probabilities, with "
               "the exact covariance of a sum of independent draws"}}},
            {"fraction_abs_alpha_over_0_99", static_cast<double>(beyond_clip) / n}};
        report["timings"] = stages_to_json(stages);
        std::ofstream out(report_output.partial_path(), std::ios::trunc);
        out << report.dump(2) << '\n';
        out.close();
        if (!out) {
          throw core::InputError("--report: cannot write " + report_output.partial_path().string());
        }
      },
      comm);
  report_output.commit();

  if (rank == 0) {
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    spdlog::info(
        "evaluate: mean log-likelihood per row {:.6f} (lower bound per row {:.6f}), {} "
        "valid mode(s)",
        mean_log_likelihood, report["fit_quality"]["lower_bound_per_row"].get<double>(), V);
    for (const auto& entry : report["sampling"]) {
      if (entry.contains("failure")) {
        spdlog::warn("evaluate: sample {} could not be fitted: {}",
                     entry["sample"].get<std::string>(), entry["failure"].get<std::string>());
      } else if (entry.contains("log_likelihood_loss_per_row")) {
        spdlog::info(
            "evaluate: fit on {} ({} rows): {} valid mode(s), mean log-likelihood {:.6f} "
            "({:+.3e} per row vs the full fit), largest mode shift {:.4g} ({:.3g} std)",
            entry["sample"].get<std::string>(), entry["rows"].get<std::uint64_t>(),
            entry["valid_mode_count"].get<std::size_t>(),
            entry["mean_log_likelihood"].get<double>(),
            -entry["log_likelihood_loss_per_row"].get<double>(),
            entry["largest_mean_shift"].get<double>(),
            entry["largest_mean_shift_in_std"].get<double>());
      }
    }
    spdlog::info(
        "evaluate: round trip max scaled error {:.3g}, 99.99th percentile <= {:.3g}; {} rows "
        "beyond the research clip (|alpha| > 0.99), {} beyond 4 std, max error there {:.3g}",
        round_trip.max_error, round_trip.histogram.quantile_upper_bound(kTailQuantile), beyond_clip,
        beyond_4_std, round_trip.max_error_beyond_4_std);
    spdlog::info("evaluate: mode counts vs posterior: chi2 = {:.3f}, df {}, p = {:.4g}",
                 report["transform"]["chi_squared"]["statistic"].get<double>(),
                 report["transform"]["chi_squared"]["degrees_of_freedom"].get<int>(),
                 report["transform"]["chi_squared"]["p_value"].get<double>());
    spdlog::info("evaluate: report written to {} in {:.3f} s\n{}", options.report, wall,
                 format_stage_table(stages));
    if (!options.metrics.empty()) {
      write_metrics_file(options.metrics, {{"command", "evaluate"},
                                           {"ranks", ranks},
                                           {"rows", N},
                                           {"wall_seconds", wall},
                                           {"stages", stages_to_json(stages)}});
    }
  }
  return 0;
}

void register_evaluate_command(CLI::App& app, CommandAction& action) {
  auto o = std::make_shared<EvaluateOptions>();
  auto* cmd = app.add_subcommand(
      "evaluate",
      "Check a fit and its transform on every row: fit quality, what fitting on samples "
      "costs, the round trip with its extremes, sampled modes against the posterior");
  cmd->add_option("--in", o->in, "The data the model was fitted on (HDF5)")->required();
  cmd->add_option("--dataset", o->dataset, "Dataset of the values (in --in and --restored)")
      ->capture_default_str();
  cmd->add_option("--model", o->model, "The model file (JSON)")->required();
  cmd->add_option("--transformed", o->transformed, "The transform output of --in (HDF5)")
      ->required();
  cmd->add_option("--restored", o->restored,
                  "The inverse output (HDF5); without it the values are restored in memory");
  cmd->add_option("--report", o->report, "Where to write the report (JSON)")->required();
  cmd->add_option("--compare-samples", o->compare_samples,
                  "Refit on deterministic uniform samples of these sizes (rows, or % of the "
                  "rows) and score each on every row; empty: no refits")
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the samples' draw")->capture_default_str();
  cmd->add_option("--kmeans-sample", o->kmeans_sample,
                  "Rows of the k-means subsample of each sample fit")
      ->capture_default_str();
  cmd->add_option("--slab-rows", o->slab_rows, "Rows per rank per read step")
      ->capture_default_str();
  cmd->add_option("--top", o->top, "How many of the largest values to list")->capture_default_str();
  cmd->add_option("--io", o->io,
                  "direct: read contiguous datasets with O_DIRECT; mpio: collective MPI-IO reads")
      ->capture_default_str();
  cmd->add_flag("--force", o->force, "Replace an existing report");
  cmd->add_option("--metrics", o->metrics, "Write the timing report (JSON) here");
  cmd->callback([o, &action] { action = [o] { return run_evaluate(*o); }; });
}

}  // namespace modenorm::app
