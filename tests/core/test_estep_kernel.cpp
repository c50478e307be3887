#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "component_skipping.hpp"
#include "fitted_params.hpp"
#include "modenorm/core/block_sort.hpp"
#include "modenorm/core/estep.hpp"
#include "modenorm/core/hard_assignment.hpp"
#include "modenorm/core/kmeans.hpp"
#include "modenorm/core/moments.hpp"
#include "modenorm/core/mstep.hpp"
#include "modenorm/core/predict.hpp"

namespace modenorm::core {
namespace {

using test::fitted_params;

// Amount-like data: lognormal, rounded to cents, some exact zeros and spikes.
std::vector<double> amount_like(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> amount(3.1, 1.6);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> x(n);
  for (auto& v : x) {
    const double p = u(rng);
    v = p < 0.006 ? 0.0 : (p < 0.05 ? 9.99 : std::round(amount(rng) * 100.0) / 100.0);
  }
  return x;
}

struct Fixture {
  std::vector<double> x;       // one block, unsorted
  std::vector<double> sorted;  // the same block sorted
  EStepTables tables;
};

const Fixture& fixture() {
  static const Fixture f = [] {
    Fixture out;
    out.x = amount_like(kFitBlockRows + 1000, 11);
    out.tables = make_estep_tables(fitted_params(out.x, 100));
    out.x.resize(kFitBlockRows - 37);  // a block with a partial last tile
    out.sorted = out.x;
    sort_block_for_fit(out.sorted);
    return out;
  }();
  return f;
}

void expect_close(const SufficientStats& fast, const SufficientStats& ref, double tol) {
  ASSERT_EQ(fast.components(), ref.components());
  EXPECT_EQ(fast.rows, ref.rows);
  const auto n = static_cast<double>(ref.rows);
  for (int k = 0; k < ref.components(); ++k) {
    // Components whose every responsibility underflows: the reference may keep subnormal
    // values the fast exp flushes, hence the tiny absolute floor.
    const double floor = 1e-290 * n;
    EXPECT_NEAR(fast.R[k], ref.R[k], tol * std::abs(ref.R[k]) + floor) << "R " << k;
    EXPECT_NEAR(fast.T2[k], ref.T2[k], tol * std::abs(ref.T2[k]) + floor) << "T2 " << k;
    // T1 mixes signs: its scale is sqrt(R T2) (Cauchy-Schwarz).
    EXPECT_NEAR(fast.T1[k], ref.T1[k], tol * std::sqrt(ref.R[k] * ref.T2[k]) + floor) << "T1 " << k;
  }
  EXPECT_NEAR(fast.H, ref.H, tol * std::abs(ref.H));
  EXPECT_NEAR(fast.sum_log_norm, ref.sum_log_norm, tol * std::max(std::abs(ref.sum_log_norm), n));
}

TEST(EStepKernel, FastMatchesReferenceOnSortedBlock) {
  const Fixture& f = fixture();
  expect_close(estep_block(f.sorted, f.tables), estep_block_reference(f.sorted, f.tables), 1e-13);
}

TEST(EStepKernel, FastMatchesReferenceOnUnsortedBlock) {
  // The kernel sums r (x - x_ref) about the middle of each tile's range and shifts to c_k per
  // tile; on unsorted tiles that range is the whole data range, which costs a few digits of
  // T2 for narrow components (~1e-12 here). The fit sorts its blocks.
  const Fixture& f = fixture();
  expect_close(estep_block(f.x, f.tables), estep_block_reference(f.x, f.tables), 1e-11);
}

TEST(EStepKernel, FastMatchesReferenceOnShortBlocks) {
  const Fixture& f = fixture();
  for (const std::size_t n : {1UL, 7UL, 63UL, 64UL, 65UL, 200UL, 1025UL}) {
    const std::span<const double> part(f.sorted.data() + 20000, n);
    expect_close(estep_block(part, f.tables), estep_block_reference(part, f.tables), 1e-13);
  }
}

bool bitwise_equal(const Eigen::ArrayXd& a, const Eigen::ArrayXd& b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size()) * sizeof(double)) == 0;
}

TEST(EStepKernel, SkippingChangesNoBit) {
  const Fixture& f = fixture();
  for (const auto* block : {&f.sorted, &f.x}) {
    const SufficientStats skip = estep_block(*block, f.tables, ComponentSkipping::enabled);
    const SufficientStats full = estep_block(*block, f.tables, ComponentSkipping::disabled);
    EXPECT_TRUE(bitwise_equal(skip.R, full.R));
    const SufficientStats mixed_skip = estep_block_mixed(*block, f.tables);
    const SufficientStats mixed_full =
        estep_block_mixed(*block, f.tables, ComponentSkipping::disabled);
    EXPECT_TRUE(bitwise_equal(mixed_skip.R, mixed_full.R));
    EXPECT_TRUE(bitwise_equal(mixed_skip.T2, mixed_full.T2));
    EXPECT_EQ(mixed_skip.H, mixed_full.H);
    EXPECT_TRUE(bitwise_equal(skip.T1, full.T1));
    EXPECT_TRUE(bitwise_equal(skip.T2, full.T2));
    EXPECT_EQ(std::memcmp(&skip.H, &full.H, sizeof(double)), 0);
    EXPECT_EQ(std::memcmp(&skip.sum_log_norm, &full.sum_log_norm, sizeof(double)), 0);
  }
}

