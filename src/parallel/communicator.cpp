#include "modenorm/parallel/communicator.hpp"

#include <climits>
#include <cstdint>

namespace modenorm::parallel {

int comm_rank(MPI_Comm comm) {
  use_error_codes(comm);
  int rank = 0;
  check_mpi(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
  return rank;
}

int comm_size(MPI_Comm comm) {
  use_error_codes(comm);
  int size = 0;
  check_mpi(MPI_Comm_size(comm, &size), "MPI_Comm_size");
  return size;
}

void barrier(MPI_Comm comm) {
  use_error_codes(comm);
  check_mpi(MPI_Barrier(comm), "MPI_Barrier");
}

namespace detail {

int mpi_count(std::size_t count, const char* call) {
  if (count > static_cast<std::size_t>(INT_MAX)) {
    throw MpiError(call, MPI_ERR_COUNT);
  }
  return static_cast<int>(count);
}

void allreduce_raw(const void* send, void* recv, std::size_t count, MPI_Datatype type, MPI_Op op,
                   MPI_Comm comm) {
  use_error_codes(comm);
  check_mpi(MPI_Allreduce(send, recv, mpi_count(count, "MPI_Allreduce"), type, op, comm),
            "MPI_Allreduce");
}

}  // namespace detail

std::string broadcast_string(const std::string& value, int root, MPI_Comm comm) {
  use_error_codes(comm);
  const bool is_root = comm_rank(comm) == root;
  std::uint64_t length = is_root ? value.size() : 0;
  check_mpi(MPI_Bcast(&length, 1, MPI_UINT64_T, root, comm), "MPI_Bcast");
  std::string result = is_root ? value : std::string(length, '\0');
  if (length > 0) {
    check_mpi(
        MPI_Bcast(result.data(), detail::mpi_count(length, "MPI_Bcast"), MPI_CHAR, root, comm),
        "MPI_Bcast");
  }
  return result;
}

}  // namespace modenorm::parallel
