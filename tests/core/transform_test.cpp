// The transform kernel (VGM_SPEC §8) against scikit-learn's fixture and the one-value reference:
// probabilities, the distribution of the sampled modes (chi-squared), the Random123 stream,
// independence of the block split, and the exact inverse.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <span>
#include <vector>

#include "fixture_support.hpp"
#include "modenorm/core/chi_squared.hpp"
#include "modenorm/core/transform.hpp"

namespace modenorm::core {
namespace {

using test::load_fixture;
using test::to_array;

// The credit model exactly as scikit-learn left it: the final iterate's parameters, its
// stds and the CTAB-GAN valid rule (VGM_SPEC §1.4).
FittedModel credit_model(const nlohmann::json& fixture) {
  const auto& p = fixture["iterations"].back()["params"];
  FittedModel model;
  model.params.a = to_array(p["a"]);
  model.params.b = to_array(p["b"]);
  model.params.beta = to_array(p["beta"]);
  model.params.m = to_array(p["m"]);
  model.params.nu = to_array(p["nu"]);
  model.params.C = to_array(p["C"]);
  model.params.P = to_array(p["P"]);
  model.settings.components = model.params.components();
  model.stds = to_array(fixture["fit"]["stds"]);
  model.weights = to_array(fixture["fit"]["weights"]);
  model.valid.assign(static_cast<std::size_t>(model.components()), false);
  for (const int k : fixture["valid_indices_argmax_rule"].get<std::vector<int>>()) {
    model.valid[static_cast<std::size_t>(k)] = true;
  }
  return model;
}

class TransformTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fixture_ = load_fixture("credit");
    model_ = credit_model(fixture_);
    tables_ = make_transform_tables(model_);
    data_ = test::fixture_data(fixture_);
  }
  nlohmann::json fixture_;
  FittedModel model_;
  TransformTables tables_;
  std::vector<double> data_;
};

