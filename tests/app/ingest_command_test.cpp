// `modenorm ingest` as a user runs it: under mpiexec, checking the file it writes and, for bad
// input, the message, the exit code and that no output file is left behind.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "h5_files.hpp"
#include "run_modenorm.hpp"
#include "temp_dir.hpp"

namespace modenorm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::h5_attribute_text;
using testing::h5_read_dataset;
using testing::run_modenorm;

const std::string kBundledCsv = std::string(MODENORM_SOURCE_DIR) + "/data/credit_amount.csv";

// The bundled column parsed independently of the code under test.
std::vector<double> bundled_values() {
  std::ifstream in(kBundledCsv);
  std::string line;
  std::getline(in, line);  // header
  std::vector<double> values;
  while (std::getline(in, line)) {
    values.push_back(std::strtod(line.c_str(), nullptr));
  }
  return values;
}

class IngestCommand : public ::testing::TestWithParam<int> {
 protected:
  modenorm::testing::TempDir dir_;
};

TEST_P(IngestCommand, WritesTheBundledColumnExactlyWithAttributes) {
  const auto out = dir_ / "credit.h5";
  const auto result = run_modenorm(GetParam(), {"ingest", "--csv", kBundledCsv, "--column",
                                                "Amount", "--out", out.string()});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("49842 rows"));

  const auto expected = bundled_values();
  ASSERT_EQ(expected.size(), 49842u);
  const auto stored = h5_read_dataset<double>(out, "/Amount");
  EXPECT_EQ(stored, expected);  // bit for bit, so the sums agree too
  EXPECT_EQ(h5_attribute_text(out, "/Amount", "rows"), "49842");
  EXPECT_EQ(h5_attribute_text(out, "/Amount", "rows_skipped"), "0");
  EXPECT_EQ(h5_attribute_text(out, "/Amount", "source_file"), "credit_amount.csv");
  EXPECT_EQ(h5_attribute_text(out, "/Amount", "source_sha256"),
            "5d86a4228c7fa97cd926c8c537b5dca659f22d65feb8617fa738677518688dce");
  EXPECT_EQ(h5_attribute_text(out, "/", "complete"), "1");
  EXPECT_EQ(h5_attribute_text(out, "/", "ranks"), std::to_string(std::max(GetParam(), 1)));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "credit.h5.partial"));
}

INSTANTIATE_TEST_SUITE_P(Ranks, IngestCommand, ::testing::Values(0, 1, 2, 3, 7));

class IngestBadInput : public ::testing::Test {
 protected:
  modenorm::testing::TempDir dir_;

  // Runs ingest on 2 ranks and checks the failure is clean: exit 2, the message names the file
  // and the given fragments, one report (not an abort of the job), and no output file.
  void expect_clean_failure(const std::vector<std::string>& extra_args,
                            const std::vector<std::string>& fragments) {
    const auto out = dir_ / "out.h5";
    std::vector<std::string> args = {"ingest", "--out", out.string()};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    const auto result = run_modenorm(2, args);
    EXPECT_EQ(result.exit_code, 2) << result.output;
    for (const auto& fragment : fragments) {
      EXPECT_THAT(result.output, HasSubstr(fragment));
    }
    EXPECT_THAT(result.output, Not(HasSubstr("MPI_ABORT")));
    EXPECT_FALSE(std::filesystem::exists(out)) << "an output file was left behind";
    EXPECT_FALSE(std::filesystem::exists(dir_ / "out.h5.partial"));
  }

  void expect_bad_csv(const std::string& content, const std::vector<std::string>& fragments) {
    const auto csv = dir_.write("bad.csv", content);
    auto with_file = fragments;
    with_file.push_back(csv.string());
    expect_clean_failure({"--csv", csv.string()}, with_file);
  }
};

