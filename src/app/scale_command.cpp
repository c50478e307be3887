// `modenorm scale`: the small source column -> N bootstrap rows (DESIGN.md §2), generated in
// parallel and identical at any rank count. Every rank reads the whole source (it is small),
// generates its contiguous shard slab by slab with core::bootstrap_rows (row i depends only on
// the seed and i), and writes each slab with a collective write.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "modenorm/app/command.hpp"
#include "modenorm/app/interrupt.hpp"
#include "modenorm/app/provenance.hpp"
#include "modenorm/app/scale_command.hpp"
#include "modenorm/core/bootstrap.hpp"
#include "modenorm/core/errors.hpp"
#include "modenorm/io/attributes.hpp"
#include "modenorm/io/dataset_1d.hpp"
#include "modenorm/io/direct_write.hpp"
#include "modenorm/io/hdf5_file.hpp"
#include "modenorm/io/sha256.hpp"
#include "modenorm/io/slab_io.hpp"
#include "modenorm/io/staged_output.hpp"
#include "modenorm/parallel/collective_check.hpp"
#include "modenorm/parallel/communicator.hpp"
#include "modenorm/parallel/shard.hpp"

namespace modenorm::app {
namespace {

nlohmann::json to_json(const ScaleOptions& o) {
  return {{"in", o.in},       {"dataset", o.dataset},
          {"rows", o.rows},   {"out", o.out},
          {"seed", o.seed},   {"jitter", o.jitter},
          {"force", o.force}, {"slab_rows", o.slab_rows},
          {"io", o.io},       {"romio_cb_write", o.cb_write}};
}

// Option checks the parser cannot express; the same verdict on every rank.
void validate(const ScaleOptions& o) {
  if (o.rows <= 0) {
    throw core::InputError("--rows: expected a positive number of rows, got " +
                           std::to_string(o.rows));
  }
  if (!std::isfinite(o.jitter) || o.jitter < 0.0) {
    throw core::InputError("--jitter: expected a finite value >= 0, got " +
                           nlohmann::json(o.jitter).dump());
  }
  if (o.slab_rows <= 0) {
    throw core::InputError("--slab-rows: expected a positive number of rows, got " +
                           std::to_string(o.slab_rows));
  }
  if (o.dataset.empty() || o.dataset.front() != '/') {
    throw core::InputError("--dataset: expected an absolute HDF5 path such as /Amount, got '" +
                           o.dataset + "'");
  }
  if (o.io != "direct" && o.io != "mpio") {
    throw core::InputError("--io: expected direct or mpio, got '" + o.io + "'");
  }
  if (!o.cb_write.empty() && o.cb_write != "enable" && o.cb_write != "disable" &&
      o.cb_write != "automatic") {
    throw core::InputError("--romio-cb-write: expected enable, disable or automatic, got '" +
                           o.cb_write + "'");
  }
}

// What the output records about its source.
struct Source {
  std::vector<double> values;
  std::string sha256;         // of the source HDF5 file
  std::string origin_sha256;  // the source dataset's own `source_sha256` (e.g. of the CSV)
};

// Collective: every rank reads the whole source dataset; rank 0 fingerprints the file.
Source read_source(const ScaleOptions& o, MPI_Comm comm) {
  Source source;
  {
    const auto file = io::open_file(o.in, io::FileMode::read_only, comm);
    const auto dataset = io::open_dataset_1d(file, o.dataset);  // rejects an empty source
    source.values.resize(dataset.size());
    (void)io::read_rows<double>(dataset, {0, dataset.size()}, source.values);
    if (io::has_attribute(dataset, "source_sha256")) {
      source.origin_sha256 = io::read_string_attribute(dataset, "source_sha256");
    }
  }
  parallel::run_collectively(
      [&] {
        if (source.values.size() > std::numeric_limits<std::uint32_t>::max()) {
          throw core::InputError(o.in + ":" + o.dataset + " has " +
                                 std::to_string(source.values.size()) +
                                 " rows; scale resamples sources of at most 2^32 - 1 rows");
        }
        // Bad values would spread through the whole output: refuse them here, once.
        const auto bad = std::find_if(source.values.begin(), source.values.end(),
                                      [](double v) { return !std::isfinite(v); });
        if (bad != source.values.end()) {
          throw core::InputError(o.in + ":" + o.dataset + " row " +
                                 std::to_string(bad - source.values.begin()) + " is " +
                                 nlohmann::json(*bad).dump() + "; the source must be finite");
        }
        if (parallel::comm_rank(comm) == 0) source.sha256 = io::sha256_hex_of_file(o.in);
      },
      comm);
  source.sha256 = parallel::broadcast_string(source.sha256, 0, comm);
  return source;
}

// Rank 0's progress, at most every 5 s: rows/s and ETA extrapolated from its own shard (the
// shards are balanced, so every rank is at about the same point).
class Progress {
 public:
  Progress(std::uint64_t total_rows, std::uint64_t shard_rows, bool enabled)
      : total_(total_rows), shard_(shard_rows), enabled_(enabled && shard_rows > 0) {}

