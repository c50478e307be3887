// `modenorm fit`: the exact, distributed variational Bayesian GMM (VGM_SPEC §2-§7, §10).
// Every EM iteration sums over all rows of the column; ranks exchange only per-block sums,
// reduced in a fixed global block order, so the model is bit-identical at any rank count.

#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "modenorm/app/command.hpp"
#include "modenorm/app/fault_injection.hpp"
#include "modenorm/app/fit_checkpoint.hpp"
#include "modenorm/app/fit_command.hpp"
#include "modenorm/app/fit_reduction.hpp"
#include "modenorm/app/fit_shard.hpp"
#include "modenorm/app/interrupt.hpp"
#include "modenorm/app/option_parsing.hpp"
#include "modenorm/app/stage_timer.hpp"
#include "modenorm/core/distinct_values.hpp"
#include "modenorm/core/em_loop.hpp"
#include "modenorm/core/errors.hpp"
#include "modenorm/core/estep.hpp"
#include "modenorm/core/final_attributes.hpp"
#include "modenorm/core/hard_assignment.hpp"
#include "modenorm/core/kmeans.hpp"
#include "modenorm/core/model.hpp"
#include "modenorm/core/moments.hpp"
#include "modenorm/core/predict.hpp"
#include "modenorm/core/random_init.hpp"
#include "modenorm/core/tile_quadrature.hpp"
#include "modenorm/io/dataset_1d.hpp"
#include "modenorm/io/hdf5_file.hpp"
#include "modenorm/io/model_json.hpp"
#include "modenorm/parallel/collective_check.hpp"
#include "modenorm/parallel/communicator.hpp"
#include "modenorm/parallel/gather.hpp"
#include "modenorm/parallel/mpi_error.hpp"

