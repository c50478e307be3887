#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "modenorm/core/hard_assignment.hpp"
#include "modenorm/core/kmeans.hpp"

namespace modenorm::core {
namespace {

std::vector<double> three_modes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double centre = i % 3 == 0 ? -50.0 : (i % 3 == 1 ? 0.0 : 80.0);
    x[i] = centre + noise(rng);
  }
  return x;
}

TEST(KMeansPlusPlus, DeterministicPerSeedAndPicksSampleValues) {
  const std::vector<double> x = three_modes(3000, 1);
  const auto a = kmeans_plus_plus(x, 10, 42);
  const auto b = kmeans_plus_plus(x, 10, 42);
  const auto c = kmeans_plus_plus(x, 10, 43);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  ASSERT_EQ(a.size(), 10U);
  for (const double centre : a) EXPECT_NE(std::find(x.begin(), x.end(), centre), x.end());
}

TEST(KMeansPlusPlus, SeedsOneCentrePerSeparatedMode) {
  const std::vector<double> x = three_modes(3000, 2);
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    auto centres = kmeans_plus_plus(x, 3, seed);
    std::sort(centres.begin(), centres.end());
    EXPECT_NEAR(centres[0], -50.0, 6.0) << seed;
    EXPECT_NEAR(centres[1], 0.0, 6.0) << seed;
    EXPECT_NEAR(centres[2], 80.0, 6.0) << seed;
  }
}

TEST(Lloyd, PartialSumsMergeIndependentlyOfBlocking) {
  const std::vector<double> x = three_modes(10007, 3);
  const std::vector<double> centres = {-40.0, 5.0, 70.0, 200.0};
  const LloydPartial whole = lloyd_partial_sums(x, centres);
  LloydPartial forward, backward;
  const std::span<const double> all(x);
  std::vector<std::span<const double>> blocks;
  for (std::size_t b = 0; b < x.size(); b += 1000) {
    blocks.push_back(all.subspan(b, std::min<std::size_t>(1000, x.size() - b)));
  }
  for (const auto& block : blocks) merge_into(forward, lloyd_partial_sums(block, centres));
  for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) {
    merge_into(backward, lloyd_partial_sums(*it, centres));
  }
  EXPECT_EQ(forward.count, whole.count);
  EXPECT_EQ(backward.count, whole.count);
  EXPECT_EQ(whole.count[3], 0.0);
  for (std::size_t c = 0; c < 3; ++c) EXPECT_NEAR(forward.sum[c], whole.sum[c], 1e-9);
  ASSERT_EQ(forward.farthest.size(), 4U);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(forward.farthest[i].value, backward.farthest[i].value);
    EXPECT_EQ(forward.farthest[i].value, whole.farthest[i].value);
  }
}

TEST(Lloyd, UpdateMovesToMeansAndRelocatesEmptyClusters) {
  const std::vector<double> x = {0.0, 1.0, 2.0, 10.0, 11.0, 30.0};
  const std::vector<double> centres = {1.0, 12.0, 100.0};
  const LloydUpdate u = lloyd_update(centres, lloyd_partial_sums(x, centres));
  // Cluster 2 is empty: it takes the row farthest from its centre, 30 (18 from 12).
  EXPECT_EQ(u.relocated, 1);
  EXPECT_EQ(u.centres[2], 30.0);
  EXPECT_DOUBLE_EQ(u.centres[0], 1.0);
  EXPECT_DOUBLE_EQ(u.centres[1], 10.5);  // 30 left cluster 1
}

TEST(KMeansSerial, RecoversSeparatedModes) {
  const std::vector<double> x = three_modes(6000, 4);
  auto result = kmeans_serial(x, 3, 7);
  std::sort(result.centres.begin(), result.centres.end());
  EXPECT_NEAR(result.centres[0], -50.0, 0.1);
  EXPECT_NEAR(result.centres[1], 0.0, 0.1);
  EXPECT_NEAR(result.centres[2], 80.0, 0.1);
  EXPECT_GE(result.iterations, 1);
}

TEST(HardAssignment, NearestMeanTiesToLowerIndexAndShiftedSums) {
  const std::vector<double> means = {0.0, 2.0, 2.0, 10.0};
  EXPECT_EQ(nearest_mean(1.0, means), 0);  // tie between 0 and 2: lower index
  EXPECT_EQ(nearest_mean(2.0, means), 1);  // duplicate means: lower index
  const std::vector<double> x = {-1.0, 1.0, 1.5, 2.5, 9.0, 12.0};
  const SufficientStats s = hard_assignment_stats(x, means);
  EXPECT_EQ(s.R[0], 2.0);
  EXPECT_EQ(s.R[1], 2.0);
  EXPECT_EQ(s.R[2], 0.0);
  EXPECT_EQ(s.R[3], 2.0);
  EXPECT_EQ(s.T1[0], 0.0);  // -1 + 1
  EXPECT_EQ(s.T1[1], 0.0);  // -0.5 + 0.5
  EXPECT_EQ(s.T2[3], 5.0);  // 1 + 4
  EXPECT_EQ(s.T1[3], 1.0);  // -1 + 2
  EXPECT_EQ(s.c[3], 10.0);
  EXPECT_EQ(s.H, 0.0);
  EXPECT_EQ(s.rows, 6U);
}

}  // namespace
}  // namespace modenorm::core
