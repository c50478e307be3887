// `modenorm transform`: mode-specific normalisation of every row (VGM_SPEC §8, DESIGN.md §5).
// Each rank transforms its contiguous shard slab by slab and writes /alpha and /component
// straight into the datasets' bytes (--io direct, io/direct_write.hpp) or with collective
// writes (--io mpio); only the per-component selection counts are reduced. Rows draw their mode
// from Philox keyed by (seed, global row), so the output is the same at any rank count and slab
// size. After every slab the progress is recorded in the .partial file, so a crashed run rerun
// with the same command continues where it stopped and ends with identical datasets.

#include <hdf5.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "modenorm/app/command.hpp"
#include "modenorm/app/fault_injection.hpp"
#include "modenorm/app/interrupt.hpp"
#include "modenorm/app/metrics_file.hpp"
#include "modenorm/app/model_group.hpp"
#include "modenorm/app/progress.hpp"
#include "modenorm/app/provenance.hpp"
#include "modenorm/app/slab_plan.hpp"
#include "modenorm/app/slab_prefetch.hpp"
#include "modenorm/app/stage_timer.hpp"
#include "modenorm/app/transform_command.hpp"
#include "modenorm/core/errors.hpp"
#include "modenorm/core/transform.hpp"
#include "modenorm/io/attributes.hpp"
#include "modenorm/io/dataset_1d.hpp"
#include "modenorm/io/direct_write.hpp"
#include "modenorm/io/hdf5_error.hpp"
#include "modenorm/io/hdf5_file.hpp"
#include "modenorm/io/model_json.hpp"
#include "modenorm/io/sha256.hpp"
#include "modenorm/io/slab_io.hpp"
#include "modenorm/io/staged_output.hpp"
#include "modenorm/parallel/collective_check.hpp"
#include "modenorm/parallel/communicator.hpp"

