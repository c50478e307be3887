// The quadrature E-step (tile_quadrature.hpp): the rules, the bound and the sums.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "fitted_params.hpp"
#include "modenorm/core/block_sort.hpp"
#include "modenorm/core/estep.hpp"
#include "modenorm/core/hard_assignment.hpp"
#include "modenorm/core/kmeans.hpp"
#include "modenorm/core/moments.hpp"
#include "modenorm/core/mstep.hpp"
#include "modenorm/core/tile_quadrature.hpp"
#include "quadrature_bound.hpp"

namespace modenorm::core {
namespace {

using test::fitted_params;

// Amount-like data: lognormal cents plus a little jitter (no repeats), and a spike of 9.99s.
std::vector<double> amount_like(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> amount(3.1, 1.6);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> x(n);
  for (auto& v : x) {
    const double p = u(rng);
    v = p < 0.04 ? 9.99 : std::round(amount(rng) * 100.0) / 100.0 + 0.005 * u(rng);
  }
  return x;
}

struct Fixture {
  std::vector<double> sorted;  // one block, sorted, with a partial last tile
  EStepTables tables;
};

const Fixture& fixture() {
  static const Fixture f = [] {
    Fixture out;
    out.sorted = amount_like(kFitBlockRows - 77, 3);
    out.tables = make_estep_tables(fitted_params(out.sorted, 60));
    sort_block_for_fit(out.sorted);
    return out;
  }();
  return f;
}

double chebyshev(int j, double u) { return std::cos(j * std::acos(std::clamp(u, -1.0, 1.0))); }

TEST(TileQuadrature, GaussRuleIntegratesPolynomialsOfDegreeBelowTwiceTheNodes) {
  std::mt19937_64 rng(9);
  std::gamma_distribution<double> skewed(2.0, 3.0);
  std::vector<double> tile(256);
  for (auto& v : tile) v = 100.0 + skewed(rng);
  std::vector<double> x, q;
  double moment_error = -1.0;
  ASSERT_EQ(append_tile_rule(tile, kQuadratureNodes, x, q, moment_error), RuleKind::gauss);
  ASSERT_EQ(x.size(), static_cast<std::size_t>(kQuadratureNodes));
  EXPECT_LE(moment_error, kQuadratureMomentError);
  const auto [lo, hi] = std::minmax_element(tile.begin(), tile.end());
  const double t = 0.5 * (*lo + *hi), h = 0.5 * (*hi - *lo);
  double total = 0.0;
  for (std::size_t n = 0; n < x.size(); ++n) {
    EXPECT_GE(x[n], *lo);
    EXPECT_LE(x[n], *hi);
    EXPECT_GT(q[n], 0.0);
    if (n > 0) {
      EXPECT_GT(x[n], x[n - 1]);
    }
    total += q[n];
  }
  EXPECT_NEAR(total, 256.0, 1e-11);
  for (int j = 0; j < 2 * kQuadratureNodes; ++j) {
    double rows = 0.0, rule = 0.0;
    for (const double v : tile) rows += chebyshev(j, (v - t) / h);
    for (std::size_t n = 0; n < x.size(); ++n) rule += q[n] * chebyshev(j, (x[n] - t) / h);
    EXPECT_NEAR(rule, rows, 1e-11) << "degree " << j;
  }
  // Degree 2n is beyond the rule: it cannot be exact there (the test above can fail).
  double rows = 0.0, rule = 0.0;
  const int beyond = 2 * kQuadratureNodes;
  for (const double v : tile) rows += chebyshev(beyond, (v - t) / h);
  for (std::size_t n = 0; n < x.size(); ++n) rule += q[n] * chebyshev(beyond, (x[n] - t) / h);
  EXPECT_GT(std::abs(rule - rows), 1e-6);
}

TEST(TileQuadrature, FewDistinctValuesAreKeptAsValuesWithCounts) {
  std::vector<double> tile;
  for (int i = 0; i < 100; ++i) tile.push_back(i % 3 == 0 ? 9.99 : (i % 3 == 1 ? 1.0 : 25.5));
  std::vector<double> x, q;
  double moment_error = -1.0;
  ASSERT_EQ(append_tile_rule(tile, kQuadratureNodes, x, q, moment_error), RuleKind::exact);
  EXPECT_EQ(x, (std::vector<double>{1.0, 9.99, 25.5}));
  EXPECT_EQ(q, (std::vector<double>{33.0, 34.0, 33.0}));
  EXPECT_EQ(moment_error, 0.0);
}

TEST(TileQuadrature, RulesCoverEveryTileOfABlock) {
  const Fixture& f = fixture();
  const BlockQuadrature rules = make_block_quadrature(f.sorted);
  const std::size_t tiles = (f.sorted.size() + kQuadratureTileRows - 1) / kQuadratureTileRows;
  ASSERT_EQ(rules.tiles(), tiles);
  ASSERT_EQ(rules.whole.first_node.size(), tiles + 1);
  EXPECT_EQ(rules.halves.tiles(), 0U) << "halves are built only when a tile is refused";
  double weight = 0.0;
  for (const double q : rules.whole.node_weight) weight += q;
  std::size_t without = 0;
  for (const RuleKind k : rules.whole.kind) without += k == RuleKind::none ? 1 : 0;
  EXPECT_EQ(without, 0U) << "every tile of continuous sorted data has a rule";
  EXPECT_NEAR(weight, static_cast<double>(f.sorted.size()), 1e-9);
  EXPECT_LT(rules.bytes(), f.sorted.size() * sizeof(double) / 10);
}

void expect_close(const SufficientStats& got, const SufficientStats& want, double tol) {
  ASSERT_EQ(got.components(), want.components());
  EXPECT_EQ(got.rows, want.rows);
  for (int k = 0; k < want.components(); ++k) {
    const double floor = 1e-290 * static_cast<double>(want.rows);
    EXPECT_NEAR(got.R[k], want.R[k], tol * std::abs(want.R[k]) + floor) << "R " << k;
    EXPECT_NEAR(got.T1[k], want.T1[k], tol * std::sqrt(want.R[k] * want.T2[k]) + floor)
        << "T1 " << k;
    EXPECT_NEAR(got.T2[k], want.T2[k], tol * std::abs(want.T2[k]) + floor) << "T2 " << k;
  }
  EXPECT_NEAR(got.H, want.H, tol * std::abs(want.H));
  EXPECT_NEAR(got.sum_log_norm, want.sum_log_norm, tol * std::abs(want.sum_log_norm));
}

TEST(TileQuadrature, SumsMatchTheRowByRowReferenceOnASortedBlock) {
  const Fixture& f = fixture();
  BlockQuadrature rules = make_block_quadrature(f.sorted);
  QuadratureCounts counts;
  const SufficientStats quad = estep_block_quadrature(f.sorted, rules, f.tables, &counts);
  expect_close(quad, estep_block_reference(f.sorted, f.tables), 1e-11);
  EXPECT_EQ(counts.tiles_by_rule + counts.tiles_by_rows, rules.tiles());
  EXPECT_GE(static_cast<double>(counts.tiles_by_rule), 0.8 * static_cast<double>(rules.tiles()));
  // Refused tiles got their halves' rules, and some halves were accepted: fewer rows by rows
  // than the refused tiles hold.
  EXPECT_GT(rules.halves.tiles(), 0U);
  EXPECT_LT(counts.rows_by_rows, counts.tiles_by_rows * kQuadratureTileRows);
  // A second pass reuses the halves and gives the same bits.
  const std::size_t halves = rules.halves.tiles();
  const SufficientStats again = estep_block_quadrature(f.sorted, rules, f.tables);
  EXPECT_EQ(rules.halves.tiles(), halves);
  EXPECT_TRUE((again.R == quad.R).all() && (again.T2 == quad.T2).all() && again.H == quad.H);
  // And it is not the row-by-row kernel in disguise: the sums differ in the last bits.
  const SufficientStats rows = estep_block(f.sorted, f.tables);
  EXPECT_FALSE((quad.R == rows.R).all() && quad.H == rows.H);
}

TEST(TileQuadrature, WideTilesAreSummedRowByRow) {
  // Unsorted: every tile spans most of the data range, where no rule can be proven.
  std::vector<double> x = amount_like(20000, 4);
  BlockQuadrature rules = make_block_quadrature(x);
  QuadratureCounts counts;
  const SufficientStats quad = estep_block_quadrature(x, rules, fixture().tables, &counts);
  EXPECT_EQ(counts.tiles_by_rule, 0U);
  EXPECT_EQ(counts.rows_by_rows, x.size());
  expect_close(quad, estep_block_reference(x, fixture().tables), 1e-11);
}

TEST(TileQuadrature, WeightedKernelMatchesTheWeightedReference) {
  const Fixture& f = fixture();
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> w(0.0, 40.0);
  const std::span<const double> part(f.sorted.data() + 1000, 5000);
  std::vector<double> weights(part.size());
  for (auto& v : weights) v = w(rng);
  const SufficientStats fast = estep_weighted_rows(part, weights, f.tables);
  const SufficientStats ref = estep_weighted_rows_reference(part, weights, f.tables);
  expect_close(fast, ref, 1e-12);
  // Weight 2 on every row is the same as every row twice.
  std::vector<double> twice(part.begin(), part.end());
  twice.insert(twice.end(), part.begin(), part.end());
  std::sort(twice.begin(), twice.end());
  const std::vector<double> two(part.size(), 2.0);
  SufficientStats doubled = estep_weighted_rows(part, two, f.tables);
  doubled.rows = twice.size();
  expect_close(doubled, estep_block_reference(twice, f.tables), 1e-12);
  EXPECT_THROW((void)estep_weighted_rows(part, std::vector<double>(3, 1.0), f.tables),
               std::invalid_argument);
}

// Soundness of the bound, checked directly: on many tiles of different widths and places,
// wherever the bound accepts a rule, the rule's sums for every component are within the
// tolerance of the exact sums, measured against the same scale the bound uses.
TEST(TileQuadrature, WheneverTheBoundAcceptsTheRuleIsWithinTolerance) {
  const Fixture& f = fixture();
  const int k = f.tables.components();
  int accepted = 0, rejected = 0;
  // Tiles of up to 256 rows taken every `stride` rows of the sorted block: wider and wider.
  for (const std::size_t stride : {1UL, 2UL, 8UL, 32UL, 128UL, 255UL}) {
    for (std::size_t begin = 0; begin < f.sorted.size(); begin += 613) {
      std::vector<double> tile;
      const std::size_t size = begin % 2 == 0 ? kQuadratureTileRows : kQuadratureHalfRows;
      for (std::size_t i = begin; i < f.sorted.size() && tile.size() < size; i += stride) {
        tile.push_back(f.sorted[i]);
      }
      if (tile.size() < 2 * kQuadratureNodes) continue;
      const std::size_t rows = tile.size();
      std::vector<double> x, q;
      double moment_error = 0.0;
      if (append_tile_rule(tile, kQuadratureNodes, x, q, moment_error) != RuleKind::gauss) continue;
      if (!detail::quadrature_is_accurate(tile.front(), tile.back(), static_cast<int>(x.size()),
                                          moment_error, kQuadratureTolerance, f.tables)) {
        ++rejected;
        continue;
      }
      ++accepted;
      const SufficientStats exact = estep_block_reference(tile, f.tables);
      const SufficientStats rule = estep_weighted_rows_reference(x, q, f.tables);
      for (int c = 0; c < k; ++c) {
        const double scale =
            std::max(exact.R[c], static_cast<double>(rows) * std::exp(f.tables.log_weights[c]));
        EXPECT_LE(std::abs(rule.R[c] - exact.R[c]), kQuadratureTolerance * scale + 1e-300)
            << "R of component " << c << " on " << rows << " rows at " << tile.front();
        // T1 and T2 about c_k: the scale also carries the squared distance of the tile to c_k.
        const double reach = std::max(std::abs(tile.front() - f.tables.shift[c]),
                                      std::abs(tile.back() - f.tables.shift[c]));
        EXPECT_LE(std::abs(rule.T2[c] - exact.T2[c]),
                  kQuadratureTolerance * scale * reach * reach + 1e-300)
            << "T2 of component " << c << " on " << rows << " rows at " << tile.front();
      }
    }
  }
  std::printf("  bound accepted %d and rejected %d tiles\n", accepted, rejected);
  EXPECT_GT(accepted, 100);
  EXPECT_GT(rejected, 10);  // wide tiles exist, and the bound refuses them
}

TEST(TileQuadrature, BoundRefusesATileWiderThanANarrowComponent) {
  Params p;
  p.a = Eigen::ArrayXd::Constant(2, 100.0);
  p.b = Eigen::ArrayXd::Constant(2, 100.0);
  p.beta = Eigen::ArrayXd::Constant(2, 100.0);
  p.nu = Eigen::ArrayXd::Constant(2, 100.0);
  p.m = (Eigen::ArrayXd(2) << 50.0, 0.0).finished();
  p.C = (Eigen::ArrayXd(2) << 1.0, 1e4).finished();  // sd 1 at 50, sd 100 at 0
  p.P = p.C.rsqrt();
  const EStepTables tables = make_estep_tables(p);
  EXPECT_FALSE(detail::quadrature_is_accurate(40.0, 60.0, kQuadratureNodes, 0.0, 1e-12, tables));
  EXPECT_TRUE(detail::quadrature_is_accurate(50.0, 50.01, kQuadratureNodes, 0.0, 1e-12, tables));
  // A rule that misses its moments by more than the tolerance can never be accepted.
  EXPECT_FALSE(detail::quadrature_is_accurate(50.0, 50.01, kQuadratureNodes, 1e-10, 1e-12, tables));
  // One value (zero width) is the tile itself.
  EXPECT_TRUE(detail::quadrature_is_accurate(7.0, 7.0, kQuadratureNodes, 0.0, 1e-12, tables));
}

}  // namespace
}  // namespace modenorm::core
