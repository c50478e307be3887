#include "modenorm/app/interrupt.hpp"

#include <atomic>
#include <csignal>

#include "modenorm/parallel/collective_check.hpp"

namespace modenorm::app {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void record_interrupt(int /*signal*/) { g_interrupted = 1; }

}  // namespace

void install_interrupt_handlers() {
  std::signal(SIGINT, record_interrupt);
  std::signal(SIGTERM, record_interrupt);
}

bool interrupt_requested() noexcept { return g_interrupted != 0; }

void throw_if_interrupted(MPI_Comm comm) {
  int local = interrupt_requested() ? 1 : 0;
  int any = 0;
  MPI_Allreduce(&local, &any, 1, MPI_INT, MPI_MAX, comm);
  if (any != 0) {
    parallel::mark_collective_failure();  // every rank stops here together
    throw Interrupted();
  }
}

}  // namespace modenorm::app
