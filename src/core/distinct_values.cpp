#include "modenorm/core/distinct_values.hpp"

#include <cmath>
#include <limits>

#include "modenorm/core/compensated_sum.hpp"
#include "modenorm/core/hard_assignment.hpp"
#include "modenorm/core/predict.hpp"

namespace modenorm::core {

bool merge_sorted_block(DistinctTable& table, std::span<const double> sorted_block,
                        std::size_t max_size) {
  DistinctTable block;
  for (const double v : sorted_block) {
    if (block.values.empty() || block.values.back() != v) {
      block.values.push_back(v);
      block.counts.push_back(1);
    } else {
      ++block.counts.back();
    }
    if (block.size() > max_size) return false;
  }
  table = merge_tables(table, block);
  return table.size() <= max_size;
}

DistinctTable merge_tables(const DistinctTable& a, const DistinctTable& b) {
  DistinctTable out;
  out.values.reserve(a.size() + b.size());
  out.counts.reserve(a.size() + b.size());
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a.values[i] < b.values[j])) {
      out.values.push_back(a.values[i]);
      out.counts.push_back(a.counts[i++]);
    } else if (i == a.size() || b.values[j] < a.values[i]) {
      out.values.push_back(b.values[j]);
      out.counts.push_back(b.counts[j++]);
    } else {
      out.values.push_back(a.values[i]);
      out.counts.push_back(a.counts[i++] + b.counts[j++]);
    }
  }
  return out;
}

SufficientStats estep_distinct(const DistinctTable& table, const EStepTables& tables) {
  const auto k = static_cast<std::size_t>(tables.components());
  SufficientStats stats = make_empty_stats(tables.shift);
  std::vector<CompensatedSum> r_sum(k), t1_sum(k), t2_sum(k);
  CompensatedSum h_sum, l_sum;
  std::vector<double> w(k);
  for (std::size_t i = 0; i < table.size(); ++i) {
    const double x = table.values[i];
    const double count = static_cast<double>(table.counts[i]);
    weighted_log_prob_row(x, tables, w);  // VGM_SPEC §4.2 + §4.1
    double max_w = -std::numeric_limits<double>::infinity();
    for (const double v : w) max_w = std::max(max_w, v);
    double sum_exp = 0.0;
    for (const double v : w) sum_exp += std::exp(v - max_w);
    const double log_norm = max_w + std::log(sum_exp);  // VGM_SPEC §4.3
    double h = 0.0;
    for (std::size_t c = 0; c < k; ++c) {
      const double log_r = w[c] - log_norm;
      const double r = std::exp(log_r);
      if (r == 0.0) continue;  // underflow: contributes exactly 0 (VGM_SPEC §4.3)
      const double d = x - tables.shift[static_cast<Eigen::Index>(c)];
      const double weight = count * r;
      r_sum[c].add(weight);
      t1_sum[c].add(weight * d);
      t2_sum[c].add(weight * d * d);
      h += r * log_r;
    }
    h_sum.add(count * h);
    l_sum.add(count * log_norm);
    stats.rows += table.counts[i];
  }
  for (std::size_t c = 0; c < k; ++c) {
    const auto ci = static_cast<Eigen::Index>(c);
    stats.R[ci] = r_sum[c].value();
    stats.T1[ci] = t1_sum[c].value();
    stats.T2[ci] = t2_sum[c].value();
  }
  stats.H = h_sum.value();
  stats.sum_log_norm = l_sum.value();
  return stats;
}

SufficientStats hard_assignment_stats_distinct(const DistinctTable& table,
                                               std::span<const double> means) {
  const auto k = static_cast<Eigen::Index>(means.size());
  SufficientStats stats = make_empty_stats(Eigen::Map<const Eigen::ArrayXd>(means.data(), k));
  std::vector<CompensatedSum> t1_sum(means.size()), t2_sum(means.size());
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto c = static_cast<std::size_t>(nearest_mean(table.values[i], means));
    const double count = static_cast<double>(table.counts[i]);
    const double d = table.values[i] - means[c];
    stats.R[static_cast<Eigen::Index>(c)] += count;  // exact below 2^53 rows
    t1_sum[c].add(count * d);
    t2_sum[c].add(count * d * d);
    stats.rows += table.counts[i];
  }
  for (Eigen::Index c = 0; c < k; ++c) {
    stats.T1[c] = t1_sum[static_cast<std::size_t>(c)].value();
    stats.T2[c] = t2_sum[static_cast<std::size_t>(c)].value();
  }
  return stats;
}

void count_argmax_distinct(const DistinctTable& table, const EStepTables& tables,
                           std::span<std::uint64_t> counts) {
  for (std::size_t i = 0; i < table.size(); ++i) {
    counts[static_cast<std::size_t>(argmax_component(table.values[i], tables))] +=
        table.counts[i];
  }
}

}  // namespace modenorm::core
