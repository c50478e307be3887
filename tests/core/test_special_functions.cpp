#include <gtest/gtest.h>

#include <cmath>

#include "modenorm/core/special_functions.hpp"

namespace modenorm::core {
namespace {

struct Known {
  double x;
  double value;
};

// Values from mpmath at 40 digits.
constexpr Known kDigamma[] = {
    {1e-4, -10000.577051183514335}, {0.001, -1000.5755719318103005}, {0.5, -1.9635100260214234794},
    {1, -0.57721566490153286061},   {1.5, 0.036489973978576520559},  {2, 0.42278433509846713939},
    {3.7, 1.1671535393615113859},   {10, 2.2517525890667211076},     {12.5, 2.4851956512749120482},
    {100, 4.6001618527380874002},   {1e5, 11.512920464961895087},    {1e9, 20.723265836446411156},
    {1e10, 23.02585092989045684},
};

TEST(Digamma, KnownValuesToOneEminus15Relative) {
  for (const auto& [x, value] : kDigamma) {
    EXPECT_NEAR(digamma(x), value, 1.5e-15 * std::abs(value)) << "x = " << x;
  }
}

TEST(Digamma, RelativeAccuracyAtItsRoot) {
  // The two doubles around the root x0 (values from mpmath for these exact doubles); the
  // recurrence alone would be wrong by ~100 % here.
  EXPECT_NEAR(digamma(0x1.762d86356be3fp+0), -9.2412655217294275168e-17, 1e-15 * 9.3e-17);
  EXPECT_NEAR(digamma(0x1.762d86356be40p+0), 1.2245374622004069031e-16, 1e-15 * 1.3e-16);
}

// psi in long double (64-bit mantissa): recurrence up to 30, then the asymptotic series.
long double digamma_long(long double x) {
  long double correction = 0.0L;
  while (x < 30.0L) {
    correction += 1.0L / x;
    x += 1.0L;
  }
  const long double inv2 = 1.0L / (x * x);
  const long double series =
      inv2 *
      (1.0L / 12 - inv2 * (1.0L / 120 - inv2 * (1.0L / 252 - inv2 * (1.0L / 240 - inv2 / 132))));
  return std::log(x) - 0.5L / x - series - correction;
}

TEST(Digamma, MatchesLongDoubleOnALogGrid) {
  double worst = 0.0;
  for (double x = 1e-4; x < 1e10; x *= 1.0173) {
    const long double exact = digamma_long(static_cast<long double>(x));
    const double rel =
        static_cast<double>(std::abs((static_cast<long double>(digamma(x)) - exact) / exact));
    worst = std::max(worst, rel);
  }
  EXPECT_LT(worst, 1.5e-15);
}

TEST(Digamma, NonPositiveIsNaN) {
  EXPECT_TRUE(std::isnan(digamma(0.0)));
  EXPECT_TRUE(std::isnan(digamma(-1.5)));
}

TEST(LogGamma, KnownValues) {
  constexpr Known kLogGamma[] = {
      {0.001, 6.9071788853838536825}, {0.5, 0.57236494292470008707}, {1, 0.0},
      {2.5, 0.28468287047291915963},  {10, 12.801827480081469611},   {1e3, 5905.2204232091812118},
      {1e9, 19723265827.503716771},
  };
  for (const auto& [x, value] : kLogGamma) {
    EXPECT_NEAR(log_gamma(x), value, 2e-15 * std::abs(value) + 1e-300) << "x = " << x;
  }
}

TEST(LogBeta, KnownValuesIncludingLargeFirstArgument) {
  struct Case {
    double a, b, value;
  };
  constexpr Case kCases[] = {
      {1, 0.001, 6.9077552789821370521},   {3.5, 2.25, -3.0408707193828155248},
      {1e9, 0.5, -9.789267975423505491},   {1e9, 1e3, -14818.045913237063528},
      {2e5, 1e5, -190958.88527911684967},  {17, 0.001, 6.9043753417623711235},
      {0.001, 5e8, 6.8871487667284662167}, {1.0000000000000022, 0.001, 6.9077552789821370484},
  };
  for (const auto& [a, b, value] : kCases) {
    // 2e-15 relative: the naive lnG(a) + lnG(b) - lnG(a + b) is off by ~1e-6 at a = 1e9.
    EXPECT_NEAR(log_beta(a, b), value, 2e-15 * std::abs(value)) << a << ", " << b;
  }
}

TEST(LogBeta, Symmetric) {
  EXPECT_EQ(log_beta(1e7, 3.25), log_beta(3.25, 1e7));
  EXPECT_EQ(log_beta(2.5, 0.75), log_beta(0.75, 2.5));
}

}  // namespace
}  // namespace modenorm::core
