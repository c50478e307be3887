#include "modenorm/io/hdf5_file.hpp"

#include <system_error>

#include "modenorm/core/errors.hpp"
#include "modenorm/io/hdf5_error.hpp"
#include "modenorm/parallel/collective_check.hpp"
#include "modenorm/parallel/communicator.hpp"

namespace modenorm::io {
namespace {

PropertyListHandle mpio_access_list(MPI_Comm comm, const MpioHints& hints,
                                    const std::string& path) {
  PropertyListHandle fapl(check_id(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate(file access)"));
  const parallel::MpiInfo info = hints.to_info();
  // HDF5 duplicates the communicator and info, so both may go away after this call.
  check(H5Pset_fapl_mpio(fapl.get(), comm, info.get()), "H5Pset_fapl_mpio for " + path);
  return fapl;
}

// Rank 0 looks at the file before the collective open, so the common mistakes get a plain
// message instead of an HDF5 stack (and no rank waits on a failed open).
std::optional<parallel::LocalError> precheck_existing(const std::string& path) {
  // All of these are problems the user can fix (input errors), not defects.
  auto input = [](std::string message) { return parallel::LocalError{std::move(message), true}; };
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return input("file not found: " + path);
  if (std::filesystem::is_directory(path, ec)) {
    return input(path + " is a directory, not an HDF5 file");
  }
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 < 0) {
    return input(
        Hdf5Error("cannot read " + path + " to check its format", take_hdf5_error_stack()).what());
  }
  if (is_hdf5 == 0) return input(path + " is not an HDF5 file");
  return std::nullopt;
}

}  // namespace

parallel::MpiInfo MpioHints::to_info() const {
  parallel::MpiInfo info;
  if (cb_buffer_size) info.set("cb_buffer_size", std::to_string(*cb_buffer_size));
  if (cb_nodes) info.set("cb_nodes", std::to_string(*cb_nodes));
  if (romio_cb_read) info.set("romio_cb_read", *romio_cb_read);
  if (romio_cb_write) info.set("romio_cb_write", *romio_cb_write);
  if (striping_factor) info.set("striping_factor", std::to_string(*striping_factor));
  if (striping_unit) info.set("striping_unit", std::to_string(*striping_unit));
  for (const auto& [key, value] : extra) info.set(key, value);
  return info;
}

void File::close() {
  const std::string what = "closing " + path_;
  parallel::run_collectively([&] { check(handle_.close(), what); }, comm_);
}

File open_file(const std::filesystem::path& path, FileMode mode, MPI_Comm comm,
               const MpioHints& hints) {
  silence_hdf5_errors();
  const std::string name = path.string();
  std::optional<parallel::LocalError> problem;
  if (parallel::comm_rank(comm) == 0) problem = precheck_existing(name);
  parallel::agree_or_throw(problem, comm);

  return parallel::run_collectively(
      [&] {
        const PropertyListHandle fapl = mpio_access_list(comm, hints, name);
        const unsigned flags = mode == FileMode::read_only ? H5F_ACC_RDONLY : H5F_ACC_RDWR;
        const hid_t id = H5Fopen(name.c_str(), flags, fapl.get());
        // The file exists and has an HDF5 signature, so a failure here means a damaged or
        // truncated file (or no permission): something the user can fix.
        if (id < 0) {
          throw core::InputError(
              Hdf5Error("cannot open HDF5 file " + name + " (damaged or truncated?)",
                        take_hdf5_error_stack())
                  .what());
        }
        FileHandle file(id);
        return File(std::move(file), name, comm);
      },
      comm);
}

File create_file(const std::filesystem::path& path, MPI_Comm comm, bool truncate,
                 const MpioHints& hints) {
  silence_hdf5_errors();
  const std::string name = path.string();
  return parallel::run_collectively(
      [&] {
        const PropertyListHandle fapl = mpio_access_list(comm, hints, name);
        const unsigned flags = truncate ? H5F_ACC_TRUNC : H5F_ACC_EXCL;
        FileHandle file(check_id(H5Fcreate(name.c_str(), flags, H5P_DEFAULT, fapl.get()),
                                 "cannot create HDF5 file " + name));
        return File(std::move(file), name, comm);
      },
      comm);
}

}  // namespace modenorm::io
