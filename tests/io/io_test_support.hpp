// Helpers for the MPI I/O tests: a temporary directory shared by all ranks, and checks that an
// error reached every rank with the same message.
#pragma once

#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>
#include <utility>

#include "modenorm/parallel/collective_check.hpp"
#include "modenorm/parallel/communicator.hpp"

namespace modenorm::testing {

// A directory every rank sees under the same name: rank 0 picks and creates it, the name is
// broadcast, and rank 0 removes it once every rank is done.
class SharedTempDir {
 public:
  explicit SharedTempDir(MPI_Comm comm = MPI_COMM_WORLD) : comm_(comm) {
    std::string name;
    if (parallel::comm_rank(comm_) == 0) {
      std::random_device entropy;
      const auto dir =
          std::filesystem::temp_directory_path() /
          ("modenorm-io-test-" + std::to_string(::getpid()) + "-" + std::to_string(entropy()));
      std::filesystem::create_directories(dir);
      name = dir.string();
    }
    path_ = parallel::broadcast_string(name, 0, comm_);
  }
  SharedTempDir(const SharedTempDir&) = delete;
  SharedTempDir& operator=(const SharedTempDir&) = delete;
  ~SharedTempDir() {
    MPI_Barrier(comm_);
    if (parallel::comm_rank(comm_) == 0) {
      std::error_code ignored;
      std::filesystem::remove_all(path_, ignored);
    }
  }

  [[nodiscard]] std::filesystem::path operator/(const std::string& name) const {
    return path_ / name;
  }

 private:
  MPI_Comm comm_;
  std::filesystem::path path_;
};

// Runs f, which must throw CollectiveError on every rank; returns the message and checks that
// every rank got the same one. `input_error`: the error must (or must not) be marked as one the
// user can fix (the command line's exit code 2).
template <class F>
std::string collective_error(F&& f, bool input_error = false) {
  std::string message;
  try {
    f();
    ADD_FAILURE() << "expected a CollectiveError";
  } catch (const parallel::CollectiveError& e) {
    message = e.what();
    EXPECT_EQ(e.input_error(), input_error) << message;
  }
  const std::string on_rank0 = parallel::broadcast_string(message, 0, MPI_COMM_WORLD);
  EXPECT_EQ(message, on_rank0) << "ranks disagree on the error";
  return message;
}

// An error in the user's input (file, dataset, option): same checks, marked as input error.
template <class F>
std::string input_error(F&& f) {
  return collective_error(std::forward<F>(f), true);
}

#define EXPECT_CONTAINS(haystack, needle)                          \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) \
      << "expected to find '" << (needle) << "' in:\n"             \
      << (haystack)

}  // namespace modenorm::testing
