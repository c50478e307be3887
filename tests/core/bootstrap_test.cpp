// bootstrap_rows: the documented Philox stream, independence of how the rows are split, the
// jitter bounds in floating point, and the statistics of the resample.

#include <gtest/gtest.h>

#include <Random123/philox.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "modenorm/core/bootstrap.hpp"

namespace modenorm::core {
namespace {

std::vector<double> credit_amounts() {
  std::ifstream in(std::string(MODENORM_SOURCE_DIR) + "/data/credit_amount.csv");
  if (!in) throw std::runtime_error("cannot open data/credit_amount.csv");
  std::string line;
  std::getline(in, line);  // header
  std::vector<double> values;
  while (std::getline(in, line)) values.push_back(std::strtod(line.c_str(), nullptr));
  return values;
}

std::vector<double> iota_source(std::size_t n) {
  std::vector<double> source(n);
  std::iota(source.begin(), source.end(), 0.0);
  return source;
}

std::vector<double> generate(std::span<const double> source, std::uint64_t first, std::size_t n,
                             std::uint64_t seed, double jitter) {
  std::vector<double> out(n);
  bootstrap_rows(source, first, out, seed, jitter);
  return out;
}

bool bitwise_equal(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// The stream as bootstrap.hpp documents it, written here from Random123 alone: rows 2p and
// 2p + 1 share counter p, taking words (0, 1) and (2, 3). Returns the source index of `row`,
// how many attempts it took, and the jitter word.
struct Draw {
  std::uint64_t index;
  std::uint32_t attempts;
  std::uint32_t jitter_word;
};
Draw documented_draw(std::uint64_t n, std::uint64_t row, std::uint64_t seed) {
  const r123::Philox4x32 philox;
  const r123::Philox4x32::key_type key{
      {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  const std::uint64_t threshold = (std::uint64_t{1} << 32) % n;
  const std::uint64_t pair = row / 2;
  const std::size_t half = row % 2;
  std::uint32_t jitter_word = 0;
  for (std::uint32_t attempt = 0;; ++attempt) {
    const auto w = philox({{static_cast<std::uint32_t>(pair),
                            static_cast<std::uint32_t>(pair >> 32), attempt, kBootstrapStream}},
                          key);
    if (attempt == 0) jitter_word = w[2 * half + 1];
    const std::uint64_t m = std::uint64_t{w[2 * half]} * n;
    if ((m & 0xffffffffU) >= threshold) return {m >> 32, attempt + 1, jitter_word};
  }
}

// The documented value of a jittered row: fma(w * 2^-32, J, v), below fl(v + J).
double documented_value(std::span<const double> source, std::uint64_t row, std::uint64_t seed,
                        double jitter) {
  const Draw draw = documented_draw(source.size(), row, seed);
  const double v = source[draw.index];
  const double value = std::fma(std::ldexp(double(draw.jitter_word), -32), jitter, v);
  const double top = v + jitter;
  return (value < top || value == v) ? value : std::nextafter(top, -HUGE_VAL);
}

TEST(Bootstrap, FollowsTheDocumentedStreamIncludingRejectedDraws) {
  const auto source = credit_amounts();
  const std::uint64_t n = source.size();
  // (2^32 mod 49842) / 2^32 = 7.5e-6 of first draws are rejected: find some and check them.
  std::vector<std::uint64_t> rejected_rows;
  for (std::uint64_t row = 0; row < 3'000'000 && rejected_rows.size() < 8; ++row) {
    if (documented_draw(n, row, 42).attempts > 1) rejected_rows.push_back(row);
  }
  ASSERT_GE(rejected_rows.size(), 3U) << "expected ~22 rejected first draws in 3M rows";
  for (const std::uint64_t row : rejected_rows) {
    // A span around the row, starting at an odd place, so it sits mid-chunk.
    const std::uint64_t first = row - std::min<std::uint64_t>(row, 37);
    const auto out = generate(source, first, 100, 42, 0.0);
    EXPECT_EQ(out[row - first], source[documented_draw(n, row, 42).index]) << "row " << row;
    EXPECT_EQ(out[row - first], bootstrap_row(source, row, 42, 0.0));
  }
  // Plain rows, and across the 2^32 boundary of the pair counter's low word (row 2^33).
  for (const std::uint64_t first : {std::uint64_t{0}, (std::uint64_t{1} << 33) - 701}) {
    const auto out = generate(source, first, 1500, 7, 0.0);
    for (std::size_t j = 0; j < out.size(); ++j) {
      ASSERT_EQ(out[j], source[documented_draw(n, first + j, 7).index]) << "row " << first + j;
    }
  }
}

TEST(Bootstrap, JitterFollowsTheDocumentedStream) {
  const auto source = credit_amounts();
  for (const double jitter : {0.005, 3.5}) {
    const std::uint64_t first = 777'777;  // odd: starts on the second row of a pair
    const auto out = generate(source, first, 3000, 99, jitter);
    for (std::size_t j = 0; j < out.size(); ++j) {
      ASSERT_EQ(std::bit_cast<std::uint64_t>(out[j]),
                std::bit_cast<std::uint64_t>(documented_value(source, first + j, 99, jitter)))
          << "row " << first + j << " jitter " << jitter;
    }
  }
}

TEST(Bootstrap, FastPathMatchesTheScalarReferenceWithJitter) {
  const auto source = credit_amounts();
  for (const double jitter : {0.0, 0.005, 3.5}) {
    for (const std::uint64_t seed : {0ULL, 42ULL, 0x123456789abcdefULL}) {
      const std::uint64_t first = 1'000'003;
      const auto out = generate(source, first, 2000, seed, jitter);
      for (std::size_t j = 0; j < out.size(); ++j) {
        ASSERT_EQ(std::bit_cast<std::uint64_t>(out[j]),
                  std::bit_cast<std::uint64_t>(bootstrap_row(source, first + j, seed, jitter)))
            << "row " << first + j << " seed " << seed << " jitter " << jitter;
      }
    }
  }
}

TEST(Bootstrap, DeterministicAndSeedDependent) {
  const auto source = credit_amounts();
  const auto a = generate(source, 5, 10'000, 42, 0.005);
  EXPECT_TRUE(bitwise_equal(a, generate(source, 5, 10'000, 42, 0.005)));
  EXPECT_FALSE(bitwise_equal(a, generate(source, 5, 10'000, 43, 0.005)));
  EXPECT_FALSE(bitwise_equal(a, generate(source, 5, 10'000, std::uint64_t{42} << 32, 0.005)));
}

TEST(Bootstrap, IndependentOfHowTheRowsAreSplit) {
  const auto source = credit_amounts();
  constexpr std::size_t kRows = 100'000;
  for (const double jitter : {0.0, 0.005}) {
    const auto whole = generate(source, 0, kRows, 9, jitter);
    // Pieces of awkward sizes (1, the vector width, around the internal chunk size, primes).
    const std::size_t sizes[] = {1, 7, 8, 511, 512, 513, 1000, 4099, 65537};
    std::vector<double> pieces(kRows);
    std::size_t done = 0;
    for (std::size_t p = 0; done < kRows; ++p) {
      const std::size_t size = std::min(sizes[p % std::size(sizes)], kRows - done);
      bootstrap_rows(source, done, std::span<double>(pieces).subspan(done, size), 9, jitter);
      done += size;
    }
    EXPECT_TRUE(bitwise_equal(whole, pieces)) << "jitter " << jitter;
  }
  std::vector<double> empty;
  EXPECT_NO_THROW(bootstrap_rows(source, 0, empty, 1, 0.0));
}

TEST(Bootstrap, JitterStaysInTheHalfOpenIntervalAboveASourceValue) {
  auto source = credit_amounts();
  const double jitter = 0.005;
  const auto out = generate(source, 0, 200'000, 3, jitter);
  std::sort(source.begin(), source.end());
  std::size_t same_as_source = 0;
  for (const double x : out) {
    // The largest source value <= x must be within jitter below it.
    const auto above = std::upper_bound(source.begin(), source.end(), x);
    ASSERT_NE(above, source.begin()) << x;
    const double v = *(above - 1);
    ASSERT_LT(x, v + jitter) << "value " << x << " from " << v;
    // Amounts are in cents and jitter < 0.01, so rounding to cents gives v back.
    ASSERT_EQ(std::round(x * 100.0) / 100.0, v) << x;
    same_as_source += x == v;
  }
  EXPECT_LT(same_as_source, 10U) << "jittered values should almost never repeat a source value";
}

TEST(Bootstrap, RoundingNeverReachesTheTopOfTheInterval) {
  constexpr double kMax = std::numeric_limits<double>::max();
  struct Case {
    double v, jitter;
  };
  // Jitters of an ulp or so, where fma(u, J, v) often rounds up to fl(v + J).
  const Case cases[] = {{1.0, 3e-16},
                        {1.0, 1e-16} /* fl(v + J) == v: only v fits */,
                        {-1.0, 3e-16},
                        {0.0, 5e-324},
                        {-1e-300, 1e-300} /* top is 0 */,
                        {kMax, 1e300} /* top is +inf */,
                        {1024.0, 1e-13}};
  for (const Case& c : cases) {
    const std::vector<double> source{c.v};
    const double top = c.v + c.jitter;
    for (const double x : generate(source, 0, 4096, 11, c.jitter)) {
      ASSERT_GE(x, c.v) << c.v << " + " << c.jitter;
      ASSERT_TRUE(x < top || (x == c.v && top == c.v)) << x << " from " << c.v << " + " << c.jitter;
      ASSERT_TRUE(std::isfinite(x));
    }
  }
}

TEST(Bootstrap, RejectsInvalidArguments) {
  const std::vector<double> source{1.0, 2.0};
  std::vector<double> out(4);
  EXPECT_THROW(bootstrap_rows({}, 0, out, 1, 0.0), std::invalid_argument);
  EXPECT_THROW(bootstrap_rows(source, 0, out, 1, -0.5), std::invalid_argument);
  EXPECT_THROW(bootstrap_rows(source, 0, out, 1, std::nan("")), std::invalid_argument);
  EXPECT_THROW(bootstrap_rows(source, 0, out, 1, std::numeric_limits<double>::infinity()),
               std::invalid_argument);
  EXPECT_THROW((void)bootstrap_row({}, 0, 1, 0.0), std::invalid_argument);
}

// 10M resampled rows of the credit data: the mean within 5 standard errors of the source mean,
// and the empirical CDF within the Dvoretzky-Kiefer-Wolfowitz bound of the source's CDF
// everywhere (so in particular at the 25/50/75/99% quantiles): P(sup |F_N - F| > eps) <=
// 2 exp(-2 N eps^2), here with probability 1e-9 of a false alarm.
TEST(Bootstrap, ResampleHasTheSourceDistribution) {
  auto source = credit_amounts();
  constexpr std::size_t kRows = 10'000'000;
  const auto out = generate(source, 123'456'789, kRows, 2024, 0.0);

  const double n = static_cast<double>(source.size());
  const double mean = std::accumulate(source.begin(), source.end(), 0.0) / n;
  double variance = 0.0;
  for (const double v : source) variance += (v - mean) * (v - mean);
  variance /= n;  // the resample draws from the source itself: population variance
  const double sample_mean = std::accumulate(out.begin(), out.end(), 0.0) / double(kRows);
  EXPECT_NEAR(sample_mean, mean, 5.0 * std::sqrt(variance / double(kRows)));

  // Counts per distinct source value; both CDFs only step at those values.
  std::sort(source.begin(), source.end());
  std::vector<double> distinct = source;
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  std::vector<std::uint64_t> counts(distinct.size());
  for (const double x : out) {
    const auto it = std::lower_bound(distinct.begin(), distinct.end(), x);
    ASSERT_TRUE(it != distinct.end() && *it == x) << x << " is not a source value";
    ++counts[static_cast<std::size_t>(it - distinct.begin())];
  }
  const double eps = std::sqrt(std::log(2.0 / 1e-9) / (2.0 * double(kRows)));
  const auto source_cdf = [&](double t) {
    return double(std::upper_bound(source.begin(), source.end(), t) - source.begin()) / n;
  };
  double sample_cdf = 0.0;
  double sup = 0.0;
  for (std::size_t k = 0; k < distinct.size(); ++k) {
    sample_cdf += double(counts[k]) / double(kRows);
    sup = std::max(sup, std::abs(sample_cdf - source_cdf(distinct[k])));
  }
  EXPECT_LT(sup, eps);

  // The quantiles themselves: the resample's q-quantile lies between the source's
  // (q - eps)- and (q + eps)-quantiles.
  std::vector<double> sorted = out;
  for (const double q : {0.25, 0.50, 0.75, 0.99}) {
    const auto at = static_cast<std::size_t>(q * double(kRows));
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(at),
                     sorted.end());
    const double sample_q = sorted[at];
    // sup |F_N - F| < eps gives F(sample_q) >= q - eps, so at least ceil((q - eps) n) source
    // values are <= sample_q; and fewer than (q + eps) n source values are below it.
    const double low_rank = std::max(std::ceil((q - eps) * n) - 1.0, 0.0);
    const double high_rank = std::min(std::floor((q + eps) * n), n - 1.0);
    EXPECT_GE(sample_q, source[static_cast<std::size_t>(low_rank)]) << "q = " << q;
    EXPECT_LE(sample_q, source[static_cast<std::size_t>(high_rank)]) << "q = " << q;
  }
}

// Pearson's chi-square critical value at p = 0.001 (Wilson-Hilferty: accurate to ~0.1% for
// these degrees of freedom).
double chi_square_critical_0001(double dof) {
  const double z = 3.090232306167813;  // standard normal 0.999 quantile
  const double a = 2.0 / (9.0 * dof);
  return dof * std::pow(1.0 - a + z * std::sqrt(a), 3.0);
}

TEST(Bootstrap, EveryIndexIsEquallyLikely) {
  for (const std::size_t k : {std::size_t{7}, std::size_t{1000}}) {
    const auto source = iota_source(k);
    constexpr std::size_t kRows = 2'000'000;
    std::vector<double> counts(k, 0.0);
    for (const double x : generate(source, 99, kRows, 5, 0.0)) {
      counts[static_cast<std::size_t>(x)] += 1.0;
    }
    const double expected = double(kRows) / double(k);
    double chi2 = 0.0;
    for (const double c : counts) chi2 += (c - expected) * (c - expected) / expected;
    EXPECT_LT(chi2, chi_square_critical_0001(double(k - 1))) << "k = " << k;
  }
}

// The two rows of a pair come from one Philox call: their draws must still be independent.
// Joint counts of (index of row 2p, index of row 2p + 1) over 7 x 7 cells, chi-square at
// p = 0.001 against the product of uniform marginals; the same for the index of a row and its
// own jitter (from the same call as well).
TEST(Bootstrap, TheTwoRowsOfAPairAreIndependent) {
  constexpr std::size_t kSourceRows = 7;
  constexpr std::size_t kPairs = 1'000'000;
  const auto source = iota_source(kSourceRows);
  const auto rows = generate(source, 0, 2 * kPairs, 13, 0.0);
  std::vector<double> pair_cells(kSourceRows * kSourceRows, 0.0);
  for (std::size_t p = 0; p < kPairs; ++p) {
    pair_cells[static_cast<std::size_t>(rows[2 * p]) * kSourceRows +
               static_cast<std::size_t>(rows[2 * p + 1])] += 1.0;
  }
  // Jitter 1 on source 0..6: floor(x) is the index, x - floor(x) the jitter's uniform.
  const auto jittered = generate(source, 0, 2 * kPairs, 13, 1.0);
  std::vector<double> jitter_cells(kSourceRows * kSourceRows, 0.0);
  for (const double x : jittered) {
    const double index = std::floor(x);
    const auto bin = static_cast<std::size_t>((x - index) * double(kSourceRows));
    jitter_cells[static_cast<std::size_t>(index) * kSourceRows + bin] += 1.0;
  }
  const auto chi2 = [](const std::vector<double>& cells, double total) {
    const double expected = total / double(cells.size());
    double sum = 0.0;
    for (const double c : cells) sum += (c - expected) * (c - expected) / expected;
    return sum;
  };
  const double critical = chi_square_critical_0001(double(kSourceRows * kSourceRows - 1));
  EXPECT_LT(chi2(pair_cells, double(kPairs)), critical);
  EXPECT_LT(chi2(jitter_cells, double(2 * kPairs)), critical);
}

TEST(Bootstrap, JitterIsUniform) {
  const std::vector<double> zero{0.0};
  constexpr std::size_t kRows = 1'000'000;
  const auto u = generate(zero, 0, kRows, 77, 1.0);
  const double mean = std::accumulate(u.begin(), u.end(), 0.0) / double(kRows);
  EXPECT_NEAR(mean, 0.5, 5.0 * std::sqrt(1.0 / 12.0 / double(kRows)));
  // Ten equal bins, chi-square at p = 0.001.
  std::vector<double> bins(10, 0.0);
  for (const double x : u) {
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 1.0);
    bins[static_cast<std::size_t>(x * 10.0)] += 1.0;
  }
  double chi2 = 0.0;
  for (const double c : bins) chi2 += (c - 1e5) * (c - 1e5) / 1e5;
  EXPECT_LT(chi2, chi_square_critical_0001(9.0));
}

}  // namespace
}  // namespace modenorm::core
