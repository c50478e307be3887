// `modenorm transform` and `modenorm inverse` as a user runs them: the exact round trip (the
// extremes included), the same bits at any rank count, slab size and --io (direct or mpio),
// resume after a failure, and clear errors for bad models, inputs and outputs.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "h5_files.hpp"
#include "run_modenorm.hpp"
#include "temp_dir.hpp"
#include "text_files.hpp"

namespace modenorm {
namespace {

using nlohmann::json;
using testing::h5_attribute_text;
using testing::h5_read_dataset;
using ::testing::HasSubstr;
using testing::run_modenorm;

using testing::read_csv_values;
using testing::read_text;

const std::string kSource = MODENORM_SOURCE_DIR;

// `modenorm scale`'s recipe (bootstrap of the bundled column plus uniform jitter in [0, J)),
// done here so the test does not depend on that command; then the extremes the research code
// cannot invert: the column's maximum and values far beyond every mode.
std::vector<double> bootstrap_rows(const std::vector<double>& source, std::size_t rows,
                                   double jitter) {
  std::mt19937_64 rng(20240601);
  std::uniform_int_distribution<std::size_t> pick(0, source.size() - 1);
  std::uniform_real_distribution<double> noise(0.0, jitter);
  std::vector<double> x(rows);
  for (auto& v : x) v = source[pick(rng)] + noise(rng);
  const double max = *std::max_element(source.begin(), source.end());
  const double extremes[] = {max, 25691.16, 1e5, 2.5e6, -50.0, -1e4};
  for (std::size_t i = 0; i < std::size(extremes); ++i) x[(i + 1) * rows / 8] = extremes[i];
  return x;
}

// Overwrites one element of a uint8 dataset in place (serial HDF5).
void poke_uint8(const std::filesystem::path& file, const char* name, hsize_t row,
                std::uint8_t value) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  const hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  const hid_t space = H5Dget_space(d);
  const hsize_t count = 1;
  H5Sselect_hyperslab(space, H5S_SELECT_SET, &row, nullptr, &count, nullptr);
  const hid_t mem = H5Screate_simple(1, &count, nullptr);
  H5Dwrite(d, H5T_NATIVE_UINT8, mem, space, H5P_DEFAULT, &value);
  H5Sclose(mem);
  H5Sclose(space);
  H5Dclose(d);
  H5Fclose(f);
}

// Adds a 1-D dataset to an existing file (serial HDF5).
template <class T>
void add_dataset(const std::filesystem::path& file, const char* name, const std::vector<T>& v) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  const hsize_t n = v.size();
  const hid_t space = H5Screate_simple(1, &n, nullptr);
  const hid_t d = H5Dcreate2(f, name, testing::h5_native_type<T>(), space, H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT);
  H5Dwrite(d, testing::h5_native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  H5Dclose(d);
  H5Sclose(space);
  H5Fclose(f);
}

class TransformCommandTest : public ::testing::Test {
 protected:
  static constexpr std::size_t kRows = 2'000'000;

  static void SetUpTestSuite() {
    dir_ = std::make_unique<testing::TempDir>();
    const auto source = read_csv_values(kSource + "/data/credit_amount.csv");
    testing::h5_write_dataset(*dir_ / "credit.h5", "/Amount", source);
    data_ = bootstrap_rows(source, kRows, 0.005);
    testing::h5_write_dataset(*dir_ / "big.h5", "/Amount", data_);
    const auto fit = run_modenorm(2, {"fit", "--in", path("credit.h5"), "--model", path("m.json")});
    ASSERT_EQ(fit.exit_code, 0) << fit.output;
    model_ = json::parse(read_text(*dir_ / "m.json"));
  }
  static void TearDownTestSuite() { dir_.reset(); }

  static std::string path(const std::string& name) { return (*dir_ / name).string(); }

  static testing::CommandResult transform(int ranks, const std::string& out,
                                          std::vector<std::string> extra = {},
                                          const std::string& input = "big.h5") {
    std::vector<std::string> args = {"transform",    "--in",  path(input), "--model",
                                     path("m.json"), "--out", path(out)};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_modenorm(ranks, args);
  }