namespace modenorm::app {
namespace {

nlohmann::ordered_json to_json(const FitOptions& o) {
  return {{"in", o.in},
          {"dataset", o.dataset},
          {"model", o.model},
          {"components", o.components},
          {"weight_prior", o.weight_prior},
          {"max_iter", o.max_iter},
          {"tol", o.tol},
          {"tol_mode", o.tol_mode},
          {"reg_covar", o.reg_covar},
          {"eps", o.eps},
          {"seed", o.seed},
          {"init", o.init},
          {"memory_budget", o.memory_budget},
          {"bad_values", o.bad_values},
          {"block_rows", o.block_rows},
          {"kmeans_sample", o.kmeans_sample},
          {"distinct", o.distinct},
          {"distinct_max", o.distinct_max},
          {"estep", o.estep},
          {"io", o.io}};
}

core::FitSettings settings_from(const FitOptions& o) {
  using core::InputError;
  if (o.components < 1 || o.components > 255) {
    throw InputError(
        "--components: must be between 1 and 255 (component indices are stored "
        "as uint8), got " +
        std::to_string(o.components));
  }
  if (!(o.weight_prior > 0) || !std::isfinite(o.weight_prior)) {
    throw InputError("--weight-prior: must be a positive number");
  }
  if (o.max_iter < 1) throw InputError("--max-iter: must be at least 1");
  if (!(o.tol >= 0) || !std::isfinite(o.tol)) throw InputError("--tol: must be >= 0");
  if (o.tol_mode != "absolute" && o.tol_mode != "per-row") {
    throw InputError("--tol-mode: expected absolute or per-row, got '" + o.tol_mode + "'");
  }
  if (!(o.reg_covar >= 0) || !std::isfinite(o.reg_covar)) {
    throw InputError("--reg-covar: must be >= 0");
  }
  if (!(o.eps >= 0 && o.eps < 1)) throw InputError("--eps: must be in [0, 1)");
  if (o.block_rows < 1024) throw InputError("--block-rows: must be at least 1024");
  if (o.checkpoint_every < 1) throw InputError("--checkpoint-every: must be at least 1");
  if (o.resume && o.checkpoint.empty()) throw InputError("--resume needs --checkpoint FILE");
  if (o.distinct != "auto" && o.distinct != "on" && o.distinct != "off") {
    throw InputError("--distinct: expected auto, on or off, got '" + o.distinct + "'");
  }
  if (o.io != "direct" && o.io != "mpio") {
    throw InputError("--io: expected direct or mpio, got '" + o.io + "'");
  }
  if (o.estep != "quadrature" && o.estep != "rows") {
    throw InputError("--estep: expected quadrature or rows, got '" + o.estep + "'");
  }
  core::FitSettings s;
  s.components = o.components;
  s.weight_concentration_prior = o.weight_prior;
  s.max_iter = o.max_iter;
  s.tol = o.tol;
  s.tol_mode =
      o.tol_mode == "absolute" ? core::ToleranceMode::absolute : core::ToleranceMode::per_row;
  s.reg_covar = o.reg_covar;
  s.weight_threshold = o.eps;
  return s;
}

int ranks_on_this_node(MPI_Comm comm) {
  MPI_Comm node = MPI_COMM_NULL;
  MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
  int size = 1;
  MPI_Comm_size(node, &size);
  MPI_Comm_free(&node);
  return size;
}

// Collective. The global table of distinct values, identical on every rank, or nullopt when the
// column has more than `max_size` distinct values (each rank stops merging as soon as its own
// part exceeds it, so continuous data costs little more than a pass).
std::optional<core::DistinctTable> build_distinct_table(const FitShard& shard,
                                                        std::uint64_t max_size, MPI_Comm comm) {
  core::DistinctTable local;
  bool ok = true;
  shard.for_each_block([&](std::uint64_t, std::span<const double> x) {
    if (ok) ok = core::merge_sorted_block(local, x, max_size);
  });
  if (parallel::allreduce_min(ok ? 1 : 0, comm) == 0) return std::nullopt;
  const auto layout = parallel::rank_layout(local.size(), "MPI_Allgatherv", comm);
  const auto& sizes = layout.sizes;
  const auto& offsets = layout.offsets;
  std::vector<double> values(layout.total);
  std::vector<std::uint64_t> counts(layout.total);
  parallel::check_mpi(
      MPI_Allgatherv(local.values.data(), static_cast<int>(local.size()), MPI_DOUBLE, values.data(),
                     sizes.data(), offsets.data(), MPI_DOUBLE, comm),
      "MPI_Allgatherv");
  parallel::check_mpi(
      MPI_Allgatherv(local.counts.data(), static_cast<int>(local.size()), MPI_UINT64_T,
                     counts.data(), sizes.data(), offsets.data(), MPI_UINT64_T, comm),
      "MPI_Allgatherv");
  core::DistinctTable global;
  for (std::size_t r = 0; r < sizes.size(); ++r) {
    const auto begin = static_cast<std::size_t>(offsets[r]);
    const auto end = begin + static_cast<std::size_t>(sizes[r]);
    core::DistinctTable part;
    part.values.assign(values.begin() + static_cast<std::ptrdiff_t>(begin),
                       values.begin() + static_cast<std::ptrdiff_t>(end));
    part.counts.assign(counts.begin() + static_cast<std::ptrdiff_t>(begin),
                       counts.begin() + static_cast<std::ptrdiff_t>(end));
    global = core::merge_tables(global, part);
  }
  if (global.size() > max_size) return std::nullopt;
  return global;
}

// What a checkpoint's state depends on: the options that change the iterates and the input.
nlohmann::json checkpoint_identity(const FitOptions& o, const ColumnSummary& column, double sum,
                                   const std::string& data_path) {
  nlohmann::json options = to_json(o);
  for (const char* key : {"model", "memory_budget", "max_iter", "io"}) options.erase(key);
  return {{"options", options},
          {"input",
           {{"rows", column.rows_total},
            {"rows_skipped", column.rows_skipped},
            {"min", column.min},
            {"max", column.max},
            {"sum", sum}}},
          {"data_path", data_path}};
}

void write_metrics(const std::string& path, const nlohmann::ordered_json& metrics) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) throw core::InputError("--metrics: cannot write " + path);
  out << metrics.dump(2) << '\n';
}

}  // namespace

