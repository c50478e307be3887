// Groups (e.g. /model in output files).
//
// Collective calls: create_group, open_group and closing a Group.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "modenorm/io/hdf5_file.hpp"
#include "modenorm/io/hdf5_handle.hpp"

namespace modenorm::io {

class Group {
 public:
  Group(GroupHandle handle, std::string file_path, std::string name)
      : handle_(std::move(handle)), file_path_(std::move(file_path)), name_(std::move(name)) {}
  [[nodiscard]] hid_t id() const noexcept { return handle_.get(); }
  [[nodiscard]] const std::string& file_path() const noexcept { return file_path_; }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }

 private:
  GroupHandle handle_;
  std::string file_path_;
  std::string name_;
};

// Creates `name`, and any missing intermediate groups. Fails if it already exists.
[[nodiscard]] Group create_group(const File& file, std::string_view name);
// Opens an existing group: "<file>: no group '<name>'" otherwise.
[[nodiscard]] Group open_group(const File& file, std::string_view name);

}  // namespace modenorm::io
