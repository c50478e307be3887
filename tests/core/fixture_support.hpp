// Loading the scikit-learn reference fixtures (tests/reference/fixtures, VGM_SPEC §11).
#pragma once

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

namespace modenorm::core::test {

inline std::string source_path(const std::string& relative) {
  return std::string(MODENORM_SOURCE_DIR) + "/" + relative;
}

inline nlohmann::json load_fixture(const std::string& name) {
  std::ifstream in(source_path("tests/reference/fixtures/" + name + ".json"));
  if (!in) throw std::runtime_error("missing fixture " + name);
  return nlohmann::json::parse(in);
}

// One-column CSV with a header line; values written with repr round-trip through strtod.
inline std::vector<double> read_single_column_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::string line;
  std::getline(in, line);  // header
  std::vector<double> values;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    values.push_back(std::strtod(line.c_str(), nullptr));
  }
  return values;
}

// The fixture's input values, minus input.shift (as the reference script does).
inline std::vector<double> fixture_data(const nlohmann::json& fixture) {
  std::vector<double> x;
  if (fixture.contains("data")) {
    x = fixture["data"].get<std::vector<double>>();
  } else {
    x = read_single_column_csv(source_path(fixture["input"]["path"].get<std::string>()));
  }
  const double shift = fixture["input"]["shift"].get<double>();
  if (shift != 0.0) {
    for (double& v : x) v -= shift;
  }
  return x;
}

inline Eigen::ArrayXd to_array(const nlohmann::json& values) {
  const auto v = values.get<std::vector<double>>();
  return Eigen::Map<const Eigen::ArrayXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

}  // namespace modenorm::core::test