int run_fit(const FitOptions& options) {
  MPI_Comm comm = MPI_COMM_WORLD;
  const int rank = parallel::comm_rank(comm);
  const int ranks = parallel::comm_size(comm);
  StageTimer timer;
  const auto started = std::chrono::steady_clock::now();

  core::FitSettings settings;
  InitChoice init;
  std::uint64_t budget = 0;
  parallel::run_collectively(
      [&] {
        settings = settings_from(options);
        init = parse_init(options.init, options.components);
        budget =
            parse_memory_budget("--memory-budget", options.memory_budget, ranks_on_this_node(comm));
        io::parse_bad_value_policy(options.bad_values);
        if (rank == 0 && std::filesystem::exists(options.model) && !options.force) {
          throw core::InputError("--model: " + options.model +
                                 " already exists; pass --force to replace it");
        }
      },
      comm);
  const auto budget_all = parallel::allreduce_min(budget, comm);
  if (rank == 0) spdlog::info("fit options: {}", to_json(options).dump());

  auto file = io::open_file(options.in, io::FileMode::read_only, comm);
  auto dataset = io::open_dataset_1d(file, options.dataset);
  FitShardOptions shard_options;
  shard_options.block_rows = options.block_rows;
  shard_options.memory_budget_bytes = budget_all;
  shard_options.sample_rows = options.kmeans_sample;
  shard_options.bad_values = io::parse_bad_value_policy(options.bad_values);
  shard_options.io.direct_reads = options.io == "direct";
  FitShard shard(dataset, shard_options, comm, timer);
  const auto& column = shard.summary();
  if (rank == 0) {
    spdlog::info(
        "fit: {} rows of {} on {} rank(s); {} blocks of {} rows; shard {} ({} per rank "
        "budget)",
        column.rows_used, dataset.where(), ranks, shard.block_count(), options.block_rows,
        shard.resident() ? "resident in memory" : "streamed from the file every pass", budget_all);
  }
  // sklearn's input checks (VGM_SPEC §2): at least 2 rows and at least K rows.
  if (column.rows_used < 2 || column.rows_used < static_cast<std::uint64_t>(settings.components)) {
    throw parallel::CollectiveError(
        0,
        dataset.where() + ": " + std::to_string(column.rows_used) +
            " usable row(s); the fit needs at least 2 and at least --components (" +
            std::to_string(settings.components) + ")",
        true);
  }

  // Priors (VGM_SPEC §2): two ordered passes, the mean and then the centred squares.
  core::Priors priors;
  double sum = 0.0;
  {
    auto scope = timer.stage("priors", static_cast<double>(column.rows_used) / ranks);
    sum = reduce_block_scalar(
        shard,
        [](std::span<const double> x) {
          double s = 0.0;
          for (const double v : x) s += v;
          return s;
        },
        comm);
    const double m0 = sum / static_cast<double>(column.rows_used);
    const double scatter = reduce_block_scalar(
        shard,
        [m0](std::span<const double> x) {
          double s = 0.0;
          for (const double v : x) s += (v - m0) * (v - m0);
          return s;
        },
        comm);
    core::DataMoments moments;
    moments.count = column.rows_used;
    moments.mean = m0;
    moments.m2 = scatter;
    moments.min = column.min;
    moments.max = column.max;
    moments.sum = sum;
    priors = core::priors_from_moments(moments, settings);
  }

  // The exact fast path for repeated values (DESIGN §4): fit on the weighted distinct-value
  // table when it is small. Every sum of the fit is the same sum, grouped by value.
  std::optional<core::DistinctTable> distinct;
  if (options.distinct != "off") {
    auto scope = timer.stage("distinct table", static_cast<double>(column.rows_used) / ranks);
    distinct = build_distinct_table(shard, options.distinct_max, comm);
    if (!distinct && options.distinct == "on") {
      throw parallel::CollectiveError(0,
                                      "--distinct on: " + dataset.where() + " has more than " +
                                          std::to_string(options.distinct_max) +
                                          " distinct values (--distinct-max)",
                                      true);
    }
  }
  if (rank == 0) {
    if (distinct) {
      spdlog::info(
          "fit path: distinct values ({} distinct of {} rows); every EM iteration "
          "passes over the table instead of the rows",
          distinct->size(), column.rows_used);
    } else {
      spdlog::info("fit path: every row, every iteration ({})",
                   options.distinct == "off" ? "--distinct off"
                                             : "more than --distinct-max distinct values");
    }
  }

  // The quadrature E-step (tile_quadrature.hpp): Gauss rules of every 256-row tile of every
  // sorted block, built once (up front for a resident shard, during the first pass for a
  // streamed one, whose rules then stay in memory); each pass sums a tile from its rule when
  // the bound proves it accurate, else from its rows. Both give the same bits.
  std::vector<core::BlockQuadrature> rules;
  const bool quadrature = !distinct && options.estep == "quadrature";
  const auto rules_of = [&](std::uint64_t block,
                            std::span<const double> x) -> core::BlockQuadrature& {
    auto& r = rules[static_cast<std::size_t>(block - shard.first_block())];
    if (r.tiles() == 0 && !x.empty()) r = core::make_block_quadrature(x);
    return r;
  };
  if (quadrature) {
    rules.resize(shard.local_blocks());
    if (shard.resident()) {
      auto scope = timer.stage("quadrature rules", static_cast<double>(column.rows_used) / ranks);
      shard.for_each_block(
          [&](std::uint64_t block, std::span<const double> x) { (void)rules_of(block, x); });
    }
    if (rank == 0) {
      spdlog::info("fit path: quadrature E-step over every row ({}-node rules of {}-row tiles{})",
                   core::kQuadratureNodes, core::kQuadratureTileRows,
                   shard.resident() ? "" : ", built during the first pass");
    }
  }
  const std::string data_path = distinct ? "distinct-values" : (quadrature ? "quadrature" : "rows");

  // A saved EM state to continue from (fit --checkpoint F --resume).
  const auto identity = checkpoint_identity(options, column, sum, data_path);
  std::optional<core::EmState> resume_state;
  if (options.resume) {
    resume_state = parallel::run_collectively(
        [&] { return read_fit_checkpoint(options.checkpoint, identity); }, comm);
    if (rank == 0) {
      if (resume_state) {
        spdlog::info("resuming from {} after iteration {}", options.checkpoint,
                     resume_state->lower_bounds.size());
      } else {
        spdlog::info("no checkpoint at {}: starting from the beginning", options.checkpoint);
      }
    }
  }

  // Initial statistics (VGM_SPEC §3): hard labels from k-means centres or given means, or
  // sklearn's 'random' responsibilities.
  core::SufficientStats init_stats;
  if (!resume_state) {
    auto scope = timer.stage("init", static_cast<double>(column.rows_used) / ranks);
    std::vector<double> centres = init.means;
    if (init.kind == InitChoice::Kind::kmeans) {
      const auto km = core::kmeans_serial(column.sample, settings.components, options.seed);
      centres = km.centres;
      if (rank == 0) {
        spdlog::info("init: k-means++ and {} Lloyd step(s) on a {}-row evenly spaced sample",
                     km.iterations, column.sample.size());
      }
    }
    if (init.kind == InitChoice::Kind::random) {
      const Eigen::ArrayXd shifts = Eigen::ArrayXd::Constant(settings.components, priors.m0);
      init_stats = reduce_block_stats(
          shard, shifts,
          [&](std::uint64_t block, std::span<const double> x) {
            return core::random_init_stats(x, block * options.block_rows, shifts, options.seed);
          },
          comm);
    } else if (distinct) {
      init_stats = core::hard_assignment_stats_distinct(*distinct, centres);
    } else {
      const Eigen::ArrayXd shifts = Eigen::Map<const Eigen::ArrayXd>(
          centres.data(), static_cast<Eigen::Index>(centres.size()));
      init_stats = reduce_block_stats(
          shard, shifts,
          [&](std::uint64_t, std::span<const double> x) {
            return core::hard_assignment_stats_sorted(x, centres);  // blocks are sorted
          },
          comm);
    }
  }

  // EM (VGM_SPEC §4-§6): one pass over all rows per iteration.
  const double n = static_cast<double>(column.rows_used);
  if (rank == 0 && settings.tol_mode == core::ToleranceMode::absolute) {
    spdlog::info(
        "convergence: sklearn's absolute rule |dLB| < {} on a bound summed over {} rows "
        "(a per-row change below {:.3g}); at this size expect all {} iterations",
        settings.tol, column.rows_used, settings.tol / n, settings.max_iter);
  }
  auto iteration_start = std::chrono::steady_clock::now();
  core::QuadratureCounts quadrature_counts;
  std::uint64_t passes = 0;
  const core::DataPass pass = [&](const core::EStepTables& tables) {
    throw_if_interrupted(comm);
    auto scope = timer.stage("EM iterations", n / ranks);
    if (distinct) return core::estep_distinct(*distinct, tables);  // same on every rank
    if (quadrature) {
      ++passes;
      return reduce_block_stats(
          shard, tables.shift,
          [&](std::uint64_t block, std::span<const double> x) {
            return core::estep_block_quadrature(x, rules_of(block, x), tables, &quadrature_counts);
          },
          comm);
    }
    return reduce_block_stats(
        shard, tables.shift,
        [&](std::uint64_t, std::span<const double> x) { return core::estep_block(x, tables); },
        comm);
  };
  std::vector<double> history;  // bounds of the iterations this run computed
  const core::IterationObserver observe = [&](const core::IterationReport& report) {
    history.push_back(report.lower_bound);
    const auto now = std::chrono::steady_clock::now();
    if (rank == 0) {
      spdlog::info("iteration {:>3}: lower bound {:.10e}, change per row {:.3e}, {:.3f} s",
                   report.iteration, report.lower_bound, report.change / n,
                   std::chrono::duration<double>(now - iteration_start).count());
    }
    iteration_start = now;
    if (!options.checkpoint.empty() &&
        (report.iteration % options.checkpoint_every == 0 || report.converged ||
         report.iteration == settings.max_iter)) {
      parallel::run_collectively(
          [&] {
            if (rank != 0) return;
            std::vector<double> bounds =
                resume_state ? resume_state->lower_bounds : std::vector<double>{};
            bounds.insert(bounds.end(), history.begin(), history.end());
            write_fit_checkpoint(options.checkpoint, identity,
                                 {*report.params, bounds, report.converged});
          },
          comm);
    }
    inject_fault_if_requested("fit-iteration", static_cast<std::uint64_t>(report.iteration), rank);
  };
  const core::FitResult fit = core::run_em(settings, priors, init_stats, pass, observe,
                                           resume_state ? &*resume_state : nullptr);
  if (rank == 0 && !fit.converged) {
    spdlog::warn(
        "EM did not converge in {} iterations (tol {} {}); the model is the last "
        "iterate, as scikit-learn's is",
        fit.n_iter, settings.tol, options.tol_mode);
  }

  // The CTAB-GAN valid rule needs predict() counts under the final parameters (VGM_SPEC §1.4).
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(settings.components), 0);
  {
    auto scope = timer.stage("valid-mode pass", n / ranks);
    const auto tables = core::make_estep_tables(fit.params);
    if (distinct) {
      core::count_argmax_distinct(*distinct, tables, counts);
    } else {
      shard.for_each_block([&](std::uint64_t, std::span<const double> x) {
        core::count_argmax_sorted(x, tables, counts);
      });
      counts = parallel::allreduce_sum(counts, comm);
    }
  }

  core::FittedModel model;
  model.settings = settings;
  model.init = options.init;
  model.seed = options.seed;
  model.block_rows = options.block_rows;
  model.data_path = data_path;
  model.input = {std::filesystem::path(options.in).filename().string(),
                 options.dataset,
                 column.rows_total,
                 column.rows_skipped,
                 column.min,
                 column.max,
                 sum};
  model.priors = priors;
  core::record_fit(model, fit, counts);
  parallel::run_collectively(
      [&] {
        if (model.valid_indices().empty()) {
          throw core::InputError(
              "fit: no component passed the valid rule (weight > --eps and "
              "predicted for at least one row)");
        }
        if (rank == 0) {
          io::write_model_file(options.model, model);
          if (!options.checkpoint.empty()) std::filesystem::remove(options.checkpoint);
        }
      },
      comm);

  if (quadrature) {
    const auto tiles = parallel::allreduce_sum(
        std::vector<std::uint64_t>{quadrature_counts.tiles_by_rule, quadrature_counts.tiles_by_rows,
                                   quadrature_counts.rows_by_rows},
        comm);
    if (rank == 0 && tiles[0] + tiles[1] > 0) {
      spdlog::info(
          "quadrature E-step: {:.2f} % of tile evaluations from their rule, {:.2f} % of "
          "row evaluations from the rows",
          100.0 * static_cast<double>(tiles[0]) / static_cast<double>(tiles[0] + tiles[1]),
          100.0 * static_cast<double>(tiles[2]) /
              (static_cast<double>(column.rows_used) * static_cast<double>(passes)));
    }
  }
  const auto stages = timer.summarise(comm);
  if (rank == 0) {
    std::string valid_list;
    for (const int k : model.valid_indices()) {
      valid_list += fmt::format(" {}(w={:.4f} mean={:.4g} std={:.4g})", k, model.weights[k],
                                model.params.m[k], model.stds[k]);
    }
    spdlog::info("fit: {} iterations, converged={}, lower bound {:.10e}; {} valid mode(s):{}",
                 fit.n_iter, fit.converged, fit.lower_bound, model.valid_indices().size(),
                 valid_list);
    spdlog::info("model written to {}\n{}", options.model, format_stage_table(stages));
    if (!options.metrics.empty()) {
      write_metrics(
          options.metrics,
          {{"command", "fit"},
           {"ranks", ranks},
           {"rows", column.rows_used},
           {"resident", shard.resident()},
           {"wall_seconds",
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()},
           {"stages", stages_to_json(stages)}});
    }
  }
  return 0;
}

