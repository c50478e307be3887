// Checked MPI calls: every MPI return code goes through check_mpi, so a failure surfaces as an
// exception naming the call instead of MPI's default abort.
#pragma once

#include <mpi.h>

#include <stdexcept>
#include <string>

namespace modenorm::parallel {

// An MPI call returned an error code. what() = "<call> failed: <MPI error string>".
class MpiError : public std::runtime_error {
 public:
  MpiError(std::string call, int code);
  [[nodiscard]] const std::string& call() const noexcept { return call_; }
  [[nodiscard]] int code() const noexcept { return code_; }

 private:
  std::string call_;
  int code_;
};

// Throws MpiError unless rc == MPI_SUCCESS.
inline void check_mpi(int rc, const char* call) {
  if (rc != MPI_SUCCESS) throw MpiError(call, rc);
}

// Makes MPI calls on `comm` return error codes instead of aborting the job (the default
// handler), so check_mpi can turn them into exceptions. A local, non-collective call.
void use_error_codes(MPI_Comm comm);

}  // namespace modenorm::parallel
