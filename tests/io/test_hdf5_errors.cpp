// Error cases of file and dataset opening: each message names the file (and dataset), and each
// error reaches every rank as the same CollectiveError (a hang would trip the test TIMEOUT).
#include <gtest/gtest.h>
#include <mpi.h>

#include <array>
#include <filesystem>
#include <fstream>

#include "io_test_support.hpp"
#include "modenorm/io/dataset_1d.hpp"
#include "modenorm/io/hdf5_error.hpp"
#include "modenorm/io/hdf5_file.hpp"
#include "modenorm/io/hdf5_handle.hpp"
#include "modenorm/io/slab_io.hpp"
#include "modenorm/parallel/communicator.hpp"
#include "modenorm/parallel/shard.hpp"

namespace io = modenorm::io;
namespace mp = modenorm::parallel;
using modenorm::testing::collective_error;
using modenorm::testing::input_error;
using modenorm::testing::SharedTempDir;

namespace {

int rank() { return mp::comm_rank(MPI_COMM_WORLD); }
int size() { return mp::comm_size(MPI_COMM_WORLD); }

// Creates, through raw HDF5 calls made identically on every rank, datasets our own API refuses
// to write: integer, string, 2-D and empty ones.
void make_raw_dataset(const io::File& file, const char* name, hid_t type,
                      std::span<const hsize_t> dims) {
  const io::DataspaceHandle space(
      io::check_id(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "space"));
  const io::DatasetHandle dataset(io::check_id(
      H5Dcreate2(file.id(), name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      "H5Dcreate2"));
}

std::filesystem::path make_fixture(const SharedTempDir& dir) {
  const auto path = dir / "fixture.h5";
  io::File file = io::create_file(path, MPI_COMM_WORLD, true);
  const std::array<hsize_t, 1> ten{10};
  const std::array<hsize_t, 2> grid{4, 3};
  const std::array<hsize_t, 1> zero{0};
  make_raw_dataset(file, "/ints", H5T_STD_I32LE, ten);
  make_raw_dataset(file, "/bytes", H5T_STD_U8LE, ten);
  io::DatatypeHandle text(io::check_id(H5Tcopy(H5T_C_S1), "H5Tcopy"));
  io::check(H5Tset_size(text.get(), 16), "H5Tset_size");
  make_raw_dataset(file, "/names", text.get(), ten);
  make_raw_dataset(file, "/grid", H5T_IEEE_F64LE, grid);
  make_raw_dataset(file, "/empty", H5T_IEEE_F64LE, zero);
  (void)io::create_dataset_1d(file, "/group/Amount", io::ElementType::float64, 10);
  file.close();
  return path;
}

std::string open_error(const std::filesystem::path& path, const char* dataset,
                       const io::DatasetRequirements& requirements = {}) {
  io::File file = io::open_file(path, io::FileMode::read_only, MPI_COMM_WORLD);
  return input_error([&] { (void)io::open_dataset_1d(file, dataset, requirements); });
}

}  // namespace

TEST(Hdf5Errors, MissingFile) {
  const SharedTempDir dir;
  const auto path = dir / "nowhere.h5";
  const std::string message =
      input_error([&] { (void)io::open_file(path, io::FileMode::read_only, MPI_COMM_WORLD); });
  EXPECT_CONTAINS(message, "file not found: " + path.string());
}

TEST(Hdf5Errors, NotAnHdf5File) {
  const SharedTempDir dir;
  const auto path = dir / "amounts.csv";
  if (rank() == 0) std::ofstream(path) << "Amount\n1.0\n2.0\n";
  MPI_Barrier(MPI_COMM_WORLD);
  const std::string message =
      input_error([&] { (void)io::open_file(path, io::FileMode::read_only, MPI_COMM_WORLD); });
  EXPECT_CONTAINS(message, path.string() + " is not an HDF5 file");
}

TEST(Hdf5Errors, TruncatedFile) {
  const SharedTempDir dir;
  const auto good = dir / "good.h5";
  {
    io::File file = io::create_file(good, MPI_COMM_WORLD, true);
    const io::Dataset1D dataset =
        io::create_dataset_1d(file, "Amount", io::ElementType::float64, 4096);
    const mp::RowRange mine = mp::shard_rows(4096, rank(), size());
    const std::vector<double> values(mine.size(), 1.5);
    (void)io::write_rows<double>(dataset, mine, std::span<const double>(values));
  }
  const auto cut = dir / "cut.h5";
  if (rank() == 0) {
    std::filesystem::copy_file(good, cut);
    std::filesystem::resize_file(cut, std::filesystem::file_size(good) / 2);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  const std::string message = input_error([&] {
    io::File file = io::open_file(cut, io::FileMode::read_only, MPI_COMM_WORLD);
    const io::Dataset1D dataset = io::open_dataset_1d(file, "Amount");
    const mp::RowRange mine = mp::shard_rows(dataset.size(), rank(), size());
    std::vector<double> values(mine.size());
    (void)io::read_rows<double>(dataset, mine, std::span<double>(values));
  });
  EXPECT_CONTAINS(message, cut.string());
}

TEST(Hdf5Errors, DirectoryIsNotAFile) {
  const SharedTempDir dir;
  const auto path = dir / "subdir";
  if (rank() == 0) std::filesystem::create_directory(path);
  MPI_Barrier(MPI_COMM_WORLD);
  const std::string message =
      input_error([&] { (void)io::open_file(path, io::FileMode::read_only, MPI_COMM_WORLD); });
  EXPECT_CONTAINS(message, path.string());
}

TEST(Hdf5Errors, CreateWithoutTruncateRefusesExistingFile) {
  const SharedTempDir dir;
  const auto path = dir / "exists.h5";
  { io::File file = io::create_file(path, MPI_COMM_WORLD, true); }
  const std::string message =
      collective_error([&] { (void)io::create_file(path, MPI_COMM_WORLD, false); });
  EXPECT_CONTAINS(message, "cannot create HDF5 file " + path.string());
}

TEST(Hdf5Errors, MissingDataset) {
  const SharedTempDir dir;
  const auto path = make_fixture(dir);
  EXPECT_CONTAINS(open_error(path, "/Amount"), path.string() + ": no dataset '/Amount'");
  // A missing intermediate group is the same error, not an HDF5 stack.
  EXPECT_CONTAINS(open_error(path, "/model/means"), path.string() + ": no dataset '/model/means'");
  // A group is not a dataset.
  EXPECT_CONTAINS(open_error(path, "/group"), path.string() + ": no dataset '/group'");
}

TEST(Hdf5Errors, IntegerDataset) {
  const SharedTempDir dir;
  const auto path = make_fixture(dir);
  EXPECT_CONTAINS(open_error(path, "ints"),
                  path.string() + ": dataset '/ints' has type int32, expected a floating-point");
}

TEST(Hdf5Errors, StringDataset) {
  const SharedTempDir dir;
  const auto path = make_fixture(dir);
  EXPECT_CONTAINS(open_error(path, "/names"),
                  path.string() + ": dataset '/names' has type string, expected a floating-point");
}

TEST(Hdf5Errors, TwoDimensionalDataset) {
  const SharedTempDir dir;
  const auto path = make_fixture(dir);
  EXPECT_CONTAINS(open_error(path, "/grid"),
                  path.string() + ": dataset '/grid' is 2-D, expected 1-D");
}

TEST(Hdf5Errors, EmptyDataset) {
  const SharedTempDir dir;
  const auto path = make_fixture(dir);
  EXPECT_CONTAINS(open_error(path, "/empty"), path.string() + ": dataset '/empty' is empty");
  io::File file = io::open_file(path, io::FileMode::read_only, MPI_COMM_WORLD);
  EXPECT_EQ(io::open_dataset_1d(file, "/empty", {.type = std::nullopt, .allow_empty = true}).size(),
            0U);
}

TEST(Hdf5Errors, ExactTypeRequirement) {
  const SharedTempDir dir;
  const auto path = make_fixture(dir);
  EXPECT_CONTAINS(open_error(path, "/group/Amount", {.type = io::ElementType::uint8}),
                  path.string() + ": dataset '/group/Amount' has type float64, expected uint8");
  io::File file = io::open_file(path, io::FileMode::read_only, MPI_COMM_WORLD);
  const io::Dataset1D bytes = io::open_dataset_1d(file, "bytes", {.type = io::ElementType::uint8});
  EXPECT_EQ(bytes.type(), io::ElementType::uint8);
  EXPECT_TRUE(io::dataset_exists(file, "/group/Amount"));
  EXPECT_FALSE(io::dataset_exists(file, "/group"));
  EXPECT_FALSE(io::dataset_exists(file, "/no/such"));
}

TEST(Hdf5Errors, ErrorCarriesHdf5Stack) {
  io::silence_hdf5_errors();
  try {
    (void)io::check_id(H5Fopen("/nonexistent/dir/x.h5", H5F_ACC_RDONLY, H5P_DEFAULT),
                       "opening x.h5");
    ADD_FAILURE() << "expected Hdf5Error";
  } catch (const io::Hdf5Error& e) {
    EXPECT_EQ(e.context(), "opening x.h5");
    EXPECT_CONTAINS(e.stack(), "H5Fopen");
    EXPECT_CONTAINS(e.what(), "HDF5 error stack");
  }
  // The stack was cleared: the next failure reports only its own frames.
  EXPECT_EQ(io::take_hdf5_error_stack(), "");
}

TEST(Hdf5Handle, MoveTransfersOwnership) {
  io::DataspaceHandle a(io::check_id(H5Screate(H5S_SCALAR), "H5Screate"));
  const hid_t id = a.get();
  io::DataspaceHandle b(std::move(a));
  EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_EQ(b.get(), id);
  io::DataspaceHandle c;
  c = std::move(b);
  EXPECT_EQ(c.get(), id);
  EXPECT_GT(H5Iis_valid(id), 0);
  EXPECT_GE(c.close(), 0);
  EXPECT_LE(H5Iis_valid(id), 0);
}
