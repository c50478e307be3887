#include "modenorm/io/slab_io.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdint>
#include <vector>

#include "io_test_support.hpp"
#include "modenorm/io/dataset_1d.hpp"
#include "modenorm/io/hdf5_file.hpp"
#include "modenorm/parallel/communicator.hpp"
#include "modenorm/parallel/shard.hpp"

namespace io = modenorm::io;
namespace mp = modenorm::parallel;
using modenorm::testing::collective_error;
using modenorm::testing::SharedTempDir;

namespace {

int rank() { return mp::comm_rank(MPI_COMM_WORLD); }
int size() { return mp::comm_size(MPI_COMM_WORLD); }

template <class T>
T value_of(std::uint64_t row) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(static_cast<double>(row) * 0.25 - 17.0);
  } else {
    return static_cast<T>(row * 7 % 251);
  }
}

template <class T>
std::vector<T> values_for(mp::RowRange range) {
  std::vector<T> values;
  for (std::uint64_t row = range.begin; row < range.end; ++row) values.push_back(value_of<T>(row));
  return values;
}

void expect_same_on_all_ranks(std::uint64_t value) {
  EXPECT_EQ(mp::allreduce_min(value, MPI_COMM_WORLD), mp::allreduce_max(value, MPI_COMM_WORLD));
}

// Writes rows with one decomposition and reads them back with another (shards in reverse rank
// order), so every rank reads data other ranks wrote.
template <class T>
void round_trip(const SharedTempDir& dir, std::uint64_t rows, std::uint64_t max_bytes) {
  const auto path = dir / ("round_trip_" + io::to_string(io::element_type_of<T>()) + "_" +
                           std::to_string(rows) + ".h5");
  const io::IoOptions options{max_bytes};
  {
    io::File file = io::create_file(path, MPI_COMM_WORLD, true);
    const io::Dataset1D dataset =
        io::create_dataset_1d(file, "/data/values", io::element_type_of<T>(), rows);
    const mp::RowRange mine = mp::shard_rows(rows, rank(), size());
    const std::vector<T> values = values_for<T>(mine);
    const io::IoReport report =
        io::write_rows<T>(dataset, mine, std::span<const T>(values), options);
    EXPECT_EQ(report.bytes, mine.size() * sizeof(T));
    expect_same_on_all_ranks(report.calls);
    const std::uint64_t rows_per_call = max_bytes / sizeof(T);
    const std::uint64_t largest = mp::shard_rows(rows, 0, size()).size();
    EXPECT_EQ(report.calls, (largest + rows_per_call - 1) / rows_per_call);
    EXPECT_TRUE(report.all_collective);
  }
  io::File file = io::open_file(path, io::FileMode::read_only, MPI_COMM_WORLD);
  const io::Dataset1D dataset = io::open_dataset_1d(
      file, "data/values", {.type = io::element_type_of<T>(), .allow_empty = true});
  EXPECT_EQ(dataset.size(), rows);
  EXPECT_EQ(dataset.name(), "/data/values");
  const mp::RowRange theirs = mp::shard_rows(rows, size() - 1 - rank(), size());
  std::vector<T> read(theirs.size());
  const io::IoReport report = io::read_rows<T>(dataset, theirs, std::span<T>(read), options);
  EXPECT_EQ(read, values_for<T>(theirs));
  EXPECT_TRUE(report.all_collective);
  expect_same_on_all_ranks(report.calls);
}

}  // namespace

TEST(SlabIo, RoundTripFloat64ManySmallCalls) {
  const SharedTempDir dir;
  round_trip<double>(dir, 1000, 4096);
  round_trip<double>(dir, 1000, 8);  // one row per call
}

TEST(SlabIo, RoundTripWithEmptyShards) {
  // At 7 ranks, ranks 5 and 6 own nothing but still take part in every call.
  const SharedTempDir dir;
  round_trip<double>(dir, 5, 8);
  round_trip<double>(dir, 1, 4096);
}

