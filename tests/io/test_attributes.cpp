#include "modenorm/io/attributes.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdint>
#include <vector>

#include "io_test_support.hpp"
#include "modenorm/io/dataset_1d.hpp"
#include "modenorm/io/group.hpp"
#include "modenorm/io/hdf5_error.hpp"
#include "modenorm/io/hdf5_file.hpp"

namespace io = modenorm::io;
using modenorm::testing::collective_error;
using modenorm::testing::SharedTempDir;

TEST(Attributes, RoundTripOnFileGroupAndDataset) {
  const SharedTempDir dir;
  const auto path = dir / "attributes.h5";
  const std::vector<double> means{-1.5, 0.0, 2.25e300, 5e-310};
  {
    io::File file = io::create_file(path, MPI_COMM_WORLD, true);
    {
      const io::Group model = io::create_group(file, "/model/fit");
      const io::Dataset1D dataset =
          io::create_dataset_1d(file, "alpha", io::ElementType::float64, 3);
      io::write_attribute(file, "source", "credit.h5:/Amount");
      io::write_attribute(file, "rows", std::uint64_t{1'000'000'000});
      io::write_attribute(file, "seed", std::int64_t{-42});
      io::write_attribute(model, "lower_bound", -1234.5678);
      io::write_attribute(model, "means", std::span<const double>(means));
      io::write_attribute(dataset, "units", std::string_view("standard deviations"));
      io::write_attribute(file, "empty", "");
      // Replacing changes type and value.
      io::write_attribute(file, "complete", std::int64_t{0});
      io::write_attribute(file, "complete", std::uint64_t{1});
    }  // objects closed before the file
    file.close();
  }
  io::File file = io::open_file(path, io::FileMode::read_only, MPI_COMM_WORLD);
  const io::Group model = io::open_group(file, "model/fit");
  const io::Dataset1D dataset = io::open_dataset_1d(file, "alpha");
  EXPECT_EQ(io::read_string_attribute(file, "source"), "credit.h5:/Amount");
  EXPECT_EQ(io::read_uint64_attribute(file, "rows"), 1'000'000'000U);
  EXPECT_EQ(io::read_int64_attribute(file, "seed"), -42);
  EXPECT_EQ(io::read_double_attribute(model, "lower_bound"), -1234.5678);
  EXPECT_EQ(io::read_double_array_attribute(model, "means"), means);
  EXPECT_EQ(io::read_string_attribute(dataset, "units"), "standard deviations");
  EXPECT_EQ(io::read_string_attribute(file, "empty"), "");
  EXPECT_EQ(io::read_uint64_attribute(file, "complete"), 1U);
  EXPECT_TRUE(io::has_attribute(file, "complete"));
  EXPECT_FALSE(io::has_attribute(file, "nothing"));
}

TEST(Attributes, VariableLengthStringsAreRead) {
  // h5py writes str attributes as variable-length strings.
  const SharedTempDir dir;
  io::File file = io::create_file(dir / "vlen.h5", MPI_COMM_WORLD, true);
  {
    io::DatatypeHandle type(io::check_id(H5Tcopy(H5T_C_S1), "H5Tcopy"));
    io::check(H5Tset_size(type.get(), H5T_VARIABLE), "H5Tset_size");
    const io::DataspaceHandle space(io::check_id(H5Screate(H5S_SCALAR), "H5Screate"));
    const io::AttributeHandle attribute(io::check_id(
        H5Acreate2(file.id(), "note", type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
        "H5Acreate2"));
    const char* text = "written by h5py";
    io::check(H5Awrite(attribute.get(), type.get(), &text), "H5Awrite");
  }
  EXPECT_EQ(io::read_string_attribute(file, "note"), "written by h5py");
}

TEST(Attributes, ErrorsNameFileObjectAndAttribute) {
  const SharedTempDir dir;
  const auto path = dir / "attr_errors.h5";
  io::File file = io::create_file(path, MPI_COMM_WORLD, true);
  io::write_attribute(file, "name", "x");
  try {
    (void)io::read_int64_attribute(file, "missing");
    ADD_FAILURE() << "expected Hdf5Error";
  } catch (const io::Hdf5Error& e) {
    EXPECT_CONTAINS(e.what(), path.string() + ": attribute 'missing' of '/' does not exist");
  }
  try {
    (void)io::read_double_attribute(file, "name");
    ADD_FAILURE() << "expected Hdf5Error";
  } catch (const io::Hdf5Error& e) {
    EXPECT_CONTAINS(e.what(), "attribute 'name' of '/' has type string, expected");
  }
}

TEST(Groups, MissingGroupIsACollectiveError) {
  const SharedTempDir dir;
  const auto path = dir / "groups.h5";
  io::File file = io::create_file(path, MPI_COMM_WORLD, true);
  const std::string message =
      modenorm::testing::input_error([&] { (void)io::open_group(file, "/model"); });
  EXPECT_CONTAINS(message, path.string() + ": no group '/model'");
}
