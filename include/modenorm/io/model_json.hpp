#pragma once
// The model file (DESIGN.md §5): JSON with a versioned schema, readable without HDF5.
// Numbers are written in the shortest form that reads back to the same double, so a model
// survives a write/read round trip bit for bit.

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "modenorm/core/model.hpp"

namespace modenorm::io {

inline constexpr const char* kModelSchema = "modenorm-model/1";

[[nodiscard]] nlohmann::ordered_json model_to_json(const core::FittedModel& model);

// Validates the schema name and version, every field's presence and type, array lengths
// against `components`, finiteness and positivity where the model needs it. Throws
// core::InputError naming `source` and the offending field.
[[nodiscard]] core::FittedModel model_from_json(const nlohmann::json& json,
                                                const std::string& source);

// Writes `<path>.partial` then renames, so a model file is never seen half-written.
void write_model_file(const std::filesystem::path& path, const core::FittedModel& model);

// Throws core::InputError for a missing, unreadable or malformed file (naming it).
[[nodiscard]] core::FittedModel read_model_file(const std::filesystem::path& path);

}  // namespace modenorm::io
