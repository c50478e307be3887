// `modenorm run --config X.toml`: the whole pipeline in one job - ingest, optional scale, fit,
// transform, inverse and its check, optionally evaluate - with one timing table and one
// metrics file.

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "modenorm/app/command.hpp"
#include "modenorm/app/evaluate_command.hpp"
#include "modenorm/app/fit_command.hpp"
#include "modenorm/app/ingest_command.hpp"
#include "modenorm/app/inverse_command.hpp"
#include "modenorm/app/round_trip_check.hpp"
#include "modenorm/app/run_config.hpp"
#include "modenorm/app/scale_command.hpp"
#include "modenorm/app/stage_timer.hpp"
#include "modenorm/app/transform_command.hpp"
#include "modenorm/core/errors.hpp"
#include "modenorm/io/model_json.hpp"
#include "modenorm/parallel/collective_check.hpp"
#include "modenorm/parallel/communicator.hpp"

namespace modenorm::app {
namespace {

namespace fs = std::filesystem;

struct RunOptions {
  std::string config;
  std::vector<std::string> overrides;
};

nlohmann::json read_json_file(const fs::path& path) {
  std::ifstream in(path);
  return in ? nlohmann::json::parse(in, nullptr, false) : nlohmann::json{};
}

nlohmann::ordered_json round_trip_metrics(const RoundTripReport& report) {
  return {{"rows", report.rows},
          {"max_scaled_error", report.max_scaled_error},
          {"rows_beyond_research_clip", report.beyond_clip},
          {"rows_beyond_4_std", report.beyond_4_std},
          {"max_scaled_error_beyond_4_std", report.max_scaled_error_beyond},
          {"max_value", report.max_value},
          {"max_value_restored", report.max_value_restored}};
}

// The round-trip figures of an evaluation report (evaluate_command: "round_trip", whose
// "largest" list starts with the largest value).
RoundTripReport round_trip_from_evaluation(const nlohmann::json& evaluation) {
  const auto& measured = evaluation.at("round_trip");
  RoundTripReport report;
  report.rows = evaluation.at("input").at("rows").get<std::uint64_t>();
  report.max_scaled_error = measured.at("max_scaled_error").get<double>();
  report.beyond_clip = measured.at("rows_beyond_clip").get<std::uint64_t>();
  report.beyond_4_std = measured.at("rows_beyond_4_std").get<std::uint64_t>();
  report.max_scaled_error_beyond = measured.at("max_scaled_error_beyond_4_std").get<double>();
  const auto& largest = measured.at("largest").at(0);
  report.max_value = largest.at("value").get<double>();
  report.max_value_restored = largest.at("restored").get<double>();
  return report;
}

void log_round_trip(const RoundTripReport& report, bool clipped) {
  spdlog::info(
      "round trip: {} rows, max |restored - x| / (|x| + |mean|) = {:.3g}{}; {} rows beyond the "
      "research code's clip (|alpha| > 0.99), {} beyond 4 std (max scaled error there {:.3g}); "
      "max value {} restored as {}",
      report.rows, report.max_scaled_error, clipped ? " (clipped transform: lossy by request)" : "",
      report.beyond_clip, report.beyond_4_std, report.max_scaled_error_beyond, report.max_value,
      report.max_value_restored);
}

// Runs one stage on every rank, timing it; a non-zero exit code ends the run with that code.
template <class F>
int timed(StageTimer& timer, const char* name, double rows, F&& stage) {
  auto scope = timer.stage(name, rows);
  return stage();
}

int run_pipeline(const RunOptions& options) {
  MPI_Comm comm = MPI_COMM_WORLD;
  const int rank = parallel::comm_rank(comm);
  const int ranks = parallel::comm_size(comm);
  const auto started = std::chrono::steady_clock::now();

  const RunConfig config = parallel::run_collectively(
      [&] {
        RunConfig c = load_run_config(options.config, options.overrides);
        if (c.scale.rows < 0) throw core::InputError("scale.rows: must be >= 0");
        if (rank == 0) fs::create_directories(c.output.dir);
        return c;
      },
      comm);
  if (rank == 0) spdlog::info("run: effective configuration {}", to_json(config).dump());

  const fs::path dir = config.output.dir;
  const std::string dataset = config.input.dataset;
  StageTimer timer;
  int code = 0;

  std::string data = config.input.h5;
  if (!config.input.csv.empty()) {
    IngestOptions ingest;
    ingest.csv = config.input.csv;
    ingest.column = config.input.column;
    ingest.out = (dir / "source.h5").string();
    ingest.dataset = dataset;
    ingest.force = config.output.force;
    if ((code = timed(timer, "ingest", 0, [&] { return run_ingest(ingest); })) != 0) return code;
    data = ingest.out;
  }
  if (config.scale.rows > 0) {
    ScaleOptions scale;
    scale.in = data;
    scale.dataset = dataset;
    scale.rows = config.scale.rows;
    scale.out = (dir / "scaled.h5").string();
    scale.seed = static_cast<std::uint64_t>(config.scale.seed);
    scale.jitter = config.scale.jitter;
    scale.force = config.output.force;
    const double rows = static_cast<double>(config.scale.rows) / ranks;
    if ((code = timed(timer, "scale", rows, [&] { return run_scale(scale); })) != 0) return code;
    data = scale.out;
  }

  FitOptions fit;
  fit.in = data;
  fit.dataset = dataset;
  fit.model = (dir / "model.json").string();
  fit.components = static_cast<int>(config.fit.components);
  fit.weight_prior = config.fit.weight_prior;
  fit.max_iter = static_cast<int>(config.fit.max_iter);
  fit.tol = config.fit.tol;
  fit.tol_mode = config.fit.tol_mode;
  fit.reg_covar = config.fit.reg_covar;
  fit.eps = config.fit.eps;
  fit.seed = static_cast<std::uint64_t>(config.fit.seed);
  fit.init = config.fit.init;
  fit.memory_budget = config.fit.memory_budget;
  fit.estep = config.fit.estep;
  fit.metrics = (dir / "fit-metrics.json").string();
  fit.force = config.output.force;
  if ((code = timed(timer, "fit", 0, [&] { return run_fit(fit); })) != 0) return code;

  TransformOptions transform;
  transform.in = data;
  transform.dataset = dataset;
  transform.model = fit.model;
  transform.out = (dir / "transformed.h5").string();
  transform.seed = static_cast<std::uint64_t>(config.transform.seed);
  transform.clip = config.transform.clip;
  transform.alpha_dtype = config.transform.alpha_dtype;
  transform.metrics = (dir / "transform-metrics.json").string();
  transform.force = config.output.force;
  if ((code = timed(timer, "transform", 0, [&] { return run_transform(transform); })) != 0) {
    return code;
  }

  // The round trip is checked once: by the evaluation when it runs (it measures the same
  // figures and more over the same three files), otherwise by its own pass.
  const bool evaluate_checks_round_trip = config.evaluate.enabled;
  nlohmann::ordered_json round_trip;
  const std::string restored = (dir / "restored.h5").string();
  if (config.check.inverse) {
    InverseOptions inverse;
    inverse.in = transform.out;
    inverse.model = fit.model;
    inverse.out = restored;
    inverse.dataset = dataset;
    inverse.metrics = (dir / "inverse-metrics.json").string();
    inverse.force = config.output.force;
    if ((code = timed(timer, "inverse", 0, [&] { return run_inverse(inverse); })) != 0) {
      return code;
    }
    if (!evaluate_checks_round_trip) {
      const auto model =
          parallel::run_collectively([&] { return io::read_model_file(fit.model); }, comm);
      RoundTripReport report;
      {
        auto scope = timer.stage("round-trip check");
        report = check_round_trip(data, transform.out, inverse.out, dataset, model,
                                  std::uint64_t{8} << 20, comm);
      }
      round_trip = round_trip_metrics(report);
      if (rank == 0) log_round_trip(report, config.transform.clip);
    }
  }

  std::string evaluation_report;
  if (config.evaluate.enabled) {
    EvaluateOptions evaluate;
    evaluate.in = data;
    evaluate.dataset = dataset;
    evaluate.model = fit.model;
    evaluate.transformed = transform.out;
    if (config.check.inverse) evaluate.restored = restored;
    evaluate.report = (dir / "evaluation.json").string();
    evaluate.compare_samples = config.evaluate.compare_samples;
    evaluate.seed = static_cast<std::uint64_t>(config.evaluate.seed);
    evaluate.force = config.output.force;
    if ((code = timed(timer, "evaluate", 0, [&] { return run_evaluate(evaluate); })) != 0) {
      return code;
    }
    evaluation_report = evaluate.report;
    if (config.check.inverse && rank == 0) {  // the report is rank 0's
      const RoundTripReport report = round_trip_from_evaluation(read_json_file(evaluate.report));
      round_trip = round_trip_metrics(report);
      log_round_trip(report, config.transform.clip);
    }
  }

  const auto stages = timer.summarise(comm);
  if (rank == 0) {
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    spdlog::info("run: finished in {:.2f} s on {} rank(s); outputs in {}\n{}", wall, ranks,
                 dir.string(), format_stage_table(stages));
    nlohmann::ordered_json metrics = {{"command", "run"},
                                      {"ranks", ranks},
                                      {"wall_seconds", wall},
                                      {"config", to_json(config)},
                                      {"stages", stages_to_json(stages)},
                                      {"fit", read_json_file(fit.metrics)},
                                      {"transform", read_json_file(transform.metrics)},
                                      {"round_trip", round_trip},
                                      {"evaluation", evaluation_report}};
    std::ofstream(dir / "metrics.json") << metrics.dump(2) << '\n';
  }
  return 0;
}

}  // namespace

void register_run_command(CLI::App& app, CommandAction& action) {
  auto o = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand(
      "run",
      "The whole pipeline from a TOML configuration: ingest, scale, fit, transform, "
      "inverse and its check, optionally evaluate, with one timing table and one metrics file");
  cmd->add_option("--config", o->config, "TOML configuration (see configs/default.toml)")
      ->required();
  cmd->add_option("--set", o->overrides,
                  "Override a configuration key: section.key=value (TOML value; repeatable)");
  cmd->callback([o, &action] { action = [o] { return run_pipeline(*o); }; });
}

}  // namespace modenorm::app
