// `modenorm evaluate` as a user runs it, on a two-mode mixture with known parameters plus
// extremes: the report's numbers against an independent computation from the files, the
// same report at 1, 2, 3 and 7 ranks and any slab size, a fit on a 1 % sample scoring worse
// than the full fit, and clear errors for bad inputs.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "h5_files.hpp"
#include "run_modenorm.hpp"
#include "temp_dir.hpp"
#include "text_files.hpp"

namespace modenorm {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using testing::read_text;
using testing::run_modenorm;

json read_json(const std::filesystem::path& path) { return json::parse(read_text(path)); }

// The report without what legitimately differs between runs (timings, the options given).
json numbers_of(json report) {
  report.erase("timings");
  report.erase("options");
  for (auto& entry : report["sampling"]) entry.erase("fit_seconds");
  return report;
}

class EvaluateCommandTest : public ::testing::Test {
 protected:
  // 0.7 N(50, 5^2) + 0.3 N(500, 50^2), 2.2M rows (three 1 Mi-row evaluation blocks), with the
  // extremes the research clip loses; fitted, transformed and restored once for the suite.
  static void SetUpTestSuite() {
    dir_ = std::make_unique<testing::TempDir>();
    std::mt19937_64 rng(77);
    std::bernoulli_distribution second(0.3);
    std::normal_distribution<double> normal;
    x_.resize(2'200'000);
    for (auto& v : x_) v = second(rng) ? 500.0 + 50.0 * normal(rng) : 50.0 + 5.0 * normal(rng);
    x_[123] = 1e5;
    x_[1'500'000] = 25000.0;
    x_[2'199'999] = -3000.0;
    testing::h5_write_dataset(*dir_ / "x.h5", "/Amount", x_);
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"fit", "--in", path("x.h5"), "--model", path("m.json")},
             {"transform", "--in", path("x.h5"), "--model", path("m.json"), "--out", path("t.h5")},
             {"inverse", "--in", path("t.h5"), "--model", path("m.json"), "--out", path("r.h5")}}) {
      const auto result = run_modenorm(2, args);
      ASSERT_EQ(result.exit_code, 0) << result.output;
    }
  }
  static void TearDownTestSuite() { dir_.reset(); }

  static std::string path(const std::string& name) { return (*dir_ / name).string(); }

  // Runs evaluate and returns its report (empty on failure, with the output in `output`).
  json evaluate(int ranks, std::vector<std::string> extra, std::string* output = nullptr) {
    const auto report = path("report-" + std::to_string(counter_++) + ".json");
    std::vector<std::string> args = {"evaluate",   "--in",         path("x.h5"),
                                     "--model",    path("m.json"), "--transformed",
                                     path("t.h5"), "--report",     report};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto result = run_modenorm(ranks, args);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    if (output) *output = result.output;
    return result.exit_code == 0 ? read_json(report) : json{};
  }

  static inline std::unique_ptr<testing::TempDir> dir_;
  static inline std::vector<double> x_;
  // Suite-wide, as dir_ is: every report of the suite gets its own name, also when all the
  // tests run in one process.
  static inline int counter_ = 0;
};

