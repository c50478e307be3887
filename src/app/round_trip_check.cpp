#include "modenorm/app/round_trip_check.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "modenorm/io/dataset_1d.hpp"
#include "modenorm/io/hdf5_file.hpp"
#include "modenorm/io/slab_io.hpp"
#include "modenorm/parallel/communicator.hpp"
#include "modenorm/parallel/shard.hpp"

namespace modenorm::app {

RoundTripReport check_round_trip(const std::string& original, const std::string& transformed,
                                 const std::string& restored, const std::string& dataset,
                                 const core::FittedModel& model, std::uint64_t slab_rows,
                                 MPI_Comm comm) {
  auto original_file = io::open_file(original, io::FileMode::read_only, comm);
  auto transformed_file = io::open_file(transformed, io::FileMode::read_only, comm);
  auto restored_file = io::open_file(restored, io::FileMode::read_only, comm);
  auto x_set = io::open_dataset_1d(original_file, dataset);
  auto alpha_set = io::open_dataset_1d(transformed_file, "/alpha");
  auto component_set = io::open_dataset_1d(
      transformed_file, "/component", io::DatasetRequirements{io::ElementType::uint8, false});
  auto restored_set = io::open_dataset_1d(restored_file, dataset);

  const auto shard = parallel::shard_rows(x_set.size(), parallel::comm_rank(comm),
                                          parallel::comm_size(comm));
  const auto slabs = parallel::allreduce_max((shard.size() + slab_rows - 1) / slab_rows, comm);
  std::vector<double> x;
  std::vector<double> alpha;
  std::vector<double> back;
  std::vector<std::uint8_t> component;
  RoundTripReport local;
  local.max_value = -INFINITY;
  for (std::uint64_t s = 0; s < slabs; ++s) {
    const std::uint64_t begin = std::min(shard.begin + s * slab_rows, shard.end);
    const std::uint64_t end = std::min(begin + slab_rows, shard.end);
    const parallel::RowRange range{begin, end};
    x.resize(range.size());
    alpha.resize(range.size());
    back.resize(range.size());
    component.resize(range.size());
    io::read_rows<double>(x_set, range, x);
    io::read_rows<double>(alpha_set, range, alpha);
    io::read_rows<double>(restored_set, range, back);
    io::read_rows<std::uint8_t>(component_set, range, component);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double mean = model.params.m[component[i]];
      const double error = std::abs(back[i] - x[i]) / (std::abs(x[i]) + std::abs(mean));
      local.max_scaled_error = std::max(local.max_scaled_error, error);
      if (std::abs(alpha[i]) > 0.99) ++local.beyond_clip;
      if (std::abs(alpha[i]) > 1.0) {
        ++local.beyond_4_std;
        local.max_scaled_error_beyond = std::max(local.max_scaled_error_beyond, error);
      }
      if (x[i] > local.max_value) {
        local.max_value = x[i];
        local.max_value_restored = back[i];
      }
    }
  }
  RoundTripReport total;
  total.rows = x_set.size();
  total.max_scaled_error = parallel::allreduce_max(local.max_scaled_error, comm);
  total.beyond_clip = parallel::allreduce_sum(local.beyond_clip, comm);
  total.beyond_4_std = parallel::allreduce_sum(local.beyond_4_std, comm);
  total.max_scaled_error_beyond = parallel::allreduce_max(local.max_scaled_error_beyond, comm);
  total.max_value = parallel::allreduce_max(local.max_value, comm);
  // The restoration of the maximum: the rank holding it reports it (ties: any holder, equal x).
  const double mine = local.max_value == total.max_value ? local.max_value_restored : -INFINITY;
  total.max_value_restored = parallel::allreduce_max(mine, comm);
  return total;
}

}  // namespace modenorm::app
