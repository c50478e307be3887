#include "modenorm/io/attributes.hpp"

#include <array>

#include "modenorm/io/hdf5_error.hpp"
#include "modenorm/io/hdf5_handle.hpp"

namespace modenorm::io {
namespace {

std::string describe(const AttributeOwner& owner, const std::string& name) {
  return owner.file_path + ": attribute '" + name + "' of '" + owner.object_name + "'";
}

// Writes `count` elements (or a scalar when count is 0) of `memory_type`, replacing any
// attribute of the same name (HDF5 cannot change an attribute's type or shape in place).
void write_raw(const AttributeOwner& owner, std::string_view name_view, hid_t file_type,
               hid_t memory_type, const void* data, std::size_t count, bool scalar) {
  const std::string name(name_view);
  const std::string where = describe(owner, name);
  if (check_tri(H5Aexists(owner.id, name.c_str()), "H5Aexists " + where)) {
    check(H5Adelete(owner.id, name.c_str()), "cannot replace " + where);
  }
  const std::array<hsize_t, 1> dims{count};
  const DataspaceHandle space(
      check_id(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, dims.data(), nullptr),
               "dataspace for " + where));
  const AttributeHandle attribute(
      check_id(H5Acreate2(owner.id, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
               "cannot create " + where));
  check(H5Awrite(attribute.get(), memory_type, data), "cannot write " + where);
}

AttributeHandle open_attribute(const AttributeOwner& owner, const std::string& name) {
  const std::string where = describe(owner, name);
  if (!check_tri(H5Aexists(owner.id, name.c_str()), "H5Aexists " + where)) {
    throw Hdf5Error(where + " does not exist");
  }
  return AttributeHandle(
      check_id(H5Aopen(owner.id, name.c_str(), H5P_DEFAULT), "cannot open " + where));
}

hssize_t element_count(const AttributeHandle& attribute, const std::string& where) {
  const DataspaceHandle space(check_id(H5Aget_space(attribute.get()), "H5Aget_space " + where));
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (n < 0) throw Hdf5Error("H5Sget_simple_extent_npoints " + where, take_hdf5_error_stack());
  return n;
}

void require_class(const AttributeHandle& attribute, H5T_class_t wanted, const std::string& where,
                   const char* expected) {
  const DatatypeHandle type(check_id(H5Aget_type(attribute.get()), "H5Aget_type " + where));
  if (H5Tget_class(type.get()) != wanted) {
    throw Hdf5Error(where + " has type " + describe_datatype(type.get()) + ", expected " +
                    expected);
  }
}

template <class T>
T read_scalar(const AttributeOwner& owner, std::string_view name_view, hid_t memory_type,
              H5T_class_t wanted, const char* expected) {
  const std::string name(name_view);
  const std::string where = describe(owner, name);
  const AttributeHandle attribute = open_attribute(owner, name);
  require_class(attribute, wanted, where, expected);
  if (element_count(attribute, where) != 1) throw Hdf5Error(where + " is not a single value");
  T value{};
  // HDF5 converts between integer widths and reports overflow as an error.
  check(H5Aread(attribute.get(), memory_type, &value), "cannot read " + where);
  return value;
}

}  // namespace

void write_attribute(const AttributeOwner& owner, std::string_view name, std::string_view value) {
  // Fixed-length, null-terminated UTF-8: readable by h5py and h5dump as a plain string.
  DatatypeHandle type(check_id(H5Tcopy(H5T_C_S1), "H5Tcopy"));
  check(H5Tset_size(type.get(), value.size() + 1), "H5Tset_size");
  check(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), "H5Tset_strpad");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "H5Tset_cset");
  const std::string terminated(value);
  write_raw(owner, name, type.get(), type.get(), terminated.c_str(), 0, true);
}

void write_attribute(const AttributeOwner& owner, std::string_view name, std::int64_t value) {
  write_raw(owner, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value, 0, true);
}

void write_attribute(const AttributeOwner& owner, std::string_view name, std::uint64_t value) {
  write_raw(owner, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value, 0, true);
}

void write_attribute(const AttributeOwner& owner, std::string_view name, double value) {
  write_raw(owner, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value, 0, true);
}

void write_attribute(const AttributeOwner& owner, std::string_view name,
                     std::span<const double> values) {
  write_raw(owner, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values.data(), values.size(), false);
}

bool has_attribute(const AttributeOwner& owner, std::string_view name) {
  const std::string key(name);
  return check_tri(H5Aexists(owner.id, key.c_str()), "H5Aexists " + describe(owner, key));
}

std::string read_string_attribute(const AttributeOwner& owner, std::string_view name_view) {
  const std::string name(name_view);
  const std::string where = describe(owner, name);
  const AttributeHandle attribute = open_attribute(owner, name);
  require_class(attribute, H5T_STRING, where, "string");
  if (element_count(attribute, where) != 1) throw Hdf5Error(where + " is not a single string");
  const DatatypeHandle stored(check_id(H5Aget_type(attribute.get()), "H5Aget_type " + where));
  const htri_t variable = H5Tis_variable_str(stored.get());
  if (check_tri(variable, "H5Tis_variable_str " + where)) {
    DatatypeHandle memory(check_id(H5Tcopy(H5T_C_S1), "H5Tcopy"));
    check(H5Tset_size(memory.get(), H5T_VARIABLE), "H5Tset_size");
    check(H5Tset_cset(memory.get(), H5Tget_cset(stored.get())), "H5Tset_cset");
    char* text = nullptr;
    check(H5Aread(attribute.get(), memory.get(), &text), "cannot read " + where);
    std::string result = text != nullptr ? std::string(text) : std::string();
    // Variable-length strings are allocated by HDF5 and must be released by it.
    const DataspaceHandle space(check_id(H5Screate(H5S_SCALAR), "H5Screate"));
    H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, &text);
    return result;
  }
  const std::size_t size = H5Tget_size(stored.get());
  std::string buffer(size, '\0');
  check(H5Aread(attribute.get(), stored.get(), buffer.data()), "cannot read " + where);
  // Fixed-length strings may be null-terminated, null-padded or space-padded.
  const std::size_t end = buffer.find('\0');
  if (end != std::string::npos) buffer.resize(end);
  if (H5Tget_strpad(stored.get()) == H5T_STR_SPACEPAD) {
    const std::size_t last = buffer.find_last_not_of(' ');
    buffer.resize(last == std::string::npos ? 0 : last + 1);
  }
  return buffer;
}

std::int64_t read_int64_attribute(const AttributeOwner& owner, std::string_view name) {
  return read_scalar<std::int64_t>(owner, name, H5T_NATIVE_INT64, H5T_INTEGER, "an integer");
}

std::uint64_t read_uint64_attribute(const AttributeOwner& owner, std::string_view name) {
  return read_scalar<std::uint64_t>(owner, name, H5T_NATIVE_UINT64, H5T_INTEGER, "an integer");
}

double read_double_attribute(const AttributeOwner& owner, std::string_view name) {
  return read_scalar<double>(owner, name, H5T_NATIVE_DOUBLE, H5T_FLOAT, "a floating-point value");
}

std::vector<double> read_double_array_attribute(const AttributeOwner& owner,
                                                std::string_view name_view) {
  const std::string name(name_view);
  const std::string where = describe(owner, name);
  const AttributeHandle attribute = open_attribute(owner, name);
  require_class(attribute, H5T_FLOAT, where, "floating-point values");
  std::vector<double> values(static_cast<std::size_t>(element_count(attribute, where)));
  if (!values.empty()) {
    check(H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, values.data()), "cannot read " + where);
  }
  return values;
}

}  // namespace modenorm::io
