#include "modenorm/parallel/collective_check.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <optional>
#include <stdexcept>
#include <string>

#include "modenorm/core/errors.hpp"
#include "modenorm/parallel/communicator.hpp"

namespace mp = modenorm::parallel;

TEST(AgreeOrThrow, NoErrorReturnsEverywhere) {
  EXPECT_NO_THROW(mp::agree_or_throw(std::nullopt, MPI_COMM_WORLD));
}

TEST(AgreeOrThrow, FailureOnLastRankReachesEveryRank) {
  const int size = mp::comm_size(MPI_COMM_WORLD);
  const int rank = mp::comm_rank(MPI_COMM_WORLD);
  std::optional<std::string> local;
  if (rank == size - 1) local = "bad value 'nan' at row 42";
  try {
    mp::agree_or_throw(local, MPI_COMM_WORLD);
    ADD_FAILURE() << "expected CollectiveError";
  } catch (const mp::CollectiveError& e) {
    EXPECT_EQ(e.failing_rank(), size - 1);
    EXPECT_EQ(e.message(), "bad value 'nan' at row 42");
    EXPECT_EQ(std::string(e.what()),
              "rank " + std::to_string(size - 1) + ": bad value 'nan' at row 42");
  }
}

TEST(AgreeOrThrow, LowestFailingRankWins) {
  const int size = mp::comm_size(MPI_COMM_WORLD);
  const int rank = mp::comm_rank(MPI_COMM_WORLD);
  // Every rank above the first half fails with its own message; the lowest one is reported.
  const int first_bad = size / 2;
  std::optional<std::string> local;
  if (rank >= first_bad) local = "error from " + std::to_string(rank);
  try {
    mp::agree_or_throw(local, MPI_COMM_WORLD);
    ADD_FAILURE() << "expected CollectiveError";
  } catch (const mp::CollectiveError& e) {
    EXPECT_EQ(e.failing_rank(), first_bad);
    EXPECT_EQ(e.message(), "error from " + std::to_string(first_bad));
  }
}

TEST(RunCollectively, ReturnsValueWhenAllSucceed) {
  const int rank = mp::comm_rank(MPI_COMM_WORLD);
  const int value = mp::run_collectively([&] { return rank * 2; }, MPI_COMM_WORLD);
  EXPECT_EQ(value, rank * 2);
  int calls = 0;
  mp::run_collectively([&] { ++calls; }, MPI_COMM_WORLD);
  EXPECT_EQ(calls, 1);
}

TEST(RunCollectively, ExceptionOnOneRankIsThrownEverywhere) {
  const int size = mp::comm_size(MPI_COMM_WORLD);
  const int rank = mp::comm_rank(MPI_COMM_WORLD);
  auto body = [&]() -> double {
    if (rank == size - 1) throw std::runtime_error("cannot open shard");
    return 1.0;
  };
  try {
    (void)mp::run_collectively(body, MPI_COMM_WORLD);
    ADD_FAILURE() << "expected CollectiveError";
  } catch (const mp::CollectiveError& e) {
    EXPECT_EQ(e.failing_rank(), size - 1);
    EXPECT_EQ(e.message(), "cannot open shard");
  }
  // The communicator is still usable: no rank is left inside a collective.
  EXPECT_EQ(mp::allreduce_sum(1, MPI_COMM_WORLD), size);
}

TEST(RunCollectively, NonStandardExceptionIsReported) {
  const int rank = mp::comm_rank(MPI_COMM_WORLD);
  EXPECT_THROW(mp::run_collectively(
                   [&] {
                     if (rank == 0) throw 7;
                   },
                   MPI_COMM_WORLD),
               mp::CollectiveError);
}

TEST(RunCollectively, InputErrorKindTravelsWithTheMessage) {
  const int size = mp::comm_size(MPI_COMM_WORLD);
  const int rank = mp::comm_rank(MPI_COMM_WORLD);
  try {
    mp::run_collectively(
        [&] {
          if (rank == size - 1) throw modenorm::core::InputError("--rows: must be positive");
        },
        MPI_COMM_WORLD);
    ADD_FAILURE() << "expected CollectiveError";
  } catch (const mp::CollectiveError& e) {
    EXPECT_TRUE(e.input_error());
    EXPECT_EQ(e.message(), "--rows: must be positive");
  }
  try {
    mp::run_collectively(
        [&] {
          if (rank == 0) throw std::runtime_error("internal");
        },
        MPI_COMM_WORLD);
    ADD_FAILURE() << "expected CollectiveError";
  } catch (const mp::CollectiveError& e) {
    EXPECT_FALSE(e.input_error());
  }
}
