// Which global rows a rank owns: contiguous, balanced ranges.
#pragma once

#include <cstdint>

namespace modenorm::parallel {

// Half-open range of global row indices [begin, end).
struct RowRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;

  [[nodiscard]] constexpr std::uint64_t size() const noexcept { return end - begin; }
  [[nodiscard]] constexpr bool empty() const noexcept { return end == begin; }
  friend constexpr bool operator==(const RowRange&, const RowRange&) = default;
};

// Splits `rows` into `ranks` contiguous ranges in rank order; the first rows % ranks ranks get
// one extra row. Ranks beyond `rows` get empty ranges (positioned at `rows`).
// Throws std::invalid_argument unless 0 <= rank < ranks.
[[nodiscard]] RowRange shard_rows(std::uint64_t rows, int rank, int ranks);

// Number of fixed-size global blocks covering `rows` (the last one may be short).
[[nodiscard]] std::uint64_t block_count(std::uint64_t rows, std::uint64_t block_rows);

// Like shard_rows, but every boundary is a multiple of `block_rows` (or `rows`): blocks are
// balanced over ranks, so each global block is owned by exactly one rank. This lets the fit
// reduce per-block partial sums in a fixed global order, identical at any rank count.
// Throws std::invalid_argument if block_rows == 0 or the rank is out of range.
[[nodiscard]] RowRange shard_blocks(std::uint64_t rows, std::uint64_t block_rows, int rank,
                                    int ranks);

}  // namespace modenorm::parallel
