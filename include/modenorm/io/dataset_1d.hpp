// Contiguous 1-D datasets: the only layout modenorm reads and writes in bulk.
//
// Collective calls: create_dataset_1d, open_dataset_1d and the Dataset1D destructor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "modenorm/io/hdf5_file.hpp"
#include "modenorm/io/hdf5_handle.hpp"
#include "modenorm/io/hdf5_types.hpp"

namespace modenorm::io {

class Dataset1D {
 public:
  Dataset1D(DatasetHandle handle, std::string file_path, std::string name, ElementType type,
            std::uint64_t size, MPI_Comm comm)
      : handle_(std::move(handle)),
        file_path_(std::move(file_path)),
        name_(std::move(name)),
        type_(type),
        size_(size),
        comm_(comm) {}

  [[nodiscard]] hid_t id() const noexcept { return handle_.get(); }
  [[nodiscard]] const std::string& file_path() const noexcept { return file_path_; }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }  // "/Amount"
  // The stored element type (a float32 dataset can still be read into doubles).
  [[nodiscard]] ElementType type() const noexcept { return type_; }
  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
  [[nodiscard]] MPI_Comm comm() const noexcept { return comm_; }
  // "<file>:<dataset>" for messages.
  [[nodiscard]] std::string where() const { return file_path_ + ":" + name_; }

 private:
  DatasetHandle handle_;
  std::string file_path_;
  std::string name_;
  ElementType type_;
  std::uint64_t size_;
  MPI_Comm comm_;
};

// Collective. Creates `name` (intermediate groups too) as a contiguous dataset of `rows`
// elements, allocated at creation and never filled: every element is written by a slab write,
// so a fill pass would only double the I/O.
[[nodiscard]] Dataset1D create_dataset_1d(const File& file, std::string_view name, ElementType type,
                                          std::uint64_t rows);

struct DatasetRequirements {
  // nullopt: any floating-point type (float32 or float64); otherwise exactly this type.
  std::optional<ElementType> type;
  bool allow_empty = false;
};

// Collective. Opens and validates a dataset; errors name the file and dataset, e.g.
// "<file>: no dataset '/Amount'", "<file>: dataset '/Amount' is 2-D, expected 1-D",
// "<file>: dataset '/Amount' has type int32, expected a floating-point type",
// "<file>: dataset '/Amount' is empty". Thrown on every rank as a CollectiveError marked
// input_error() (the user can fix the file or the --dataset option).
[[nodiscard]] Dataset1D open_dataset_1d(const File& file, std::string_view name,
                                        const DatasetRequirements& requirements = {});

// Collective. True if `name` exists in the file and is a dataset.
[[nodiscard]] bool dataset_exists(const File& file, std::string_view name);

}  // namespace modenorm::io
