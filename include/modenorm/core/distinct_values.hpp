#pragma once
// The exact fast path for repeated values (money in cents has few distinct amounts): a table
// of distinct values with their counts is an exact, far smaller input for every sum of the
// fit, because each sum over rows is a sum over distinct values weighted by their counts.

#include <cstdint>
#include <span>
#include <vector>

#include "modenorm/core/estep_tables.hpp"
#include "modenorm/core/vgm_types.hpp"

namespace modenorm::core {

struct DistinctTable {
  std::vector<double> values;         // strictly increasing
  std::vector<std::uint64_t> counts;  // rows holding each value
  [[nodiscard]] std::size_t size() const noexcept { return values.size(); }
};

// Merges the runs of a sorted block into `table`. Returns false, leaving `table` unspecified,
// as soon as the table would exceed `max_size` distinct values.
[[nodiscard]] bool merge_sorted_block(DistinctTable& table, std::span<const double> sorted_block,
                                      std::size_t max_size);

// Merges two tables (counts of equal values add).
[[nodiscard]] DistinctTable merge_tables(const DistinctTable& a, const DistinctTable& b);

// The E-step sums of VGM_SPEC §4-§5.1 over the rows the table stands for: every term of a
// distinct value is multiplied by its count. Plain scalar code in scikit-learn's operation
// order: the table is small, and accuracy matters more than speed here.
[[nodiscard]] SufficientStats estep_distinct(const DistinctTable& table, const EStepTables& tables);

// Hard assignment to the nearest mean (ties to the lower index), weighted by the counts.
[[nodiscard]] SufficientStats hard_assignment_stats_distinct(const DistinctTable& table,
                                                             std::span<const double> means);

// predict() counts over the rows the table stands for.
void count_argmax_distinct(const DistinctTable& table, const EStepTables& tables,
                           std::span<std::uint64_t> counts);

}  // namespace modenorm::core
