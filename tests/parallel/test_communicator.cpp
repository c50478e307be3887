#include "modenorm/parallel/communicator.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "modenorm/parallel/mpi_environment.hpp"
#include "modenorm/parallel/mpi_error.hpp"

namespace mp = modenorm::parallel;

TEST(MpiEnvironment, IsANoOpWhenMpiIsAlreadyInitialised) {
  // The test main initialised MPI; this object must neither re-initialise nor finalise it.
  {
    const mp::MpiEnvironment env;
    EXPECT_FALSE(env.owns_mpi());
  }
  int finalised = 1;
  MPI_Finalized(&finalised);
  EXPECT_EQ(finalised, 0);
}

TEST(Communicator, RankAndSize) {
  int rank = -1;
  int size = -1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  EXPECT_EQ(mp::comm_rank(MPI_COMM_WORLD), rank);
  EXPECT_EQ(mp::comm_size(MPI_COMM_WORLD), size);
}

TEST(Communicator, TypeMap) {
  EXPECT_EQ(mp::mpi_type<double>(), MPI_DOUBLE);
  EXPECT_EQ(mp::mpi_type<float>(), MPI_FLOAT);
  EXPECT_EQ(mp::mpi_type<int>(), MPI_INT);
  EXPECT_EQ(mp::mpi_type<std::int64_t>(), MPI_INT64_T);
  EXPECT_EQ(mp::mpi_type<std::uint64_t>(), MPI_UINT64_T);
  EXPECT_EQ(mp::mpi_type<std::uint8_t>(), MPI_UINT8_T);
  EXPECT_EQ(mp::mpi_type<char>(), MPI_CHAR);
}

TEST(Communicator, ScalarReductions) {
  const int rank = mp::comm_rank(MPI_COMM_WORLD);
  const int size = mp::comm_size(MPI_COMM_WORLD);
  EXPECT_EQ(mp::allreduce_sum(rank, MPI_COMM_WORLD), size * (size - 1) / 2);
  EXPECT_EQ(mp::allreduce_max(rank, MPI_COMM_WORLD), size - 1);
  EXPECT_EQ(mp::allreduce_min(rank, MPI_COMM_WORLD), 0);
  const auto big = std::uint64_t{1} << 40;
  EXPECT_EQ(mp::allreduce_sum(big, MPI_COMM_WORLD), big * static_cast<std::uint64_t>(size));
  EXPECT_EQ(mp::allreduce_min(static_cast<std::int64_t>(-rank), MPI_COMM_WORLD), -(size - 1));
  EXPECT_DOUBLE_EQ(mp::allreduce_max(0.5 * rank, MPI_COMM_WORLD), 0.5 * (size - 1));
}

TEST(Communicator, RangeReductions) {
  const int rank = mp::comm_rank(MPI_COMM_WORLD);
  const int size = mp::comm_size(MPI_COMM_WORLD);
  const std::vector<double> values{1.0, static_cast<double>(rank), -static_cast<double>(rank)};
  const std::vector<double> sum = mp::allreduce_sum(values, MPI_COMM_WORLD);
  ASSERT_EQ(sum.size(), 3U);
  EXPECT_EQ(sum[0], static_cast<double>(size));
  EXPECT_EQ(sum[1], static_cast<double>(size * (size - 1) / 2));
  const std::array<std::int64_t, 2> pair{rank, -rank};
  const auto max = mp::allreduce_max(pair, MPI_COMM_WORLD);
  EXPECT_EQ(max[0], size - 1);
  EXPECT_EQ(max[1], 0);
  const auto min = mp::allreduce_min(std::span<const std::int64_t>(pair), MPI_COMM_WORLD);
  EXPECT_EQ(min[1], -(size - 1));
}

TEST(Communicator, BroadcastString) {
  const int size = mp::comm_size(MPI_COMM_WORLD);
  const int root = size - 1;
  const bool is_root = mp::comm_rank(MPI_COMM_WORLD) == root;
  const std::string sent = is_root ? std::string("from the last rank\0with a nul", 29) : "junk";
  EXPECT_EQ(mp::broadcast_string(sent, root, MPI_COMM_WORLD),
            std::string("from the last rank\0with a nul", 29));
  EXPECT_EQ(mp::broadcast_string(is_root ? "" : "junk", root, MPI_COMM_WORLD), "");
}

TEST(Communicator, Allgather) {
  const int rank = mp::comm_rank(MPI_COMM_WORLD);
  const auto all = mp::allgather(static_cast<std::uint64_t>(rank * 10), MPI_COMM_WORLD);
  ASSERT_EQ(all.size(), static_cast<std::size_t>(mp::comm_size(MPI_COMM_WORLD)));
  for (std::size_t r = 0; r < all.size(); ++r) EXPECT_EQ(all[r], r * 10);
}

TEST(Communicator, ErrorsBecomeExceptionsNamingTheCall) {
  // An invalid root is caught by MPI's argument checks; with error codes on, it must surface as
  // MpiError rather than aborting the job. Every rank passes the same bad root.
  const int size = mp::comm_size(MPI_COMM_WORLD);
  try {
    (void)mp::broadcast_string("x", size + 5, MPI_COMM_WORLD);
    ADD_FAILURE() << "expected MpiError";
  } catch (const mp::MpiError& e) {
    EXPECT_EQ(e.call(), "MPI_Bcast");
    EXPECT_NE(std::string(e.what()).find("MPI_Bcast failed: "), std::string::npos) << e.what();
  }
}
