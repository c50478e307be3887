#pragma once
// "No partial output ever looks complete" (DESIGN.md §6): every output is written under
// "<final>.partial" and renamed to its final name only after its `complete` attribute is set.
// rename(2) within one directory is atomic, so a reader sees either no file or a whole one.

#include <mpi.h>

#include <cstdint>
#include <filesystem>

namespace modenorm::io {

struct StagedOutputOptions {
  bool force = false;          // replace an existing final file
  bool keep_on_error = false;  // leave the .partial file for a later resume
};

class StagedOutput {
 public:
  // Collective. Checks (on rank 0, agreed by all) that the final path does not exist unless
  // `force`, that it is not one of `inputs`, and that its directory exists and is writable.
  StagedOutput(std::filesystem::path final_path, MPI_Comm comm, StagedOutputOptions options,
               std::initializer_list<std::filesystem::path> inputs = {});
  StagedOutput(const StagedOutput&) = delete;
  StagedOutput& operator=(const StagedOutput&) = delete;
  // Removes the .partial file unless committed or keep_on_error (rank 0; errors ignored).
  ~StagedOutput();

  [[nodiscard]] const std::filesystem::path& final_path() const noexcept { return final_; }
  [[nodiscard]] const std::filesystem::path& partial_path() const noexcept { return partial_; }

  // Collective; call after every rank has closed the file. Renames .partial to the final name.
  void commit();

 private:
  std::filesystem::path final_;
  std::filesystem::path partial_;
  MPI_Comm comm_;
  StagedOutputOptions options_;
  bool committed_ = false;
};

// "<path>.partial": where an unfinished output lives.
[[nodiscard]] std::filesystem::path partial_path_for(const std::filesystem::path& final_path);

// Collective. Throws core::InputError (on every rank) when the file system holding `path` has
// less than `bytes` available, naming the path, what is needed and what is free.
void require_free_space(const std::filesystem::path& path, std::uint64_t bytes, MPI_Comm comm);

}  // namespace modenorm::io
