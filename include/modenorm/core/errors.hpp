#pragma once
// The error kinds every layer shares. The command-line driver maps them to exit codes:
// InputError (bad data, file or option: the user can fix it) exits with 2; anything else is a
// defect or an environment failure and exits with 1.

#include <stdexcept>
#include <string>

namespace modenorm::core {

class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace modenorm::core
