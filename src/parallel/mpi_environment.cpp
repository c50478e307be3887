#include "modenorm/parallel/mpi_environment.hpp"

#include <mpi.h>

#include "modenorm/parallel/mpi_error.hpp"

namespace modenorm::parallel {

MpiEnvironment::MpiEnvironment(int& argc, char**& argv) { init(&argc, &argv); }

MpiEnvironment::MpiEnvironment() { init(nullptr, nullptr); }

void MpiEnvironment::init(int* argc, char*** argv) {
  int initialised = 0;
  check_mpi(MPI_Initialized(&initialised), "MPI_Initialized");
  if (initialised != 0) {
    check_mpi(MPI_Query_thread(&provided_), "MPI_Query_thread");
    return;
  }
  check_mpi(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided_), "MPI_Init_thread");
  owns_ = true;
  use_error_codes(MPI_COMM_WORLD);
}

MpiEnvironment::~MpiEnvironment() {
  if (!owns_) return;
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (finalised == 0) MPI_Finalize();  // errors cannot be reported from a destructor
}

}  // namespace modenorm::parallel
