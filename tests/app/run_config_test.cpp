// The `run` configuration: defaults < file < --set, and every mistake named.

#include "modenorm/app/run_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "modenorm/core/errors.hpp"
#include "temp_dir.hpp"

namespace modenorm::app {
namespace {

using ::testing::HasSubstr;

class RunConfigTest : public ::testing::Test {
 protected:
  modenorm::testing::TempDir dir_;

  std::string write(const std::string& text) { return dir_.write("run.toml", text).string(); }

  void expect_error(const std::string& toml, const std::vector<std::string>& sets,
                    const std::vector<std::string>& fragments) {
    const auto path = write(toml);
    try {
      (void)load_run_config(path, sets);
      FAIL() << "expected an InputError";
    } catch (const core::InputError& e) {
      for (const auto& f : fragments) EXPECT_THAT(std::string(e.what()), HasSubstr(f));
    }
  }
};

TEST_F(RunConfigTest, FileOverridesDefaultsAndSetOverridesFile) {
  const auto path = write(
      "[input]\ncsv = \"a.csv\"\n[fit]\nmax_iter = 7\ntol = 0.5\n[scale]\nrows = 1_000\n");
  const auto config = load_run_config(path, {"fit.max_iter=9", "output.dir=\"x\""});
  EXPECT_EQ(config.input.csv, "a.csv");
  EXPECT_EQ(config.fit.max_iter, 9);            // --set wins over the file
  EXPECT_DOUBLE_EQ(config.fit.tol, 0.5);        // the file wins over the default
  EXPECT_EQ(config.fit.components, 10);         // the default stays
  EXPECT_EQ(config.scale.rows, 1000);
  EXPECT_EQ(config.output.dir, "x");
}

TEST_F(RunConfigTest, BundledConfigsLoad) {
  for (const char* name : {"default.toml", "credit_1b.toml"}) {
    const auto config =
        load_run_config(std::string(MODENORM_SOURCE_DIR) + "/configs/" + name, {});
    EXPECT_EQ(config.input.csv, "data/credit_amount.csv") << name;
    EXPECT_EQ(config.fit.components, 10) << name;
    EXPECT_DOUBLE_EQ(config.fit.weight_prior, 0.001) << name;
    EXPECT_EQ(config.fit.max_iter, 100) << name;
  }
}

TEST_F(RunConfigTest, UnknownKeyIsNamed) {
  expect_error("[input]\ncsv = \"a.csv\"\n[fit]\nmax_iters = 3\n", {},
               {"run.toml", "unknown key 'fit.max_iters'"});
}

TEST_F(RunConfigTest, UnknownSectionIsNamed) {
  expect_error("[input]\ncsv = \"a.csv\"\n[fitting]\nmax_iter = 3\n", {},
               {"unknown key 'fitting.max_iter'"});
}

TEST_F(RunConfigTest, WrongTypeIsNamed) {
  expect_error("[input]\ncsv = \"a.csv\"\n[fit]\nmax_iter = \"ten\"\n", {},
               {"fit.max_iter", "expected an integer"});
}

TEST_F(RunConfigTest, MalformedTomlGivesLineAndColumn) {
  expect_error("[input]\ncsv = \n", {}, {"run.toml:2:"});
}

TEST_F(RunConfigTest, BadOverrides) {
  expect_error("[input]\ncsv = \"a.csv\"\n", {"fit.max_iter"}, {"--set", "section.key=value"});
  expect_error("[input]\ncsv = \"a.csv\"\n", {"fit.nope=1"}, {"unknown key 'fit.nope'"});
  expect_error("[input]\ncsv = \"a.csv\"\n", {"output.dir=plain"}, {"quote strings"});
}

TEST_F(RunConfigTest, ExactlyOneInput) {
  expect_error("[output]\ndir = \"x\"\n", {}, {"exactly one of input.csv and input.h5"});
  expect_error("[input]\ncsv = \"a.csv\"\nh5 = \"b.h5\"\n", {},
               {"exactly one of input.csv and input.h5"});
}

}  // namespace
}  // namespace modenorm::app
