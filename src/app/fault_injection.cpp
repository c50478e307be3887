#include "modenorm/app/fault_injection.hpp"

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

namespace modenorm::app {

void inject_fault_if_requested(std::string_view site, std::uint64_t event, int rank) {
  const char* spec = std::getenv("MODENORM_FAULT");
  if (spec == nullptr) return;
  const std::string text(spec);
  const auto first = text.find(':');
  if (first == std::string::npos || std::string_view(text).substr(0, first) != site) return;
  const auto second = text.find(':', first + 1);
  const auto at = std::stoull(text.substr(first + 1, second - first - 1));
  const bool every_rank = second == std::string::npos;
  if (at == event && (every_rank || std::stoi(text.substr(second + 1)) == rank)) {
    throw std::runtime_error("injected fault at " + std::string(site) + " " +
                             std::to_string(event) + " on rank " + std::to_string(rank) +
                             " (MODENORM_FAULT)");
  }
}

void delay_if_requested(std::string_view site) {
  const char* spec = std::getenv("MODENORM_DELAY");
  if (spec == nullptr) return;
  const std::string text(spec);
  const auto colon = text.find(':');
  if (colon == std::string::npos || std::string_view(text).substr(0, colon) != site) return;
  std::this_thread::sleep_for(std::chrono::milliseconds(std::stoll(text.substr(colon + 1))));
}

}  // namespace modenorm::app