namespace modenorm::app {
namespace {

namespace fs = std::filesystem;

nlohmann::ordered_json to_json(const TransformOptions& o) {
  return {{"in", o.in},     {"dataset", o.dataset},     {"model", o.model},
          {"out", o.out},   {"seed", o.seed},           {"alpha_dtype", o.alpha_dtype},
          {"clip", o.clip}, {"slab_rows", o.slab_rows}, {"check_fingerprint", o.check_fingerprint},
          {"io", o.io},     {"force", o.force}};
}

// Everything rank 0 learns from the file system, shared with every rank.
struct Inputs {
  core::FittedModel model;
  std::string model_sha256;
  std::string resume_key;  // what a .partial must match to be continued
};

Inputs load_inputs(const TransformOptions& o, MPI_Comm comm) {
  Inputs inputs;
  parallel::run_collectively(
      [&] {
        if (o.alpha_dtype != "f64" && o.alpha_dtype != "f32") {
          throw core::InputError("--alpha-dtype: expected f64 or f32, got '" + o.alpha_dtype + "'");
        }
        if (o.slab_rows == 0) throw core::InputError("--slab-rows: must be at least 1");
        if (o.io != "direct" && o.io != "mpio") {
          throw core::InputError("--io: expected direct or mpio, got '" + o.io + "'");
        }
        inputs.model = io::read_model_file(o.model);
        if (inputs.model.valid_indices().empty()) {
          throw core::InputError(o.model +
                                 ": model field 'components.valid' has no valid "
                                 "component");
        }
      },
      comm);
  std::string key;
  if (parallel::comm_rank(comm) == 0) {
    inputs.model_sha256 = io::sha256_hex_of_file(o.model);
    std::error_code ec;
    const auto size = fs::file_size(o.in, ec);
    const auto mtime = fs::last_write_time(o.in, ec).time_since_epoch().count();
    // The resumable state: same input file (size, mtime), model bytes, seed, slab geometry,
    // rank count and stored form give the same datasets slab for slab. --io is not part of it:
    // both ways write the same bytes to the same datasets.
    key = nlohmann::ordered_json{{"in", fs::absolute(o.in).lexically_normal().string()},
                                 {"in_size", ec ? 0 : size},
                                 {"in_mtime", static_cast<std::int64_t>(mtime)},
                                 {"dataset", o.dataset},
                                 {"model_sha256", inputs.model_sha256},
                                 {"seed", o.seed},
                                 {"slab_rows", o.slab_rows},
                                 {"ranks", parallel::comm_size(comm)},
                                 {"alpha_dtype", o.alpha_dtype},
                                 {"clip", o.clip}}
              .dump();
  }
  inputs.model_sha256 = parallel::broadcast_string(inputs.model_sha256, 0, comm);
  inputs.resume_key = parallel::broadcast_string(key, 0, comm);
  return inputs;
}

// Collective: a bad value on any rank stops every rank with the first bad row's message.
void require_finite(std::span<const double> x, std::uint64_t first_row, const std::string& where,
                    MPI_Comm comm) {
  parallel::run_collectively(
      [&] {
        const auto bad =
            std::find_if(x.begin(), x.end(), [](double v) { return !std::isfinite(v); });
        if (bad != x.end()) {
          const auto row = first_row + static_cast<std::uint64_t>(bad - x.begin());
          throw core::InputError(where + ": row " + std::to_string(row) + " is " +
                                 std::to_string(*bad) +
                                 "; the transform needs finite values (VGM_SPEC §8.3)");
        }
      },
      comm);
}

// --check-fingerprint: rows, min, max and sum of the input against what the model was fitted on.
void check_fingerprint(const io::Dataset1D& input, const core::FittedModel& model,
                       const SlabPlan& plan, const std::string& model_path, MPI_Comm comm) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  double sum = 0.0;
  double abs_sum = 0.0;
  std::vector<double> x;
  for (std::uint64_t s = 0; s < plan.slabs(); ++s) {
    const auto rows = plan.slab(s);
    x.resize(rows.size());
    (void)io::read_rows<double>(input, rows, x);
    for (const double v : x) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      sum += v;
      abs_sum += std::abs(v);
    }
  }
  lo = parallel::allreduce_min(lo, comm);
  hi = parallel::allreduce_max(hi, comm);
  sum = parallel::allreduce_sum(sum, comm);
  abs_sum = parallel::allreduce_sum(abs_sum, comm);
  const auto& f = model.input;
  std::string problem;
  if (input.size() != f.rows) {
    problem = "rows " + std::to_string(input.size()) + " vs " + std::to_string(f.rows);
  } else if (f.rows_skipped == 0 && (lo != f.min || hi != f.max)) {
    problem = fmt::format("min/max {:.17g}/{:.17g} vs {:.17g}/{:.17g}", lo, hi, f.min, f.max);
  } else if (f.rows_skipped == 0 && std::abs(sum - f.sum) > 1e-9 * abs_sum) {
    // The fit sums in its own block order; the sums agree to rounding only.
    problem = fmt::format("sum {:.17g} vs {:.17g}", sum, f.sum);
  }
  if (!problem.empty()) {
    throw parallel::CollectiveError(0,
                                    "--check-fingerprint: " + input.where() + " is not the data " +
                                        model_path + " was fitted on (" + f.file + ":" + f.dataset +
                                        "): " + problem,
                                    true);
  }
}

// The open .partial output: either continued (resume) or freshly created.
struct Output {
  io::File file;
  std::uint64_t slabs_done = 0;
  std::vector<std::uint64_t> counts;  // global selection counts of the finished slabs
  bool resumed = false;
};

