#include "modenorm/parallel/ordered_block_sum.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "modenorm/parallel/communicator.hpp"
#include "modenorm/parallel/shard.hpp"

namespace mp = modenorm::parallel;

namespace {

constexpr std::size_t kWidth = 3;

// Deterministic values spanning ~30 orders of magnitude with mixed signs, so that any change in
// the order of additions changes the rounded result.
double value_at(std::uint64_t block, std::size_t column) {
  std::uint64_t h = (block + 1) * 0x9E3779B97F4A7C15ULL + column * 0xBF58476D1CE4E5B9ULL;
  h ^= h >> 31;
  h *= 0x94D049BB133111EBULL;
  h ^= h >> 29;
  const double mantissa = static_cast<double>(h % 1000003) / 1000003.0 + 0.1;
  const int exponent = static_cast<int>((h >> 20) % 31) - 15;
  const double sign = ((h >> 40) & 1) != 0 ? -1.0 : 1.0;
  return sign * mantissa * std::pow(10.0, exponent);
}

std::vector<double> all_blocks(std::uint64_t nblocks) {
  std::vector<double> values;
  for (std::uint64_t b = 0; b < nblocks; ++b) {
    for (std::size_t c = 0; c < kWidth; ++c) values.push_back(value_at(b, c));
  }
  return values;
}

// Independent serial reference: the same fixed tree, written recursively over strides.
double tree_sum(const std::vector<double>& values, std::uint64_t first, std::uint64_t step,
                std::uint64_t nblocks, std::size_t column) {
  if (step == 1) return values[first * kWidth + column];
  const std::uint64_t half = step / 2;
  double left = tree_sum(values, first, half, nblocks, column);
  if (first + half < nblocks) left += tree_sum(values, first + half, half, nblocks, column);
  return left;
}

double reference(const std::vector<double>& values, std::uint64_t nblocks, std::size_t column) {
  std::uint64_t top = 1;
  while (top < nblocks) top *= 2;
  return tree_sum(values, 0, top, nblocks, column);
}

}  // namespace

TEST(PairwiseBlockSum, MatchesRecursiveReference) {
  for (const std::uint64_t nblocks : {1ULL, 2ULL, 3ULL, 7ULL, 64ULL, 1000ULL}) {
    const auto values = all_blocks(nblocks);
    const auto sum = mp::pairwise_block_sum(values, nblocks, kWidth);
    for (std::size_t c = 0; c < kWidth; ++c) {
      EXPECT_EQ(std::bit_cast<std::uint64_t>(sum[c]),
                std::bit_cast<std::uint64_t>(reference(values, nblocks, c)))
          << "nblocks=" << nblocks << " column=" << c;
    }
  }
}

TEST(PairwiseBlockSum, DataReallyIsOrderSensitive) {
  // Guard for the test data: a left-to-right sum must differ from the tree sum, otherwise the
  // rank-count test below would prove nothing.
  const std::uint64_t nblocks = 1000;
  const auto values = all_blocks(nblocks);
  const auto tree = mp::pairwise_block_sum(values, nblocks, kWidth);
  int differing = 0;
  for (std::size_t c = 0; c < kWidth; ++c) {
    double serial = 0.0;
    for (std::uint64_t b = 0; b < nblocks; ++b) serial += values[b * kWidth + c];
    differing += serial != tree[c] ? 1 : 0;
  }
  EXPECT_GT(differing, 0);
}

TEST(OrderedBlockSum, BitwiseIdenticalToSerialAtAnyRankCount) {
  const int rank = mp::comm_rank(MPI_COMM_WORLD);
  const int size = mp::comm_size(MPI_COMM_WORLD);
  for (const std::uint64_t nblocks : {1ULL, 5ULL, 1000ULL}) {
    const auto values = all_blocks(nblocks);
    // This rank's blocks as shard_blocks would assign them (block_rows = 1 row per block).
    const mp::RowRange mine = mp::shard_blocks(nblocks, 1, rank, size);
    const std::vector<double> local(
        values.begin() + static_cast<std::ptrdiff_t>(mine.begin * kWidth),
        values.begin() + static_cast<std::ptrdiff_t>(mine.end * kWidth));
    const auto sum = mp::ordered_block_sum(local, mine.begin, nblocks, kWidth, MPI_COMM_WORLD);
    ASSERT_EQ(sum.size(), kWidth);
    for (std::size_t c = 0; c < kWidth; ++c) {
      EXPECT_EQ(std::bit_cast<std::uint64_t>(sum[c]),
                std::bit_cast<std::uint64_t>(reference(values, nblocks, c)))
          << "nblocks=" << nblocks << " column=" << c;
    }
    // Same bits on every rank.
    for (std::size_t c = 0; c < kWidth; ++c) {
      EXPECT_EQ(mp::allreduce_max(sum[c], MPI_COMM_WORLD),
                mp::allreduce_min(sum[c], MPI_COMM_WORLD));
    }
  }
}

TEST(OrderedBlockSum, InterleavedOwnershipGivesTheSameBits) {
  // Ownership need not be contiguous: round-robin blocks over ranks.
  const int rank = mp::comm_rank(MPI_COMM_WORLD);
  const auto size = static_cast<std::uint64_t>(mp::comm_size(MPI_COMM_WORLD));
  const std::uint64_t nblocks = 333;
  const auto values = all_blocks(nblocks);
  mp::BlockPartials partials(nblocks, kWidth);
  for (std::uint64_t b = static_cast<std::uint64_t>(rank); b < nblocks; b += size) {
    auto block = partials.block(b);
    for (std::size_t c = 0; c < kWidth; ++c) block[c] = values[b * kWidth + c];
  }
  const auto sum = partials.reduce(MPI_COMM_WORLD);
  for (std::size_t c = 0; c < kWidth; ++c) {
    EXPECT_EQ(std::bit_cast<std::uint64_t>(sum[c]),
              std::bit_cast<std::uint64_t>(reference(values, nblocks, c)));
  }
}

TEST(OrderedBlockSum, UnclaimedOrDoublyClaimedBlockThrowsEverywhere) {
  const std::uint64_t nblocks = 4;
  {
    mp::BlockPartials partials(nblocks, kWidth);  // nobody claims block 3
    if (mp::comm_rank(MPI_COMM_WORLD) == 0) {
      for (std::uint64_t b = 0; b < 3; ++b) (void)partials.block(b);
    }
    EXPECT_THROW((void)partials.reduce(MPI_COMM_WORLD), std::logic_error);
  }
  if (mp::comm_size(MPI_COMM_WORLD) > 1) {
    mp::BlockPartials partials(nblocks, kWidth);  // every rank claims every block
    for (std::uint64_t b = 0; b < nblocks; ++b) (void)partials.block(b);
    EXPECT_THROW((void)partials.reduce(MPI_COMM_WORLD), std::logic_error);
  }
}
