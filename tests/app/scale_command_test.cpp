// `modenorm scale` as a user runs it: under mpiexec at several rank counts and slab sizes (the
// output must not change by a bit), the values against the source, the attributes, and clean
// failures for bad options and inputs.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "h5_files.hpp"
#include "modenorm/core/bootstrap.hpp"
#include "run_modenorm.hpp"
#include "temp_dir.hpp"

namespace modenorm {
namespace {

using testing::h5_attribute_text;
using testing::h5_read_dataset;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::run_modenorm;

const std::string kBundledCsv = std::string(MODENORM_SOURCE_DIR) + "/data/credit_amount.csv";
const std::string kCsvSha256 = "5d86a4228c7fa97cd926c8c537b5dca659f22d65feb8617fa738677518688dce";

bool bitwise_equal(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// One ingested copy of the bundled credit data shared by every test of the suite.
class ScaleCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_ = std::make_unique<modenorm::testing::TempDir>();
    credit_ = (*shared_ / "credit.h5").string();
    const auto result = run_modenorm(0, {"ingest", "--csv", kBundledCsv, "--out", credit_});
    ASSERT_EQ(result.exit_code, 0) << result.output;
    source_ = h5_read_dataset<double>(credit_, "/Amount");
    sorted_source_ = source_;
    std::sort(sorted_source_.begin(), sorted_source_.end());
  }
  static void TearDownTestSuite() { shared_.reset(); }

