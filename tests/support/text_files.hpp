#pragma once
// Reading the text files tests compare against: whole files, and one-column CSVs with a header.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace modenorm::testing {

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Values of a one-column CSV after its header line, parsed independently of the code under test.
inline std::vector<double> read_csv_values(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::vector<double> values;
  while (std::getline(in, line)) values.push_back(std::strtod(line.c_str(), nullptr));
  return values;
}

}  // namespace modenorm::testing
