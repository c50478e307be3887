#pragma once
// Content fingerprints stored in output attributes, so a result names exactly what it came from.

#include <filesystem>
#include <string>

namespace modenorm::io {

// Lower-case hex SHA-256 of the file's bytes (streamed; any size). Throws core::InputError when
// the file cannot be read.
std::string sha256_hex_of_file(const std::filesystem::path& path);

}  // namespace modenorm::io
