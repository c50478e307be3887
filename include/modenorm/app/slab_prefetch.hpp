#pragma once
// Reads the input slabs of a command one step ahead on a second thread, straight from the
// file's bytes (io::DirectRowReader), so that the read of slab s + 1 overlaps the work on slab
// s: the transform, or a fit that streams its shard, then waits on its read only where the
// disk is slower than the compute. Only for --io direct on a contiguous dataset stored as float64
// (raw_data_offset); other inputs keep the collective read. Not collective: the helper thread makes
// no MPI call, so callers agree on errors (parallel::run_collectively around take()).

#include <mpi.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <span>
#include <vector>

#include "modenorm/io/dataset_1d.hpp"
#include "modenorm/io/direct_read.hpp"
#include "modenorm/parallel/shard.hpp"

namespace modenorm::app {

class SlabPrefetcher {
 public:
  using StepRows = std::function<parallel::RowRange(std::uint64_t step)>;

  // `data_offset`: where row 0 of the float64 dataset lies in `file` (io::raw_data_offset);
  // step s (0 <= s < steps) reads this rank's rows rows_of(s).
  SlabPrefetcher(const std::filesystem::path& file, std::uint64_t data_offset, std::uint64_t steps,
                 StepRows rows_of);
  SlabPrefetcher(const SlabPrefetcher&) = delete;
  SlabPrefetcher& operator=(const SlabPrefetcher&) = delete;
  ~SlabPrefetcher();  // waits for a read still in flight

  // This rank's rows of step `s` (waiting for their read, or reading them now if no read of
  // them is in flight), then starts reading step s + 1. Valid until the next call. A failed
  // read throws here (std::runtime_error naming the file).
  [[nodiscard]] std::span<const double> take(std::uint64_t s);

 private:
  void read_step(std::uint64_t s);

  std::uint64_t data_offset_;
  std::uint64_t steps_;
  StepRows rows_of_;
  io::DirectRowReader reader_;  // used by one read at a time, on either thread
  std::array<std::vector<double>, 2> buffers_;
  std::future<void> pending_;  // declared after what the read uses: destroyed (waited) first
  std::uint64_t pending_step_ = 0;
  bool has_pending_ = false;
};

// Collective. A prefetcher of `dataset`'s rows rows_of(s) for steps 0 .. steps - 1 when
// `direct_reads` is on and the dataset is a contiguous float64 dataset; otherwise null (the
// caller reads collectively). Fails on every rank if any rank cannot open the file.
[[nodiscard]] std::unique_ptr<SlabPrefetcher> make_slab_prefetcher(const io::Dataset1D& dataset,
                                                                   bool direct_reads,
                                                                   std::uint64_t steps,
                                                                   SlabPrefetcher::StepRows rows_of,
                                                                   MPI_Comm comm);

}  // namespace modenorm::app
