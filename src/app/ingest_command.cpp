// `modenorm ingest`: one numeric CSV column -> a float64 HDF5 dataset (DESIGN.md §2).
// Rank 0 parses the CSV (it is the small, bundled-size input; scale makes the big data), the
// rows are scattered in rank order and written with collective slab writes like every output.

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "modenorm/app/command.hpp"
#include "modenorm/app/ingest_command.hpp"
#include "modenorm/app/provenance.hpp"
#include "modenorm/core/errors.hpp"
#include "modenorm/io/attributes.hpp"
#include "modenorm/io/csv_column.hpp"
#include "modenorm/io/dataset_1d.hpp"
#include "modenorm/io/hdf5_file.hpp"
#include "modenorm/io/sha256.hpp"
#include "modenorm/io/slab_io.hpp"
#include "modenorm/io/staged_output.hpp"
#include "modenorm/parallel/collective_check.hpp"
#include "modenorm/parallel/communicator.hpp"
#include "modenorm/parallel/mpi_error.hpp"
#include "modenorm/parallel/shard.hpp"

namespace modenorm::app {
namespace {

nlohmann::json to_json(const IngestOptions& o) {
  return {{"csv", o.csv},         {"column", o.column},         {"out", o.out},
          {"dataset", o.dataset}, {"bad_values", o.bad_values}, {"force", o.force}};
}

// Sends each rank its contiguous share of rank 0's values (shard_rows order).
std::vector<double> scatter_shards(const std::vector<double>& all, std::uint64_t rows,
                                   MPI_Comm comm) {
  const int ranks = parallel::comm_size(comm);
  const int rank = parallel::comm_rank(comm);
  std::vector<int> counts(static_cast<std::size_t>(ranks));
  std::vector<int> offsets(static_cast<std::size_t>(ranks));
  for (int r = 0; r < ranks; ++r) {
    const auto range = parallel::shard_rows(rows, r, ranks);
    counts[static_cast<std::size_t>(r)] =
        parallel::detail::mpi_count(range.size(), "ingest scatter");
    offsets[static_cast<std::size_t>(r)] =
        parallel::detail::mpi_count(range.begin, "ingest scatter");
  }
  std::vector<double> mine(static_cast<std::size_t>(counts[static_cast<std::size_t>(rank)]));
  parallel::check_mpi(MPI_Scatterv(all.data(), counts.data(), offsets.data(), MPI_DOUBLE,
                                   mine.data(), static_cast<int>(mine.size()), MPI_DOUBLE, 0,
                                   comm),
                      "MPI_Scatterv");
  return mine;
}

}  // namespace

int run_ingest(const IngestOptions& options) {
  MPI_Comm comm = MPI_COMM_WORLD;
  const int rank = parallel::comm_rank(comm);
  const auto started = std::chrono::steady_clock::now();

  // Parse on rank 0; a bad file stops every rank with rank 0's message.
  io::CsvColumn parsed;
  std::string sha256;
  parallel::run_collectively(
      [&] {
        const auto policy = io::parse_bad_value_policy(options.bad_values);
        if (options.dataset.empty() || options.dataset.front() != '/') {
          throw core::InputError("--dataset: expected an absolute HDF5 path such as /Amount, got '" +
                                 options.dataset + "'");
        }
        if (rank == 0) {
          parsed = io::read_csv_column(options.csv, options.column, policy);
          sha256 = io::sha256_hex_of_file(options.csv);
        }
      },
      comm);
  const auto rows = static_cast<std::uint64_t>(parallel::allreduce_max(
      static_cast<std::uint64_t>(parsed.values.size()), comm));
  const auto skipped = parallel::allreduce_max(parsed.rows_skipped, comm);
  sha256 = parallel::broadcast_string(sha256, 0, comm);
  if (rank == 0 && skipped > 0) {
    spdlog::warn("{}: skipped {} row(s) with bad values in column '{}' (--bad-values skip)",
                 options.csv, skipped, options.column);
    for (const auto& bad : parsed.first_skipped) {
      spdlog::warn("  line {}: {} '{}'", bad.line, bad.reason, bad.value);
    }
  }

  io::StagedOutput output(options.out, comm, {.force = options.force}, {options.csv});
  io::require_free_space(options.out, rows * sizeof(double) + (1u << 20), comm);
  const auto shard = parallel::shard_rows(rows, rank, parallel::comm_size(comm));
  const auto values = scatter_shards(parsed.values, rows, comm);
  {
    auto file = io::create_file(output.partial_path(), comm, /*truncate=*/true);
    {
      auto dataset = io::create_dataset_1d(file, options.dataset, io::ElementType::float64, rows);
      const auto report = io::write_rows<double>(dataset, shard, values);
      if (!report.all_collective) {
        spdlog::warn("writes to {} were not all collective", dataset.where());
      }
      io::write_attribute(dataset, "source_file",
                          std::filesystem::path(options.csv).filename().string());
      io::write_attribute(dataset, "source_sha256", sha256);
      io::write_attribute(dataset, "source_column", options.column);
      io::write_attribute(dataset, "rows", rows);
      io::write_attribute(dataset, "rows_skipped", skipped);
    }
    write_provenance(file, make_provenance("ingest", to_json(options).dump(), comm));
    mark_complete(file);
    file.close();
  }
  output.commit();

  if (rank == 0) {
    const double sum = std::accumulate(parsed.values.begin(), parsed.values.end(), 0.0);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    spdlog::info("ingest: {} rows of column '{}' from {} -> {}:{} (sum {:.17g}, {} skipped) in {:.3f} s",
                 rows, options.column, options.csv, options.out, options.dataset, sum, skipped,
                 seconds);
  }
  return 0;
}

void register_ingest_command(CLI::App& app, CommandAction& action) {
  auto options = std::make_shared<IngestOptions>();
  auto* cmd = app.add_subcommand("ingest", "Read one numeric CSV column into an HDF5 dataset");
  cmd->add_option("--csv", options->csv, "CSV file with a header line")->required();
  cmd->add_option("--column", options->column, "Column to read, by header name")
      ->capture_default_str();
  cmd->add_option("--out", options->out, "Output HDF5 file")->required();
  cmd->add_option("--dataset", options->dataset, "Dataset path inside the output file")
      ->capture_default_str();
  cmd->add_option("--bad-values", options->bad_values,
                  "error: stop at the first empty, non-numeric or non-finite cell; "
                  "skip: drop such rows and report them")
      ->capture_default_str();
  cmd->add_flag("--force", options->force, "Replace an existing output file");
  cmd->callback([options, &action] { action = [options] { return run_ingest(*options); }; });
}

}  // namespace modenorm::app