// The critical value x with chi_squared_survival(x, df) = p, by bisection (the tail decreases in
// x).
double chi_squared_critical(int df, double p = 0.001) {
  double lo = 0.0;
  double hi = 10.0 * df + 100.0;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (chi_squared_survival(mid, df) > p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

TEST(ChiSquaredCritical, MatchesTabulatedValues) {
  // Tables at p = 0.001: df=1 10.828, df=2 13.816, df=5 20.515, df=10 29.588.
  EXPECT_NEAR(chi_squared_critical(1), 10.828, 0.001);
  EXPECT_NEAR(chi_squared_critical(2), -2.0 * std::log(0.001), 1e-9);  // exact for df = 2
  EXPECT_NEAR(chi_squared_critical(5), 20.515, 0.001);
  EXPECT_NEAR(chi_squared_critical(10), 29.588, 0.001);
}

TEST_F(TransformTest, BlockProbabilitiesMatchPredictProbaAndScikitLearn) {
  const auto nv = static_cast<std::size_t>(tables_.valid_count());
  std::vector<double> x;
  for (const auto& probe : fixture_["probes"]) x.push_back(probe["x"].get<double>());
  x.insert(x.end(), data_.begin(), data_.begin() + 5000);
  std::vector<double> q(x.size() * nv);
  sampling_probabilities(x, tables_, q);
  std::vector<double> ref(nv);
  double worst = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sampling_probabilities_row(x[i], tables_, ref);
    for (std::size_t j = 0; j < nv; ++j) worst = std::max(worst, std::abs(q[i * nv + j] - ref[j]));
  }
  EXPECT_LE(worst, 1e-12) << "block kernel vs predict_proba_row";
  // Against scikit-learn's own predict_proba (+1e-6, renormalised) at the probes.
  for (std::size_t i = 0; i < fixture_["probes"].size(); ++i) {
    const auto expected = fixture_["probes"][i]["sampling_probs"].get<std::vector<double>>();
    ASSERT_EQ(expected.size(), nv);
    for (std::size_t j = 0; j < nv; ++j) {
      EXPECT_NEAR(q[i * nv + j], expected[j], 1e-9) << "probe x=" << x[i] << " j=" << j;
    }
  }
}

TEST_F(TransformTest, DrawIsNumpysChoiceWithTheRandom123Uniform) {
  // The vectorised Philox inside the kernel must be Random123's, and the draw numpy's
  // searchsorted on the normalised cumulative probabilities.
  const std::uint64_t seed = 0x123456789abcdefULL;
  const std::uint64_t first_row = (std::uint64_t{1} << 32) - 5000;  // crosses the 32-bit word
  const std::size_t n = 20000;
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = data_[(i * 7919) % data_.size()];
  std::vector<double> alpha(n);
  std::vector<std::uint8_t> comp(n);
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(tables_.components()), 0);
  transform_block(x, first_row, seed, tables_, alpha, comp, counts);
  const auto nv = static_cast<std::size_t>(tables_.valid_count());
  std::vector<double> q(nv);
  std::size_t near_boundary = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sampling_probabilities_row(x[i], tables_, q);
    std::vector<double> cdf(nv);
    std::partial_sum(q.begin(), q.end(), cdf.begin());
    for (double& c : cdf) c /= cdf.back();
    const double u = mode_uniform(seed, first_row + i);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    std::size_t s = 0;
    double gap = 1.0;
    for (const double c : cdf) {
      s += c <= u ? 1 : 0;
      gap = std::min(gap, std::abs(c - u));
    }
    s = std::min(s, nv - 1);
    if (gap < 1e-12) {
      ++near_boundary;
      continue;
    }
    const int k = tables_.valid[s];
    ASSERT_EQ(comp[i], k) << "row " << first_row + i << " x=" << x[i] << " u=" << u;
    const double expected_alpha = (x[i] - model_.params.m[k]) / (4.0 * model_.stds[k]);
    ASSERT_EQ(alpha[i], expected_alpha) << "row " << i;
  }
  EXPECT_LE(near_boundary, 2u);
  EXPECT_EQ(std::accumulate(counts.begin(), counts.end(), std::uint64_t{0}), n);
  for (std::size_t k = 0; k < counts.size(); ++k) {
    EXPECT_EQ(counts[k], static_cast<std::uint64_t>(std::count(comp.begin(), comp.end(), k)));
    if (!model_.valid[k]) {
      EXPECT_EQ(counts[k], 0u) << "invalid component " << k << " drawn";
    }
  }
}

TEST_F(TransformTest, SampledModeFrequenciesMatchScikitLearnProbabilities) {
  const std::size_t draws = 2'000'000;
  const auto K = static_cast<std::size_t>(tables_.components());
  std::vector<double> x(draws);
  std::vector<double> alpha(draws);
  std::vector<std::uint8_t> comp(draws);
  int probe_index = 0;
  for (const auto& probe : fixture_["probes"]) {
    const double value = probe["x"].get<double>();
    const auto probs = probe["sampling_probs"].get<std::vector<double>>();
    std::fill(x.begin(), x.end(), value);
    std::vector<std::uint64_t> counts(K, 0);
    transform_block(x, 1000 * static_cast<std::uint64_t>(probe_index++), 42, tables_, alpha, comp,
                    counts);
    // Cells with an expected count below 5 are pooled, as the test requires.
    double chi2 = 0.0;
    double pooled_expected = 0.0;
    double pooled_observed = 0.0;
    int cells = 0;
    for (std::size_t j = 0; j < probs.size(); ++j) {
      const double expected = probs[j] * static_cast<double>(draws);
      const auto observed = static_cast<double>(counts[static_cast<std::size_t>(tables_.valid[j])]);
      if (expected < 5.0) {
        pooled_expected += expected;
        pooled_observed += observed;
        continue;
      }
      chi2 += (observed - expected) * (observed - expected) / expected;
      ++cells;
    }
    if (pooled_expected >= 5.0) {
      chi2 += (pooled_observed - pooled_expected) * (pooled_observed - pooled_expected) /
              pooled_expected;
      ++cells;
    } else if (pooled_expected > 0.0) {
      // Too rare to test by chi-squared: at most a handful of draws may land there.
      EXPECT_LE(pooled_observed, 20.0) << "x=" << value;
    }
    if (cells < 2) continue;  // one cell: nothing to compare
    const double critical = chi_squared_critical(cells - 1);
    EXPECT_LT(chi2, critical) << "x=" << value << " df=" << cells - 1;
  }
}