  void update(std::uint64_t shard_done) {
    if (!enabled_) return;
    const auto now = Clock::now();
    if (now - last_ < std::chrono::seconds(5)) return;
    last_ = now;
    const double fraction = static_cast<double>(shard_done) / static_cast<double>(shard_);
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double rows = fraction * static_cast<double>(total_);
    spdlog::info("scale: {:.1f}% ({:.3g} of {} rows), {:.3g} rows/s, {:.1f} GB/s, ETA {:.0f} s",
                 100.0 * fraction, rows, total_, rows / seconds, rows * 8e-9 / seconds,
                 seconds * (1.0 - fraction) / fraction);
  }

 private:
  using Clock = std::chrono::steady_clock;
  std::uint64_t total_;
  std::uint64_t shard_;
  bool enabled_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_ = start_;
};

}  // namespace

int run_scale(const ScaleOptions& o) {
  MPI_Comm comm = MPI_COMM_WORLD;
  const int rank = parallel::comm_rank(comm);
  const int ranks = parallel::comm_size(comm);
  const auto started = std::chrono::steady_clock::now();

  parallel::run_collectively([&] { validate(o); }, comm);
  const auto rows = static_cast<std::uint64_t>(o.rows);
  const auto slab_rows = static_cast<std::uint64_t>(o.slab_rows);

  io::StagedOutput output(o.out, comm, {.force = o.force}, {o.in});
  io::require_free_space(o.out, rows * sizeof(double) + (std::uint64_t{1} << 20), comm);
  const Source source = read_source(o, comm);

  const auto shard = parallel::shard_rows(rows, rank, ranks);
  // Same number of slabs on every rank: rank 0's shard is the largest.
  const std::uint64_t largest_shard = parallel::shard_rows(rows, 0, ranks).size();
  const std::uint64_t slabs = (largest_shard + slab_rows - 1) / slab_rows;
  const auto buffer_rows = static_cast<std::size_t>(std::min(slab_rows, shard.size()));
  Progress progress(rows, shard.size(), rank == 0);
  double generate_seconds = 0.0;
  bool all_collective = true;
  // This rank's rows of slab step s (empty once its shard is done).
  const auto slab_range = [&](std::uint64_t s) {
    const std::uint64_t begin = std::min(shard.end, shard.begin + s * slab_rows);
    return parallel::RowRange{begin, std::min(shard.end, begin + slab_rows)};
  };
  const auto generate = [&](parallel::RowRange range, std::span<double> values) {
    const auto t0 = std::chrono::steady_clock::now();
    core::bootstrap_rows(source.values, range.begin, values, o.seed, o.jitter);
    generate_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };

  io::MpioHints hints;
  if (!o.cb_write.empty()) hints.romio_cb_write = o.cb_write;
  {
    auto file = io::create_file(output.partial_path(), comm, /*truncate=*/true, hints);
    {
      auto dataset = io::create_dataset_1d(file, o.dataset, io::ElementType::float64, rows);
      // Direct I/O needs the dataset's fixed file offset; every rank sees the same one.
      const auto offset = o.io == "direct" ? io::raw_data_offset(dataset) : std::nullopt;
      if (offset) {
        // Each rank writes its own byte range with O_DIRECT (io/direct_write.hpp: buffered
        // writes run far below the disk here). Failures are agreed per slab, so a full disk on
        // one rank stops every rank.
        io::DirectBuffer<double> buffer(buffer_rows);
        auto writer = parallel::run_collectively(
            [&] { return std::make_unique<io::DirectRowWriter>(output.partial_path()); }, comm);
        for (std::uint64_t slab = 0; slab < slabs; ++slab) {
          throw_if_interrupted(comm);
          const auto range = slab_range(slab);
          const auto values = buffer.place(range, *offset);
          generate(range, values);
          parallel::run_collectively([&] { writer->write(*offset, range, values); }, comm);
          progress.update(range.end - shard.begin);
        }
        parallel::run_collectively([&] { writer->finish(); }, comm);
      } else {
        if (rank == 0 && o.io == "direct") {
          spdlog::warn("{}: no fixed raw-data offset; writing through MPI-IO", dataset.where());
        }
        std::vector<double> buffer(buffer_rows);
        for (std::uint64_t slab = 0; slab < slabs; ++slab) {
          throw_if_interrupted(comm);
          const auto range = slab_range(slab);
          const std::span<double> values(buffer.data(), static_cast<std::size_t>(range.size()));
          generate(range, values);
          const auto report = io::write_rows<double>(dataset, range, values);
          all_collective = all_collective && report.all_collective;
          progress.update(range.end - shard.begin);
        }
      }
      if (rank == 0 && !all_collective) {
        spdlog::warn("writes to {} were not all collective", dataset.where());
      }
      io::write_attribute(dataset, "source_file", std::filesystem::path(o.in).filename().string());
      io::write_attribute(dataset, "source_sha256", source.sha256);
      if (!source.origin_sha256.empty()) {
        io::write_attribute(dataset, "origin_sha256", source.origin_sha256);
      }
      io::write_attribute(dataset, "source_dataset", o.dataset);
      io::write_attribute(dataset, "source_rows", static_cast<std::uint64_t>(source.values.size()));
      io::write_attribute(dataset, "seed", o.seed);
      io::write_attribute(dataset, "jitter", o.jitter);
      io::write_attribute(dataset, "generator", core::kBootstrapGenerator);
      io::write_attribute(dataset, "rows", rows);
    }
    write_provenance(file, make_provenance("scale", to_json(o).dump(), comm));
    mark_complete(file);
    file.close();
  }
  output.commit();

  const double max_generate = parallel::allreduce_max(generate_seconds, comm);
  if (rank == 0) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    spdlog::info(
        "scale: {} rows from {}:{} ({} source rows, seed {}, jitter {}) -> {}:{} in {:.2f} s "
        "({:.3g} rows/s, {:.2f} GB/s; generation {:.2f} s on the slowest rank)",
        rows, o.in, o.dataset, source.values.size(), o.seed, o.jitter, o.out, o.dataset, seconds,
        static_cast<double>(rows) / seconds, static_cast<double>(rows) * 8e-9 / seconds,
        max_generate);
  }
  return 0;
}

