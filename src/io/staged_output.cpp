#include "modenorm/io/staged_output.hpp"

#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <system_error>

#include "modenorm/core/errors.hpp"
#include "modenorm/parallel/collective_check.hpp"
#include "modenorm/parallel/communicator.hpp"

namespace modenorm::io {
namespace {

namespace fs = std::filesystem;

// Absolute first: weakly_canonical keeps a relative path relative, and "out.h5" must compare
// equal to "./out.h5" and have the working directory as its parent.
fs::path absolute_normal(const fs::path& p) {
  std::error_code ec;
  const auto absolute = fs::absolute(p, ec);
  auto result = fs::weakly_canonical(absolute, ec);
  return ec ? absolute.lexically_normal() : result;
}

std::string human_bytes(std::uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024.0 && unit < 4) {
    value /= 1024.0;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", value, units[unit]);
  return text;
}

}  // namespace

fs::path partial_path_for(const fs::path& final_path) {
  auto partial = final_path;
  partial += ".partial";
  return partial;
}

StagedOutput::StagedOutput(fs::path final_path, MPI_Comm comm, StagedOutputOptions options,
                           std::initializer_list<fs::path> inputs)
    : final_(std::move(final_path)),
      partial_(partial_path_for(final_)),
      comm_(comm),
      options_(options) {
  const bool is_root = parallel::comm_rank(comm_) == 0;
  parallel::run_collectively(
      [&] {
        if (!is_root) {
          return;
        }
        const auto target = absolute_normal(final_);
        for (const auto& input : inputs) {
          if (absolute_normal(input) == target) {
            throw core::InputError("output " + final_.string() +
                                   " is the same file as the input; choose another --out");
          }
        }
        std::error_code ec;
        if (fs::exists(final_, ec) && !options_.force) {
          throw core::InputError("output " + final_.string() +
                                 " already exists; pass --force to replace it");
        }
        const auto dir = target.parent_path();
        if (!fs::is_directory(dir, ec)) {
          throw core::InputError("output directory " + dir.string() + " does not exist");
        }
        if (::access(dir.c_str(), W_OK) != 0) {
          throw core::InputError("output directory " + dir.string() + " is not writable");
        }
      },
      comm_);
}

StagedOutput::~StagedOutput() {
  if (committed_ || options_.keep_on_error) {
    return;
  }
  int rank = 0;
  MPI_Comm_rank(comm_, &rank);
  if (rank == 0) {
    std::error_code ignored;
    fs::remove(partial_, ignored);
  }
}

void StagedOutput::commit() {
  parallel::barrier(comm_);  // every rank has closed its handle on the .partial file
  parallel::run_collectively(
      [&] {
        if (parallel::comm_rank(comm_) == 0) {
          std::error_code ec;
          fs::rename(partial_, final_, ec);
          if (ec) {
            throw std::runtime_error("cannot rename " + partial_.string() + " to " +
                                     final_.string() + ": " + ec.message());
          }
        }
      },
      comm_);
  committed_ = true;
}

void require_free_space(const fs::path& path, std::uint64_t bytes, MPI_Comm comm) {
  parallel::run_collectively(
      [&] {
        if (parallel::comm_rank(comm) != 0) {
          return;
        }
        const auto dir = absolute_normal(path).parent_path();
        std::error_code ec;
        const auto info = fs::space(dir, ec);
        if (ec) {
          return;  // unknown free space (exotic file system): let the write itself report
        }
        if (info.available < bytes) {
          throw core::InputError("not enough disk space for " + path.string() + ": needs " +
                                 human_bytes(bytes) + ", " + human_bytes(info.available) +
                                 " free in " + dir.string());
        }
      },
      comm);
}

}  // namespace modenorm::io