  static inline std::unique_ptr<testing::TempDir> dir_;
  static inline std::vector<double> data_;
  static inline json model_;
};

TEST_F(TransformCommandTest, RoundTripIsExactForEveryRowIncludingTheExtremes) {
  const auto t = transform(2, "t.h5", {"--slab-rows", "300000", "--metrics", path("tm.json")});
  ASSERT_EQ(t.exit_code, 0) << t.output;
  EXPECT_THAT(t.output, HasSubstr("transform compute"));
  const auto inv = run_modenorm(
      3, {"inverse", "--in", path("t.h5"), "--model", path("m.json"), "--out", path("r.h5")});
  ASSERT_EQ(inv.exit_code, 0) << inv.output;
  EXPECT_EQ(h5_attribute_text(*dir_ / "t.h5", "/", "complete"), "1");
  EXPECT_EQ(h5_attribute_text(*dir_ / "t.h5", "/", "clipped"), "0");
  EXPECT_EQ(h5_attribute_text(*dir_ / "r.h5", "/", "complete"), "1");
  EXPECT_FALSE(std::filesystem::exists(*dir_ / "t.h5.partial"));
  const auto metrics = json::parse(read_text(*dir_ / "tm.json"));
  EXPECT_EQ(metrics["rows"].get<std::size_t>(), kRows);
  EXPECT_EQ(metrics["io"], "direct") << "the default";

  const auto alpha = h5_read_dataset<double>(*dir_ / "t.h5", "/alpha");
  const auto component = h5_read_dataset<std::uint8_t>(*dir_ / "t.h5", "/component");
  const auto restored = h5_read_dataset<double>(*dir_ / "r.h5", "/Amount");
  ASSERT_EQ(restored.size(), kRows);
  ASSERT_EQ(alpha.size(), kRows);
  const auto means = model_["components"]["means"].get<std::vector<double>>();
  const auto stds = model_["components"]["stds"].get<std::vector<double>>();
  const auto valid = model_["components"]["valid"].get<std::vector<bool>>();
  std::size_t beyond_clip = 0;
  std::size_t beyond_4_std = 0;
  std::size_t max_row = 0;
  for (std::size_t i = 0; i < kRows; ++i) {
    const double x = data_[i];
    const auto k = component[i];
    ASSERT_LT(k, means.size());
    ASSERT_TRUE(valid[k]) << "row " << i << " drew invalid component " << int{k};
    ASSERT_LE(std::abs(restored[i] - x), 1e-12 * (std::abs(x) + std::abs(means[k])))
        << "row " << i << " x=" << x << " restored=" << restored[i] << " alpha=" << alpha[i];
    beyond_clip += std::abs(alpha[i]) > 0.99 ? 1U : 0U;
    beyond_4_std += std::abs(x - means[k]) > 4.0 * stds[k] ? 1U : 0U;
    if (x > data_[max_row]) max_row = i;
  }
  EXPECT_EQ(restored[max_row], data_[max_row]);
  EXPECT_GT(beyond_4_std, 0U);
  std::printf(
      "round trip: %zu rows exact to 1e-12 (|x|+|m|); %zu rows beyond 4 std of their mode; "
      "the research code's clip (|alpha| > 0.99) would have lost %zu rows\n",
      kRows, beyond_4_std, beyond_clip);
  // /order: the valid components by descending count; /counts sum to the rows.
  const auto order = h5_read_dataset<std::int64_t>(*dir_ / "t.h5", "/order");
  const auto counts = h5_read_dataset<std::int64_t>(*dir_ / "t.h5", "/counts");
  std::int64_t total = 0;
  for (const auto c : counts) total += c;
  EXPECT_EQ(total, static_cast<std::int64_t>(kRows));
  ASSERT_EQ(order.size(), static_cast<std::size_t>(std::count(valid.begin(), valid.end(), true)));
  for (std::size_t j = 1; j < order.size(); ++j) {
    EXPECT_GE(counts[static_cast<std::size_t>(order[j - 1])],
              counts[static_cast<std::size_t>(order[j])]);
  }
}

TEST_F(TransformCommandTest, SameBitsAtOneTwoThreeAndSevenRanksAnySlabSizeAndEitherIo) {
  struct Run {
    int ranks;
    const char* slab;
  };
  std::string alpha0;
  std::string component0;
  std::vector<std::int64_t> order0;
  // Slabs of 100000 and 333333 rows put most rank and slab boundaries inside 4 KiB blocks of
  // both datasets, so --io direct writes those blocks' pieces from different ranks and slabs.
  for (const char* io_mode : {"direct", "mpio"}) {
    const std::string io = io_mode;
    for (const auto& [ranks, slab] : {Run{1, "8388608"}, Run{2, "100000"}, Run{3, "333333"},
                                      Run{7, "100000"}, Run{3, "8388608"}}) {
      const std::string out = io + "-ranks" + std::to_string(ranks) + "-" + slab + ".h5";
      const std::string what = "--io " + io + ", " + std::to_string(ranks) + " ranks, slab " + slab;
      const auto t = transform(
          ranks, out,
          {"--slab-rows", slab, "--seed", "7", "--io", io, "--metrics", path(out + ".json")});
      ASSERT_EQ(t.exit_code, 0) << t.output;
      // The path asked for is the one taken (no silent fallback to MPI-IO).
      EXPECT_EQ(json::parse(read_text(*dir_ / (out + ".json")))["io"], io) << what;
      const auto alpha = h5_read_dataset<double>(*dir_ / out, "/alpha");
      const auto component = h5_read_dataset<std::uint8_t>(*dir_ / out, "/component");
      const auto order = h5_read_dataset<std::int64_t>(*dir_ / out, "/order");
      ASSERT_EQ(alpha.size(), kRows) << what;
      std::string a(reinterpret_cast<const char*>(alpha.data()), alpha.size() * sizeof(double));
      std::string c(component.begin(), component.end());
      if (alpha0.empty()) {
        alpha0 = a;
        component0 = c;
        order0 = order;
      } else {
        EXPECT_TRUE(a == alpha0) << what << ": /alpha differs";
        EXPECT_TRUE(c == component0) << what << ": /component differs";
        EXPECT_EQ(order, order0) << what;
      }
      EXPECT_EQ(h5_attribute_text(*dir_ / out, "/", "complete"), "1") << what;
      std::filesystem::remove(*dir_ / out);
    }
  }
}

TEST_F(TransformCommandTest, Float32AlphaIsTheSameWithEitherIo) {
  // 4-byte rows: the direct path's other element size.
  const auto direct =
      transform(3, "f32-direct.h5", {"--alpha-dtype", "f32", "--slab-rows", "333333"});
  ASSERT_EQ(direct.exit_code, 0) << direct.output;
  const auto mpio = transform(2, "f32-mpio.h5", {"--alpha-dtype", "f32", "--io", "mpio"});
  ASSERT_EQ(mpio.exit_code, 0) << mpio.output;
  const auto alpha = h5_read_dataset<float>(*dir_ / "f32-direct.h5", "/alpha");
  ASSERT_EQ(alpha.size(), kRows);
  EXPECT_TRUE(alpha == h5_read_dataset<float>(*dir_ / "f32-mpio.h5", "/alpha"));
  EXPECT_TRUE(h5_read_dataset<std::uint8_t>(*dir_ / "f32-direct.h5", "/component") ==
              h5_read_dataset<std::uint8_t>(*dir_ / "f32-mpio.h5", "/component"));
  EXPECT_EQ(h5_attribute_text(*dir_ / "f32-direct.h5", "/", "lossy"), "1");
}

TEST_F(TransformCommandTest, ResumesAfterAFailureWithIdenticalDatasets) {
  const auto full = transform(2, "full.h5", {"--slab-rows", "100000", "--io", "mpio"});
  ASSERT_EQ(full.exit_code, 0) << full.output;
  const auto expect_same_as_full = [&](const std::string& out) {
    EXPECT_TRUE(h5_read_dataset<double>(*dir_ / out, "/alpha") ==
                h5_read_dataset<double>(*dir_ / "full.h5", "/alpha"))
        << out << ": /alpha";
    EXPECT_TRUE(h5_read_dataset<std::uint8_t>(*dir_ / out, "/component") ==
                h5_read_dataset<std::uint8_t>(*dir_ / "full.h5", "/component"))
        << out << ": /component";
    for (const char* name : {"/order", "/counts"}) {
      EXPECT_EQ(h5_read_dataset<std::int64_t>(*dir_ / out, name),
                h5_read_dataset<std::int64_t>(*dir_ / "full.h5", name))
          << out << ": " << name;
    }
  };
  // Both runs --io direct: the slabs recorded as done were fsync'd before being recorded.
  const auto failed = transform(
      2, "resumed.h5", {"--slab-rows", "100000", "--io", "direct", "--fail-after-slabs", "4"});
  EXPECT_EQ(failed.exit_code, 1) << failed.output;
  ASSERT_TRUE(std::filesystem::exists(*dir_ / "resumed.h5.partial")) << "kept for the rerun";
  EXPECT_FALSE(std::filesystem::exists(*dir_ / "resumed.h5"));
  EXPECT_EQ(h5_attribute_text(*dir_ / "resumed.h5.partial", "/", "slabs_done"), "4");
  const auto rerun = transform(2, "resumed.h5", {"--slab-rows", "100000", "--io", "direct"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  EXPECT_THAT(rerun.output, HasSubstr("resuming"));
  EXPECT_FALSE(std::filesystem::exists(*dir_ / "resumed.h5.partial"));
  expect_same_as_full("resumed.h5");

  // A partial left by --io mpio is continued with --io direct: the same datasets either way.
  ASSERT_EQ(
      transform(2, "mixed.h5", {"--slab-rows", "100000", "--io", "mpio", "--fail-after-slabs", "3"})
          .exit_code,
      1);
  const auto mixed = transform(2, "mixed.h5", {"--slab-rows", "100000", "--io", "direct"});
  ASSERT_EQ(mixed.exit_code, 0) << mixed.output;
  EXPECT_THAT(mixed.output, HasSubstr("resuming"));
  expect_same_as_full("mixed.h5");

  // Different parameters do not resume a partial: they start again.
  ASSERT_EQ(
      transform(2, "other.h5", {"--slab-rows", "100000", "--fail-after-slabs", "2"}).exit_code, 1);
  const auto fresh = transform(2, "other.h5", {"--slab-rows", "100000", "--seed", "9"});
  ASSERT_EQ(fresh.exit_code, 0) << fresh.output;
  EXPECT_THAT(fresh.output, ::testing::Not(HasSubstr("resuming")));
}

TEST_F(TransformCommandTest, InverseRestoresTheSameBitsWithEitherIo) {
  const auto t = transform(3, "inv-src.h5", {"--io", "mpio", "--slab-rows", "333333"});
  ASSERT_EQ(t.exit_code, 0) << t.output;
  const auto inverse = [&](int ranks, const std::string& out, const std::string& io,
                           const std::string& slab) {
    return run_modenorm(
        ranks, {"inverse", "--in", path("inv-src.h5"), "--model", path("m.json"), "--out",
                path(out), "--io", io, "--slab-rows", slab, "--metrics", path(out + ".json")});
  };
  const auto d = inverse(2, "inv-direct.h5", "direct", "250001");
  ASSERT_EQ(d.exit_code, 0) << d.output;
  const auto m = inverse(3, "inv-mpio.h5", "mpio", "8388608");
  ASSERT_EQ(m.exit_code, 0) << m.output;
  EXPECT_EQ(json::parse(read_text(*dir_ / "inv-direct.h5.json"))["io"], "direct");
  EXPECT_EQ(json::parse(read_text(*dir_ / "inv-mpio.h5.json"))["io"], "mpio");
  EXPECT_EQ(h5_attribute_text(*dir_ / "inv-direct.h5", "/", "complete"), "1");
  const auto restored = h5_read_dataset<double>(*dir_ / "inv-direct.h5", "/Amount");
  ASSERT_EQ(restored.size(), kRows);
  EXPECT_TRUE(restored == h5_read_dataset<double>(*dir_ / "inv-mpio.h5", "/Amount"));
  const auto component = h5_read_dataset<std::uint8_t>(*dir_ / "inv-src.h5", "/component");
  const auto means = model_["components"]["means"].get<std::vector<double>>();
  for (std::size_t i = 0; i < kRows; ++i) {
    ASSERT_LE(std::abs(restored[i] - data_[i]),
              1e-12 * (std::abs(data_[i]) + std::abs(means[component[i]])))
        << "row " << i;
  }
  const auto bad = inverse(2, "inv-bad.h5", "posix", "100000");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_THAT(bad.output, HasSubstr("--io"));
}

TEST_F(TransformCommandTest, ClipStoresTheResearchViewAndMarksItLossy) {
  const auto t = transform(2, "clipped.h5", {"--clip"}, "credit.h5");
  ASSERT_EQ(t.exit_code, 0) << t.output;
  EXPECT_EQ(h5_attribute_text(*dir_ / "clipped.h5", "/", "clipped"), "1");
  EXPECT_EQ(h5_attribute_text(*dir_ / "clipped.h5", "/", "lossy"), "1");
  const auto alpha = h5_read_dataset<double>(*dir_ / "clipped.h5", "/alpha");
  for (const double a : alpha) ASSERT_LE(std::abs(a), 0.99);
  const auto inv = run_modenorm(2, {"inverse", "--in", path("clipped.h5"), "--model",
                                    path("m.json"), "--out", path("clipped-r.h5")});
  ASSERT_EQ(inv.exit_code, 0) << inv.output;
  EXPECT_EQ(h5_attribute_text(*dir_ / "clipped-r.h5", "/", "lossy"), "1");
}

TEST_F(TransformCommandTest, FingerprintCheckRefusesOtherData) {
  const auto same = transform(2, "fp-ok.h5", {"--check-fingerprint"}, "credit.h5");
  EXPECT_EQ(same.exit_code, 0) << same.output;
  const auto other = transform(2, "fp-bad.h5", {"--check-fingerprint"});
  EXPECT_EQ(other.exit_code, 2) << other.output;
  EXPECT_THAT(other.output, HasSubstr("is not the data"));
}

TEST_F(TransformCommandTest, BadModelsExitWithTwoNamingTheFileAndField) {
  const auto bad = [&](const std::string& name, const std::string* text,
                       const std::string& expected) {
    const auto file = text ? dir_->write(name, *text) : *dir_ / name;
    const auto r = run_modenorm(2, {"transform", "--in", path("credit.h5"), "--model",
                                    file.string(), "--out", path("never.h5")});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr(name)) << r.output;
    EXPECT_THAT(r.output, HasSubstr(expected)) << r.output;
  };
  const auto good = read_text(*dir_ / "m.json");
  bad("missing.json", nullptr, "not found");
  const std::string malformed = "{\"schema\": ";
  bad("malformed.json", &malformed, "");
  json wrong_schema = json::parse(good);
  wrong_schema["schema"] = "something-else/9";
  const std::string schema_text = wrong_schema.dump();
  bad("schema.json", &schema_text, "schema");
  json short_means = json::parse(good);
  short_means["components"]["means"].erase(0);
  const std::string arrays_text = short_means.dump();
  bad("arrays.json", &arrays_text, "components.means");
  EXPECT_FALSE(std::filesystem::exists(*dir_ / "never.h5"));
  EXPECT_FALSE(std::filesystem::exists(*dir_ / "never.h5.partial"));
}

TEST_F(TransformCommandTest, BadInputsAndOutputsAreRefusedClearly) {
  auto r = transform(2, "x.h5", {"--dataset", "/Nope"}, "credit.h5");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("/Nope"));
  ASSERT_EQ(transform(1, "exists.h5", {}, "credit.h5").exit_code, 0);
  r = transform(2, "exists.h5", {}, "credit.h5");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--force"));
  EXPECT_EQ(transform(2, "exists.h5", {"--force"}, "credit.h5").exit_code, 0);
  r = transform(2, "credit.h5", {}, "credit.h5");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("same file as the input"));
  r = transform(2, "x.h5", {"--alpha-dtype", "f16"}, "credit.h5");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--alpha-dtype"));
  r = transform(2, "x.h5", {"--io", "posix"}, "credit.h5");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--io"));
  EXPECT_FALSE(std::filesystem::exists(*dir_ / "x.h5.partial"));
}