// Three narrow, well separated modes: on every tile the two far components are skippable.
struct SeparatedFixture {
  std::vector<double> sorted;
  EStepTables tables;
};

const SeparatedFixture& separated() {
  static const SeparatedFixture f = [] {
    SeparatedFixture out;
    std::mt19937_64 rng(5);
    std::normal_distribution<double> noise(0.0, 1.0);
    for (int i = 0; i < 30000; ++i) out.sorted.push_back((i % 3 - 1) * 60.0 + noise(rng));
    sort_block_for_fit(out.sorted);
    FitSettings settings;
    settings.components = 3;
    const std::vector<double> means = {-60.0, 0.0, 60.0};
    const Priors priors = priors_from_moments(moments_of_block(out.sorted), settings);
    out.tables =
        make_estep_tables(m_step(hard_assignment_stats(out.sorted, means), priors, settings));
    return out;
  }();
  return f;
}

// Relative accuracy of the mixed-precision kernel against the reference, per quantity.
double mixed_error(const SufficientStats& mixed, const SufficientStats& ref) {
  double worst = 0.0;
  const double total = ref.R.sum();
  for (int k = 0; k < ref.components(); ++k) {
    // Relative to the component, plus 1e-9 of all rows: components with (almost) no mass are
    // dominated by responsibilities below e^-87, which the float exp drops.
    const double floor = 1e-9 * total;
    worst = std::max(worst, std::abs(mixed.R[k] - ref.R[k]) / (ref.R[k] + floor));
    worst = std::max(
        worst, std::abs(mixed.T2[k] - ref.T2[k]) / (ref.T2[k] + floor * ref.T2.sum() / total));
    const double scale = std::sqrt(ref.R[k] * ref.T2[k]);
    worst = std::max(worst, std::abs(mixed.T1[k] - ref.T1[k]) /
                                (scale + floor * std::sqrt(ref.T2.sum() / total)));
  }
  worst = std::max(worst, std::abs(mixed.H - ref.H) / std::abs(ref.H));
  return worst;
}

TEST(EStepKernel, MixedPrecisionIsWithinAFewMillionthsOfReference) {
  const Fixture& f = fixture();
  const double err =
      mixed_error(estep_block_mixed(f.sorted, f.tables), estep_block_reference(f.sorted, f.tables));
  std::printf("  mixed-precision kernel: max relative difference %.3g\n", err);
  EXPECT_LT(err, 1e-5);
  const SeparatedFixture& s = separated();
  EXPECT_LT(
      mixed_error(estep_block_mixed(s.sorted, s.tables), estep_block_reference(s.sorted, s.tables)),
      1e-5);
}

TEST(EStepKernel, MixedPrecisionFallsBackToDoubleFarFromEveryComponent) {
  // Rows 1e6 standard deviations from every component: float would turn w ~ -1e12 into noise
  // of ~1e5; the kernel must run those tiles in double and agree with it bitwise.
  const SeparatedFixture& s = separated();
  std::vector<double> far(300);
  for (std::size_t i = 0; i < far.size(); ++i) far[i] = 1e6 + static_cast<double>(i);
  const SufficientStats mixed = estep_block_mixed(far, s.tables);
  const SufficientStats full = estep_block(far, s.tables);
  EXPECT_TRUE(bitwise_equal(mixed.R, full.R));
  EXPECT_TRUE(bitwise_equal(mixed.T2, full.T2));
  EXPECT_EQ(mixed.H, full.H);
  expect_close(full, estep_block_reference(far, s.tables), 1e-13);
}

TEST(EStepKernel, SkippingChangesNoBitOnSeparatedModes) {
  const SeparatedFixture& f = separated();
  const SufficientStats skip = estep_block(f.sorted, f.tables, ComponentSkipping::enabled);
  const SufficientStats full = estep_block(f.sorted, f.tables, ComponentSkipping::disabled);
  EXPECT_TRUE(bitwise_equal(skip.R, full.R));
  EXPECT_TRUE(bitwise_equal(skip.T1, full.T1));
  EXPECT_TRUE(bitwise_equal(skip.T2, full.T2));
  EXPECT_EQ(std::memcmp(&skip.H, &full.H, sizeof(double)), 0);
  expect_close(skip, estep_block_reference(f.sorted, f.tables), 1e-13);
}

