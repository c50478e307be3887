// The distinct-value table: exact merging, early refusal, and sums equal to the row-by-row sums.

#include "modenorm/core/distinct_values.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "fixture_support.hpp"
#include "modenorm/core/block_sort.hpp"
#include "modenorm/core/estep.hpp"
#include "modenorm/core/hard_assignment.hpp"
#include "modenorm/core/mstep.hpp"
#include "modenorm/core/moments.hpp"

namespace modenorm::core {
namespace {

TEST(DistinctTable, MergesRunsAndCountsExactly) {
  DistinctTable table;
  const std::vector<double> a = {1.0, 1.0, 2.5, 7.0};
  const std::vector<double> b = {0.5, 1.0, 7.0, 7.0, 9.0};
  ASSERT_TRUE(merge_sorted_block(table, a, 10));
  ASSERT_TRUE(merge_sorted_block(table, b, 10));
  EXPECT_EQ(table.values, (std::vector<double>{0.5, 1.0, 2.5, 7.0, 9.0}));
  EXPECT_EQ(table.counts, (std::vector<std::uint64_t>{1, 3, 1, 3, 1}));
}

TEST(DistinctTable, RefusesAsSoonAsItExceedsTheLimit) {
  DistinctTable table;
  const std::vector<double> many = {1, 2, 3, 4, 5, 6};
  EXPECT_FALSE(merge_sorted_block(table, many, 5));
  DistinctTable small;
  EXPECT_TRUE(merge_sorted_block(small, std::vector<double>{1, 1, 1, 2}, 2));
  EXPECT_FALSE(merge_sorted_block(small, std::vector<double>{3}, 2));
}

// The credit column: the table's E-step sums equal the row-by-row reference sums.
TEST(DistinctTable, EStepAndInitSumsEqualTheRowSums) {
  const auto fixture = test::load_fixture("credit");
  auto rows = test::fixture_data(fixture);
  std::vector<double> sorted = rows;
  std::sort(sorted.begin(), sorted.end());
  DistinctTable table;
  ASSERT_TRUE(merge_sorted_block(table, sorted, 1'000'000));
  EXPECT_EQ(table.size(), 12531u);

  const auto means_json = fixture["settings"]["init_means"];
  std::vector<double> means;
  for (const auto& m : means_json) means.push_back(m.get<double>());
  const auto init_rows = hard_assignment_stats(rows, means);
  const auto init_table = hard_assignment_stats_distinct(table, means);
  for (int k = 0; k < init_rows.components(); ++k) {
    EXPECT_EQ(init_table.R[k], init_rows.R[k]);
    EXPECT_NEAR(init_table.T1[k], init_rows.T1[k], 1e-12 * (1 + std::abs(init_rows.T2[k])));
    EXPECT_NEAR(init_table.T2[k], init_rows.T2[k], 1e-12 * std::abs(init_rows.T2[k]));
  }

  FitSettings settings;
  const auto moments = moments_of_block(rows);
  const auto params = m_step(init_rows, priors_from_moments(moments, settings), settings);
  const auto tables = make_estep_tables(params);
  const auto by_row = estep_block_reference(rows, tables);
  const auto by_value = estep_distinct(table, tables);
  EXPECT_EQ(by_value.rows, by_row.rows);
  for (int k = 0; k < by_row.components(); ++k) {
    EXPECT_NEAR(by_value.R[k], by_row.R[k], 1e-11 * (1 + by_row.R[k])) << k;
    EXPECT_NEAR(by_value.T1[k], by_row.T1[k], 1e-11 * (1 + std::abs(by_row.T2[k]))) << k;
    EXPECT_NEAR(by_value.T2[k], by_row.T2[k], 1e-11 * (1 + std::abs(by_row.T2[k]))) << k;
  }
  EXPECT_NEAR(by_value.H, by_row.H, 1e-11 * std::abs(by_row.H));
}

}  // namespace
}  // namespace modenorm::core
