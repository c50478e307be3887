// The `modenorm` executable: one binary, one subcommand per stage (DESIGN.md §2). Every
// subcommand runs the same as a single process, under mpirun, or under srun.

#include <mpi.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "modenorm/app/command.hpp"
#include "modenorm/app/exit_codes.hpp"
#include "modenorm/app/interrupt.hpp"
#include "modenorm/app/logging.hpp"
#include "modenorm/app/version.hpp"
#include "modenorm/core/errors.hpp"
#include "modenorm/parallel/collective_check.hpp"
#include "modenorm/parallel/communicator.hpp"
#include "modenorm/parallel/mpi_environment.hpp"

namespace {

using namespace modenorm;

int parse_command_line(CLI::App& app, int argc, char** argv, int rank) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Every rank parses the same arguments and reaches the same verdict; rank 0 reports it.
    if (rank == 0) {
      app.exit(e);
    }
    return e.get_exit_code() == 0 ? app::kExitSuccess : app::kExitInputError;
  }
  return -1;
}

// An error thrown on one rank only: the other ranks may be waiting in a collective call, so the
// whole job is aborted rather than left to hang.
int fail_on_one_rank(const char* what, int code, int rank, int ranks) {
  spdlog::critical("{}", what);
  if (ranks == 1) {
    return code;
  }
  std::fprintf(stderr, "modenorm: rank %d failed and is aborting the job: %s\n", rank, what);
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, code);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  parallel::MpiEnvironment mpi(argc, argv);
  const int rank = parallel::comm_rank(MPI_COMM_WORLD);
  const int ranks = parallel::comm_size(MPI_COMM_WORLD);

  CLI::App app{
      "modenorm: CTGAN mode-specific normalization (variational Gaussian mixture) "
      "of one numeric column, at any scale, with MPI and parallel HDF5"};
  app.set_version_flag("--version",
                       std::string(app::kToolVersion) + " (" + app::kGitRevision + ")");
  app.require_subcommand(1);
  app::CommonOptions common;
  app.add_option("--log-level", common.log_level,
                 "trace|debug|info|warn|error|critical|off (rank 0; other ranks log warnings)")
      ->capture_default_str();
  app::CommandAction action;
  app::register_ingest_command(app, action);
  app::register_scale_command(app, action);
  app::register_fit_command(app, action);
  app::register_transform_command(app, action);
  app::register_inverse_command(app, action);
  app::register_evaluate_command(app, action);
  app::register_run_command(app, action);

  if (const int code = parse_command_line(app, argc, argv, rank); code >= 0) {
    return code;
  }
  app::install_interrupt_handlers();
  try {
    app::setup_logging(rank, ranks, common.log_level);
    return action();
  } catch (const parallel::CollectiveError& e) {
    // Every rank holds the same error: report it once and exit normally on every rank.
    if (rank == 0) {
      spdlog::error("{}", e.what());
    }
    return e.input_error() ? app::kExitInputError : app::kExitInternalError;
  } catch (const app::Interrupted& e) {
    if (rank == 0) {
      spdlog::warn("{}", e.what());
    }
    return app::kExitInterrupted;
  } catch (const core::InputError& e) {
    return fail_on_one_rank(e.what(), app::kExitInputError, rank, ranks);
  } catch (const std::exception& e) {
    return fail_on_one_rank(e.what(), app::kExitInternalError, rank, ranks);
  }
}