TEST_F(TransformCommandTest, InverseRefusesFilesThatAreNotCompleteTransformOutputs) {
  const auto inverse = [&](const std::string& in) {
    return run_modenorm(
        2, {"inverse", "--in", path(in), "--model", path("m.json"), "--out", path("inv-" + in)});
  };
  auto r = inverse("credit.h5");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("is not a transform output"));

  const std::vector<double> alpha(10, 0.1);
  const std::vector<std::uint8_t> component(10, 0);
  testing::h5_write_dataset(*dir_ / "unfinished.h5", "/alpha", alpha);
  add_dataset(*dir_ / "unfinished.h5", "/component", component);
  r = inverse("unfinished.h5");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("not a complete transform output"));

  // A component that is not a valid mode of the model: the error names the row.
  ASSERT_EQ(transform(2, "poked.h5", {}, "credit.h5").exit_code, 0);
  const auto valid = model_["components"]["valid"].get<std::vector<bool>>();
  std::uint8_t invalid = 255;
  for (std::size_t k = 0; k < valid.size(); ++k) {
    if (!valid[k]) {
      invalid = static_cast<std::uint8_t>(k);
      break;
    }
  }
  poke_uint8(*dir_ / "poked.h5", "/component", 12345, invalid);
  r = inverse("poked.h5");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("row 12345"));
  EXPECT_FALSE(std::filesystem::exists(*dir_ / "inv-poked.h5"));
}

}  // namespace
}  // namespace modenorm

