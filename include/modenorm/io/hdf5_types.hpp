// Element types of modenorm datasets and their HDF5 file and memory types.
#pragma once

#include <hdf5.h>

#include <concepts>
#include <cstdint>
#include <string>

namespace modenorm::io {

enum class ElementType { float64, float32, uint8, int64 };

// "float64", "float32", "uint8", "int64".
[[nodiscard]] std::string to_string(ElementType type);

// Little-endian on-disk type (H5T_IEEE_F64LE, ...): files are the same on every machine.
[[nodiscard]] hid_t file_type(ElementType type);
// The machine's in-memory type (H5T_NATIVE_DOUBLE, ...).
[[nodiscard]] hid_t native_type(ElementType type);
[[nodiscard]] std::size_t element_size(ElementType type);

// Describes any HDF5 datatype for error messages: "float64", "int32", "uint16", "string", ...
[[nodiscard]] std::string describe_datatype(hid_t type);

template <class T>
concept Hdf5Element = std::same_as<T, double> || std::same_as<T, float> ||
    std::same_as<T, std::uint8_t> || std::same_as<T, std::int64_t>;

template <Hdf5Element T>
[[nodiscard]] constexpr ElementType element_type_of() {
  if constexpr (std::same_as<T, double>) return ElementType::float64;
  if constexpr (std::same_as<T, float>) return ElementType::float32;
  if constexpr (std::same_as<T, std::uint8_t>) return ElementType::uint8;
  if constexpr (std::same_as<T, std::int64_t>) return ElementType::int64;
}

}  // namespace modenorm::io
