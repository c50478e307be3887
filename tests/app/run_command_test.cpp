// `modenorm run`: the whole pipeline from a configuration, as scripts/demo.sh runs it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "h5_files.hpp"
#include "run_modenorm.hpp"
#include "temp_dir.hpp"

namespace modenorm {
namespace {

using testing::h5_attribute_text;
using testing::h5_read_dataset;
using ::testing::HasSubstr;
using testing::run_modenorm;

TEST(RunCommand, DefaultConfigRunsThePipelineAndRestoresEveryRow) {
  modenorm::testing::TempDir dir;
  const auto out = dir / "run";
  const auto result = run_modenorm(
      2, {"run", "--config", std::string(MODENORM_SOURCE_DIR) + "/configs/default.toml", "--set",
          "scale.rows=300000", "--set", "output.dir=\"" + out.string() + "\"", "--set",
          "input.csv=\"" + std::string(MODENORM_SOURCE_DIR) + "/data/credit_amount.csv\""});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("run: effective configuration"));
  EXPECT_THAT(result.output, HasSubstr("round trip: 300000 rows"));
  EXPECT_THAT(result.output, HasSubstr("run: finished"));  // the final timing table

  for (const char* file : {"source.h5", "scaled.h5", "transformed.h5", "restored.h5"}) {
    EXPECT_EQ(h5_attribute_text(out / file, "/", "complete"), "1") << file;
  }
  const auto original = h5_read_dataset<double>(out / "scaled.h5", "/Amount");
  const auto restored = h5_read_dataset<double>(out / "restored.h5", "/Amount");
  ASSERT_EQ(original.size(), 300000u);
  ASSERT_EQ(restored.size(), original.size());

  std::ifstream metrics_file(out / "metrics.json");
  const auto metrics = nlohmann::json::parse(metrics_file);
  EXPECT_EQ(metrics["config"]["scale"]["rows"], 300000);
  EXPECT_LE(metrics["round_trip"]["max_scaled_error"].get<double>(), 1e-12);
  EXPECT_GT(metrics["round_trip"]["rows_beyond_4_std"].get<int>(), 0);
  std::vector<std::string> stages;
  for (const auto& s : metrics["stages"]) stages.push_back(s["stage"]);
  // The evaluation measures the round trip, so there is no separate check pass.
  EXPECT_THAT(stages,
              ::testing::ElementsAre("ingest", "scale", "fit", "transform", "inverse", "evaluate"));
  EXPECT_EQ(metrics["fit"]["command"], "fit");

  // The evaluation ([evaluate] enabled = true in the default config) reads the same files.
  EXPECT_EQ(metrics["evaluation"], (out / "evaluation.json").string());
  std::ifstream report_file(out / "evaluation.json");
  const auto report = nlohmann::json::parse(report_file);
  EXPECT_EQ(report["input"]["rows"], 300000);
  EXPECT_EQ(report["round_trip"]["restored_from"], (out / "restored.h5").string());
  EXPECT_EQ(report["round_trip"]["max_scaled_error"], metrics["round_trip"]["max_scaled_error"]);
  EXPECT_EQ(report["round_trip"]["rows_beyond_4_std"], metrics["round_trip"]["rows_beyond_4_std"]);
  EXPECT_EQ(report["round_trip"]["rows_beyond_clip"],
            metrics["round_trip"]["rows_beyond_research_clip"]);
  EXPECT_EQ(report["round_trip"]["largest"][0]["restored"],
            metrics["round_trip"]["max_value_restored"]);
  EXPECT_EQ(report["sampling"].size(), 4u);  // the full data, 10000, 100000 and 1% (3000 rows)
  EXPECT_GT(report["transform"]["chi_squared"]["p_value"].get<double>(), 1e-3);
}

// Without the evaluation, the run checks the round trip in a pass of its own, with the same
// figures in metrics.json.
TEST(RunCommand, WithoutTheEvaluationTheRoundTripIsCheckedByItsOwnPass) {
  modenorm::testing::TempDir dir;
  const auto out = dir / "run";
  const auto result = run_modenorm(
      2, {"run", "--config", std::string(MODENORM_SOURCE_DIR) + "/configs/default.toml", "--set",
          "scale.rows=100000", "--set", "evaluate.enabled=false", "--set",
          "output.dir=\"" + out.string() + "\"", "--set",
          "input.csv=\"" + std::string(MODENORM_SOURCE_DIR) + "/data/credit_amount.csv\""});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("round trip: 100000 rows"));
  EXPECT_FALSE(std::filesystem::exists(out / "evaluation.json"));

  std::ifstream metrics_file(out / "metrics.json");
  const auto metrics = nlohmann::json::parse(metrics_file);
  std::vector<std::string> stages;
  for (const auto& s : metrics["stages"]) stages.push_back(s["stage"]);
  EXPECT_THAT(stages, ::testing::ElementsAre("ingest", "scale", "fit", "transform", "inverse",
                                             "round-trip check"));
  EXPECT_EQ(metrics["round_trip"]["rows"], 100000);
  EXPECT_LE(metrics["round_trip"]["max_scaled_error"].get<double>(), 1e-12);
  EXPECT_GT(metrics["round_trip"]["rows_beyond_4_std"].get<int>(), 0);
  const auto original = h5_read_dataset<double>(out / "scaled.h5", "/Amount");
  EXPECT_EQ(metrics["round_trip"]["max_value"].get<double>(),
            *std::max_element(original.begin(), original.end()));
}

TEST(RunCommand, UnknownConfigKeyIsRejectedByName) {
  modenorm::testing::TempDir dir;
  const auto config = dir.write("bad.toml", "[input]\ncsv = \"x.csv\"\n[fit]\nmax_iters = 3\n");
  const auto result = run_modenorm(2, {"run", "--config", config.string()});
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_THAT(result.output, HasSubstr("unknown key 'fit.max_iters'"));
}

}  // namespace
}  // namespace modenorm
