// predict() counts on sorted blocks (count_argmax_sorted) against the row-by-row count.
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
#include "modenorm/core/predict.hpp"

namespace modenorm::core {
namespace {

using test::fitted_params;

std::vector<std::uint64_t> row_by_row(std::span<const double> x, const EStepTables& t) {
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(t.components()), 0);
  count_argmax(x, t, counts);
  return counts;
}

std::vector<std::uint64_t> by_runs(std::span<const double> x, const EStepTables& t) {
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(t.components()), 0);
  count_argmax_sorted(x, t, counts);
  return counts;
}

TEST(CountArgmaxSorted, SameCountsAsEveryRowOnAmountLikeData) {
  std::mt19937_64 rng(6);
  std::lognormal_distribution<double> amount(3.1, 1.6);
  std::vector<double> x(200000);
  for (auto& v : x) v = std::round(amount(rng) * 100.0) / 100.0;  // many exact repeats
  const EStepTables tables = make_estep_tables(fitted_params(x, 40));
  for (std::size_t b = 0; b < x.size(); b += kFitBlockRows) {
    sort_block_for_fit(std::span(x).subspan(b, std::min(kFitBlockRows, x.size() - b)));
  }
  for (std::size_t b = 0; b < x.size(); b += kFitBlockRows) {
    const std::span<const double> block(x.data() + b, std::min(kFitBlockRows, x.size() - b));
    EXPECT_EQ(by_runs(block, tables), row_by_row(block, tables)) << "block at " << b;
  }
  // Several components win somewhere, so the runs really split.
  const auto counts = row_by_row(x, tables);
  EXPECT_GE(std::count_if(counts.begin(), counts.end(), [](auto c) { return c > 0; }), 4);
}

TEST(CountArgmaxSorted, TiesAndANarrowComponentInsideAWideOne) {
  // Component 1 is a narrow bump inside component 0; components 2 and 3 are identical, so
  // ties go to the lower index (2), as np.argmax does.
  Params p;
  const int k = 4;
  p.a = Eigen::ArrayXd::Constant(k, 50.0);
  p.b = Eigen::ArrayXd::Constant(k, 50.0);
  p.beta = Eigen::ArrayXd::Constant(k, 50.0);
  p.nu = Eigen::ArrayXd::Constant(k, 50.0);
  p.m = (Eigen::ArrayXd(k) << 0.0, 3.0, 40.0, 40.0).finished();
  p.C = (Eigen::ArrayXd(k) << 100.0, 0.01, 4.0, 4.0).finished();
  p.P = p.C.rsqrt();
  const EStepTables tables = make_estep_tables(p);
  std::vector<double> x;
  for (int i = 0; i <= 100000; ++i) x.push_back(-30.0 + 1e-3 * i);  // ascending, -30 .. 70
  const auto counts = by_runs(x, tables);
  EXPECT_EQ(counts, row_by_row(x, tables));
  EXPECT_GT(counts[1], 0U) << "the narrow bump wins near 3";
  EXPECT_GT(counts[2], 0U);
  EXPECT_EQ(counts[3], 0U) << "an exact tie goes to the lower index";
}

bool same_bits(const SufficientStats& a, const SufficientStats& b) {
  return (a.R == b.R).all() && (a.T1 == b.T1).all() && (a.T2 == b.T2).all() && a.rows == b.rows;
}

TEST(HardAssignmentSorted, SameBitsAsRowByRow) {
  std::mt19937_64 rng(8);
  std::lognormal_distribution<double> amount(3.1, 1.6);
  std::vector<double> x(100000);
  for (auto& v : x) v = std::round(amount(rng) * 100.0) / 100.0;
  std::sort(x.begin(), x.end());
  const KMeansResult km = kmeans_serial(x, 10, 42, 50);
  EXPECT_TRUE(
      same_bits(hard_assignment_stats_sorted(x, km.centres), hard_assignment_stats(x, km.centres)));
  // Duplicate means (a constant column's k-means) and a value exactly between two means: ties
  // go to the lower index either way.
  const std::vector<double> means{5.0, 5.0, 1.0, 3.0};
  std::vector<double> y;
  for (int i = 0; i < 1000; ++i) y.push_back(i * 0.006);
  EXPECT_TRUE(same_bits(hard_assignment_stats_sorted(y, means), hard_assignment_stats(y, means)));
  EXPECT_EQ(hard_assignment_stats_sorted(y, means).R[1], 0.0);
}

}  // namespace
}  // namespace modenorm::core