  // Runs scale on `ranks` ranks into a fresh file and returns its /Amount.
  std::vector<double> scale(int ranks, const std::vector<std::string>& extra) {
    const auto out = dir_ / ("out" + std::to_string(runs_++) + ".h5");
    std::vector<std::string> args = {"scale", "--in", credit_, "--out", out.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto result = run_modenorm(ranks, args);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    if (result.exit_code != 0) return {};
    last_out_ = out;
    return h5_read_dataset<double>(out, "/Amount");
  }

  // The largest source value <= x (NaN if none).
  static double source_floor(double x) {
    const auto above = std::upper_bound(sorted_source_.begin(), sorted_source_.end(), x);
    return above == sorted_source_.begin() ? std::nan("") : *(above - 1);
  }

  static inline std::unique_ptr<modenorm::testing::TempDir> shared_;
  static inline std::string credit_;
  static inline std::vector<double> source_;
  static inline std::vector<double> sorted_source_;
  modenorm::testing::TempDir dir_;
  std::filesystem::path last_out_;
  int runs_ = 0;
};

TEST_F(ScaleCommand, BitIdenticalAtAnyRankCountAndSlabSize) {
  // An odd row count, so the shards and slabs end at awkward places.
  const std::vector<std::string> common = {"--rows", "1000003", "--jitter", "0.005", "--seed", "7"};
  const auto reference = scale(1, common);
  ASSERT_EQ(reference.size(), 1000003U);
  // The file holds exactly the documented stream (core::bootstrap_rows of the source).
  std::vector<double> expected(reference.size());
  core::bootstrap_rows(source_, 0, expected, 7, 0.005);
  EXPECT_TRUE(bitwise_equal(reference, expected));

  struct Run {
    int ranks;
    std::string slab_rows;  // empty: the default
    std::string io = "direct";
  };
  for (const Run& run :
       {Run{2, ""}, Run{3, ""}, Run{7, ""}, Run{1, "4099"}, Run{2, "4099"}, Run{3, "100000"},
        Run{7, "4099"}, Run{1, "", "mpio"}, Run{3, "4099", "mpio"}, Run{7, "", "mpio"}}) {
    auto args = common;
    if (!run.slab_rows.empty()) args.insert(args.end(), {"--slab-rows", run.slab_rows});
    args.insert(args.end(), {"--io", run.io});
    EXPECT_TRUE(bitwise_equal(scale(run.ranks, args), reference))
        << run.ranks << " ranks, slab rows '" << run.slab_rows << "', --io " << run.io;
  }
}

TEST_F(ScaleCommand, PureBootstrapDrawsSourceValuesAndRecordsItsSource) {
  const auto values = scale(3, {"--rows", "300000", "--seed", "11"});
  ASSERT_EQ(values.size(), 300000U);
  std::map<double, int> seen;
  for (const double x : values) {
    ASSERT_TRUE(std::binary_search(sorted_source_.begin(), sorted_source_.end(), x)) << x;
    ++seen[x];
  }
  EXPECT_GT(seen.size(), 10000U) << "a resample of 300k rows reaches most of 12.5k values";

  const auto& out = last_out_;
  EXPECT_EQ(h5_attribute_text(out, "/", "complete"), "1");
  EXPECT_EQ(h5_attribute_text(out, "/", "command"), "scale");
  EXPECT_EQ(h5_attribute_text(out, "/", "ranks"), "3");
  EXPECT_FALSE(h5_attribute_text(out, "/", "tool_version").empty());
  EXPECT_EQ(h5_attribute_text(out, "/Amount", "rows"), "300000");
  EXPECT_EQ(h5_attribute_text(out, "/Amount", "seed"), "11");
  EXPECT_EQ(h5_attribute_text(out, "/Amount", "generator"), core::kBootstrapGenerator);
  EXPECT_EQ(h5_attribute_text(out, "/Amount", "source_file"), "credit.h5");
  EXPECT_EQ(h5_attribute_text(out, "/Amount", "source_dataset"), "/Amount");
  EXPECT_EQ(h5_attribute_text(out, "/Amount", "origin_sha256"), kCsvSha256);
  const auto sha = testing::run_shell("sha256sum " + testing::shell_quote(credit_));
  EXPECT_EQ(h5_attribute_text(out, "/Amount", "source_sha256"), sha.output.substr(0, 64));
  EXPECT_FALSE(std::filesystem::exists(out.string() + ".partial"));
}

TEST_F(ScaleCommand, JitteredValuesLieJustAboveASourceValueAndRoundBackToIt) {
  const double jitter = 0.005;
  const auto values = scale(2, {"--rows", "300000", "--jitter", "0.005"});
  ASSERT_EQ(values.size(), 300000U);
  std::size_t repeats_of_source = 0;
  for (const double x : values) {
    const double v = source_floor(x);
    ASSERT_FALSE(std::isnan(v)) << x << " is below every source value";
    ASSERT_LT(x, v + jitter) << x << " is not within [v, v + J) of a source value";
    // Amounts are whole cents and J < 1 cent: rounding to cents recovers the source value.
    ASSERT_EQ(std::round(x * 100.0) / 100.0, v) << x;
    repeats_of_source += x == v;
  }
  EXPECT_LT(repeats_of_source, 10U);
  EXPECT_EQ(h5_attribute_text(last_out_, "/Amount", "jitter"), std::to_string(0.005));
}

class ScaleBadInput : public ScaleCommand {
 protected:
  // Exit 2, one clean report naming every fragment, and no output file left behind.
  void expect_clean_failure(const std::vector<std::string>& extra,
                            const std::vector<std::string>& fragments, const std::string& in = "") {
    const auto out = dir_ / "bad.h5";
    std::vector<std::string> args = {"scale", "--in", in.empty() ? credit_ : in, "--out",
                                     out.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto result = run_modenorm(2, args);
    EXPECT_EQ(result.exit_code, 2) << result.output;
    for (const auto& fragment : fragments) EXPECT_THAT(result.output, HasSubstr(fragment));
    EXPECT_THAT(result.output, Not(HasSubstr("MPI_ABORT")));
    EXPECT_FALSE(std::filesystem::exists(out));
    EXPECT_FALSE(std::filesystem::exists(dir_ / "bad.h5.partial"));
  }
};

TEST_F(ScaleBadInput, RowsMustBeAPositiveInteger) {
  expect_clean_failure({"--rows", "0"}, {"--rows", "positive"});
  expect_clean_failure({"--rows=-5"}, {"--rows", "positive", "-5"});
  expect_clean_failure({"--rows", "abc"}, {"--rows"});
  expect_clean_failure({"--rows", "1.5"}, {"--rows"});
  expect_clean_failure({}, {"--rows"});  // required
}

TEST_F(ScaleBadInput, JitterMustBeFiniteAndNonNegative) {
  expect_clean_failure({"--rows", "10", "--jitter=-0.5"}, {"--jitter", ">= 0"});
  expect_clean_failure({"--rows", "10", "--jitter", "nan"}, {"--jitter"});
  expect_clean_failure({"--rows", "10", "--jitter", "inf"}, {"--jitter"});
}

TEST_F(ScaleBadInput, SlabRowsMustBePositive) {
  expect_clean_failure({"--rows", "10", "--slab-rows", "0"}, {"--slab-rows", "positive"});
  expect_clean_failure({"--rows", "10", "--io", "posix"}, {"--io", "posix"});
}

TEST_F(ScaleBadInput, MoreRanksThanRows) {
  const auto out = dir_ / "tiny.h5";
  const auto result = run_modenorm(
      7, {"scale", "--in", credit_, "--out", out.string(), "--rows", "3", "--jitter", "0.005"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  std::vector<double> expected(3);
  core::bootstrap_rows(source_, 0, expected, 42, 0.005);
  EXPECT_TRUE(bitwise_equal(h5_read_dataset<double>(out, "/Amount"), expected));
}

TEST_F(ScaleBadInput, MissingOrEmptyOrBadSource) {
  expect_clean_failure({"--rows", "10"}, {"absent.h5", "not found"}, (dir_ / "absent.h5").string());
  expect_clean_failure({"--rows", "10", "--dataset", "/Nope"}, {"/Nope"});
  const auto empty = dir_ / "empty.h5";
  testing::h5_write_dataset<double>(empty, "/Amount", {});
  expect_clean_failure({"--rows", "10"}, {"empty.h5", "empty"}, empty.string());
  const auto with_nan = dir_ / "nan.h5";
  testing::h5_write_dataset<double>(with_nan, "/Amount", {1.0, std::nan(""), 2.0});
  expect_clean_failure({"--rows", "10"}, {"nan.h5", "row 1", "finite"}, with_nan.string());
}

TEST_F(ScaleBadInput, NotEnoughDiskSpace) {
  expect_clean_failure({"--rows", "1000000000000000"}, {"not enough disk space", "bad.h5"});
}

TEST_F(ScaleBadInput, ExistingOutputNeedsForce) {
  const auto out = (dir_ / "out.h5").string();
  const std::vector<std::string> args = {"scale", "--in", credit_, "--out", out, "--rows", "1000"};
  ASSERT_EQ(run_modenorm(2, args).exit_code, 0);
  const auto again = run_modenorm(2, args);
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_THAT(again.output, HasSubstr("already exists"));
  EXPECT_THAT(again.output, HasSubstr("--force"));
  const std::vector<std::string> forced = {"scale", "--in",   credit_, "--out",
                                           out,     "--rows", "2000",  "--force"};
  const auto result = run_modenorm(2, forced);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(h5_read_dataset<double>(out, "/Amount").size(), 2000U);
}

TEST_F(ScaleBadInput, HelpDocumentsTheBenchmarkJitter) {
  const auto result = run_modenorm(0, {"scale", "--help"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("--jitter 0.005"));
}

}  // namespace
}  // namespace modenorm
