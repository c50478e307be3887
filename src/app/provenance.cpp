#include "modenorm/app/provenance.hpp"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <utility>

#include "modenorm/app/version.hpp"
#include "modenorm/parallel/communicator.hpp"

namespace modenorm::app {
namespace {

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::string utc_now() {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace

Provenance make_provenance(std::string command, std::string options_json, MPI_Comm comm) {
  Provenance provenance{std::move(command), std::move(options_json),
                        parallel::comm_size(comm), {}};
  provenance.created_utc = parallel::broadcast_string(utc_now(), 0, comm);
  return provenance;
}

void write_provenance(const io::AttributeOwner& owner, const Provenance& provenance) {
  io::write_attribute(owner, "tool_version", kToolVersion);
  io::write_attribute(owner, "git_revision", kGitRevision);
  io::write_attribute(owner, "command", provenance.command);
  io::write_attribute(owner, "options", provenance.options_json);
  io::write_attribute(owner, "ranks", static_cast<std::int64_t>(provenance.ranks));
  io::write_attribute(owner, "created_utc", provenance.created_utc);
  // Slurm sets these for every task of a job; the sbatch script forwards them for mpirun too.
  for (const auto& [attribute, variables] :
       {std::pair{"slurm_job_id", std::pair{"SLURM_JOB_ID", "MODENORM_SLURM_JOB_ID"}},
        std::pair{"slurm_nodelist", std::pair{"SLURM_JOB_NODELIST", "MODENORM_SLURM_NODELIST"}}}) {
    std::string value = environment(variables.first);
    if (value.empty()) {
      value = environment(variables.second);
    }
    if (!value.empty()) {
      io::write_attribute(owner, attribute, value);
    }
  }
}

void mark_complete(const io::AttributeOwner& owner) {
  io::write_attribute(owner, "complete", std::int64_t{1});
}

}  // namespace modenorm::app