TEST_F(EvaluateCommandTest, ReportMatchesAnIndependentComputationFromTheFiles) {
  std::string log;
  const json report =
      evaluate(2, {"--restored", path("r.h5"), "--compare-samples", "1%,10000"}, &log);
  ASSERT_FALSE(report.empty());
  const json model = read_json(path("m.json"));
  const auto alpha = testing::h5_read_dataset<double>(path("t.h5"), "/alpha");
  const auto component = testing::h5_read_dataset<std::uint8_t>(path("t.h5"), "/component");
  const auto restored = testing::h5_read_dataset<double>(path("r.h5"), "/Amount");
  const json& c = model["components"];

  // Fit quality: the plug-in mixture's mean log-likelihood, in long double here.
  long double sum = 0.0L;
  for (const double v : x_) {
    long double p = 0.0L;
    for (std::size_t k = 0; k < c["weights"].size(); ++k) {
      const long double w = c["weights"][k].get<double>();
      const long double var = c["covariances"][k].get<double>();
      const long double z = (v - c["means"][k].get<double>());
      p += w * std::exp(-0.5L * z * z / var) / std::sqrt(2 * std::numbers::pi_v<long double> * var);
    }
    sum += std::log(p > 0 ? p : LDBL_MIN);
  }
  const double mean_ll = static_cast<double>(sum / static_cast<long double>(x_.size()));
  EXPECT_NEAR(report["fit_quality"]["mean_log_likelihood"].get<double>(), mean_ll,
              1e-9 * std::abs(mean_ll));
  EXPECT_EQ(report["fit_quality"]["valid_mode_count"].get<std::size_t>(),
            model["valid_components"].size());
  EXPECT_NEAR(report["fit_quality"]["lower_bound_per_row"].get<double>(),
              model["fit"]["lower_bound"].get<double>() / static_cast<double>(x_.size()), 1e-12);

  // The known modes: the valid components near 50 and near 500 carry their weights (the
  // fit may split a mode over several components).
  double near_50 = 0.0;
  double near_500 = 0.0;
  for (const auto& m : report["model"]["valid_modes"]) {
    const double mean = m["mean"].get<double>();
    if (std::abs(mean - 50.0) < 15.0) near_50 += m["weight"].get<double>();
    if (std::abs(mean - 500.0) < 150.0) near_500 += m["weight"].get<double>();
  }
  EXPECT_NEAR(near_50, 0.7, 0.02);
  EXPECT_NEAR(near_500, 0.3, 0.02);

  // Transform: counts per mode, rows beyond the clip and 4 std, the chi-squared test.
  std::vector<std::uint64_t> counts(256, 0);
  std::uint64_t beyond_clip = 0;
  std::uint64_t beyond_4 = 0;
  for (std::size_t i = 0; i < x_.size(); ++i) {
    ++counts[component[i]];
    beyond_clip += std::abs(alpha[i]) > 0.99 ? 1U : 0U;
    beyond_4 += std::abs(alpha[i]) > 1.0 ? 1U : 0U;
  }
  for (const auto& m : report["transform"]["modes"]) {
    EXPECT_EQ(m["observed"].get<std::uint64_t>(), counts[m["component"].get<std::size_t>()]);
    EXPECT_NEAR(m["expected"].get<double>(), m["observed"].get<double>(),
                6 * std::sqrt(m["expected"].get<double>()) + 1);
  }
  EXPECT_EQ(report["round_trip"]["rows_beyond_clip"].get<std::uint64_t>(), beyond_clip);
  EXPECT_EQ(report["round_trip"]["rows_beyond_4_std"].get<std::uint64_t>(), beyond_4);
  EXPECT_GE(beyond_4, 3U);  // at least the three extremes
  EXPECT_GT(report["transform"]["chi_squared"]["p_value"].get<double>(), 1e-3);

  // Round trip: exact, the extremes listed with their restored values.
  double max_error = 0.0;
  for (std::size_t i = 0; i < x_.size(); ++i) {
    const double mean = c["means"][component[i]].get<double>();
    max_error =
        std::max(max_error, std::abs(restored[i] - x_[i]) / (std::abs(x_[i]) + std::abs(mean)));
  }
  EXPECT_EQ(report["round_trip"]["max_scaled_error"].get<double>(), max_error);
  EXPECT_LE(max_error, 1e-12);
  EXPECT_EQ(report["round_trip"]["rows_over_1e-12"].get<std::uint64_t>(), 0U);
  const json& largest = report["round_trip"]["largest"];
  ASSERT_EQ(largest.size(), 10U);
  EXPECT_EQ(largest[0]["value"].get<double>(), 1e5);
  EXPECT_EQ(largest[0]["row"].get<std::uint64_t>(), 123U);
  EXPECT_EQ(largest[0]["restored"].get<double>(), restored[123]);
  EXPECT_EQ(largest[1]["value"].get<double>(), 25000.0);
  EXPECT_EQ(report["round_trip"]["min"]["value"].get<double>(), -3000.0);
  EXPECT_EQ(report["round_trip"]["min"]["row"].get<std::uint64_t>(), 2'199'999U);

  // Sampling: the 1 % fit (22,000 rows) scores worse on every row than the full fit.
  const json& sampling = report["sampling"];
  ASSERT_EQ(sampling.size(), 3U);
  EXPECT_EQ(sampling[0]["sample"], "full data");
  EXPECT_EQ(sampling[1]["sample"], "1%");
  EXPECT_EQ(sampling[1]["rows"].get<std::uint64_t>(), 22'000U);
  EXPECT_EQ(sampling[2]["rows"].get<std::uint64_t>(), 10'000U);
  for (std::size_t s = 1; s < 3; ++s) {
    EXPECT_GT(sampling[s]["log_likelihood_loss_per_row"].get<double>(), 0.0) << sampling[s];
    EXPECT_GE(sampling[s]["valid_mode_count"].get<int>(), 1);
    EXPECT_NEAR(sampling[s]["mean_log_likelihood"].get<double>() +
                    sampling[s]["log_likelihood_loss_per_row"].get<double>(),
                mean_ll, 1e-9 * std::abs(mean_ll));
  }
  EXPECT_THAT(log, HasSubstr("chi2"));
  EXPECT_THAT(log, HasSubstr("fit on 1%"));
}

TEST_F(EvaluateCommandTest, SameReportAtAnyRankCountAndSlabSize) {
  const json reference = numbers_of(evaluate(1, {"--compare-samples", "10000"}));
  ASSERT_FALSE(reference.empty());
  for (const int ranks : {2, 3, 7}) {
    for (const std::string slab : {"1048576", "3000000"}) {
      const json report =
          numbers_of(evaluate(ranks, {"--compare-samples", "10000", "--slab-rows", slab}));
      EXPECT_EQ(report, reference) << ranks << " ranks, slab " << slab;
    }
  }
}

TEST_F(EvaluateCommandTest, RestoresInMemoryWithoutTheInverseOutput) {
  json with_file = evaluate(2, {"--restored", path("r.h5"), "--compare-samples", ""});
  json recomputed = evaluate(2, {"--compare-samples", ""});
  ASSERT_FALSE(with_file.empty());
  ASSERT_FALSE(recomputed.empty());
  EXPECT_EQ(recomputed["round_trip"]["restored_from"], "recomputed");
  with_file["round_trip"].erase("restored_from");
  recomputed["round_trip"].erase("restored_from");
  EXPECT_EQ(numbers_of(with_file), numbers_of(recomputed));
  EXPECT_EQ(recomputed["sampling"].size(), 1U);  // only the full data
}

TEST_F(EvaluateCommandTest, BadInputsStopWithAClearMessage) {
  const auto run = [&](std::vector<std::string> args) { return run_modenorm(2, args); };
  const std::vector<std::string> base = {"evaluate",     "--in",     path("x.h5"),    "--model",
                                         path("m.json"), "--report", path("bad.json")};
  auto with = [&](std::vector<std::string> extra) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
  };
  auto result = with({"--transformed", path("t.h5"), "--compare-samples", "10k"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("--compare-samples: '10k'"));
  result = with({"--transformed", path("t.h5"), "--compare-samples", "150%"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("--compare-samples: '150%'"));
  result = with({"--transformed", path("missing.h5")});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("missing.h5"));
  // A transform output is not an input of itself, nor the restored values of the transform.
  result = with({"--transformed", path("x.h5")});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("is not a transform output"));
  // Restored values of other data: the row count differs.
  testing::h5_write_dataset(*dir_ / "short.h5", "/Amount", std::vector<double>(1000, 1.0));
  result = with({"--transformed", path("t.h5"), "--restored", path("short.h5")});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("short.h5"));
  // A model the transform was not made with.
  auto other = read_json(path("m.json"));
  other["components"]["means"][0] = other["components"]["means"][0].get<double>() + 1.0;
  std::ofstream(*dir_ / "other.json") << other.dump();
  result = run({"evaluate", "--in", path("x.h5"), "--model", path("other.json"), "--transformed",
                path("t.h5"), "--report", path("bad.json")});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("is not the model"));
  EXPECT_FALSE(std::filesystem::exists(*dir_ / "bad.json"));
  EXPECT_FALSE(std::filesystem::exists(*dir_ / "bad.json.partial"));
  // An existing report is kept unless --force.
  const std::vector<std::string> again = {"evaluate",
                                          "--in",
                                          path("x.h5"),
                                          "--model",
                                          path("m.json"),
                                          "--transformed",
                                          path("t.h5"),
                                          "--report",
                                          path("kept.json"),
                                          "--compare-samples",
                                          ""};
  ASSERT_EQ(run(again).exit_code, 0);
  result = run(again);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("kept.json"));
  auto forced = again;
  forced.push_back("--force");
  EXPECT_EQ(run(forced).exit_code, 0);
}

}  // namespace
}  // namespace modenorm
