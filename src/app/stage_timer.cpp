#include "modenorm/app/stage_timer.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "modenorm/parallel/communicator.hpp"

namespace modenorm::app {

StageTimer::Scope::Scope(StageTimer& timer, std::string name, double rows)
    : timer_(timer), name_(std::move(name)), rows_(rows), start_(std::chrono::steady_clock::now()) {}

StageTimer::Scope::~Scope() {
  timer_.add(name_,
             std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(),
             rows_);
}

void StageTimer::add(const std::string& name, double seconds, double local_rows) {
  const auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const Entry& e) { return e.name == name; });
  if (it == entries_.end()) {
    entries_.push_back({name, seconds, local_rows});
  } else {
    it->seconds += seconds;
    it->rows += local_rows;
  }
}

std::vector<StageSummary> StageTimer::summarise(MPI_Comm comm) const {
  std::vector<double> seconds;
  std::vector<double> rows;
  for (const auto& e : entries_) {
    seconds.push_back(e.seconds);
    rows.push_back(e.rows);
  }
  const auto mins = parallel::allreduce_min(seconds, comm);
  const auto maxs = parallel::allreduce_max(seconds, comm);
  const auto sums = parallel::allreduce_sum(seconds, comm);
  const auto total_rows = parallel::allreduce_sum(rows, comm);
  const double ranks = parallel::comm_size(comm);
  std::vector<StageSummary> out;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    out.push_back({entries_[i].name, mins[i], sums[i] / ranks, maxs[i], total_rows[i]});
  }
  return out;
}

std::string format_stage_table(const std::vector<StageSummary>& stages) {
  std::string table = fmt::format("{:<28} {:>10} {:>10} {:>10} {:>14}\n", "stage", "min s",
                                  "avg s", "max s", "rows/s");
  for (const auto& s : stages) {
    const std::string rate =
        s.rows > 0 && s.max_seconds > 0 ? fmt::format("{:.3g}", s.rows / s.max_seconds) : "-";
    table += fmt::format("{:<28} {:>10.3f} {:>10.3f} {:>10.3f} {:>14}\n", s.name, s.min_seconds,
                         s.avg_seconds, s.max_seconds, rate);
  }
  return table;
}

nlohmann::ordered_json stages_to_json(const std::vector<StageSummary>& stages) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& s : stages) {
    out.push_back({{"stage", s.name},
                   {"min_seconds", s.min_seconds},
                   {"avg_seconds", s.avg_seconds},
                   {"max_seconds", s.max_seconds},
                   {"rows", s.rows}});
  }
  return out;
}

}  // namespace modenorm::app
