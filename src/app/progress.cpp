#include "modenorm/app/progress.hpp"

#include <spdlog/spdlog.h>

#include <utility>

namespace modenorm::app {

ProgressReporter::ProgressReporter(std::string stage, std::uint64_t total_rows, bool enabled,
                                   double interval_seconds)
    : stage_(std::move(stage)),
      total_(total_rows),
      enabled_(enabled),
      interval_(interval_seconds),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void ProgressReporter::update(std::uint64_t rows_done) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!started_) {
    // The first call sets the baseline, so a resumed run reports its own speed.
    started_ = true;
    first_rows_ = rows_done;
    start_ = now;
    last_ = now;
    return;
  }
  if (std::chrono::duration<double>(now - last_).count() < interval_ && rows_done < total_) {
    return;
  }
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(rows_done - first_rows_) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - rows_done) / rate : 0.0;
  spdlog::info(
      "{}: {}/{} rows ({:.1f}%), {:.3g} rows/s, ETA {:.0f} s", stage_, rows_done, total_,
      total_ > 0 ? 100.0 * static_cast<double>(rows_done) / static_cast<double>(total_) : 100.0,
      rate, eta);
}

}  // namespace modenorm::app
