#include "modenorm/parallel/collective_check.hpp"

#include "modenorm/parallel/communicator.hpp"

#include <atomic>
#include <exception>

namespace modenorm::parallel {
namespace {

std::atomic<bool> g_collective_failure{false};

}  // namespace

void mark_collective_failure() noexcept { g_collective_failure = true; }

bool collective_failure_in_progress() noexcept { return g_collective_failure; }

bool unwinding_local_failure() noexcept {
  return std::uncaught_exceptions() > 0 && !g_collective_failure;
}

CollectiveError::CollectiveError(int failing_rank, std::string message, bool input_error)
    : std::runtime_error("rank " + std::to_string(failing_rank) + ": " + message),
      failing_rank_(failing_rank),
      message_(std::move(message)),
      input_error_(input_error) {
  mark_collective_failure();
}

void agree_or_throw(const std::optional<LocalError>& local_error, MPI_Comm comm) {
  const int size = comm_size(comm);
  const int rank = comm_rank(comm);
  // A rank that did not fail votes `size`, so the minimum is the lowest failing rank (or size).
  const int failing = allreduce_min(local_error ? rank : size, comm);
  if (failing == size) return;
  // The kind travels as the first character of the broadcast text.
  std::string packed;
  if (local_error) {
    packed.push_back(local_error->input_error ? 'I' : 'E');
    packed.append(local_error->message);
  }
  const std::string received = broadcast_string(packed, failing, comm);
  throw CollectiveError(failing, received.substr(1), received.front() == 'I');
}

}  // namespace modenorm::parallel
