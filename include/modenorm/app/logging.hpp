#pragma once
// Logging policy (DESIGN.md §7): rank 0 logs at the chosen level, every other rank at warn,
// and every line carries "[rank r/n]" so interleaved output from many ranks stays readable.

#include <string_view>

namespace modenorm::app {

// Parses "trace|debug|info|warn|error|critical|off"; throws InputError naming the option.
void setup_logging(int rank, int ranks, std::string_view level);

}  // namespace modenorm::app
