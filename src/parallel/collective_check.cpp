#include "modenorm/parallel/collective_check.hpp"

#include "modenorm/parallel/communicator.hpp"

namespace modenorm::parallel {

CollectiveError::CollectiveError(int failing_rank, std::string message)
    : std::runtime_error("rank " + std::to_string(failing_rank) + ": " + message),
      failing_rank_(failing_rank),
      message_(std::move(message)) {}

void agree_or_throw(const std::optional<std::string>& local_error, MPI_Comm comm) {
  const int size = comm_size(comm);
  const int rank = comm_rank(comm);
  // A rank that did not fail votes `size`, so the minimum is the lowest failing rank (or size).
  const int failing = allreduce_min(local_error ? rank : size, comm);
  if (failing == size) return;
  const std::string message = broadcast_string(local_error.value_or(std::string{}), failing, comm);
  throw CollectiveError(failing, message);
}

}  // namespace modenorm::parallel