std::optional<Output> try_resume(const fs::path& partial, const Inputs& inputs, int components,
                                 MPI_Comm comm) {
  const bool exists = parallel::broadcast_string(fs::exists(partial) ? "1" : "0", 0, comm) == "1";
  if (!exists) return std::nullopt;
  try {
    auto file = io::open_file(partial, io::FileMode::read_write, comm);
    const auto key = parallel::run_collectively(
        [&] {
          return io::has_attribute(file, "resume_key")
                     ? io::read_string_attribute(file, "resume_key")
                     : std::string{};
        },
        comm);
    if (key != inputs.resume_key) return std::nullopt;
    Output out{std::move(file), 0, {}, true};
    out.slabs_done = io::read_uint64_attribute(out.file, "slabs_done");
    const auto counts = io::read_double_array_attribute(out.file, "counts_so_far");
    if (counts.size() != static_cast<std::size_t>(components)) return std::nullopt;
    for (const double c : counts) out.counts.push_back(static_cast<std::uint64_t>(c));
    return out;
  } catch (const parallel::CollectiveError&) {
    return std::nullopt;  // unreadable (e.g. killed while creating it): start again
  } catch (const io::Hdf5Error&) {
    return std::nullopt;
  }
}

void record_progress(const io::File& file, std::uint64_t slabs_done,
                     const std::vector<std::uint64_t>& counts) {
  const std::vector<double> as_double(counts.begin(), counts.end());  // exact below 2^53
  io::write_attribute(file, "counts_so_far", std::span<const double>(as_double));
  io::write_attribute(file, "slabs_done", slabs_done);
  io::check(H5Fflush(file.id(), H5F_SCOPE_GLOBAL), "H5Fflush " + file.path());
}

// Valid components by descending selection count, ties to the lower index: the research
// code's one-hot column order (VGM_SPEC §1.4).
std::vector<std::int64_t> one_hot_order(const std::vector<int>& valid,
                                        const std::vector<std::uint64_t>& counts) {
  std::vector<std::int64_t> order(valid.begin(), valid.end());
  std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
    return counts[static_cast<std::size_t>(a)] > counts[static_cast<std::size_t>(b)];
  });
  return order;
}

void replace_small_dataset(const io::File& file, const char* name,
                           const std::vector<std::int64_t>& values) {
  // A resumed run may find it from a run that stopped between this write and the rename.
  if (io::dataset_exists(file, name)) {
    io::check(H5Ldelete(file.id(), name, H5P_DEFAULT), std::string("H5Ldelete ") + name);
  }
  write_small_dataset(file, name, values);
}

