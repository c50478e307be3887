// Opening and creating HDF5 files collectively through MPI-IO.
//
// Collective calls (every rank of the communicator must make them, in the same order):
// open_file, create_file, File::close and the File destructor.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "modenorm/io/hdf5_handle.hpp"
#include "modenorm/parallel/mpi_info.hpp"

namespace modenorm::io {

// MPI-IO hints passed to the file driver (MPI_Info). Unset fields leave the MPI library's
// defaults; `extra` passes any other key verbatim. Exposed for tuning on parallel file systems.
struct MpioHints {
  std::optional<std::uint64_t> cb_buffer_size;  // collective buffering buffer, bytes
  std::optional<int> cb_nodes;                  // number of aggregators
  std::optional<std::string> romio_cb_read;     // "enable" | "disable" | "automatic"
  std::optional<std::string> romio_cb_write;    // "enable" | "disable" | "automatic"
  std::optional<int> striping_factor;           // Lustre stripe count (new files only)
  std::optional<std::uint64_t> striping_unit;   // Lustre stripe size, bytes (new files only)
  std::vector<std::pair<std::string, std::string>> extra;

  [[nodiscard]] parallel::MpiInfo to_info() const;
};

enum class FileMode { read_only, read_write };

// An open HDF5 file shared by the ranks of a communicator.
class File {
 public:
  File(FileHandle handle, std::string path, MPI_Comm comm)
      : handle_(std::move(handle)), path_(std::move(path)), comm_(comm) {}

  [[nodiscard]] hid_t id() const noexcept { return handle_.get(); }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  // The communicator the file was opened on (not owned; must outlive the File).
  [[nodiscard]] MPI_Comm comm() const noexcept { return comm_; }

  // Collective. Flushes and closes, throwing (on every rank) if that fails; the destructor
  // closes silently, so call this when the data written matters. Every group, dataset and
  // attribute of the file must be closed first (HDF5 refuses to close an MPI-IO file with
  // objects still open).
  void close();

 private:
  FileHandle handle_;
  std::string path_;
  MPI_Comm comm_;
};

// Collective. Opens an existing file. Errors are thrown on every rank as a CollectiveError
// marked input_error(): "file not found: <path>", "<path> is not an HDF5 file", or
// "cannot open HDF5 file <path> (damaged or truncated?)" with the HDF5 error stack.
[[nodiscard]] File open_file(const std::filesystem::path& path, FileMode mode, MPI_Comm comm,
                             const MpioHints& hints = {});

// Collective. Creates a file; if it exists, truncates it when `truncate` is set and fails
// otherwise.
[[nodiscard]] File create_file(const std::filesystem::path& path, MPI_Comm comm, bool truncate,
                               const MpioHints& hints = {});

}  // namespace modenorm::io
