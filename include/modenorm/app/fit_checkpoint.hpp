#pragma once
// `fit --checkpoint F`: the EM state every k iterations, so `fit --resume` after a crash
// continues to the same model an uninterrupted run gives (EM is deterministic).

#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

#include "modenorm/core/em_loop.hpp"

namespace modenorm::app {

// Writes `<path>.partial` and renames it (call on one rank). `identity` names everything the
// state depends on (options that change the result, the input fingerprint).
void write_fit_checkpoint(const std::filesystem::path& path, const nlohmann::json& identity,
                          const core::EmState& state);

// The saved state, or nullopt when the file does not exist. Throws core::InputError when the
// file is malformed or was written for another input or other options (naming what differs).
[[nodiscard]] std::optional<core::EmState> read_fit_checkpoint(
    const std::filesystem::path& path, const nlohmann::json& identity);

}  // namespace modenorm::app
