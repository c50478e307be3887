#include "modenorm/core/block_sort.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <vector>

namespace modenorm::core {
namespace {

constexpr int kDigitBits = 8;
constexpr int kPasses = 64 / kDigitBits;
constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;

// Maps a double's bits to an unsigned key with the same order: negative values have all bits
// flipped (larger magnitude = smaller), non-negative ones get the sign bit set.
std::uint64_t to_key(double v) {
  const auto bits = std::bit_cast<std::uint64_t>(v);
  const std::uint64_t mask = (bits >> 63) != 0 ? ~std::uint64_t{0} : std::uint64_t{1} << 63;
  return bits ^ mask;
}

double from_key(std::uint64_t key) {
  const std::uint64_t mask = (key >> 63) != 0 ? std::uint64_t{1} << 63 : ~std::uint64_t{0};
  return std::bit_cast<double>(key ^ mask);
}

std::size_t digit(std::uint64_t key, int pass) {
  return static_cast<std::size_t>((key >> (pass * kDigitBits)) & (kBuckets - 1));
}

}  // namespace

void sort_block_for_fit(std::span<double> values) {
  const std::size_t n = values.size();
  if (n < 2) return;
  std::vector<std::uint64_t> keys(n);
  std::vector<std::uint64_t> other(n);
  // One read pass builds every pass's histogram.
  std::array<std::array<std::size_t, kBuckets>, kPasses> counts{};
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t key = to_key(values[i]);
    keys[i] = key;
    for (int p = 0; p < kPasses; ++p) ++counts[static_cast<std::size_t>(p)][digit(key, p)];
  }
  for (int p = 0; p < kPasses; ++p) {
    auto& count = counts[static_cast<std::size_t>(p)];
    // A digit shared by every key leaves the order unchanged: skip the pass.
    if (count[digit(keys[0], p)] == n) continue;
    std::size_t offset = 0;
    for (auto& c : count) {
      const std::size_t here = c;
      c = offset;
      offset += here;
    }
    for (std::size_t i = 0; i < n; ++i) other[count[digit(keys[i], p)]++] = keys[i];
    keys.swap(other);
  }
  for (std::size_t i = 0; i < n; ++i) values[i] = from_key(keys[i]);
}

}  // namespace modenorm::core
