#pragma once
// Per-stage wall-clock timings, summarised over ranks (min / avg / max) into the table printed
// at the end of every command, the --metrics JSON file and the output's attributes (DESIGN §7).

#include <mpi.h>

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace modenorm::app {

struct StageSummary {
  std::string name;
  double min_seconds = 0.0;
  double avg_seconds = 0.0;
  double max_seconds = 0.0;
  double rows = 0.0;  // rows processed by the stage over all ranks (0 when not meaningful)
};

class StageTimer {
 public:
  // Times the enclosing scope as stage `name` (accumulated when a stage repeats).
  class Scope {
   public:
    Scope(StageTimer& timer, std::string name, double rows);
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    ~Scope();

   private:
    StageTimer& timer_;
    std::string name_;
    double rows_;
    std::chrono::steady_clock::time_point start_;
  };

  [[nodiscard]] Scope stage(std::string name, double local_rows = 0.0) {
    return Scope(*this, std::move(name), local_rows);
  }
  void add(const std::string& name, double seconds, double local_rows);

  // Collective: every rank must have recorded the same stage names in the same order.
  [[nodiscard]] std::vector<StageSummary> summarise(MPI_Comm comm) const;

 private:
  struct Entry {
    std::string name;
    double seconds = 0.0;
    double rows = 0.0;
  };
  std::vector<Entry> entries_;
};

// A fixed-width table: stage, min, avg, max seconds, rows/s.
[[nodiscard]] std::string format_stage_table(const std::vector<StageSummary>& stages);
[[nodiscard]] nlohmann::ordered_json stages_to_json(const std::vector<StageSummary>& stages);

}  // namespace modenorm::app
