// Attributes on files, groups and datasets: strings, integers, doubles and double arrays.
//
// Writing is collective (HDF5 metadata): every rank calls it with the same value. Reading is
// done by every rank. An existing attribute of the same name is replaced.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "modenorm/io/dataset_1d.hpp"
#include "modenorm/io/group.hpp"
#include "modenorm/io/hdf5_file.hpp"

namespace modenorm::io {

// The object an attribute is attached to, with names for messages.
struct AttributeOwner {
  hid_t id;
  std::string file_path;
  std::string object_name;

  AttributeOwner(const File& file) : id(file.id()), file_path(file.path()), object_name("/") {}
  AttributeOwner(const Group& group)
      : id(group.id()), file_path(group.file_path()), object_name(group.name()) {}
  AttributeOwner(const Dataset1D& dataset)
      : id(dataset.id()), file_path(dataset.file_path()), object_name(dataset.name()) {}
};

void write_attribute(const AttributeOwner& owner, std::string_view name, std::string_view value);
// Disambiguates string literals from the numeric overloads.
inline void write_attribute(const AttributeOwner& owner, std::string_view name, const char* value) {
  write_attribute(owner, name, std::string_view(value));
}
void write_attribute(const AttributeOwner& owner, std::string_view name, std::int64_t value);
void write_attribute(const AttributeOwner& owner, std::string_view name, std::uint64_t value);
void write_attribute(const AttributeOwner& owner, std::string_view name, double value);
void write_attribute(const AttributeOwner& owner, std::string_view name,
                     std::span<const double> values);

[[nodiscard]] bool has_attribute(const AttributeOwner& owner, std::string_view name);

// Readers throw Hdf5Error naming file, object and attribute when it is missing or of another
// kind. read_string_attribute accepts fixed- and variable-length strings (h5py writes the
// latter).
[[nodiscard]] std::string read_string_attribute(const AttributeOwner& owner, std::string_view name);
[[nodiscard]] std::int64_t read_int64_attribute(const AttributeOwner& owner, std::string_view name);
[[nodiscard]] std::uint64_t read_uint64_attribute(const AttributeOwner& owner,
                                                  std::string_view name);
[[nodiscard]] double read_double_attribute(const AttributeOwner& owner, std::string_view name);
[[nodiscard]] std::vector<double> read_double_array_attribute(const AttributeOwner& owner,
                                                              std::string_view name);

}  // namespace modenorm::io
