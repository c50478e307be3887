// `modenorm inverse`: x = ((alpha * 4) * std_k) + m_k for every row of a transform output
// (VGM_SPEC §8.2), written to /Amount straight into the dataset's bytes (--io direct,
// io/direct_write.hpp) or with collective writes (--io mpio). Exact for unclipped float64
// alpha; files written with --clip are inverted as the research code does (alpha clipped to
// [-1, 1]).

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "modenorm/app/command.hpp"
#include "modenorm/app/interrupt.hpp"
#include "modenorm/app/inverse_command.hpp"
#include "modenorm/app/metrics_file.hpp"
#include "modenorm/app/progress.hpp"
#include "modenorm/app/provenance.hpp"
#include "modenorm/app/slab_plan.hpp"
#include "modenorm/app/stage_timer.hpp"
#include "modenorm/app/transform_file.hpp"
#include "modenorm/core/errors.hpp"
#include "modenorm/core/transform.hpp"
#include "modenorm/io/attributes.hpp"
#include "modenorm/io/dataset_1d.hpp"
#include "modenorm/io/direct_write.hpp"
#include "modenorm/io/group.hpp"
#include "modenorm/io/hdf5_file.hpp"
#include "modenorm/io/model_json.hpp"
#include "modenorm/io/slab_io.hpp"
#include "modenorm/io/staged_output.hpp"
#include "modenorm/parallel/collective_check.hpp"
#include "modenorm/parallel/communicator.hpp"