void register_fit_command(CLI::App& app, CommandAction& action) {
  auto o = std::make_shared<FitOptions>();
  auto* cmd = app.add_subcommand(
      "fit",
      "Fit the variational Bayesian Gaussian mixture on every row (scikit-learn's "
      "BayesianGaussianMixture, CTGAN settings)");
  cmd->add_option("--in", o->in, "Input HDF5 file")->required();
  cmd->add_option("--dataset", o->dataset, "1-D float dataset in the input")->capture_default_str();
  cmd->add_option("--model", o->model, "Output model file (JSON)")->required();
  cmd->add_option("--components", o->components, "Number of mixture components K (1-255)")
      ->capture_default_str();
  cmd->add_option("--weight-prior", o->weight_prior, "Dirichlet-process weight concentration prior")
      ->capture_default_str();
  cmd->add_option("--max-iter", o->max_iter, "EM iterations at most")->capture_default_str();
  cmd->add_option("--tol", o->tol, "Convergence threshold on the lower-bound change")
      ->capture_default_str();
  cmd->add_option("--tol-mode", o->tol_mode,
                  "absolute: scikit-learn's |dLB| < tol on the bound summed over rows (never "
                  "fires at 1e9 rows, so max-iter iterations run); per-row: |dLB|/n < tol")
      ->capture_default_str();
  cmd->add_option("--reg-covar", o->reg_covar, "Added to every variance")->capture_default_str();
  cmd->add_option("--eps", o->eps, "A component is valid if its weight exceeds this")
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the k-means++ / random initialisation")
      ->capture_default_str();
  cmd->add_option("--init", o->init, "kmeans | random | means:v1,v2,... (one per component)")
      ->capture_default_str();
  cmd->add_option("--memory-budget", o->memory_budget,
                  "Per-rank memory for the resident shard (e.g. 2GiB); above it the fit streams "
                  "the file every iteration. auto = 60% of available memory / ranks per node")
      ->capture_default_str();
  cmd->add_option("--bad-values", o->bad_values,
                  "error: stop on NaN/inf rows; skip: drop and count them")
      ->capture_default_str();
  cmd->add_option("--block-rows", o->block_rows,
                  "Rows per reduction block (part of the result: changing it changes the last "
                  "bits of the model)")
      ->capture_default_str();
  cmd->add_option("--kmeans-sample", o->kmeans_sample, "Rows of the evenly spaced k-means sample")
      ->capture_default_str();
  cmd->add_option("--distinct", o->distinct,
                  "auto: fit on the table of distinct values with their counts when there are at "
                  "most --distinct-max of them (exact; money in cents has few); on: require it; "
                  "off: pass over every row")
      ->capture_default_str();
  cmd->add_option("--estep", o->estep,
                  "quadrature: sum each 256-row tile of a resident shard from its 8-node Gauss "
                  "rule when a bound proves it within 1e-12 of the row-by-row sums, else from "
                  "its rows (about 3x faster); rows: every row by the double kernel")
      ->capture_default_str();
  cmd->add_option("--io", o->io,
                  "direct: read the shard straight from the file's bytes with O_DIRECT "
                  "(contiguous datasets; others fall back to mpio); mpio: collective MPI-IO reads")
      ->capture_default_str();
  cmd->add_option("--distinct-max", o->distinct_max, "Largest distinct-value table to use")
      ->capture_default_str();
  cmd->add_option("--checkpoint", o->checkpoint,
                  "Save the EM state to this file every --checkpoint-every iterations (removed "
                  "when the model is written)");
  cmd->add_option("--checkpoint-every", o->checkpoint_every, "Iterations between checkpoints")
      ->capture_default_str();
  cmd->add_flag("--resume", o->resume,
                "Continue from --checkpoint if it exists (same input and options): the model "
                "is identical to an uninterrupted run");
  cmd->add_option("--metrics", o->metrics, "Write the timing report (JSON) here");
  cmd->add_flag("--force", o->force, "Replace an existing model file");
  cmd->callback([o, &action] { action = [o] { return run_fit(*o); }; });
}

}  // namespace modenorm::app
