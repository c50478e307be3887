#include "modenorm/app/slab_prefetch.hpp"

#include <exception>
#include <utility>

#include "modenorm/io/direct_write.hpp"
#include "modenorm/parallel/collective_check.hpp"

namespace modenorm::app {

SlabPrefetcher::SlabPrefetcher(const std::filesystem::path& file, std::uint64_t data_offset,
                               std::uint64_t steps, StepRows rows_of)
    : data_offset_(data_offset), steps_(steps), rows_of_(std::move(rows_of)), reader_(file) {}

SlabPrefetcher::~SlabPrefetcher() {
  if (has_pending_ && pending_.valid()) {
    try {
      pending_.get();
    } catch (const std::exception&) {  // the run is ending anyway; its own error is reported
    }
  }
}

void SlabPrefetcher::read_step(std::uint64_t s) {
  const auto rows = rows_of_(s);
  auto& buffer = buffers_[s % 2];
  buffer.resize(static_cast<std::size_t>(rows.size()));
  if (!rows.empty()) reader_.read<double>(data_offset_, rows, buffer);
}

std::span<const double> SlabPrefetcher::take(std::uint64_t s) {
  if (has_pending_ && pending_step_ == s) {
    has_pending_ = false;
    pending_.get();
  } else {
    if (has_pending_) {  // a step out of order: finish the stale read before reusing buffers
      has_pending_ = false;
      pending_.get();
    }
    read_step(s);
  }
  if (s + 1 < steps_) {
    pending_ = std::async(std::launch::async, [this, next = s + 1] { read_step(next); });
    pending_step_ = s + 1;
    has_pending_ = true;
  }
  const auto& buffer = buffers_[s % 2];
  return {buffer.data(), buffer.size()};
}

std::unique_ptr<SlabPrefetcher> make_slab_prefetcher(const io::Dataset1D& dataset,
                                                     bool direct_reads, std::uint64_t steps,
                                                     SlabPrefetcher::StepRows rows_of,
                                                     MPI_Comm comm) {
  if (!direct_reads || dataset.type() != io::ElementType::float64) return nullptr;
  const auto offset = io::raw_data_offset(dataset);
  if (!offset) return nullptr;
  return parallel::run_collectively(
      [&] {
        return std::make_unique<SlabPrefetcher>(dataset.file_path(), *offset, steps,
                                                std::move(rows_of));
      },
      comm);
}

}  // namespace modenorm::app
