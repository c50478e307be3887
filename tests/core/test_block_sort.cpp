#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "modenorm/core/block_sort.hpp"

namespace modenorm::core {
namespace {

void expect_sorted_like_std(std::vector<double> values) {
  std::vector<double> expected = values;
  std::sort(expected.begin(), expected.end());
  sort_block_for_fit(values);
  ASSERT_EQ(values.size(), expected.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    // Bitwise: the sort must move values, never alter them.
    EXPECT_EQ(
        std::bit_cast<std::uint64_t>(values[i]) == std::bit_cast<std::uint64_t>(expected[i]) ||
            (values[i] == 0.0 && expected[i] == 0.0),
        true)
        << "at " << i;
  }
  EXPECT_TRUE(std::is_sorted(values.begin(), values.end()));
}

TEST(BlockSort, MatchesStdSortOnMixedSignsAndMagnitudes) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> v(65536);
  for (auto& x : v) x = normal(rng) * std::pow(10.0, normal(rng) * 3.0);
  v[5] = 0.0;
  v[6] = -0.0;
  v[7] = std::numeric_limits<double>::max();
  v[8] = -std::numeric_limits<double>::max();
  v[9] = std::numeric_limits<double>::denorm_min();
  v[10] = -std::numeric_limits<double>::infinity();
  expect_sorted_like_std(v);
}

TEST(BlockSort, NegativeZeroBeforePositiveZero) {
  std::vector<double> v = {0.0, -0.0, 1.0, -1.0};
  sort_block_for_fit(v);
  EXPECT_TRUE(std::signbit(v[1]));
  EXPECT_FALSE(std::signbit(v[2]));
  EXPECT_EQ(v[0], -1.0);
  EXPECT_EQ(v[3], 1.0);
}

TEST(BlockSort, MoneyLikeValuesWithManyRepeats) {
  std::mt19937_64 rng(8);
  std::lognormal_distribution<double> amount(3.0, 1.5);
  std::vector<double> v(100000);
  for (auto& x : v) x = std::round(amount(rng) * 100.0) / 100.0;
  expect_sorted_like_std(v);
}

TEST(BlockSort, TinyAndConstantInputs) {
  expect_sorted_like_std({});
  expect_sorted_like_std({3.0});
  expect_sorted_like_std(std::vector<double>(1000, 5.0));
  expect_sorted_like_std({2.0, 1.0});
}

}  // namespace
}  // namespace modenorm::core
