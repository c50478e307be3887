#include "modenorm/io/hdf5_error.hpp"

#include <mutex>
#include <utility>

namespace modenorm::io {
namespace {

std::string compose(const std::string& context, const std::string& stack) {
  return stack.empty() ? context : context + "\nHDF5 error stack:\n" + stack;
}

std::string message_text(hid_t message_id) {
  if (message_id < 0) return {};
  char text[256] = {};
  if (H5Eget_msg(message_id, nullptr, text, sizeof text) < 0) return {};
  return text;
}

herr_t append_frame(unsigned n, const H5E_error2_t* frame, void* client_data) {
  auto& out = *static_cast<std::string*>(client_data);
  out += "  #" + std::to_string(n) + " " + (frame->func_name ? frame->func_name : "?") +
         "(): " + (frame->desc ? frame->desc : "") + " [" + message_text(frame->maj_num) + " / " +
         message_text(frame->min_num) + "]\n";
  return 0;
}

}  // namespace

Hdf5Error::Hdf5Error(std::string context, std::string stack)
    : std::runtime_error(compose(context, stack)),
      context_(std::move(context)),
      stack_(std::move(stack)) {}

void silence_hdf5_errors() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

std::string take_hdf5_error_stack() {
  std::string text;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, &append_frame, &text);
  H5Eclear2(H5E_DEFAULT);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

herr_t check(herr_t status, std::string_view context) {
  if (status < 0) throw Hdf5Error(std::string(context), take_hdf5_error_stack());
  return status;
}

hid_t check_id(hid_t id, std::string_view context) {
  if (id < 0) throw Hdf5Error(std::string(context), take_hdf5_error_stack());
  return id;
}

bool check_tri(htri_t value, std::string_view context) {
  if (value < 0) throw Hdf5Error(std::string(context), take_hdf5_error_stack());
  return value > 0;
}

}  // namespace modenorm::io
