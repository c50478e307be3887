#include "modenorm/app/sample_fits.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <nlohmann/json.hpp>

#include "modenorm/core/errors.hpp"
#include "modenorm/core/evaluation.hpp"
#include "modenorm/core/serial_fit.hpp"
#include "modenorm/io/model_json.hpp"
#include "modenorm/parallel/communicator.hpp"
#include "modenorm/parallel/gather.hpp"

namespace modenorm::app {

std::vector<SampleSpec> parse_sample_specs(const std::string& text, std::uint64_t rows) {
  std::vector<SampleSpec> specs;
  std::size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    const auto comma = text.find(',', start);
    const std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const auto bad = [&](const std::string& why) {
      return core::InputError("--compare-samples: '" + item + "' " + why +
                              " (expected row counts or percentages, e.g. 10000,100000,1%)");
    };
    if (item.empty()) throw bad("is empty");
    SampleSpec spec{item, 0};
    std::size_t used = 0;
    try {
      if (item.back() == '%') {
        const double percent = std::stod(item.substr(0, item.size() - 1), &used);
        if (used != item.size() - 1 || !(percent > 0) || !(percent <= 100)) {
          throw bad("is not a percentage in (0, 100]");
        }
        spec.rows = std::max<std::uint64_t>(
            1,
            static_cast<std::uint64_t>(std::llround(percent / 100.0 * static_cast<double>(rows))));
      } else {
        if (item.find_first_not_of("0123456789") != std::string::npos) {
          throw bad("is not a positive whole number");
        }
        spec.rows = std::stoull(item, &used);
        if (spec.rows == 0) throw bad("is not a positive whole number");
      }
    } catch (const std::logic_error&) {  // std::stod / std::stoull: not a number, out of range
      throw bad("is not a number");
    }
    // A size already asked for under another name (100000 and 1% of 1e7) is the same sample.
    const auto same = std::find_if(specs.begin(), specs.end(),
                                   [&](const SampleSpec& s) { return s.rows == spec.rows; });
    if (same != specs.end()) {
      same->label += " = " + spec.label;
    } else if (spec.rows < rows) {
      specs.push_back(spec);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return specs;
}

SampleCollector::SampleCollector(std::vector<SampleSpec> specs, std::uint64_t seed,
                                 std::uint64_t rows)
    : specs_(std::move(specs)), seed_(seed), rows_(rows), local_(specs_.size()) {}

void SampleCollector::add_slab(parallel::RowRange range, std::span<const double> x) {
  for (std::size_t s = 0; s < specs_.size(); ++s) {
    const auto size = specs_[s].rows;
    for (auto i = core::first_stratum_at_or_after(range.begin, size, rows_); i < size; ++i) {
      const auto row = core::stratified_sample_row(seed_, i, size, rows_);
      if (row >= range.end) break;
      if (row >= range.begin) local_[s].push_back(x[static_cast<std::size_t>(row - range.begin)]);
    }
  }
}

std::vector<double> SampleCollector::gather_on_rank0(std::size_t s, MPI_Comm comm) const {
  return parallel::gather_concat<double>(local_[s], 0, comm);
}

std::vector<SampleFit> fit_samples(const SampleCollector& samples, const core::FittedModel& full,
                                   std::uint64_t kmeans_sample, MPI_Comm comm) {
  const int rank = parallel::comm_rank(comm);
  std::vector<SampleFit> fits;
  for (std::size_t s = 0; s < samples.specs().size(); ++s) {
    SampleFit fit;
    fit.spec = samples.specs()[s];
    auto values = samples.gather_on_rank0(s, comm);
    // Rank 0 fits; the others wait for its model (or its reason for having none).
    nlohmann::json message;
    if (rank == 0) {
      const auto started = std::chrono::steady_clock::now();
      try {
        core::SerialFitOptions options;
        options.settings = full.settings;
        options.seed = full.seed;
        options.kmeans_sample = kmeans_sample;
        options.block_rows = full.block_rows;
        auto model = core::fit_in_memory(std::move(values), options);
        message = {{"model", io::model_to_json(model)}};
      } catch (const std::exception& e) {
        message = {{"failure", e.what()}};
      }
      message["seconds"] =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    }
    message = nlohmann::json::parse(parallel::broadcast_string(message.dump(), 0, comm));
    fit.seconds = message["seconds"].get<double>();
    if (message.contains("model")) {
      fit.model =
          io::model_from_json(message["model"], "the fit on the " + fit.spec.label + "-row sample");
    } else {
      fit.failure = message["failure"].get<std::string>();
    }
    fits.push_back(std::move(fit));
  }
  return fits;
}

}  // namespace modenorm::app
