#include "modenorm/app/transform_file.hpp"

#include "modenorm/core/errors.hpp"
#include "modenorm/io/attributes.hpp"
#include "modenorm/io/dataset_1d.hpp"
#include "modenorm/io/group.hpp"
#include "modenorm/parallel/collective_check.hpp"

namespace modenorm::app {

TransformFileInfo check_transform_file(const io::File& file, const std::string& model_json,
                                       const std::string& model_path) {
  return parallel::run_collectively(
      [&] {
        const std::string& path = file.path();
        if (!io::dataset_exists(file, "/alpha") || !io::dataset_exists(file, "/component")) {
          throw core::InputError(path +
                                 " is not a transform output: it has no /alpha and "
                                 "/component datasets (write one with modenorm transform)");
        }
        if (!io::has_attribute(file, "complete") ||
            io::read_int64_attribute(file, "complete") != 1) {
          throw core::InputError(path +
                                 " is not a complete transform output (no complete = 1 "
                                 "attribute): the run that wrote it did not finish");
        }
        TransformFileInfo info;
        info.clipped =
            io::has_attribute(file, "clipped") && io::read_int64_attribute(file, "clipped") == 1;
        info.lossy =
            io::has_attribute(file, "lossy") && io::read_int64_attribute(file, "lossy") == 1;
        const auto group = [&] {
          try {
            return io::open_group(file, "/model");
          } catch (const std::exception&) {
            throw core::InputError(path + " is not a transform output: it has no /model group");
          }
        }();
        if (io::has_attribute(group, "model_json") &&
            io::read_string_attribute(group, "model_json") != model_json) {
          throw core::InputError("--model " + model_path + " is not the model " + path +
                                 " was transformed with (compare " + path +
                                 ":/model attribute model_json)");
        }
        return info;
      },
      file.comm());
}

}  // namespace modenorm::app
