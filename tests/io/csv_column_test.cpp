#include "modenorm/io/csv_column.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "modenorm/core/errors.hpp"
#include "temp_dir.hpp"

namespace modenorm::io {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class CsvColumnTest : public ::testing::Test {
 protected:
  modenorm::testing::TempDir dir_;

  // Expects read_csv_column to throw an InputError whose message contains every fragment.
  void expect_error(const std::string& content, const std::vector<std::string>& fragments,
                    const std::string& column = "Amount") {
    const auto file = dir_.write("in.csv", content);
    try {
      read_csv_column(file, column, BadValuePolicy::error);
      FAIL() << "expected an InputError for: " << content;
    } catch (const core::InputError& e) {
      const std::string message = e.what();
      EXPECT_THAT(message, HasSubstr(file.string()));
      for (const auto& fragment : fragments) {
        EXPECT_THAT(message, HasSubstr(fragment));
      }
    }
  }
};

TEST_F(CsvColumnTest, ReadsTheNamedColumnAmongSeveral) {
  const auto file = dir_.write("in.csv", "Time,Amount,Class\n0,14.61,0\n1,1.0,1\n2,197.04,0\n");
  const auto column = read_csv_column(file, "Amount", BadValuePolicy::error);
  EXPECT_THAT(column.values, ElementsAre(14.61, 1.0, 197.04));
  EXPECT_EQ(column.rows_skipped, 0u);
}

TEST_F(CsvColumnTest, AcceptsBomCrlfQuotesAndEmbeddedSeparators) {
  const auto file =
      dir_.write("in.csv",
                 "\xEF\xBB\xBF\"Note\",\"Amount\"\r\n\"a, b\",\"1.5\"\r\n\"say \"\"hi\"\"\",2\r\n"
                 "\"two\nlines\",+3e2\r\n");
  const auto column = read_csv_column(file, "Amount", BadValuePolicy::error);
  EXPECT_THAT(column.values, ElementsAre(1.5, 2.0, 300.0));
}

TEST_F(CsvColumnTest, ParsesDoublesExactly) {
  const auto file = dir_.write("in.csv", "Amount\n0.1\n11789.84\n-0.0\n4.9e-324\n");
  const auto column = read_csv_column(file, "Amount", BadValuePolicy::error);
  ASSERT_EQ(column.values.size(), 4u);
  EXPECT_EQ(column.values[0], 0.1);
  EXPECT_EQ(column.values[1], 11789.84);
  EXPECT_EQ(column.values[3], 4.9e-324);
}

TEST_F(CsvColumnTest, MissingFileNamesThePath) {
  try {
    read_csv_column(dir_ / "absent.csv", "Amount", BadValuePolicy::error);
    FAIL() << "expected an InputError";
  } catch (const core::InputError& e) {
    EXPECT_THAT(std::string(e.what()), AllOf(HasSubstr("absent.csv"), HasSubstr("not found")));
  }
}

TEST_F(CsvColumnTest, EmptyFile) { expect_error("", {"empty file", "Amount"}); }

TEST_F(CsvColumnTest, HeaderOnlyHasNoRows) { expect_error("Amount\n", {"no data rows"}); }

TEST_F(CsvColumnTest, MissingColumnListsTheHeader) {
  expect_error("Time,Value\n1,2\n", {"no column 'Amount'", "'Time', 'Value'"});
}

TEST_F(CsvColumnTest, EmptyCellNamesLine) {
  expect_error("Amount\n1\n\n3\n", {":3:", "empty cell", "--bad-values skip"});
}

TEST_F(CsvColumnTest, TextThatIsNotANumber) {
  expect_error("Amount\n1\n2\n12abc\n", {":4:", "not a number", "'12abc'"});
}

TEST_F(CsvColumnTest, NanAndInfinityAreRejected) {
  expect_error("Amount\n1\nnan\n", {":3:", "not finite", "'nan'"});
  expect_error("Amount\n-inf\n", {":2:", "not finite", "'-inf'"});
}

TEST_F(CsvColumnTest, OutOfDoubleRange) {
  expect_error("Amount\n1e400\n", {":2:", "out of double range", "'1e400'"});
}

TEST_F(CsvColumnTest, RecordWithoutTheColumn) {
  expect_error("Time,Amount\n1,2\n3\n", {":3:", "1 field(s)", "field 2"});
}

TEST_F(CsvColumnTest, SkipPolicyDropsAndReportsBadRows) {
  const auto file = dir_.write("in.csv", "Amount\n1\nx\n2\n\ninf\n3\n");
  const auto column = read_csv_column(file, "Amount", BadValuePolicy::skip);
  EXPECT_THAT(column.values, ElementsAre(1.0, 2.0, 3.0));
  EXPECT_EQ(column.rows_skipped, 3u);
  ASSERT_EQ(column.first_skipped.size(), 3u);
  EXPECT_EQ(column.first_skipped[0].line, 3u);
  EXPECT_EQ(column.first_skipped[0].reason, "not a number");
  EXPECT_EQ(column.first_skipped[1].line, 5u);
  EXPECT_EQ(column.first_skipped[1].reason, "empty cell");
  EXPECT_EQ(column.first_skipped[2].value, "inf");
}

TEST(BadValuePolicy, ParsesKnownNamesAndRejectsOthers) {
  EXPECT_EQ(parse_bad_value_policy("error"), BadValuePolicy::error);
  EXPECT_EQ(parse_bad_value_policy("skip"), BadValuePolicy::skip);
  EXPECT_THROW(parse_bad_value_policy("drop"), core::InputError);
}

}  // namespace
}  // namespace modenorm::io
