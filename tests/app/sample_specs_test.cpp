// --compare-samples of `modenorm evaluate`: row counts and percentages, duplicates merged,
// sizes that are the whole column dropped, and errors naming the option and the item.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "modenorm/app/sample_fits.hpp"
#include "modenorm/core/errors.hpp"

namespace modenorm::app {
namespace {

using ::testing::HasSubstr;

TEST(SampleSpecs, CountsAndPercentages) {
  const auto specs = parse_sample_specs("10000,100000,1%,0.5%", 1'000'000'000);
  ASSERT_EQ(specs.size(), 4U);
  EXPECT_EQ(specs[0].label, "10000");
  EXPECT_EQ(specs[0].rows, 10'000U);
  EXPECT_EQ(specs[2].label, "1%");
  EXPECT_EQ(specs[2].rows, 10'000'000U);
  EXPECT_EQ(specs[3].rows, 5'000'000U);
  EXPECT_TRUE(parse_sample_specs("", 100).empty());
}

TEST(SampleSpecs, SameSizeIsOneSampleAndTheWholeColumnIsNoSample) {
  const auto specs = parse_sample_specs("100000,1%,100%,20000000", 10'000'000);
  ASSERT_EQ(specs.size(), 1U);
  EXPECT_EQ(specs[0].label, "100000 = 1%");
  EXPECT_EQ(specs[0].rows, 100'000U);
  EXPECT_EQ(parse_sample_specs("0.0001%", 1000).at(0).rows, 1U);  // at least one row
}

TEST(SampleSpecs, BadItemsAreNamed) {
  for (const char* bad : {"10k", "-5", "0", "1%%", "150%", "0%", "abc%", "10,,20", "1e5"}) {
    try {
      (void)parse_sample_specs(bad, 1'000'000);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const core::InputError& e) {
      EXPECT_THAT(e.what(), HasSubstr("--compare-samples: '")) << bad;
    }
  }
}

}  // namespace
}  // namespace modenorm::app
