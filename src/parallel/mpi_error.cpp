#include "modenorm/parallel/mpi_error.hpp"

#include <utility>

namespace modenorm::parallel {
namespace {

std::string describe(const std::string& call, int code) {
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  // MPI_Error_string may itself fail for an unknown code; fall back to the number.
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS || length <= 0) {
    return call + " failed: MPI error code " + std::to_string(code);
  }
  return call + " failed: " + std::string(text, static_cast<std::size_t>(length));
}

}  // namespace

MpiError::MpiError(std::string call, int code)
    : std::runtime_error(describe(call, code)), call_(std::move(call)), code_(code) {}

void use_error_codes(MPI_Comm comm) {
  check_mpi(MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
}

}  // namespace modenorm::parallel
