#include "modenorm/core/serial_fit.hpp"

#include <algorithm>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

#include "modenorm/core/block_sort.hpp"
#include "modenorm/core/em_loop.hpp"
#include "modenorm/core/final_attributes.hpp"
#include "modenorm/core/hard_assignment.hpp"
#include "modenorm/core/kmeans.hpp"
#include "modenorm/core/moments.hpp"
#include "modenorm/core/predict.hpp"

namespace modenorm::core {
namespace {

// Views of consecutive blocks of `block_rows` values (the last may be short).
std::vector<std::span<double>> cut_blocks(std::vector<double>& values, std::size_t block_rows) {
  std::vector<std::span<double>> blocks;
  for (std::size_t b = 0; b < values.size(); b += block_rows) {
    blocks.push_back(std::span<double>(values).subspan(b, std::min(block_rows, values.size() - b)));
  }
  return blocks;
}

}  // namespace

FittedModel fit_in_memory(std::vector<double> values, const SerialFitOptions& options) {
  const FitSettings& settings = options.settings;
  const auto n = values.size();
  if (n < 2 || n < static_cast<std::size_t>(settings.components)) {
    throw std::invalid_argument("fit_in_memory: " + std::to_string(n) +
                                " value(s); the fit needs at least 2 and at least K = " +
                                std::to_string(settings.components));
  }
  if (options.block_rows == 0 || options.kmeans_sample == 0) {
    throw std::invalid_argument("fit_in_memory: block_rows and kmeans_sample must be positive");
  }

  // k-means runs on values at rows floor(j n / S) in the given order, as the distributed fit
  // takes its evenly spaced sample; then every block is sorted (the sums are order-free).
  const std::size_t sample_size = std::min<std::size_t>(n, options.kmeans_sample);
  std::vector<double> sample(sample_size);
  for (std::size_t j = 0; j < sample_size; ++j) sample[j] = values[j * n / sample_size];
  const auto centres = kmeans_serial(sample, settings.components, options.seed).centres;

  auto blocks = cut_blocks(values, static_cast<std::size_t>(options.block_rows));
  DataMoments moments;
  for (const auto block : blocks) moments = combine(moments, moments_of_block(block));
  for (const auto block : blocks) sort_block_for_fit(block);
  const Priors priors = priors_from_moments(moments, settings);

  const Eigen::ArrayXd shifts =
      Eigen::Map<const Eigen::ArrayXd>(centres.data(), static_cast<Eigen::Index>(centres.size()));
  SufficientStats init = make_empty_stats(shifts);
  for (const auto block : blocks) merge_into(init, hard_assignment_stats_sorted(block, centres));

  const DataPass pass = [&](const EStepTables& tables) {
    SufficientStats total = make_empty_stats(tables.shift);
    for (const auto block : blocks) merge_into(total, estep_block(block, tables));
    return total;
  };
  const FitResult fit = run_em(settings, priors, init, pass);

  std::vector<std::uint64_t> counts(static_cast<std::size_t>(settings.components), 0);
  const auto tables = make_estep_tables(fit.params);
  for (const auto block : blocks) count_argmax_sorted(block, tables, counts);

  FittedModel model;
  model.settings = settings;
  model.init = "kmeans";
  model.seed = options.seed;
  model.block_rows = options.block_rows;
  model.data_path = "rows";
  model.input.rows = n;
  model.input.min = moments.min;
  model.input.max = moments.max;
  model.input.sum = moments.sum;
  model.priors = priors;
  record_fit(model, fit, std::move(counts));
  return model;
}

}  // namespace modenorm::core
