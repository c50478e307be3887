#include "modenorm/app/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>

#include "modenorm/core/errors.hpp"

namespace modenorm::app {

void setup_logging(int rank, int ranks, std::string_view level) {
  const auto parsed = spdlog::level::from_str(std::string(level));
  // from_str maps anything unknown to "off"; only accept "off" when it was asked for.
  if (parsed == spdlog::level::off && level != "off") {
    throw core::InputError("--log-level: unknown level '" + std::string(level) +
                           "' (use trace, debug, info, warn, error, critical or off)");
  }
  auto logger = std::make_shared<spdlog::logger>(
      "modenorm", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  logger->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [rank " + std::to_string(rank) + "/" +
                      std::to_string(ranks) + "] [%^%l%$] %v");
  const auto effective = rank == 0 ? parsed : std::max(parsed, spdlog::level::warn);
  logger->set_level(effective);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace modenorm::app
