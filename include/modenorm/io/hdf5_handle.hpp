// One owning, move-only RAII type per HDF5 id kind, closing with the matching H5?close.
#pragma once

#include <hdf5.h>

#include <utility>

#include "modenorm/parallel/collective_check.hpp"

namespace modenorm::io {

template <herr_t (*Close)(hid_t)>
class Hdf5Handle {
 public:
  Hdf5Handle() noexcept = default;
  // Takes ownership of `id` (a valid id returned by the matching H5?create / H5?open).
  explicit Hdf5Handle(hid_t id) noexcept : id_(id) {}
  ~Hdf5Handle() { reset(); }
  Hdf5Handle(const Hdf5Handle&) = delete;
  Hdf5Handle& operator=(const Hdf5Handle&) = delete;
  Hdf5Handle(Hdf5Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
  Hdf5Handle& operator=(Hdf5Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
    }
    return *this;
  }

  [[nodiscard]] hid_t get() const noexcept { return id_; }
  [[nodiscard]] bool valid() const noexcept { return id_ >= 0; }
  explicit operator bool() const noexcept { return valid(); }

  // Gives up ownership without closing.
  [[nodiscard]] hid_t release() noexcept { return std::exchange(id_, H5I_INVALID_HID); }

  // Closes now, returning the close status (destructors cannot report it). Needed where a
  // close failure matters, e.g. the final flush of a file being written.
  herr_t close() noexcept { return valid() ? Close(std::exchange(id_, H5I_INVALID_HID)) : 0; }

 private:
  // During a failure that only this rank raised, closing may be a collective call the other
  // ranks never join (a parallel file), so the id is left open: the job is about to be
  // aborted, and the operating system reclaims everything.
  void reset() noexcept {
    if (parallel::unwinding_local_failure()) {
      (void)release();
      return;
    }
    (void)close();
  }
  hid_t id_ = H5I_INVALID_HID;
};

using FileHandle = Hdf5Handle<&H5Fclose>;
using GroupHandle = Hdf5Handle<&H5Gclose>;
using DatasetHandle = Hdf5Handle<&H5Dclose>;
using DataspaceHandle = Hdf5Handle<&H5Sclose>;
// Only for types we own (H5Tcopy, H5Dget_type, ...); predefined types such as
// H5T_NATIVE_DOUBLE must never be closed.
using DatatypeHandle = Hdf5Handle<&H5Tclose>;
using AttributeHandle = Hdf5Handle<&H5Aclose>;
using PropertyListHandle = Hdf5Handle<&H5Pclose>;

}  // namespace modenorm::io
