#include "modenorm/io/csv_column.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string_view>
#include <system_error>

#include "modenorm/core/errors.hpp"

namespace modenorm::io {
namespace {

using core::InputError;

std::string read_whole_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw InputError(path.string() + ": file not found");
  }
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError(path.string() + ": is a directory, expected a CSV file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw InputError(path.string() + ": cannot open for reading");
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    throw InputError(path.string() + ": read error");
  }
  return text;
}

// Splits the buffer into records of fields. Tracks the line each record starts on so every
// message can point at the exact place in the file.
class CsvRecordReader {
 public:
  explicit CsvRecordReader(std::string_view text) : text_(text) {
    if (text_.starts_with("\xEF\xBB\xBF")) {
      text_.remove_prefix(3);  // UTF-8 byte-order mark written by some spreadsheet programs
    }
  }

  // Reads the next record into `fields`; false at the end of the input. A blank line is a
  // record with one empty field, which the caller reports as an empty cell.
  bool next(std::vector<std::string>& fields, std::uint64_t& start_line) {
    fields.clear();
    if (pos_ >= text_.size()) {
      return false;
    }
    start_line = line_;
    std::string field;
    bool in_quotes = false;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (in_quotes) {
        if (c == '"') {
          if (pos_ < text_.size() && text_[pos_] == '"') {
            field.push_back('"');
            ++pos_;
          } else {
            in_quotes = false;
          }
        } else {
          if (c == '\n') {
            ++line_;
          }
          field.push_back(c);
        }
        continue;
      }
      if (c == '"' && field.empty()) {
        in_quotes = true;
      } else if (c == ',') {
        fields.push_back(std::move(field));
        field.clear();
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') {
          ++pos_;
        }
        ++line_;
        break;
      } else {
        field.push_back(c);
      }
    }
    fields.push_back(std::move(field));
    return true;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::uint64_t line_ = 1;
};

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

// Returns an empty string on success, else the reason the cell is not a finite double.
std::string parse_finite_double(std::string_view cell, double& out) {
  cell = trim(cell);
  if (cell.empty()) {
    return "empty cell";
  }
  if (cell.front() == '+') {
    cell.remove_prefix(1);  // from_chars rejects an explicit plus sign; CSV writers emit it
  }
  const auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), out);
  if (ec == std::errc::result_out_of_range) {
    return "out of double range";
  }
  if (ec != std::errc() || ptr != cell.data() + cell.size()) {
    return "not a number";
  }
  if (!std::isfinite(out)) {
    return "not finite";
  }
  return {};
}

}  // namespace

BadValuePolicy parse_bad_value_policy(const std::string& text) {
  if (text == "error") {
    return BadValuePolicy::error;
  }
  if (text == "skip") {
    return BadValuePolicy::skip;
  }
  throw InputError("--bad-values: expected 'error' or 'skip', got '" + text + "'");
}

CsvColumn read_csv_column(const std::filesystem::path& path, const std::string& column,
                          BadValuePolicy policy) {
  const std::string text = read_whole_file(path);
  const std::string where = path.string();
  if (trim(text).empty()) {
    throw InputError(where + ": empty file (expected a header line naming column '" + column +
                     "')");
  }
  CsvRecordReader reader(text);
  std::vector<std::string> fields;
  std::uint64_t line = 0;
  reader.next(fields, line);
  std::size_t column_index = fields.size();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (trim(fields[i]) == column) {
      column_index = i;
      break;
    }
  }
  if (column_index == fields.size()) {
    std::ostringstream names;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      names << (i ? ", " : "") << "'" << trim(fields[i]) << "'";
    }
    throw InputError(where + ":1: no column '" + column + "' in the header (columns: " +
                     names.str() + ")");
  }

  CsvColumn result;
  while (reader.next(fields, line)) {
    if (fields.size() == 1 && fields[0].empty() && column_index != 0) {
      continue;  // a blank line in a multi-column file carries no record
    }
    if (column_index >= fields.size()) {
      throw InputError(where + ":" + std::to_string(line) + ": record has " +
                       std::to_string(fields.size()) + " field(s), column '" + column +
                       "' is field " + std::to_string(column_index + 1));
    }
    double value = 0.0;
    const std::string reason = parse_finite_double(fields[column_index], value);
    if (reason.empty()) {
      result.values.push_back(value);
      continue;
    }
    if (policy == BadValuePolicy::error) {
      throw InputError(where + ":" + std::to_string(line) + ": column '" + column + "': " +
                       reason + " '" + fields[column_index] +
                       "' (use --bad-values skip to drop such rows)");
    }
    ++result.rows_skipped;
    if (result.first_skipped.size() < kMaxReportedBadValues) {
      result.first_skipped.push_back({line, fields[column_index], reason});
    }
  }
  if (result.values.empty()) {
    throw InputError(where + ": no data rows with a valid value in column '" + column + "'" +
                     (result.rows_skipped ? " (" + std::to_string(result.rows_skipped) +
                                                " skipped as bad values)"
                                          : ""));
  }
  return result;
}

}  // namespace modenorm::io