int transform_into(const TransformOptions& options, const Inputs& inputs, io::StagedOutput& output,
                   bool& started, MPI_Comm comm) {
  const int rank = parallel::comm_rank(comm);
  const int ranks = parallel::comm_size(comm);
  const auto wall_start = std::chrono::steady_clock::now();
  StageTimer timer;
  const auto& model = inputs.model;
  const auto tables = core::make_transform_tables(model);
  const auto K = static_cast<std::size_t>(model.components());
  const bool f32 = options.alpha_dtype == "f32";

  auto in_file = io::open_file(options.in, io::FileMode::read_only, comm);
  const auto input = io::open_dataset_1d(in_file, options.dataset);
  const std::uint64_t N = input.size();
  const SlabPlan plan(N, options.slab_rows, rank, ranks);
  if (options.check_fingerprint) {
    auto scope = timer.stage("fingerprint check", static_cast<double>(plan.shard().size()));
    check_fingerprint(input, model, plan, options.model, comm);
  }

  std::optional<Output> resumed =
      try_resume(output.partial_path(), inputs, model.components(), comm);
  started = true;
  Output out =
      resumed ? std::move(*resumed) : Output{io::File(io::FileHandle(), "", comm), 0, {}, false};
  if (!out.resumed) {
    io::require_free_space(output.partial_path(), N * ((f32 ? 4 : 8) + 1) + (1u << 20), comm);
    out.file = io::create_file(output.partial_path(), comm, /*truncate=*/true);
    out.counts.assign(K, 0);
    {
      const auto alpha = io::create_dataset_1d(
          out.file, "/alpha", f32 ? io::ElementType::float32 : io::ElementType::float64, N);
      const auto component =
          io::create_dataset_1d(out.file, "/component", io::ElementType::uint8, N);
    }
    write_model_group(out.file, model);
    io::write_attribute(out.file, "resume_key", inputs.resume_key);
    record_progress(out.file, 0, out.counts);
  } else if (rank == 0) {
    spdlog::info("transform: resuming {} after {} of {} slab(s)", output.partial_path().string(),
                 out.slabs_done, plan.slabs());
  }
  if (rank == 0) {
    spdlog::info(
        "transform: {} rows of {} on {} rank(s), {} slab step(s) of up to {} rows per "
        "rank; {} valid mode(s); alpha {}{}; --io {}",
        N, input.where(), ranks, plan.slabs(), options.slab_rows, tables.valid_count(),
        options.alpha_dtype, options.clip ? ", clipped to +-0.99 (lossy)" : ", unclipped",
        options.io);
  }

  bool all_collective = true;
  bool wrote_direct = false;
  {
    const auto alpha_ds =
        io::open_dataset_1d(out.file, "/alpha", {.type = std::nullopt, .allow_empty = true});
    const auto component_ds = io::open_dataset_1d(
        out.file, "/component", {.type = io::ElementType::uint8, .allow_empty = true});
    // --io direct: where both datasets' rows start in the file (the same on every rank).
    struct Offsets {
      std::uint64_t alpha;
      std::uint64_t component;
    };
    std::optional<Offsets> direct;
    if (options.io == "direct") {
      const auto alpha_offset = io::raw_data_offset(alpha_ds);
      const auto component_offset = io::raw_data_offset(component_ds);
      if (alpha_offset && component_offset) {
        direct = Offsets{*alpha_offset, *component_offset};
      } else if (rank == 0) {
        spdlog::warn("transform: {} has no fixed raw-data offsets; writing through MPI-IO",
                     output.partial_path().string());
      }
    }
    // With --io direct the results are computed straight into buffers laid out for O_DIRECT;
    // otherwise into the vectors below.
    const auto max_rows =
        static_cast<std::size_t>(std::min(options.slab_rows, plan.shard().size()));
    std::optional<io::DirectBuffer<double>> alpha_direct;
    std::optional<io::DirectBuffer<float>> alpha32_direct;
    std::optional<io::DirectBuffer<std::uint8_t>> component_direct;
    std::unique_ptr<io::DirectRowWriter> writer;
    if (direct) {
      if (f32) {
        alpha32_direct.emplace(max_rows);
      } else {
        alpha_direct.emplace(max_rows);
      }
      component_direct.emplace(max_rows);
      writer = parallel::run_collectively(
          [&] { return std::make_unique<io::DirectRowWriter>(output.partial_path()); }, comm);
      wrote_direct = true;
    }
    ProgressReporter progress("transform", N, rank == 0);
    progress.update(plan.rows_done(out.slabs_done));
    std::vector<double> x;
    std::vector<double> alpha;
    std::vector<float> alpha32;
    std::vector<std::uint8_t> component;
    std::vector<std::uint64_t> slab_counts(K);
    // --io direct reads straight from the file's bytes as well (io/direct_read.hpp), one slab
    // ahead on a second thread when the input is stored as float64 (slab_prefetch.hpp).
    io::IoOptions reads;
    reads.direct_reads = options.io == "direct";
    const auto prefetch = make_slab_prefetcher(
        input, reads.direct_reads, plan.slabs(),
        [&plan](std::uint64_t step) { return plan.slab(step); }, comm);
    for (std::uint64_t s = out.slabs_done; s < plan.slabs(); ++s) {
      throw_if_interrupted(comm);
      const auto rows = plan.slab(s);
      const auto n = static_cast<std::size_t>(rows.size());
      if (!alpha_direct) alpha.resize(n);
      if (f32 && !alpha32_direct) alpha32.resize(n);
      if (!component_direct) component.resize(n);
      const std::span<double> alpha_rows =
          alpha_direct ? alpha_direct->place(rows, direct->alpha) : std::span<double>(alpha);
      const std::span<float> alpha32_rows =
          alpha32_direct ? alpha32_direct->place(rows, direct->alpha) : std::span<float>(alpha32);
      const std::span<std::uint8_t> component_rows =
          component_direct ? component_direct->place(rows, direct->component)
                           : std::span<std::uint8_t>(component);
      std::span<const double> x_rows;
      {
        auto scope = timer.stage("read", static_cast<double>(n));
        if (prefetch) {
          x_rows = parallel::run_collectively([&] { return prefetch->take(s); }, comm);
        } else {
          x.resize(n);
          all_collective &= io::read_rows<double>(input, rows, x, reads).all_collective;
          x_rows = x;
        }
      }
      require_finite(x_rows, rows.begin, input.where(), comm);
      {
        auto scope = timer.stage("transform compute", static_cast<double>(n));
        std::fill(slab_counts.begin(), slab_counts.end(), 0);
        core::transform_block(x_rows, rows.begin, options.seed, tables, alpha_rows, component_rows,
                              slab_counts);
        if (options.clip) core::clip_alpha(alpha_rows);
        if (f32) {
          std::transform(alpha_rows.begin(), alpha_rows.end(), alpha32_rows.begin(),
                         [](double a) { return static_cast<float>(a); });
        }
      }
      {
        auto scope = timer.stage("write", static_cast<double>(n));
        if (writer) {
          // Failures are agreed so a full disk on one rank stops every rank. The fsync makes
          // the slab durable before record_progress below marks it done for a resumed run.
          parallel::run_collectively(
              [&] {
                if (f32) {
                  writer->write(direct->alpha, rows, alpha32_rows);
                } else {
                  writer->write(direct->alpha, rows, alpha_rows);
                }
                writer->write(direct->component, rows, component_rows);
                writer->finish();
              },
              comm);
        } else {
          if (f32) {
            all_collective &= io::write_rows<float>(alpha_ds, rows, alpha32_rows).all_collective;
          } else {
            all_collective &= io::write_rows<double>(alpha_ds, rows, alpha_rows).all_collective;
          }
          all_collective &=
              io::write_rows<std::uint8_t>(component_ds, rows, component_rows).all_collective;
        }
      }
      {
        auto scope = timer.stage("counts", static_cast<double>(n));
        const auto global = parallel::allreduce_sum(slab_counts, comm);
        for (std::size_t k = 0; k < K; ++k) out.counts[k] += global[k];
        record_progress(out.file, s + 1, out.counts);
      }
      delay_if_requested("transform-slab");
      if (options.fail_after_slabs > 0 && s + 1 == options.fail_after_slabs) {
        // Test hook: a failure that is not the user's, as a crash would leave the output.
        throw parallel::CollectiveError(0, "--fail-after-slabs: simulated failure", false);
      }
      progress.update(plan.rows_done(s + 1));
    }
  }
  all_collective = parallel::allreduce_min(all_collective ? 1 : 0, comm) == 1;
  if (rank == 0 && !all_collective) {
    spdlog::warn("transform: some slab transfers were not collective (see the HDF5 I/O mode)");
  }

  const auto order = one_hot_order(tables.valid, out.counts);
  replace_small_dataset(out.file, "/order", std::vector<std::int64_t>(order.begin(), order.end()));
  replace_small_dataset(out.file, "/counts",
                        std::vector<std::int64_t>(out.counts.begin(), out.counts.end()));
  const bool lossy = options.clip || f32;
  io::write_attribute(out.file, "rows", N);
  io::write_attribute(out.file, "source_file", options.in);
  io::write_attribute(out.file, "source_dataset", options.dataset);
  io::write_attribute(out.file, "model_file", options.model);
  io::write_attribute(out.file, "model_sha256", inputs.model_sha256);
  io::write_attribute(out.file, "seed", options.seed);
  io::write_attribute(out.file, "clipped", std::int64_t{options.clip ? 1 : 0});
  io::write_attribute(out.file, "lossy", std::int64_t{lossy ? 1 : 0});
  io::write_attribute(out.file, "alpha_dtype", f32 ? "float32" : "float64");
  io::write_attribute(out.file, "resumed", std::int64_t{out.resumed ? 1 : 0});
  write_provenance(out.file, make_provenance("transform", to_json(options).dump(), comm));
  const auto stages = timer.summarise(comm);
  io::write_attribute(out.file, "timings", stages_to_json(stages).dump());
  mark_complete(out.file);
  out.file.close();
  output.commit();

  if (rank == 0) {
    std::string counts_text;
    for (const auto k : order) {
      counts_text += fmt::format(" {}:{}", k, out.counts[static_cast<std::size_t>(k)]);
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    spdlog::info("transform: {} rows -> {} in {:.3f} s; selections by mode (one-hot order):{}\n{}",
                 N, options.out, wall, counts_text, format_stage_table(stages));
    if (!options.metrics.empty()) {
      write_metrics_file(options.metrics, {{"command", "transform"},
                                           {"ranks", ranks},
                                           {"rows", N},
                                           {"resumed", out.resumed},
                                           {"all_collective", all_collective},
                                           {"io", wrote_direct ? "direct" : "mpio"},
                                           {"wall_seconds", wall},
                                           {"stages", stages_to_json(stages)}});
    }
  }
  return 0;
}

}  // namespace

