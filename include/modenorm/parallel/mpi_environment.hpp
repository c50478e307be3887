// RAII owner of MPI initialisation for a process.
#pragma once

namespace modenorm::parallel {

// Initialises MPI with MPI_THREAD_FUNNELED (only the main thread calls MPI) and finalises it on
// destruction. If MPI is already initialised (a test main, a host application) it does nothing
// and leaves finalisation to whoever initialised it.
class MpiEnvironment {
 public:
  MpiEnvironment(int& argc, char**& argv);
  MpiEnvironment();  // for callers without argv (MPI-2 allows null arguments)
  ~MpiEnvironment();
  MpiEnvironment(const MpiEnvironment&) = delete;
  MpiEnvironment& operator=(const MpiEnvironment&) = delete;
  MpiEnvironment(MpiEnvironment&&) = delete;
  MpiEnvironment& operator=(MpiEnvironment&&) = delete;

  // True if this object called MPI_Init_thread (and so will call MPI_Finalize).
  [[nodiscard]] bool owns_mpi() const noexcept { return owns_; }
  // Thread level MPI granted (MPI_THREAD_FUNNELED or better when we initialised it).
  [[nodiscard]] int thread_level() const noexcept { return provided_; }

 private:
  void init(int* argc, char*** argv);
  bool owns_ = false;
  int provided_ = 0;
};

}  // namespace modenorm::parallel