TEST(SlabIo, RoundTripOtherElementTypes) {
  const SharedTempDir dir;
  round_trip<std::uint8_t>(dir, 1000, 64);
  round_trip<std::int64_t>(dir, 1000, 4096);
  round_trip<float>(dir, 1000, 4096);
}

TEST(SlabIo, EmptyDatasetMakesNoCalls) {
  const SharedTempDir dir;
  io::File file = io::create_file(dir / "empty.h5", MPI_COMM_WORLD, true);
  const io::Dataset1D dataset = io::create_dataset_1d(file, "x", io::ElementType::float64, 0);
  const std::vector<double> none;
  const io::IoReport report =
      io::write_rows<double>(dataset, {0, 0}, std::span<const double>(none));
  EXPECT_EQ(report.calls, 0U);
  EXPECT_EQ(report.bytes, 0U);
}

TEST(SlabIo, LargeTransfersAreCollective) {
  // 4 Mi doubles (32 MiB) in pieces of at most 1 MiB per rank.
  const SharedTempDir dir;
  const std::uint64_t rows = std::uint64_t{1} << 22;
  const io::IoOptions options{std::uint64_t{1} << 20};
  const mp::RowRange mine = mp::shard_rows(rows, rank(), size());
  io::File file = io::create_file(dir / "large.h5", MPI_COMM_WORLD, true);
  const io::Dataset1D dataset =
      io::create_dataset_1d(file, "Amount", io::ElementType::float64, rows);
  const std::vector<double> values = values_for<double>(mine);
  const io::IoReport written =
      io::write_rows<double>(dataset, mine, std::span<const double>(values), options);
  EXPECT_TRUE(written.all_collective);
  EXPECT_GE(written.calls, 4U);
  std::vector<double> read(mine.size());
  const io::IoReport report =
      io::read_rows<double>(dataset, mine, std::span<double>(read), options);
  EXPECT_TRUE(report.all_collective);
  EXPECT_EQ(report.bytes, mine.size() * sizeof(double));
  EXPECT_EQ(read, values);
}

TEST(SlabIo, Float32DatasetReadsIntoDoubles) {
  const SharedTempDir dir;
  const std::uint64_t rows = 100;
  const mp::RowRange mine = mp::shard_rows(rows, rank(), size());
  io::File file = io::create_file(dir / "f32.h5", MPI_COMM_WORLD, true);
  const io::Dataset1D dataset =
      io::create_dataset_1d(file, "Amount", io::ElementType::float32, rows);
  const std::vector<float> values = values_for<float>(mine);
  (void)io::write_rows<float>(dataset, mine, std::span<const float>(values));
  std::vector<double> read(mine.size());
  (void)io::read_rows<double>(dataset, mine, std::span<double>(read));
  for (std::size_t i = 0; i < read.size(); ++i) EXPECT_EQ(read[i], static_cast<double>(values[i]));
}

