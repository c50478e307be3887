// Gathering variable-length pieces from every rank (MPI_Allgatherv) into one array.
#pragma once

#include <mpi.h>

#include <cstddef>
#include <span>
#include <vector>

#include "modenorm/parallel/communicator.hpp"

namespace modenorm::parallel {

// Collective. Every rank's `local` concatenated in rank order, on every rank. The total must
// fit MPI's int counts (checked): meant for samples and small tables, not for shards.
template <MpiScalar T>
[[nodiscard]] std::vector<T> allgather_concat(std::span<const T> local, MPI_Comm comm) {
  const auto sizes = allgather(detail::mpi_count(local.size(), "MPI_Allgatherv"), comm);
  std::vector<int> offsets(sizes.size(), 0);
  std::size_t total = 0;
  for (std::size_t r = 0; r < sizes.size(); ++r) {
    offsets[r] = detail::mpi_count(total, "MPI_Allgatherv");
    total += static_cast<std::size_t>(sizes[r]);
  }
  (void)detail::mpi_count(total, "MPI_Allgatherv");
  std::vector<T> result(total);
  check_mpi(MPI_Allgatherv(local.data(), static_cast<int>(local.size()), mpi_type<T>(),
                           result.data(), sizes.data(), offsets.data(), mpi_type<T>(), comm),
            "MPI_Allgatherv");
  return result;
}

// Collective. Every rank's `local` concatenated in rank order on `root`; empty elsewhere (for
// data only the root works on: nothing is copied to the other ranks).
template <MpiScalar T>
[[nodiscard]] std::vector<T> gather_concat(std::span<const T> local, int root, MPI_Comm comm) {
  const auto sizes = allgather(detail::mpi_count(local.size(), "MPI_Gatherv"), comm);
  std::vector<int> offsets(sizes.size(), 0);
  std::size_t total = 0;
  for (std::size_t r = 0; r < sizes.size(); ++r) {
    offsets[r] = detail::mpi_count(total, "MPI_Gatherv");
    total += static_cast<std::size_t>(sizes[r]);
  }
  (void)detail::mpi_count(total, "MPI_Gatherv");
  const bool is_root = comm_rank(comm) == root;
  std::vector<T> result(is_root ? total : 0);
  check_mpi(MPI_Gatherv(local.data(), static_cast<int>(local.size()), mpi_type<T>(), result.data(),
                        sizes.data(), offsets.data(), mpi_type<T>(), root, comm),
            "MPI_Gatherv");
  return result;
}

}  // namespace modenorm::parallel
