// Gathering variable-length pieces from every rank (MPI_Allgatherv) into one array.
#pragma once

#include <mpi.h>

#include <cstddef>
#include <span>
#include <vector>

#include "modenorm/parallel/communicator.hpp"

namespace modenorm::parallel {

// Where each rank's piece lies in the concatenation of all ranks' pieces, in rank order.
struct RankLayout {
  std::vector<int> sizes;    // per rank, as MPI's counts
  std::vector<int> offsets;  // per rank, as MPI's displacements
  std::size_t total = 0;
};

// Collective. The layout of pieces of `local_size` elements per rank. The total must fit MPI's
// int counts (checked; `call` names the MPI call in the error).
[[nodiscard]] inline RankLayout rank_layout(std::size_t local_size, const char* call,
                                            MPI_Comm comm) {
  RankLayout layout;
  layout.sizes = allgather(detail::mpi_count(local_size, call), comm);
  layout.offsets.assign(layout.sizes.size(), 0);
  for (std::size_t r = 0; r < layout.sizes.size(); ++r) {
    layout.offsets[r] = detail::mpi_count(layout.total, call);
    layout.total += static_cast<std::size_t>(layout.sizes[r]);
  }
  (void)detail::mpi_count(layout.total, call);
  return layout;
}

// Collective. Every rank's `local` concatenated in rank order, on every rank: meant for samples
// and small tables, not for shards.
template <MpiScalar T>
[[nodiscard]] std::vector<T> allgather_concat(std::span<const T> local, MPI_Comm comm) {
  const RankLayout layout = rank_layout(local.size(), "MPI_Allgatherv", comm);
  std::vector<T> result(layout.total);
  check_mpi(
      MPI_Allgatherv(local.data(), static_cast<int>(local.size()), mpi_type<T>(), result.data(),
                     layout.sizes.data(), layout.offsets.data(), mpi_type<T>(), comm),
      "MPI_Allgatherv");
  return result;
}

// Collective. Every rank's `local` concatenated in rank order on `root`; empty elsewhere (for
// data only the root works on: nothing is copied to the other ranks).
template <MpiScalar T>
[[nodiscard]] std::vector<T> gather_concat(std::span<const T> local, int root, MPI_Comm comm) {
  const RankLayout layout = rank_layout(local.size(), "MPI_Gatherv", comm);
  std::vector<T> result(comm_rank(comm) == root ? layout.total : 0);
  check_mpi(MPI_Gatherv(local.data(), static_cast<int>(local.size()), mpi_type<T>(), result.data(),
                        layout.sizes.data(), layout.offsets.data(), mpi_type<T>(), root, comm),
            "MPI_Gatherv");
  return result;
}

}  // namespace modenorm::parallel
