#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>

#include "modenorm/core/fast_math.hpp"

namespace modenorm::core {
namespace {

// Distance in units in the last place between two finite doubles of the same sign.
double ulps(double a, double b) {
  const auto ia = std::bit_cast<std::int64_t>(a);
  const auto ib = std::bit_cast<std::int64_t>(b);
  return std::abs(static_cast<double>(ia - ib));
}

// The yardstick is exp in long double rounded to double (itself up to 0.5 ulp off).
TEST(FastExp, WithinTwoUlpsOfLongDoubleOnTheNormalRange) {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> dist(fast_math::kExpFlushBelow, 709.7);
  double worst = 0.0;
  for (int i = 0; i < 2'000'000; ++i) {
    const double z = dist(rng);
    const auto exact = static_cast<double>(std::exp(static_cast<long double>(z)));
    worst = std::max(worst, ulps(fast_math::exp(z), exact));
  }
  // Small arguments, where the polynomial does all the work.
  for (double z = -1.0; z <= 1.0; z += 1.0 / 4096) {
    const auto exact = static_cast<double>(std::exp(static_cast<long double>(z)));
    worst = std::max(worst, ulps(fast_math::exp(z), exact));
  }
  EXPECT_LE(worst, 2.0);
}

TEST(FastExp, NonPositiveVariantWithinTwoUlpsAndFlushes) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> dist(fast_math::kExpFlushBelow, 0.0);
  double worst = 0.0;
  for (int i = 0; i < 2'000'000; ++i) {
    const double z = dist(rng);
    const auto exact = static_cast<double>(std::exp(static_cast<long double>(z)));
    worst = std::max(worst, ulps(fast_math::exp_nonpositive(z), exact));
  }
  for (double z = -2.0; z <= 0.0; z += 1.0 / 8192) {
    const auto exact = static_cast<double>(std::exp(static_cast<long double>(z)));
    worst = std::max(worst, ulps(fast_math::exp_nonpositive(z), exact));
  }
  EXPECT_LE(worst, 2.0);
  EXPECT_EQ(fast_math::exp_nonpositive(0.0), 1.0);
  EXPECT_EQ(fast_math::exp_nonpositive(-0.0), 1.0);
  EXPECT_GT(fast_math::exp_nonpositive(fast_math::kExpFlushBelow), 0.0);
  EXPECT_EQ(fast_math::exp_nonpositive(std::nextafter(fast_math::kExpFlushBelow, -1e9)), 0.0);
  EXPECT_EQ(fast_math::exp_nonpositive(-1e300), 0.0);
  EXPECT_EQ(fast_math::exp_nonpositive(-std::numeric_limits<double>::infinity()), 0.0);
}

TEST(FastExp, FloatVariantWithinAFewFloatUlps) {
  double worst = 0.0;
  for (float z = fast_math::kExpFlushBelowFloat; z <= 0.0F; z += 1.0F / 512) {
    const double exact = std::exp(static_cast<double>(z));
    worst = std::max(worst, std::abs(fast_math::exp_nonpositive_float(z) - exact) / exact);
  }
  EXPECT_LT(worst, 2.5e-7);  // 2 float ulps
  EXPECT_EQ(fast_math::exp_nonpositive_float(0.0F), 1.0F);
  EXPECT_EQ(fast_math::exp_nonpositive_float(-87.5F), 0.0F);
  EXPECT_EQ(fast_math::exp_nonpositive_float(-std::numeric_limits<float>::infinity()), 0.0F);
}

TEST(FastExp, SpecialValues) {
  EXPECT_EQ(fast_math::exp(0.0), 1.0);
  EXPECT_EQ(fast_math::exp(-708.5), 0.0);  // flushed (std::exp is 3e-308 here)
  EXPECT_EQ(fast_math::exp(-1e300), 0.0);
  EXPECT_EQ(fast_math::exp(-std::numeric_limits<double>::infinity()), 0.0);
  EXPECT_EQ(fast_math::exp(710.0), std::numeric_limits<double>::infinity());
  EXPECT_EQ(fast_math::exp(std::numeric_limits<double>::infinity()),
            std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(fast_math::exp(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_GT(fast_math::exp(-707.9), 0.0);
  EXPECT_NEAR(fast_math::exp(709.7), std::exp(709.7), 1e-15 * std::exp(709.7));
}

TEST(FastLog, WithinOneUlpOfLongDouble) {
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> exponent(-1000.0, 1000.0);
  double worst = 0.0;
  for (int i = 0; i < 1'000'000; ++i) {
    const double x = std::pow(2.0, exponent(rng));
    const auto exact = static_cast<double>(std::log(static_cast<long double>(x)));
    worst = std::max(worst, ulps(fast_math::log(x), exact));
  }
  for (double x = 1.0; x <= 64.0; x += 1.0 / 1024) {  // the kernel's range, s in [1, K]
    const auto exact = static_cast<double>(std::log(static_cast<long double>(x)));
    worst = std::max(worst, ulps(fast_math::log(x), exact));
  }
  EXPECT_LE(worst, 1.0);
  EXPECT_EQ(fast_math::log(1.0), 0.0);
}

}  // namespace
}  // namespace modenorm::core