namespace modenorm {
namespace {

// The full-size check (labelled e2e like every CLI test; ~1-2 min on 2 cores): 1e7 rows
// from `modenorm scale` when that command exists (else the same recipe here), fitted, transformed
// and inverted; every row, the extremes included, comes back to 1e-12 (|x| + |m_k|).
TEST(TransformEndToEnd, TenMillionRowsFitTransformInverse) {
  const testing::TempDir dir;
  const auto source = read_csv_values(kSource + "/data/credit_amount.csv");
  testing::h5_write_dataset(dir / "c.h5", "/Amount", source);
  const std::size_t rows = 10'000'000;
  const auto big = (dir / "big.h5").string();
  if (run_modenorm(0, {"scale", "--help"}).exit_code == 0) {
    const auto s = run_modenorm(2, {"scale", "--in", (dir / "c.h5").string(), "--rows",
                                    std::to_string(rows), "--jitter", "0.005", "--out", big});
    ASSERT_EQ(s.exit_code, 0) << s.output;
  } else {
    testing::h5_write_dataset(dir / "big.h5", "/Amount", bootstrap_rows(source, rows, 0.005));
  }
  const auto model = (dir / "m.json").string();
  const auto fit = run_modenorm(2, {"fit", "--in", big, "--model", model});
  ASSERT_EQ(fit.exit_code, 0) << fit.output;
  const auto t = run_modenorm(2, {"transform", "--in", big, "--model", model, "--out",
                                  (dir / "t.h5").string(), "--check-fingerprint"});
  ASSERT_EQ(t.exit_code, 0) << t.output;
  const auto r = run_modenorm(2, {"inverse", "--in", (dir / "t.h5").string(), "--model", model,
                                  "--out", (dir / "r.h5").string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto x = h5_read_dataset<double>(dir / "big.h5", "/Amount");
  const auto restored = h5_read_dataset<double>(dir / "r.h5", "/Amount");
  const auto alpha = h5_read_dataset<double>(dir / "t.h5", "/alpha");
  const auto component = h5_read_dataset<std::uint8_t>(dir / "t.h5", "/component");
  ASSERT_EQ(restored.size(), rows);
  const auto m = json::parse(read_text(dir / "m.json"));
  const auto means = m["components"]["means"].get<std::vector<double>>();
  const auto stds = m["components"]["stds"].get<std::vector<double>>();
  std::size_t beyond_clip = 0;
  std::size_t beyond_4_std = 0;
  std::size_t max_row = 0;
  for (std::size_t i = 0; i < rows; ++i) {
    const auto k = component[i];
    ASSERT_LE(std::abs(restored[i] - x[i]), 1e-12 * (std::abs(x[i]) + std::abs(means[k])))
        << "row " << i;
    beyond_clip += std::abs(alpha[i]) > 0.99 ? 1U : 0U;
    beyond_4_std += std::abs(x[i] - means[k]) > 4.0 * stds[k] ? 1U : 0U;
    if (x[i] > x[max_row]) max_row = i;
  }
  // The maximum comes back to the last bits: within 2 ulps (alpha * 4 std + mean rounds twice,
  // so bit equality is not something floating point promises).
  EXPECT_LE(std::abs(restored[max_row] - x[max_row]),
            2.0 * std::numeric_limits<double>::epsilon() * x[max_row])
      << "the maximum " << x[max_row];
  std::printf(
      "e2e: %zu rows exact; %zu beyond 4 std of their mode; the research clip would have "
      "lost %zu rows\n",
      rows, beyond_4_std, beyond_clip);
}

}  // namespace
}  // namespace modenorm