int run_transform(const TransformOptions& options) {
  MPI_Comm comm = MPI_COMM_WORLD;
  const Inputs inputs = load_inputs(options, comm);
  // Kept on a crash so the same command can resume; removed below on a clean stop or bad input.
  io::StagedOutput output(options.out, comm, {.force = options.force, .keep_on_error = true},
                          {options.in, options.model});
  bool started = false;
  const auto discard_partial = [&] {
    if (started && parallel::comm_rank(comm) == 0) {
      std::error_code ignored;
      fs::remove(output.partial_path(), ignored);
    }
  };
  try {
    return transform_into(options, inputs, output, started, comm);
  } catch (const Interrupted&) {
    discard_partial();
    throw;
  } catch (const parallel::CollectiveError& e) {
    if (e.input_error()) discard_partial();
    throw;
  }
}

void register_transform_command(CLI::App& app, CommandAction& action) {
  auto o = std::make_shared<TransformOptions>();
  auto* cmd = app.add_subcommand(
      "transform", "Mode-specific normalisation of every row: /alpha (unclipped) and /component");
  cmd->add_option("--in", o->in, "Input HDF5 file")->required();
  cmd->add_option("--dataset", o->dataset, "1-D float dataset in the input")->capture_default_str();
  cmd->add_option("--model", o->model, "Model file written by fit (JSON)")->required();
  cmd->add_option("--out", o->out, "Output HDF5 file")->required();
  cmd->add_option("--seed", o->seed, "Seed of the mode sampling (Philox key)")
      ->capture_default_str();
  cmd->add_option("--alpha-dtype", o->alpha_dtype, "f64 (exact inverse) or f32 (lossy)")
      ->capture_default_str();
  cmd->add_flag("--clip", o->clip,
                "Store alpha clipped to [-0.99, 0.99] like the research code (lossy)");
  cmd->add_option("--slab-rows", o->slab_rows, "Rows per rank per read/transform/write step")
      ->capture_default_str();
  cmd->add_flag("--check-fingerprint", o->check_fingerprint,
                "Refuse input whose rows/min/max/sum differ from what the model was fitted on");
  cmd->add_option("--io", o->io,
                  "direct: each rank writes its rows of /alpha and /component with O_DIRECT at "
                  "the datasets' offsets (fast on local disks); mpio: collective HDF5 writes")
      ->capture_default_str();
  cmd->add_flag("--force", o->force, "Replace an existing output file");
  cmd->add_option("--metrics", o->metrics, "Write the timing report (JSON) here");
  // Hidden: lets the resume test stop a run after a given slab, as a crash would.
  cmd->add_option("--fail-after-slabs", o->fail_after_slabs)->group("");
  cmd->callback([o, &action] { action = [o] { return run_transform(*o); }; });
}

}  // namespace modenorm::app
