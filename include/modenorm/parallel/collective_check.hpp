// Turning a local failure into a collective one: if any rank fails, every rank throws the same
// error, so one bad rank never leaves the others waiting in the next collective call.
#pragma once

#include <mpi.h>

#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "modenorm/core/errors.hpp"

namespace modenorm::parallel {

// The error every rank throws after agreement. what() = "rank R: <message>", where R is the
// lowest rank that failed and <message> its local error text.
class CollectiveError : public std::runtime_error {
 public:
  CollectiveError(int failing_rank, std::string message, bool input_error = false);
  [[nodiscard]] int failing_rank() const noexcept { return failing_rank_; }
  // The failing rank's own message, without the rank prefix.
  [[nodiscard]] const std::string& message() const noexcept { return message_; }
  // True when the failing rank's error was a core::InputError (bad data, file or option),
  // which the command line reports with exit code 2.
  [[nodiscard]] bool input_error() const noexcept { return input_error_; }

 private:
  int failing_rank_;
  std::string message_;
  bool input_error_;
};

// Set (for good) once every rank of the job is known to be stopping together: a CollectiveError
// was raised, or all ranks agreed to stop on a signal. While an exception unwinds without it,
// the failure is this rank's alone: destructors must not make collective calls (closing a
// parallel HDF5 file is one), because the other ranks will never join them; the process ends
// the job with MPI_Abort instead.
void mark_collective_failure() noexcept;
[[nodiscard]] bool collective_failure_in_progress() noexcept;

// True while an exception unwinds that only this rank raised (see above).
[[nodiscard]] bool unwinding_local_failure() noexcept;

// A rank's own failure before agreement: its message and whether it was an input error.
struct LocalError {
  std::string message;
  bool input_error = false;
};

// Collective: every rank of `comm` must call it. If no rank has an error, returns. Otherwise
// the lowest failing rank's message is broadcast and every rank throws the same CollectiveError.
// Costs one small allreduce when nobody failed.
void agree_or_throw(const std::optional<LocalError>& local_error, MPI_Comm comm);
inline void agree_or_throw(const std::optional<std::string>& local_error, MPI_Comm comm) {
  agree_or_throw(
      local_error ? std::optional<LocalError>(LocalError{*local_error, false}) : std::nullopt,
      comm);
}
// Lets callers write agree_or_throw(std::nullopt, comm) without an ambiguous overload.
inline void agree_or_throw(std::nullopt_t, MPI_Comm comm) {
  agree_or_throw(std::optional<LocalError>{}, comm);
}

// Collective: runs f() on this rank, catching any exception, then agrees with the other ranks
// (agree_or_throw). Returns f's result when every rank succeeded. A CollectiveError thrown by f
// itself (already agreed by every rank) is passed on unchanged.
template <class F>
auto run_collectively(F&& f, MPI_Comm comm) -> std::invoke_result_t<F&> {
  using R = std::invoke_result_t<F&>;
  std::optional<LocalError> error;
  auto capture = [&](auto&& body) {
    try {
      body();
    } catch (const CollectiveError&) {
      throw;  // every rank is already throwing this one
    } catch (const core::InputError& e) {
      error = LocalError{e.what(), true};
    } catch (const std::exception& e) {
      error = LocalError{e.what(), false};
    } catch (...) {
      error = LocalError{"unknown exception", false};
    }
  };
  if constexpr (std::is_void_v<R>) {
    capture([&] { f(); });
    agree_or_throw(error, comm);
  } else {
    std::optional<R> result;
    capture([&] { result.emplace(f()); });
    agree_or_throw(error, comm);
    return std::move(*result);
  }
}

}  // namespace modenorm::parallel