void register_scale_command(CLI::App& app, CommandAction& action) {
  auto o = std::make_shared<ScaleOptions>();
  auto* cmd = app.add_subcommand(
      "scale",
      "Resample a column to any number of rows (bootstrap, optionally jittered), identical "
      "at any rank count");
  cmd->footer(
      "Row i is source[k], k uniform over the source rows, drawn by Philox4x32-10 keyed by "
      "--seed with counter floor(i / 2) (two rows per call); with --jitter J > 0 a uniform "
      "value in [0, J) from the same call is added.\n"
      "--jitter 0.005 on amounts in cents gives continuous values that still round back to the "
      "source cents: the data to benchmark on, since it has almost no repeated values to exploit.");
  cmd->add_option("--in", o->in, "Source HDF5 file (e.g. from `modenorm ingest`)")->required();
  cmd->add_option("--dataset", o->dataset, "Dataset to read, and to write in the output")
      ->capture_default_str();
  cmd->add_option("--rows", o->rows, "Rows to generate (a positive integer, e.g. 1000000000)")
      ->required();
  cmd->add_option("--out", o->out, "Output HDF5 file")->required();
  cmd->add_option("--seed", o->seed, "Seed of the resampling stream")->capture_default_str();
  cmd->add_option("--jitter", o->jitter,
                  "Add a uniform value in [0, J) to every row (0: a pure bootstrap)")
      ->capture_default_str();
  cmd->add_option("--slab-rows", o->slab_rows,
                  "Rows generated and written per collective write on each rank (memory: 8 bytes "
                  "each); does not change the output")
      ->capture_default_str();
  cmd->add_option("--io", o->io,
                  "direct: each rank writes its rows with O_DIRECT at the dataset's offset "
                  "(fast on local disks, durable on return); mpio: collective HDF5 writes")
      ->capture_default_str();
  cmd->add_option("--romio-cb-write", o->cb_write,
                  "MPI-IO hint romio_cb_write (enable|disable|automatic); unset: the MPI default");
  cmd->add_flag("--force", o->force, "Replace an existing output file");
  cmd->callback([o, &action] { action = [o] { return run_scale(*o); }; });
}

}  // namespace modenorm::app