// Every skipped component must really be negligible: on each row of the tile its weighted
// log-probability is more than 708 below the row's best (so exp flushes to 0). Returns the
// number of (tile, component) pairs skipped.
int check_skipped_components(const std::vector<double>& sorted, const EStepTables& tables) {
  const int k = tables.components();
  std::vector<int> active(static_cast<std::size_t>(k));
  std::vector<double> w(static_cast<std::size_t>(k));
  int skipped_total = 0;
  for (std::size_t begin = 0; begin + 64 <= sorted.size(); begin += 64) {
    const int n_active =
        detail::active_components(sorted[begin], sorted[begin + 63], tables, active);
    std::vector<bool> is_active(static_cast<std::size_t>(k), false);
    for (int a = 0; a < n_active; ++a) {
      is_active[static_cast<std::size_t>(active[static_cast<std::size_t>(a)])] = true;
    }
    skipped_total += k - n_active;
    for (std::size_t i = begin; i < begin + 64; ++i) {
      weighted_log_prob_row(sorted[i], tables, w);
      const double best = *std::max_element(w.begin(), w.end());
      for (int c = 0; c < k; ++c) {
        if (!is_active[static_cast<std::size_t>(c)]) {
          EXPECT_LT(w[static_cast<std::size_t>(c)] - best, -708.0) << "row " << i << " comp " << c;
        }
      }
    }
  }
  return skipped_total;
}

TEST(EStepKernel, SkippedComponentsAreBelowTheFlushThresholdOnEveryRow) {
  const Fixture& f = fixture();
  // Amount-like fit: only the dead tail (E[ln pi] ~ -1000) and narrow components far from a
  // tile can go; most components overlap everywhere.
  EXPECT_GT(check_skipped_components(f.sorted, f.tables), 0);
  const SeparatedFixture& s = separated();
  // Two of three components skipped on every tile but the few that straddle two modes.
  EXPECT_GE(check_skipped_components(s.sorted, s.tables),
            static_cast<int>(s.sorted.size() / 64) * 2 - 10);
}

TEST(EStepKernel, SingleRowResponsibilitiesArePredictProba) {
  const Fixture& f = fixture();
  std::vector<double> proba(static_cast<std::size_t>(f.tables.components()));
  for (const double x : {0.0, 9.99, 22.5, 87.7, 1500.0, 25000.0}) {
    const std::vector<double> one = {x};
    const SufficientStats s = estep_block(one, f.tables);
    predict_proba_row(x, f.tables, proba);
    double entropy = 0.0;
    for (int c = 0; c < f.tables.components(); ++c) {
      const double r = proba[static_cast<std::size_t>(c)];
      EXPECT_NEAR(s.R[c], r, 1e-14) << x << " " << c;
      if (r > 0) entropy += r * std::log(r);
    }
    EXPECT_NEAR(s.H, entropy, 1e-13);
    EXPECT_EQ(s.rows, 1U);
  }
}

TEST(EStepKernel, DeterministicAndBlockwiseMergeable) {
  const Fixture& f = fixture();
  const SufficientStats a = estep_block(f.sorted, f.tables);
  const SufficientStats b = estep_block(f.sorted, f.tables);
  EXPECT_TRUE(bitwise_equal(a.R, b.R));
  EXPECT_TRUE(bitwise_equal(a.T2, b.T2));
  // estep_blocks = blocks merged in order.
  const std::span<const double> all(f.sorted);
  const SufficientStats merged_by_hand = [&] {
    SufficientStats s = make_empty_stats(f.tables.shift);
    merge_into(s, estep_block(all.subspan(0, 30000), f.tables));
    merge_into(s, estep_block(all.subspan(30000, 30000), f.tables));
    merge_into(s, estep_block(all.subspan(60000), f.tables));
    return s;
  }();
  const SufficientStats blocks = estep_blocks(all, f.tables, 30000);
  EXPECT_TRUE(bitwise_equal(blocks.R, merged_by_hand.R));
  EXPECT_TRUE(bitwise_equal(blocks.T1, merged_by_hand.T1));
  EXPECT_EQ(blocks.H, merged_by_hand.H);
  EXPECT_EQ(blocks.rows, f.sorted.size());
}

TEST(EStepKernel, ManyComponentsUseTheReference) {
  // Beyond 64 components the tile tables would not fit: the kernel hands the block over.
  const Fixture& f = fixture();
  FitSettings settings;
  settings.components = 70;
  std::vector<double> means;
  for (int k = 0; k < 70; ++k) means.push_back(static_cast<double>(k) * 10.0);
  const std::span<const double> part(f.sorted.data(), 5000);
  const Priors priors = priors_from_moments(moments_of_block(part), settings);
  const EStepTables tables =
      make_estep_tables(m_step(hard_assignment_stats(part, means), priors, settings));
  const SufficientStats fast = estep_block(part, tables);
  const SufficientStats ref = estep_block_reference(part, tables);
  EXPECT_TRUE(bitwise_equal(fast.R, ref.R));
  EXPECT_EQ(fast.H, ref.H);
}

TEST(EStepKernel, EmptyBlock) {
  const Fixture& f = fixture();
  const SufficientStats s = estep_block({}, f.tables);
  EXPECT_EQ(s.rows, 0U);
  EXPECT_EQ(s.R.sum(), 0.0);
  EXPECT_EQ(s.H, 0.0);
}

}  // namespace
}  // namespace modenorm::core
