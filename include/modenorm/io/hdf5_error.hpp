// HDF5 error handling: every C call is checked, and a failure becomes an Hdf5Error carrying
// what we were doing (operation, file, dataset) plus HDF5's own error stack.
#pragma once

#include <hdf5.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace modenorm::io {

class Hdf5Error : public std::runtime_error {
 public:
  // what() = context, followed by the HDF5 error stack (one frame per line) when there is one.
  explicit Hdf5Error(std::string context, std::string stack = {});
  [[nodiscard]] const std::string& context() const noexcept { return context_; }
  [[nodiscard]] const std::string& stack() const noexcept { return stack_; }

 private:
  std::string context_;
  std::string stack_;
};

// Turns off HDF5's automatic printing of error stacks to stderr (we report them in
// Hdf5Error instead). Idempotent; called by every entry point that opens or creates a file.
void silence_hdf5_errors();

// Returns the current thread's HDF5 error stack as text (innermost frame first) and clears it.
[[nodiscard]] std::string take_hdf5_error_stack();

// Throw Hdf5Error(context + stack) if an HDF5 call failed; otherwise return its result.
herr_t check(herr_t status, std::string_view context);
hid_t check_id(hid_t id, std::string_view context);
// For htri_t-returning predicates (H5Lexists, ...): true/false, or throws on error.
bool check_tri(htri_t value, std::string_view context);

}  // namespace modenorm::io
