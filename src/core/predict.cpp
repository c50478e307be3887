#include "modenorm/core/predict.hpp"

#include "component_skipping.hpp"

#include <cmath>
#include <limits>
#include <numbers>

namespace modenorm::core {

void weighted_log_prob_row(double x, const EStepTables& tables, std::span<double> out) {
  const double log_2pi = std::log(2.0 * std::numbers::pi);
  const int k = tables.components();
  for (int c = 0; c < k; ++c) {
    const double y = x * tables.P[c] - tables.mP[c];
    const double log_gauss = -0.5 * (log_2pi + y * y) + tables.log_P[c];
    out[static_cast<std::size_t>(c)] =
        (log_gauss - tables.half_log_nu[c]) + tables.half_log_lambda[c] + tables.log_weights[c];
  }
}

void predict_log_proba_row(double x, const EStepTables& tables, std::span<double> out) {
  weighted_log_prob_row(x, tables, out);
  const auto k = static_cast<std::size_t>(tables.components());
  double max_w = -std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < k; ++c) max_w = std::max(max_w, out[c]);
  double sum_exp = 0.0;
  for (std::size_t c = 0; c < k; ++c) sum_exp += std::exp(out[c] - max_w);
  const double log_norm = max_w + std::log(sum_exp);
  for (std::size_t c = 0; c < k; ++c) out[c] -= log_norm;
}

void predict_proba_row(double x, const EStepTables& tables, std::span<double> out) {
  predict_log_proba_row(x, tables, out);
  const auto k = static_cast<std::size_t>(tables.components());
  for (std::size_t c = 0; c < k; ++c) out[c] = std::exp(out[c]);
}

int argmax_component(double x, const EStepTables& tables) {
  // Same expression as weighted_log_prob_row, without a buffer: this runs once per row in the
  // valid-component pass.
  const double log_2pi = std::log(2.0 * std::numbers::pi);
  const int k = tables.components();
  int best = 0;
  double best_w = -std::numeric_limits<double>::infinity();
  for (int c = 0; c < k; ++c) {
    const double y = x * tables.P[c] - tables.mP[c];
    const double log_gauss = -0.5 * (log_2pi + y * y) + tables.log_P[c];
    const double w =
        (log_gauss - tables.half_log_nu[c]) + tables.half_log_lambda[c] + tables.log_weights[c];
    if (c == 0 || w > best_w) {  // strict: ties keep the lowest index, like np.argmax
      best_w = w;
      best = c;
    }
  }
  return best;
}

void count_argmax(std::span<const double> x, const EStepTables& tables,
                  std::span<std::uint64_t> counts) {
  for (const double v : x) ++counts[static_cast<std::size_t>(argmax_component(v, tables))];
}

namespace {

// Runs this short are evaluated row by row.
constexpr std::size_t kDirectRows = 16;

void count_sorted_run(std::span<const double> x, const EStepTables& tables,
                      std::span<std::uint64_t> counts) {
  if (x.size() <= kDirectRows) {
    count_argmax(x, tables, counts);
    return;
  }
  const int first = argmax_component(x.front(), tables);
  if (first == argmax_component(x.back(), tables) &&
      detail::dominates_on(first, x.front(), x.back(), tables)) {
    counts[static_cast<std::size_t>(first)] += x.size();
    return;
  }
  const std::size_t half = x.size() / 2;
  count_sorted_run(x.first(half), tables, counts);
  count_sorted_run(x.subspan(half), tables, counts);
}

}  // namespace

void count_argmax_sorted(std::span<const double> x, const EStepTables& tables,
                         std::span<std::uint64_t> counts) {
  count_sorted_run(x, tables, counts);
}

}  // namespace modenorm::core
