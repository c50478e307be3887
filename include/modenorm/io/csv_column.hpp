#pragma once
// Reads one numeric column, chosen by its header name, from a CSV file (RFC 4180: quoted fields
// with "" escapes and embedded separators or newlines; CRLF or LF; an optional UTF-8 BOM).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace modenorm::io {

enum class BadValuePolicy { error, skip };

// Parses "error" or "skip"; throws core::InputError naming the option otherwise.
BadValuePolicy parse_bad_value_policy(const std::string& text);

struct BadValue {
  std::uint64_t line = 0;  // 1-based line of the file where the record starts
  std::string value;       // the cell as written (quotes removed)
  std::string reason;      // "empty cell", "not a number", "not finite", "out of double range"
};

struct CsvColumn {
  std::vector<double> values;
  std::uint64_t rows_skipped = 0;
  std::vector<BadValue> first_skipped;  // at most kMaxReportedBadValues
};

inline constexpr std::size_t kMaxReportedBadValues = 5;

// Throws core::InputError naming the file, line, column and value for: a missing or unreadable
// file, an empty file, a missing column, a record without that column, and (with
// BadValuePolicy::error) a cell that is empty, not a number, NaN/inf, or outside double range.
CsvColumn read_csv_column(const std::filesystem::path& path, const std::string& column,
                          BadValuePolicy policy);

}  // namespace modenorm::io
