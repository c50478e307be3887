#include "modenorm/app/metrics_file.hpp"

#include <fstream>

#include "modenorm/core/errors.hpp"

namespace modenorm::app {

void write_metrics_file(const std::string& path, const nlohmann::ordered_json& metrics) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) throw core::InputError("--metrics: cannot write " + path);
  out << metrics.dump(2) << '\n';
  if (!out) throw core::InputError("--metrics: cannot write " + path);
}

}  // namespace modenorm::app
