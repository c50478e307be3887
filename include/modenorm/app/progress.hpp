#pragma once
// Progress of a long stage on rank 0 (DESIGN.md §7): rows done, rows/s and ETA, logged at most
// every few seconds so a 1e9-row run stays readable.

#include <chrono>
#include <cstdint>
#include <string>

namespace modenorm::app {

class ProgressReporter {
 public:
  // `enabled` is true on rank 0 only; other ranks make the same calls and print nothing.
  ProgressReporter(std::string stage, std::uint64_t total_rows, bool enabled,
                   double interval_seconds = 5.0);

  // Rows finished so far over all ranks; logs when the interval has passed since the last line.
  void update(std::uint64_t rows_done);

 private:
  std::string stage_;
  std::uint64_t total_;
  bool enabled_;
  double interval_;
  std::uint64_t first_rows_ = 0;  // rows already done when the run started (resume)
  bool started_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace modenorm::app
