#pragma once
// Parsers for option values that need more than a number: sizes and the initialisation.
// Each throws core::InputError naming the option and the text it could not read.

#include <cstdint>
#include <string>
#include <vector>

namespace modenorm::app {

// "512MiB", "2GiB", "1.5GB", "4096" (bytes), or "auto": 60% of this node's available memory
// divided by the ranks on the node (`ranks_on_node`).
[[nodiscard]] std::uint64_t parse_memory_budget(const std::string& option, const std::string& text,
                                                int ranks_on_node);

struct InitChoice {
  enum class Kind { kmeans, random, means } kind = Kind::kmeans;
  std::vector<double> means;  // for Kind::means, one per component
};

// "kmeans", "random" or "means:v1,v2,..." (exactly `components` finite values).
[[nodiscard]] InitChoice parse_init(const std::string& text, int components);

}  // namespace modenorm::app
