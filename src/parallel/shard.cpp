#include "modenorm/parallel/shard.hpp"

#include <stdexcept>
#include <string>

namespace modenorm::parallel {
namespace {

void check_rank(int rank, int ranks) {
  if (ranks <= 0 || rank < 0 || rank >= ranks) {
    throw std::invalid_argument("shard: rank " + std::to_string(rank) + " is outside [0, " +
                                std::to_string(ranks) + ")");
  }
}

}  // namespace

RowRange shard_rows(std::uint64_t rows, int rank, int ranks) {
  check_rank(rank, ranks);
  const auto n = static_cast<std::uint64_t>(ranks);
  const auto r = static_cast<std::uint64_t>(rank);
  const std::uint64_t base = rows / n;
  const std::uint64_t extra = rows % n;
  // Ranks below `extra` own base + 1 rows, the rest own base.
  const std::uint64_t begin = r * base + (r < extra ? r : extra);
  const std::uint64_t size = base + (r < extra ? 1 : 0);
  return {begin, begin + size};
}

std::uint64_t block_count(std::uint64_t rows, std::uint64_t block_rows) {
  if (block_rows == 0) throw std::invalid_argument("shard: block_rows must be positive");
  return rows / block_rows + (rows % block_rows != 0 ? 1 : 0);
}

RowRange shard_blocks(std::uint64_t rows, std::uint64_t block_rows, int rank, int ranks) {
  const std::uint64_t nblocks = block_count(rows, block_rows);
  const RowRange blocks = shard_rows(nblocks, rank, ranks);
  // Only the last block can be short; mapping it to `rows` also avoids overflow of
  // nblocks * block_rows when rows is close to 2^64.
  auto to_row = [&](std::uint64_t block) { return block == nblocks ? rows : block * block_rows; };
  return {to_row(blocks.begin), to_row(blocks.end)};
}

}  // namespace modenorm::parallel