TEST_F(TransformTest, ResultDoesNotDependOnHowRowsAreSplit) {
  const std::size_t n = 10007;
  std::vector<double> x(data_.begin(), data_.begin() + n);
  const auto K = static_cast<std::size_t>(tables_.components());
  std::vector<double> whole(n);
  std::vector<std::uint8_t> whole_comp(n);
  std::vector<std::uint64_t> counts(K, 0);
  transform_block(x, 500, 7, tables_, whole, whole_comp, counts);
  for (const std::size_t piece : {1u, 13u, 256u, 999u}) {
    std::vector<double> alpha(n);
    std::vector<std::uint8_t> comp(n);
    std::vector<std::uint64_t> piece_counts(K, 0);
    for (std::size_t start = 0; start < n; start += piece) {
      const std::size_t len = std::min(piece, n - start);
      transform_block(std::span(x).subspan(start, len), 500 + start, 7, tables_,
                      std::span(alpha).subspan(start, len), std::span(comp).subspan(start, len),
                      piece_counts);
    }
    EXPECT_EQ(std::memcmp(alpha.data(), whole.data(), n * sizeof(double)), 0) << piece;
    EXPECT_EQ(comp, whole_comp) << piece;
    EXPECT_EQ(piece_counts, counts) << piece;
  }
}

TEST_F(TransformTest, InverseRestoresEveryValueIncludingTheExtremes) {
  std::vector<double> x = data_;
  // The column's maximum, far tails on both sides, and values exactly at component means.
  for (const double v : {11789.84, 25691.16, 100000.0, 1e9, -10.0, -1e6, 0.0}) x.push_back(v);
  for (const int k : tables_.valid) x.push_back(model_.params.m[k]);
  const std::size_t n = x.size();
  std::vector<double> alpha(n);
  std::vector<std::uint8_t> comp(n);
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(tables_.components()), 0);
  transform_block(x, 0, 42, tables_, alpha, comp, counts);
  const auto inverse = make_inverse_tables(model_);
  ASSERT_FALSE(first_invalid_component(comp, inverse).has_value());
  std::vector<double> back(n);
  inverse_block(alpha, comp, inverse, /*clipped=*/false, back);
  std::size_t beyond_clip = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double m = model_.params.m[comp[i]];
    ASSERT_LE(std::abs(back[i] - x[i]), 1e-12 * (std::abs(x[i]) + std::abs(m)))
        << "row " << i << " x=" << x[i] << " alpha=" << alpha[i];
    beyond_clip += std::abs(alpha[i]) > kResearchClip ? 1U : 0U;
  }
  EXPECT_GT(beyond_clip, 0u) << "the extremes must reach beyond the research clip";
  // The research view loses exactly those rows.
  std::vector<double> clipped = alpha;
  clip_alpha(clipped);
  inverse_block(clipped, comp, inverse, /*clipped=*/true, back);
  std::size_t lost = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double m = model_.params.m[comp[i]];
    lost += std::abs(back[i] - x[i]) > 1e-12 * (std::abs(x[i]) + std::abs(m)) ? 1U : 0U;
  }
  EXPECT_EQ(lost, beyond_clip);
}

TEST_F(TransformTest, InvalidComponentIsFoundByRow) {
  const auto inverse = make_inverse_tables(model_);
  std::vector<std::uint8_t> comp = {0, 1, 2, 3, 4};  // 3 is not valid in the credit model
  EXPECT_EQ(first_invalid_component(comp, inverse), std::optional<std::size_t>(3));
  comp = {0, 255};
  EXPECT_EQ(first_invalid_component(comp, inverse), std::optional<std::size_t>(1));
  comp = {0, 7, 5};
  EXPECT_FALSE(first_invalid_component(comp, inverse).has_value());
}

}  // namespace
}  // namespace modenorm::core
