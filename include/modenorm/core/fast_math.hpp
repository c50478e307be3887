// Branch-free double-precision exp and log that GCC vectorises inside `#pragma omp simd` loops.
//
// libm's exp has slow special-case paths for arguments near the underflow range, which the
// E-step hits for every dead component (PERFORMANCE_NOTES, trap 1). These versions use only
// arithmetic, bit operations and selects, so every lane takes the same path.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace modenorm::core::fast_math {

// exp(z) is returned as exactly 0 below this (std::exp would return a value < 2.2e-308,
// normal down to -708.39, subnormal below). The E-step's component skipping relies on it.
inline constexpr double kExpFlushBelow = -708.0;
// Above this exp(z) overflows to +inf.
inline constexpr double kExpOverflowAbove = 709.782712893384;

// exp(z), error <= 2 ulp (checked by the unit tests), 0 for z < kExpFlushBelow.
// Cody-Waite: z = n ln2 + r with |r| <= ln2/2, exp(r) by a degree-11 minimax polynomial
// (error 3.2e-18 on the interval), then scaled by 2^n built in the exponent bits.
[[gnu::always_inline]] inline double exp(double z) {
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kLn2Hi = 0x1.62e42fefa39efp-1;
  constexpr double kLn2Lo = 0x1.abc9e3b39803fp-56;
  constexpr double kShifter = 0x1.8p52;  // adding it rounds to an integer kept in the low bits
  const double zc = z < kExpFlushBelow ? kExpFlushBelow : (z > 709.79 ? 709.79 : z);
  const double t = zc * kLog2e + kShifter;
  const double n = t - kShifter;
  double r = std::fma(-n, kLn2Hi, zc);
  r = std::fma(-n, kLn2Lo, r);
  double p = 0x1.af64226efc778p-26;
  p = std::fma(p, r, 0x1.28b4d9fb226a0p-22);
  p = std::fma(p, r, 0x1.71ddf4e706bc4p-19);
  p = std::fma(p, r, 0x1.a01990c65f90cp-16);
  p = std::fma(p, r, 0x1.a01a01b1787c9p-13);
  p = std::fma(p, r, 0x1.6c16c188520d2p-10);
  p = std::fma(p, r, 0x1.111111110f1a5p-7);
  p = std::fma(p, r, 0x1.555555554ef30p-5);
  p = std::fma(p, r, 0x1.555555555555bp-3);
  p = std::fma(p, r, 0x1.0000000000011p-1);
  p = std::fma(p, r, 1.0);
  p = std::fma(p, r, 1.0);
  // n lies in [-1021, 1024]; 2^(n-1) is a normal number, and the final doubling is exact
  // (or overflows to inf exactly when exp(z) does).
  const auto n_bits = std::bit_cast<std::int64_t>(t) - std::bit_cast<std::int64_t>(kShifter);
  const double half_scale = std::bit_cast<double>(static_cast<std::uint64_t>(n_bits + 1022) << 52);
  const double value = (p * half_scale) * 2.0;
  // Selects, not branches, so that the function if-converts inside vectorised loops.
  return z < kExpFlushBelow
             ? 0.0
             : (z > kExpOverflowAbove ? std::numeric_limits<double>::infinity() : value);
}

// exp(z) for z <= 0 only (the E-step's z = w - max w), <= 2 ulp, exactly 0 below
// kExpFlushBelow. The same reduction and polynomial as exp() with the range handling cut to
// what z <= 0 needs: one select; 2^n is built from the shifter's bits directly.
// NaN or positive z give unspecified results.
[[gnu::always_inline]] inline double exp_nonpositive(double z) {
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kLn2Hi = 0x1.62e42fefa39efp-1;
  constexpr double kLn2Lo = 0x1.abc9e3b39803fp-56;
  constexpr double kShifter = 0x1.8p52;
  // No clamp: below kExpFlushBelow the bits built below are garbage (even NaN for -inf), but
  // the final select discards them.
  // One rounding: t - kShifter is the integer nearest to z log2(e).
  const double t = std::fma(z, kLog2e, kShifter);
  const double n = t - kShifter;
  double r = std::fma(-n, kLn2Hi, z);
  r = std::fma(-n, kLn2Lo, r);
  double p = 0x1.af64226efc778p-26;
  p = std::fma(p, r, 0x1.28b4d9fb226a0p-22);
  p = std::fma(p, r, 0x1.71ddf4e706bc4p-19);
  p = std::fma(p, r, 0x1.a01990c65f90cp-16);
  p = std::fma(p, r, 0x1.a01a01b1787c9p-13);
  p = std::fma(p, r, 0x1.6c16c188520d2p-10);
  p = std::fma(p, r, 0x1.111111110f1a5p-7);
  p = std::fma(p, r, 0x1.555555554ef30p-5);
  p = std::fma(p, r, 0x1.555555555555bp-3);
  p = std::fma(p, r, 0x1.0000000000011p-1);
  p = std::fma(p, r, 1.0);
  p = std::fma(p, r, 1.0);
  // The low 12 bits of t's pattern hold n (mod 2^12); shifted into the exponent field and
  // biased they give 2^n for n in [-1021, 0].
  const double scale =
      std::bit_cast<double>((std::bit_cast<std::uint64_t>(t) << 52) + (std::uint64_t{1023} << 52));
  return z >= kExpFlushBelow ? p * scale : 0.0;
}

