#pragma once
// The --metrics report of a command: its timing table and figures as a JSON file (DESIGN.md §7).

#include <string>

#include <nlohmann/json.hpp>

namespace modenorm::app {

// Rank 0 only. Throws core::InputError naming the option when the file cannot be written.
void write_metrics_file(const std::string& path, const nlohmann::ordered_json& metrics);

}  // namespace modenorm::app