namespace modenorm::app {
namespace {

nlohmann::ordered_json to_json(const InverseOptions& o) {
  return {{"in", o.in},           {"model", o.model},         {"out", o.out},
          {"dataset", o.dataset}, {"slab_rows", o.slab_rows}, {"io", o.io},
          {"force", o.force}};
}

}  // namespace

int run_inverse(const InverseOptions& options) {
  MPI_Comm comm = MPI_COMM_WORLD;
  const int rank = parallel::comm_rank(comm);
  const int ranks = parallel::comm_size(comm);
  const auto wall_start = std::chrono::steady_clock::now();
  StageTimer timer;

  core::FittedModel model;
  parallel::run_collectively(
      [&] {
        if (options.io != "direct" && options.io != "mpio") {
          throw core::InputError("--io: expected direct or mpio, got '" + options.io + "'");
        }
        model = io::read_model_file(options.model);
      },
      comm);
  io::StagedOutput output(options.out, comm, {.force = options.force}, {options.in, options.model});
  auto in_file = io::open_file(options.in, io::FileMode::read_only, comm);
  const auto info = check_transform_file(in_file, io::model_to_json(model).dump(), options.model);
  const auto alpha_ds =
      io::open_dataset_1d(in_file, "/alpha", {.type = std::nullopt, .allow_empty = true});
  const auto component_ds = io::open_dataset_1d(
      in_file, "/component", {.type = io::ElementType::uint8, .allow_empty = true});
  const std::uint64_t N = alpha_ds.size();
  if (component_ds.size() != N) {
    throw parallel::CollectiveError(0,
                                    options.in + ": /alpha has " + std::to_string(N) +
                                        " rows but /component has " +
                                        std::to_string(component_ds.size()),
                                    true);
  }
  const SlabPlan plan(N, options.slab_rows, rank, ranks);
  const auto tables = core::make_inverse_tables(model);
  if (rank == 0) {
    spdlog::info("inverse: {} rows of {} on {} rank(s){}", N, options.in, ranks,
                 info.clipped
                     ? "; alpha was clipped by the transform: values beyond 0.99 are "
                       "restored as the research code does (lossy)"
                     : (info.lossy ? "; alpha is float32: restored values are rounded" : ""));
  }

  io::require_free_space(output.partial_path(), N * 8 + (1u << 20), comm);
  {
    auto file = io::create_file(output.partial_path(), comm, /*truncate=*/true);
    bool all_collective = true;
    bool wrote_direct = false;
    {
      const auto out_ds = io::create_dataset_1d(file, options.dataset, io::ElementType::float64, N);
      // --io direct: the rows are computed straight into a buffer laid out for O_DIRECT and
      // written at the dataset's fixed offset (the same on every rank).
      const auto offset = options.io == "direct" ? io::raw_data_offset(out_ds) : std::nullopt;
      if (rank == 0 && options.io == "direct" && !offset) {
        spdlog::warn("{}: no fixed raw-data offset; writing through MPI-IO", out_ds.where());
      }
      std::optional<io::DirectBuffer<double>> x_direct;
      std::unique_ptr<io::DirectRowWriter> writer;
      if (offset) {
        x_direct.emplace(
            static_cast<std::size_t>(std::min(options.slab_rows, plan.shard().size())));
        writer = parallel::run_collectively(
            [&] { return std::make_unique<io::DirectRowWriter>(output.partial_path()); }, comm);
        wrote_direct = true;
      }
      ProgressReporter progress("inverse", N, rank == 0);
      progress.update(0);
      std::vector<double> alpha;
      std::vector<std::uint8_t> component;
      std::vector<double> x;
      for (std::uint64_t s = 0; s < plan.slabs(); ++s) {
        throw_if_interrupted(comm);
        const auto rows = plan.slab(s);
        const auto n = static_cast<std::size_t>(rows.size());
        alpha.resize(n);
        component.resize(n);
        if (!x_direct) x.resize(n);
        const std::span<double> x_rows =
            x_direct ? x_direct->place(rows, *offset) : std::span<double>(x);
        {
          auto scope = timer.stage("read", static_cast<double>(n));
          // --io direct reads straight from the file's bytes as well (io/direct_read.hpp).
          io::IoOptions reads;
          reads.direct_reads = options.io == "direct";
          all_collective &= io::read_rows<double>(alpha_ds, rows, alpha, reads).all_collective;
          all_collective &=
              io::read_rows<std::uint8_t>(component_ds, rows, component, reads).all_collective;
        }
        {
          auto scope = timer.stage("inverse compute", static_cast<double>(n));
          parallel::run_collectively(
              [&] {
                if (const auto bad = core::first_invalid_component(component, tables)) {
                  throw core::InputError(
                      component_ds.where() + ": row " + std::to_string(rows.begin + *bad) +
                      " has component " + std::to_string(component[*bad]) +
                      ", which is not a valid component of the model " + options.model);
                }
              },
              comm);
          core::inverse_block(alpha, component, tables, info.clipped, x_rows);
        }
        {
          auto scope = timer.stage("write", static_cast<double>(n));
          if (writer) {
            // Failures are agreed, so a full disk on one rank stops every rank.
            parallel::run_collectively([&] { writer->write(*offset, rows, x_rows); }, comm);
          } else {
            all_collective &= io::write_rows<double>(out_ds, rows, x_rows).all_collective;
          }
        }
        progress.update(plan.rows_done(s + 1));
      }
      if (writer) {
        // On disk before HDF5 writes the attributes and `complete`.
        auto scope = timer.stage("write");
        parallel::run_collectively([&] { writer->finish(); }, comm);
      }
      io::write_attribute(out_ds, "rows", N);
    }
    all_collective = parallel::allreduce_min(all_collective ? 1 : 0, comm) == 1;
    if (rank == 0 && !all_collective) {
      spdlog::warn("inverse: some slab transfers were not collective");
    }
    io::write_attribute(file, "rows", N);
    io::write_attribute(file, "source_file", options.in);
    io::write_attribute(file, "model_file", options.model);
    io::write_attribute(file, "lossy", std::int64_t{info.clipped || info.lossy ? 1 : 0});
    write_provenance(file, make_provenance("inverse", to_json(options).dump(), comm));
    const auto stages = timer.summarise(comm);
    io::write_attribute(file, "timings", stages_to_json(stages).dump());
    mark_complete(file);
    file.close();
    output.commit();
    if (rank == 0) {
      const double wall =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
      spdlog::info("inverse: {} rows -> {}:{} in {:.3f} s\n{}", N, options.out, options.dataset,
                   wall, format_stage_table(stages));
      if (!options.metrics.empty()) {
        write_metrics_file(options.metrics, {{"command", "inverse"},
                                             {"ranks", ranks},
                                             {"rows", N},
                                             {"all_collective", all_collective},
                                             {"io", wrote_direct ? "direct" : "mpio"},
                                             {"wall_seconds", wall},
                                             {"stages", stages_to_json(stages)}});
      }
    }
  }
  return 0;
}

void register_inverse_command(CLI::App& app, CommandAction& action) {
  auto o = std::make_shared<InverseOptions>();
  auto* cmd = app.add_subcommand("inverse",
                                 "Restore the values from a transform output (/alpha, /component)");
  cmd->add_option("--in", o->in, "Transform output (HDF5)")->required();
  cmd->add_option("--model", o->model, "The model file the transform used (JSON)")->required();
  cmd->add_option("--out", o->out, "Output HDF5 file")->required();
  cmd->add_option("--dataset", o->dataset, "Dataset path of the restored values")
      ->capture_default_str();
  cmd->add_option("--slab-rows", o->slab_rows, "Rows per rank per read/inverse/write step")
      ->capture_default_str();
  cmd->add_option("--io", o->io,
                  "direct: each rank writes its restored rows with O_DIRECT at the dataset's "
                  "offset (fast on local disks); mpio: collective HDF5 writes")
      ->capture_default_str();
  cmd->add_flag("--force", o->force, "Replace an existing output file");
  cmd->add_option("--metrics", o->metrics, "Write the timing report (JSON) here");
  cmd->callback([o, &action] { action = [o] { return run_inverse(*o); }; });
}

}  // namespace modenorm::app
