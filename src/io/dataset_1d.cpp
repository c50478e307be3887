#include "modenorm/io/dataset_1d.hpp"

#include <array>

#include "modenorm/core/errors.hpp"
#include "modenorm/io/hdf5_error.hpp"
#include "modenorm/parallel/collective_check.hpp"

namespace modenorm::io {
namespace {

// Dataset names are reported and stored absolute ("/Amount"), whatever the caller passed.
std::string absolute_name(std::string_view name) {
  // Built by appending: GCC 12 reports a false -Wrestrict for "/" + std::string here.
  std::string path;
  if (!name.starts_with('/')) path.push_back('/');
  path.append(name);
  return path;
}

// True if every component of `name` exists and the last one is a dataset. H5Lexists fails when
// an intermediate group is missing, so the path is walked one component at a time.
bool is_dataset(hid_t file, const std::string& name) {
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = name.find('/', pos + 1);
    const std::string prefix = name.substr(0, pos);
    if (prefix.size() <= 1) continue;
    if (!check_tri(H5Lexists(file, prefix.c_str(), H5P_DEFAULT), "H5Lexists " + prefix)) {
      return false;
    }
  }
  H5O_info_t info;
  check(H5Oget_info_by_name2(file, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT),
        "H5Oget_info_by_name " + name);
  return info.type == H5O_TYPE_DATASET;
}

std::optional<ElementType> as_element_type(hid_t type) {
  const H5T_class_t type_class = H5Tget_class(type);
  const std::size_t size = H5Tget_size(type);
  if (type_class == H5T_FLOAT) {
    if (size == 8) return ElementType::float64;
    if (size == 4) return ElementType::float32;
  }
  if (type_class == H5T_INTEGER) {
    const bool is_signed = H5Tget_sign(type) != H5T_SGN_NONE;
    if (!is_signed && size == 1) return ElementType::uint8;
    if (is_signed && size == 8) return ElementType::int64;
  }
  return std::nullopt;
}

bool is_floating(ElementType type) {
  return type == ElementType::float64 || type == ElementType::float32;
}

Dataset1D open_and_validate(const File& file, const std::string& name,
                            const DatasetRequirements& requirements) {
  const std::string where = file.path() + ": dataset '" + name + "'";
  if (!is_dataset(file.id(), name))
    throw core::InputError(file.path() + ": no dataset '" + name + "'");
  DatasetHandle dataset(
      check_id(H5Dopen2(file.id(), name.c_str(), H5P_DEFAULT), "cannot open " + where));

  const DataspaceHandle space(check_id(H5Dget_space(dataset.get()), "H5Dget_space " + where));
  const int rank = check(H5Sget_simple_extent_ndims(space.get()), "H5Sget_simple_extent_ndims");
  if (rank != 1) {
    throw core::InputError(where + " is " + (rank == 0 ? "a scalar" : std::to_string(rank) + "-D") +
                           ", expected 1-D");
  }
  std::array<hsize_t, 1> dims{};
  check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), "H5Sget_simple_extent_dims");

  const DatatypeHandle type(check_id(H5Dget_type(dataset.get()), "H5Dget_type " + where));
  const std::optional<ElementType> element = as_element_type(type.get());
  if (requirements.type) {
    if (element != requirements.type) {
      throw core::InputError(where + " has type " + describe_datatype(type.get()) + ", expected " +
                             to_string(*requirements.type));
    }
  } else if (!element || !is_floating(*element)) {
    throw core::InputError(where + " has type " + describe_datatype(type.get()) +
                           ", expected a floating-point type (float64 or float32)");
  }
  if (dims[0] == 0 && !requirements.allow_empty) throw core::InputError(where + " is empty");
  return Dataset1D(std::move(dataset), file.path(), name, *element, dims[0], file.comm());
}

}  // namespace

Dataset1D create_dataset_1d(const File& file, std::string_view name, ElementType type,
                            std::uint64_t rows) {
  const std::string path = absolute_name(name);
  const std::string where = file.path() + ": dataset '" + path + "'";
  return parallel::run_collectively(
      [&] {
        const std::array<hsize_t, 1> dims{rows};
        const DataspaceHandle space(
            check_id(H5Screate_simple(1, dims.data(), nullptr), "H5Screate_simple " + where));
        const PropertyListHandle lcpl(check_id(H5Pcreate(H5P_LINK_CREATE), "H5Pcreate(lcpl)"));
        check(H5Pset_create_intermediate_group(lcpl.get(), 1), "H5Pset_create_intermediate_group");
        const PropertyListHandle dcpl(check_id(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate(dcpl)"));
        check(H5Pset_layout(dcpl.get(), H5D_CONTIGUOUS), "H5Pset_layout");
        check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER), "H5Pset_fill_time");
        // Parallel HDF5 needs the space allocated up front for collective writes anyway.
        check(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY), "H5Pset_alloc_time");
        DatasetHandle dataset(check_id(H5Dcreate2(file.id(), path.c_str(), file_type(type),
                                                  space.get(), lcpl.get(), dcpl.get(), H5P_DEFAULT),
                                       "cannot create " + where));
        return Dataset1D(std::move(dataset), file.path(), path, type, rows, file.comm());
      },
      file.comm());
}

Dataset1D open_dataset_1d(const File& file, std::string_view name,
                          const DatasetRequirements& requirements) {
  const std::string path = absolute_name(name);
  return parallel::run_collectively([&] { return open_and_validate(file, path, requirements); },
                                    file.comm());
}

bool dataset_exists(const File& file, std::string_view name) {
  const std::string path = absolute_name(name);
  return parallel::run_collectively([&] { return is_dataset(file.id(), path); }, file.comm());
}

}  // namespace modenorm::io
