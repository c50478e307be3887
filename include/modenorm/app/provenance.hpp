#pragma once
// Where a result came from, stored as root attributes of every output file (DESIGN.md §5):
// tool version, command, rank count, Slurm job, host and the effective options.

#include <mpi.h>

#include <string>

#include "modenorm/io/attributes.hpp"

namespace modenorm::app {

struct Provenance {
  std::string command;       // "ingest", "scale", ...
  std::string options_json;  // the effective options of that command
  int ranks = 1;
  std::string created_utc;  // rank 0's clock, so every rank writes the same attribute value
};

// Collective: fills ranks and created_utc (rank 0's time, broadcast).
[[nodiscard]] Provenance make_provenance(std::string command, std::string options_json,
                                         MPI_Comm comm);

// Collective (attribute writes on a parallel file): every rank passes the same values.
// Writes tool_version, git_revision, command, options (JSON), ranks, created_utc, and
// slurm_job_id / slurm_nodelist when running under Slurm.
void write_provenance(const io::AttributeOwner& owner, const Provenance& provenance);

// Marks the file complete: the last attribute written before the file is renamed into place.
void mark_complete(const io::AttributeOwner& owner);

}  // namespace modenorm::app