TEST_F(IngestBadInput, MissingFile) {
  expect_clean_failure({"--csv", (dir_ / "absent.csv").string()}, {"absent.csv", "not found"});
}
TEST_F(IngestBadInput, EmptyFile) { expect_bad_csv("", {"empty file"}); }
TEST_F(IngestBadInput, NoHeaderNamingTheColumn) {
  expect_bad_csv("1.0\n2.0\n", {"no column 'Amount'"});
}
TEST_F(IngestBadInput, MissingColumn) { expect_bad_csv("Time\n1\n", {"no column 'Amount'"}); }
TEST_F(IngestBadInput, EmptyCell) { expect_bad_csv("Amount\n1\n\n2\n", {":3:", "empty cell"}); }
TEST_F(IngestBadInput, NotANumber) {
  expect_bad_csv("Amount\n1\nabc\n", {":3:", "column 'Amount'", "not a number 'abc'"});
}
TEST_F(IngestBadInput, NaN) { expect_bad_csv("Amount\nNaN\n", {":2:", "not finite 'NaN'"}); }
TEST_F(IngestBadInput, Infinity) { expect_bad_csv("Amount\n1\ninf\n", {":3:", "not finite"}); }
TEST_F(IngestBadInput, OutOfDoubleRange) {
  expect_bad_csv("Amount\n-2e308\n", {":2:", "out of double range"});
}
TEST_F(IngestBadInput, UnknownBadValuePolicy) {
  const auto csv = dir_.write("ok.csv", "Amount\n1\n");
  expect_clean_failure({"--csv", csv.string(), "--bad-values", "drop"}, {"--bad-values"});
}
TEST_F(IngestBadInput, OutputEqualToInput) {
  const auto csv = dir_.write("ok.csv", "Amount\n1\n");
  const auto result =
      run_modenorm(2, {"ingest", "--csv", csv.string(), "--out", csv.string()});
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_THAT(result.output, HasSubstr("same file as the input"));
}

TEST_F(IngestBadInput, ExistingOutputNeedsForce) {
  const auto csv = dir_.write("ok.csv", "Amount\n1\n2\n");
  const auto out = (dir_ / "out.h5").string();
  ASSERT_EQ(run_modenorm(2, {"ingest", "--csv", csv.string(), "--out", out}).exit_code, 0);
  const auto again = run_modenorm(2, {"ingest", "--csv", csv.string(), "--out", out});
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_THAT(again.output, HasSubstr("already exists"));
  EXPECT_THAT(again.output, HasSubstr("--force"));
  const auto forced = run_modenorm(2, {"ingest", "--csv", csv.string(), "--out", out, "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.output;
}

TEST_F(IngestBadInput, SkipPolicyDropsAndReportsBadRows) {
  const auto csv = dir_.write("mixed.csv", "Amount\n1\nx\n2\n\n3\ninf\n");
  const auto out = dir_ / "out.h5";
  const auto result = run_modenorm(
      2, {"ingest", "--csv", csv.string(), "--out", out.string(), "--bad-values", "skip"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("skipped 3 row(s)"));
  EXPECT_THAT(result.output, HasSubstr("line 3: not a number 'x'"));
  EXPECT_EQ(h5_read_dataset<double>(out, "/Amount"), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(h5_attribute_text(out, "/Amount", "rows_skipped"), "3");
}

TEST_F(IngestBadInput, RelativeOutputPathInTheWorkingDirectory) {
  const auto result = testing::run_shell("cd " + testing::shell_quote(dir_.path().string()) +
                                         " && " + testing::shell_quote(MODENORM_BINARY) +
                                         " ingest --csv " + testing::shell_quote(kBundledCsv) +
                                         " --out rel.h5");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(h5_read_dataset<double>(dir_ / "rel.h5", "/Amount").size(), 49842u);
}

TEST_F(IngestBadInput, UnknownOptionIsAUsageError) {
  const auto result = run_modenorm(0, {"ingest", "--csv", "x.csv", "--out", "y.h5", "--bogus"});
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_THAT(result.output, HasSubstr("--bogus"));
}

}  // namespace
}  // namespace modenorm
