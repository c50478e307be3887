#include "modenorm/parallel/shard.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdint>
#include <limits>
#include <stdexcept>

#include "modenorm/parallel/communicator.hpp"

namespace mp = modenorm::parallel;

namespace {

// Ranges of all ranks must tile [0, rows) in rank order.
void expect_tiles(std::uint64_t rows, int ranks, auto shard) {
  std::uint64_t next = 0;
  for (int r = 0; r < ranks; ++r) {
    const mp::RowRange range = shard(r);
    EXPECT_EQ(range.begin, next) << "rows=" << rows << " rank=" << r << "/" << ranks;
    EXPECT_LE(range.begin, range.end);
    next = range.end;
  }
  EXPECT_EQ(next, rows);
}

}  // namespace

TEST(ShardRows, BalancedAndContiguous) {
  for (const std::uint64_t rows : {0ULL, 1ULL, 5ULL, 7ULL, 1000ULL, 1000003ULL}) {
    for (const int ranks : {1, 2, 3, 7, 8}) {
      expect_tiles(rows, ranks, [&](int r) { return mp::shard_rows(rows, r, ranks); });
      for (int r = 0; r < ranks; ++r) {
        const auto size = mp::shard_rows(rows, r, ranks).size();
        const std::uint64_t base = rows / static_cast<std::uint64_t>(ranks);
        const bool extra = static_cast<std::uint64_t>(r) < rows % static_cast<std::uint64_t>(ranks);
        EXPECT_EQ(size, base + (extra ? 1 : 0));
      }
    }
  }
}

TEST(ShardRows, MoreRanksThanRowsGivesEmptyRanges) {
  EXPECT_EQ(mp::shard_rows(5, 4, 7), (mp::RowRange{4, 5}));
  EXPECT_TRUE(mp::shard_rows(5, 5, 7).empty());
  EXPECT_TRUE(mp::shard_rows(5, 6, 7).empty());
  EXPECT_EQ(mp::shard_rows(5, 6, 7).begin, 5U);
}

TEST(ShardRows, RejectsBadRank) {
  EXPECT_THROW((void)mp::shard_rows(10, 3, 3), std::invalid_argument);
  EXPECT_THROW((void)mp::shard_rows(10, -1, 3), std::invalid_argument);
  EXPECT_THROW((void)mp::shard_rows(10, 0, 0), std::invalid_argument);
}

TEST(ShardBlocks, BoundariesAreBlockMultiples) {
  for (const std::uint64_t rows : {0ULL, 1ULL, 5ULL, 64ULL, 65ULL, 1000ULL, 100001ULL}) {
    for (const std::uint64_t block : {1ULL, 16ULL, 64ULL, 4096ULL}) {
      for (const int ranks : {1, 2, 3, 7}) {
        expect_tiles(rows, ranks, [&](int r) { return mp::shard_blocks(rows, block, r, ranks); });
        for (int r = 0; r < ranks; ++r) {
          const auto range = mp::shard_blocks(rows, block, r, ranks);
          EXPECT_TRUE(range.begin % block == 0 || range.begin == rows);
          EXPECT_TRUE(range.end % block == 0 || range.end == rows);
        }
      }
    }
  }
}

TEST(ShardBlocks, NearMaximumRowCountDoesNotOverflow) {
  const std::uint64_t rows = std::numeric_limits<std::uint64_t>::max() - 3;
  const std::uint64_t block = std::uint64_t{1} << 40;
  expect_tiles(rows, 3, [&](int r) { return mp::shard_blocks(rows, block, r, 3); });
}

TEST(ShardBlocks, RejectsZeroBlock) {
  EXPECT_THROW((void)mp::shard_blocks(10, 0, 0, 1), std::invalid_argument);
}

TEST(ShardRows, RanksTogetherCoverAllRows) {
  const int rank = mp::comm_rank(MPI_COMM_WORLD);
  const int size = mp::comm_size(MPI_COMM_WORLD);
  for (const std::uint64_t rows : {5ULL, 1000ULL}) {
    const std::uint64_t mine = mp::shard_rows(rows, rank, size).size();
    EXPECT_EQ(mp::allreduce_sum(mine, MPI_COMM_WORLD), rows);
  }
}