// IoOptions::direct_reads: contiguous datasets in the memory type are read with O_DIRECT from
// the file's bytes (no MPI-IO call), anything else falls back to the collective read. Odd row
// counts put every shard boundary off the 4 KiB blocks O_DIRECT works in.
TEST(SlabIo, DirectReadsGiveTheSameRowsAsCollectiveReads) {
  const SharedTempDir dir;
  const std::uint64_t rows = 300007;
  {
    io::File file = io::create_file(dir / "direct.h5", MPI_COMM_WORLD, true);
    const auto f64 = io::create_dataset_1d(file, "x", io::ElementType::float64, rows);
    const auto u8 = io::create_dataset_1d(file, "c", io::ElementType::uint8, rows);
    const auto f32 = io::create_dataset_1d(file, "f", io::ElementType::float32, rows);
    const mp::RowRange mine = mp::shard_rows(rows, rank(), size());
    (void)io::write_rows<double>(f64, mine, std::span<const double>(values_for<double>(mine)));
    (void)io::write_rows<std::uint8_t>(
        u8, mine, std::span<const std::uint8_t>(values_for<std::uint8_t>(mine)));
    (void)io::write_rows<float>(f32, mine, std::span<const float>(values_for<float>(mine)));
  }
  io::File file = io::open_file(dir / "direct.h5", io::FileMode::read_only, MPI_COMM_WORLD);
  io::IoOptions direct;
  direct.direct_reads = true;
  direct.max_bytes_per_call = 4096;
  const mp::RowRange theirs = mp::shard_rows(rows, size() - 1 - rank(), size());
  const auto f64 = io::open_dataset_1d(file, "x");
  std::vector<double> x(theirs.size());
  const io::IoReport report = io::read_rows<double>(f64, theirs, std::span<double>(x), direct);
  EXPECT_EQ(x, values_for<double>(theirs));
  EXPECT_EQ(report.calls, 0U) << "no MPI-IO call on the direct path";
  EXPECT_EQ(report.bytes, theirs.size() * sizeof(double));
  // A few rows in the middle of a block, and none at all.
  const mp::RowRange few{theirs.begin + 3, std::min(theirs.end, theirs.begin + 10)};
  std::vector<double> some(few.size());
  (void)io::read_rows<double>(f64, few, std::span<double>(some), direct);
  EXPECT_EQ(some, values_for<double>(few));
  std::vector<double> none;
  (void)io::read_rows<double>(f64, {5, 5}, std::span<double>(none), direct);
  const auto u8 = io::open_dataset_1d(file, "c", {.type = io::ElementType::uint8});
  std::vector<std::uint8_t> c(theirs.size());
  (void)io::read_rows<std::uint8_t>(u8, theirs, std::span<std::uint8_t>(c), direct);
  EXPECT_EQ(c, values_for<std::uint8_t>(theirs));
  // float32 rows into doubles need HDF5's conversion: the collective path.
  const auto f32 = io::open_dataset_1d(file, "f");
  std::vector<double> widened(theirs.size());
  const io::IoReport converted =
      io::read_rows<double>(f32, theirs, std::span<double>(widened), direct);
  EXPECT_GT(converted.calls, 0U);
  const auto narrow = values_for<float>(theirs);
  for (std::size_t i = 0; i < widened.size(); ++i) {
    EXPECT_EQ(widened[i], static_cast<double>(narrow[i]));
  }
}

TEST(SlabIo, BadRangeOnOneRankFailsEverywhere) {
  const SharedTempDir dir;
  io::File file = io::create_file(dir / "bad_range.h5", MPI_COMM_WORLD, true);
  const io::Dataset1D dataset = io::create_dataset_1d(file, "Amount", io::ElementType::float64, 10);
  // The last rank asks for rows past the end; the others ask for nothing.
  const bool last = rank() == size() - 1;
  const mp::RowRange range = last ? mp::RowRange{5, 12} : mp::RowRange{0, 0};
  std::vector<double> buffer(range.size());
  const std::string message = collective_error(
      [&] { (void)io::read_rows<double>(dataset, range, std::span<double>(buffer)); });
  EXPECT_CONTAINS(message, "rank " + std::to_string(size() - 1));
  EXPECT_CONTAINS(message, "bad_range.h5:/Amount");
  EXPECT_CONTAINS(message, "rows [5, 12)");
}

TEST(SlabIo, RejectsTransferLimitAtOrAbove2GiB) {
  const SharedTempDir dir;
  io::File file = io::create_file(dir / "limit.h5", MPI_COMM_WORLD, true);
  const io::Dataset1D dataset = io::create_dataset_1d(file, "Amount", io::ElementType::float64, 1);
  std::vector<double> buffer(rank() == 0 ? 1 : 0);
  const mp::RowRange range = rank() == 0 ? mp::RowRange{0, 1} : mp::RowRange{1, 1};
  const std::string message = collective_error([&] {
    (void)io::read_rows<double>(dataset, range, std::span<double>(buffer),
                                {std::uint64_t{1} << 31});
  });
  EXPECT_CONTAINS(message, "below 2 GiB");
}
