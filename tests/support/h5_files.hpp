#pragma once
// Serial HDF5 reads and writes for tests that check files written by the `modenorm` executable, without
// going through the code under test.

#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace modenorm::testing {

template <class T>
hid_t h5_native_type();
template <>
inline hid_t h5_native_type<double>() { return H5T_NATIVE_DOUBLE; }
template <>
inline hid_t h5_native_type<float>() { return H5T_NATIVE_FLOAT; }
template <>
inline hid_t h5_native_type<std::uint8_t>() { return H5T_NATIVE_UINT8; }
template <>
inline hid_t h5_native_type<std::int64_t>() { return H5T_NATIVE_INT64; }
template <>
inline hid_t h5_native_type<std::uint64_t>() { return H5T_NATIVE_UINT64; }

template <class T>
std::vector<T> h5_read_dataset(const std::filesystem::path& file, const std::string& name) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw std::runtime_error("cannot open " + file.string());
  const hid_t d = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
  if (d < 0) {
    H5Fclose(f);
    throw std::runtime_error("no dataset " + name + " in " + file.string());
  }
  const hid_t space = H5Dget_space(d);
  const auto n = H5Sget_simple_extent_npoints(space);
  std::vector<T> values(static_cast<std::size_t>(n));
  const herr_t status =
      n > 0 ? H5Dread(d, h5_native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) : 0;
  H5Sclose(space);
  H5Dclose(d);
  H5Fclose(f);
  if (status < 0) throw std::runtime_error("cannot read " + name + " in " + file.string());
  return values;
}

// Reads a scalar integer or string attribute of the object `object` ("/" for the root group)
// and returns it as text; empty when absent.
inline std::string h5_attribute_text(const std::filesystem::path& file, const std::string& object,
                                     const std::string& name) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw std::runtime_error("cannot open " + file.string());
  std::string text;
  if (H5Aexists_by_name(f, object.c_str(), name.c_str(), H5P_DEFAULT) > 0) {
    const hid_t a = H5Aopen_by_name(f, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
    const hid_t type = H5Aget_type(a);
    if (H5Tget_class(type) == H5T_STRING) {
      if (H5Tis_variable_str(type) > 0) {
        char* value = nullptr;
        const hid_t mem = H5Tcopy(H5T_C_S1);
        H5Tset_size(mem, H5T_VARIABLE);
        H5Aread(a, mem, &value);
        text = value ? value : "";
        H5free_memory(value);
        H5Tclose(mem);
      } else {
        text.resize(H5Tget_size(type));
        H5Aread(a, type, text.data());
        text.resize(text.find('\0') == std::string::npos ? text.size() : text.find('\0'));
      }
    } else if (H5Tget_class(type) == H5T_INTEGER) {
      std::int64_t value = 0;
      H5Aread(a, H5T_NATIVE_INT64, &value);
      text = std::to_string(value);
    } else {
      double value = 0;
      H5Aread(a, H5T_NATIVE_DOUBLE, &value);
      text = std::to_string(value);
    }
    H5Tclose(type);
    H5Aclose(a);
  }
  H5Fclose(f);
  return text;
}

}  // namespace modenorm::testing

namespace modenorm::testing {

// Writes a fresh file holding one 1-D dataset (serial HDF5; for preparing test inputs).
template <class T>
void h5_write_dataset(const std::filesystem::path& file, const std::string& name,
                      const std::vector<T>& values) {
  const hid_t f = H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) throw std::runtime_error("cannot create " + file.string());
  const hsize_t dims[1] = {values.size()};
  const hid_t space = H5Screate_simple(1, dims, nullptr);
  const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  const hid_t d = H5Dcreate2(f, name.c_str(), h5_native_type<T>(), space, lcpl, H5P_DEFAULT,
                             H5P_DEFAULT);
  const herr_t status =
      values.empty() ? 0
                     : H5Dwrite(d, h5_native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                values.data());
  H5Dclose(d);
  H5Pclose(lcpl);
  H5Sclose(space);
  H5Fclose(f);
  if (status < 0) throw std::runtime_error("cannot write " + name + " in " + file.string());
}

}  // namespace modenorm::testing
