#pragma once
// SIGINT/SIGTERM handling: the handler only records the request; long-running drivers poll it
// at slab boundaries (where every rank is at the same point), agree on it collectively, and
// stop by throwing Interrupted so every RAII guard removes its temporary output.

#include <mpi.h>

#include <stdexcept>

namespace modenorm::app {

class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted by a signal; temporary output removed") {}
};

void install_interrupt_handlers();

// True once SIGINT or SIGTERM arrived on this rank.
bool interrupt_requested() noexcept;

// Collective: throws Interrupted on every rank if any rank received a signal.
void throw_if_interrupted(MPI_Comm comm);

}  // namespace modenorm::app