// Single-precision exp for z <= 0 (the mixed-precision E-step): ~1 float ulp (~1e-7
// relative), exactly 0 below kExpFlushBelowFloat (where a float would be subnormal). Same
// scheme as exp_nonpositive with a degree-6 minimax polynomial (error 2e-9 on |r| <= ln2/2).
inline constexpr float kExpFlushBelowFloat = -87.0F;

[[gnu::always_inline]] inline float exp_nonpositive_float(float z) {
  constexpr float kLog2e = 1.44269504F;
  constexpr float kLn2Hi = 0x1.62e4p-1F;
  constexpr float kLn2Lo = 0x1.7f7d1cp-20F;
  constexpr float kShifter = 0x1.8p23F;
  const float t = std::fma(z, kLog2e, kShifter);
  const float n = t - kShifter;
  float r = std::fma(-n, kLn2Hi, z);
  r = std::fma(-n, kLn2Lo, r);
  float p = 0x1.6d769ap-10F;
  p = std::fma(p, r, 0x1.127110p-7F);
  p = std::fma(p, r, 0x1.5554acp-5F);
  p = std::fma(p, r, 0x1.555402p-3F);
  p = std::fma(p, r, 0x1.0p-1F);
  p = std::fma(p, r, 1.0F);
  p = std::fma(p, r, 1.0F);
  const float scale =
      std::bit_cast<float>((std::bit_cast<std::uint32_t>(t) << 23) + (std::uint32_t{127} << 23));
  return z >= kExpFlushBelowFloat ? p * scale : 0.0F;
}

// ln(x) for positive normal x, error <= 1 ulp (fdlibm's e_log.c reduction and polynomial).
// x = 2^k (1 + f) with sqrt(1/2) <= 1 + f < sqrt(2); ln(1 + f) = 2 atanh(f / (2 + f)).
// Zero, negative, subnormal, inf and NaN are not handled: the E-step only passes values >= 1.
[[gnu::always_inline]] inline double log(double x) {
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kLg1 = 6.666666666666735130e-01;
  constexpr double kLg2 = 3.999999999940941908e-01;
  constexpr double kLg3 = 2.857142874366239149e-01;
  constexpr double kLg4 = 2.222219843214978396e-01;
  constexpr double kLg5 = 1.818357216161805012e-01;
  constexpr double kLg6 = 1.531383769920937332e-01;
  constexpr double kLg7 = 1.479819860511658591e-01;
  constexpr std::uint64_t kSqrtHalfBits = 0x3fe6a09e667f3bcdULL;
  // Re-centre so that the mantissa lands in [sqrt(1/2), sqrt(2)) and k is the matching exponent.
  const std::uint64_t ix = std::bit_cast<std::uint64_t>(x) - kSqrtHalfBits;
  const auto k = static_cast<double>(std::bit_cast<std::int64_t>(ix) >> 52);
  const double m = std::bit_cast<double>((ix & 0x000fffffffffffffULL) + kSqrtHalfBits);
  const double f = m - 1.0;
  const double hfsq = 0.5 * f * f;
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * (kLg2 + w * (kLg4 + w * kLg6));
  const double t2 = z * (kLg1 + w * (kLg3 + w * (kLg5 + w * kLg7)));
  const double poly = t2 + t1;
  return k * kLn2Hi - ((hfsq - (s * (hfsq + poly) + k * kLn2Lo)) - f);
}

}  // namespace modenorm::core::fast_math
