#include <gtest/gtest.h>

#include <random>
#include <span>
#include <vector>

#include "modenorm/core/moments.hpp"

namespace modenorm::core {
namespace {

TEST(DataMoments, HandComputed) {
  const std::vector<double> v = {1.0, 2.0, 4.0, 7.0};
  const DataMoments m = moments_of_block(v);
  EXPECT_EQ(m.count, 4U);
  EXPECT_DOUBLE_EQ(m.mean, 3.5);
  EXPECT_DOUBLE_EQ(m.m2, 6.25 + 2.25 + 0.25 + 12.25);
  EXPECT_DOUBLE_EQ(m.sample_variance(), 21.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.population_variance(), 21.0 / 4.0);
  EXPECT_EQ(m.min, 1.0);
  EXPECT_EQ(m.max, 7.0);
  EXPECT_EQ(m.sum, 14.0);
}

TEST(DataMoments, CombinedBlocksEqualWholeAndSurviveLargeOffsets) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise(0.0, 0.1);
  std::vector<double> v(100003);
  for (auto& x : v) x = 1e6 + noise(rng);
  const DataMoments whole = moments_of_block(v);
  DataMoments combined;
  for (std::size_t b = 0; b < v.size(); b += 4096) {
    combined = combine(combined, moments_of_block(std::span(v).subspan(
                                     b, std::min<std::size_t>(4096, v.size() - b))));
  }
  EXPECT_EQ(combined.count, whole.count);
  EXPECT_NEAR(combined.mean, whole.mean, 1e-15 * 1e6);
  // Block means near 1e6 carry ulp(1e6) ~ 1e-10 each; Chan's delta^2 term turns that into
  // ~1e-11 relative of a variance of 0.01 (the raw-moment form would lose everything).
  EXPECT_NEAR(combined.m2 / whole.m2, 1.0, 1e-9);
  EXPECT_NEAR(whole.sample_variance(), 0.01, 2e-4);  // the naive raw-moment form loses it all
  EXPECT_EQ(combined.min, whole.min);
  EXPECT_EQ(combined.max, whole.max);
}

TEST(DataMoments, EmptyBlocksAreNeutral) {
  const std::vector<double> v = {2.0, 3.0};
  const DataMoments m = moments_of_block(v);
  const DataMoments c = combine(combine(DataMoments{}, m), DataMoments{});
  EXPECT_EQ(c.count, m.count);
  EXPECT_EQ(c.mean, m.mean);
  EXPECT_EQ(c.m2, m.m2);
}

TEST(Priors, FromMoments) {
  const std::vector<double> v = {1.0, 2.0, 4.0, 7.0};
  const Priors p = priors_from_moments(moments_of_block(v), FitSettings{});
  EXPECT_EQ(p.alpha0, 0.001);
  EXPECT_EQ(p.beta0, 1.0);
  EXPECT_EQ(p.m0, 3.5);
  EXPECT_EQ(p.nu0, 1.0);
  EXPECT_DOUBLE_EQ(p.psi0, 7.0);
  // All values equal: psi0 = 0 (VGM_SPEC §9).
  EXPECT_EQ(priors_from_moments(moments_of_block(std::vector<double>(50, 5.0)), FitSettings{}).psi0,
            0.0);
}

}  // namespace
}  // namespace modenorm::core
