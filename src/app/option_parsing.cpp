#include "modenorm/app/option_parsing.hpp"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "modenorm/core/errors.hpp"

namespace modenorm::app {
namespace {

using core::InputError;

std::uint64_t available_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::uint64_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024;
  }
  const long pages = sysconf(_SC_AVPHYS_PAGES);
  const long page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page)
                               : std::uint64_t{1} << 30;
}

bool parse_double(std::string_view text, double& out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && std::isfinite(out);
}

}  // namespace

std::uint64_t parse_memory_budget(const std::string& option, const std::string& text,
                                  int ranks_on_node) {
  if (text == "auto") {
    return static_cast<std::uint64_t>(0.6 * static_cast<double>(available_memory_bytes()) /
                                      std::max(1, ranks_on_node));
  }
  static const std::pair<const char*, double> kUnits[] = {
      {"TiB", 1099511627776.0}, {"GiB", 1073741824.0}, {"MiB", 1048576.0}, {"KiB", 1024.0},
      {"TB", 1e12},             {"GB", 1e9},           {"MB", 1e6},        {"KB", 1e3},
      {"B", 1.0}};
  std::string_view number = text;
  double scale = 1.0;
  for (const auto& [suffix, factor] : kUnits) {
    if (number.ends_with(suffix)) {
      number.remove_suffix(std::char_traits<char>::length(suffix));
      scale = factor;
      break;
    }
  }
  double value = 0.0;
  if (!parse_double(number, value) || value < 0) {
    throw InputError(option + ": expected a size such as 512MiB, 2GiB or auto, got '" + text + "'");
  }
  return static_cast<std::uint64_t>(value * scale);
}

InitChoice parse_init(const std::string& text, int components) {
  if (text == "kmeans") return {InitChoice::Kind::kmeans, {}};
  if (text == "random") return {InitChoice::Kind::random, {}};
  if (text.starts_with("means:")) {
    InitChoice choice{InitChoice::Kind::means, {}};
    std::stringstream list(text.substr(6));
    std::string item;
    while (std::getline(list, item, ',')) {
      double value = 0.0;
      if (!parse_double(item, value)) {
        throw InputError("--init: '" + item + "' in '" + text + "' is not a finite number");
      }
      choice.means.push_back(value);
    }
    if (static_cast<int>(choice.means.size()) != components) {
      throw InputError("--init: " + std::to_string(choice.means.size()) +
                       " means given, but --components is " + std::to_string(components));
    }
    return choice;
  }
  throw InputError("--init: expected kmeans, random or means:v1,v2,..., got '" + text + "'");
}

}  // namespace modenorm::app
