#include "modenorm/io/hdf5_types.hpp"

#include "modenorm/io/hdf5_error.hpp"

namespace modenorm::io {

std::string to_string(ElementType type) {
  switch (type) {
    case ElementType::float64:
      return "float64";
    case ElementType::float32:
      return "float32";
    case ElementType::uint8:
      return "uint8";
    case ElementType::int64:
      return "int64";
  }
  return "unknown";
}

hid_t file_type(ElementType type) {
  switch (type) {
    case ElementType::float64:
      return H5T_IEEE_F64LE;
    case ElementType::float32:
      return H5T_IEEE_F32LE;
    case ElementType::uint8:
      return H5T_STD_U8LE;
    case ElementType::int64:
      return H5T_STD_I64LE;
  }
  throw Hdf5Error("unknown element type");
}

hid_t native_type(ElementType type) {
  switch (type) {
    case ElementType::float64:
      return H5T_NATIVE_DOUBLE;
    case ElementType::float32:
      return H5T_NATIVE_FLOAT;
    case ElementType::uint8:
      return H5T_NATIVE_UINT8;
    case ElementType::int64:
      return H5T_NATIVE_INT64;
  }
  throw Hdf5Error("unknown element type");
}

std::size_t element_size(ElementType type) {
  switch (type) {
    case ElementType::float64:
      return 8;
    case ElementType::float32:
      return 4;
    case ElementType::uint8:
      return 1;
    case ElementType::int64:
      return 8;
  }
  return 0;
}

std::string describe_datatype(hid_t type) {
  const std::size_t bits = 8 * H5Tget_size(type);
  switch (H5Tget_class(type)) {
    case H5T_INTEGER:
      return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(bits);
    case H5T_FLOAT:
      return "float" + std::to_string(bits);
    case H5T_STRING:
      return "string";
    case H5T_COMPOUND:
      return "compound";
    case H5T_ENUM:
      return "enum";
    case H5T_ARRAY:
      return "array";
    case H5T_VLEN:
      return "variable-length sequence";
    case H5T_OPAQUE:
      return "opaque";
    case H5T_BITFIELD:
      return "bitfield";
    case H5T_REFERENCE:
      return "reference";
    case H5T_TIME:
      return "time";
    default:
      return "unknown type";
  }
}

}  // namespace modenorm::io
