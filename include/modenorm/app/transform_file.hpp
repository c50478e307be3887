#pragma once
// What a transform output says about itself, checked before any of its rows is read by the
// commands that consume it (`inverse`, `evaluate`).

#include <string>

#include "modenorm/io/hdf5_file.hpp"

namespace modenorm::app {

struct TransformFileInfo {
  bool clipped = false;  // written with --clip: alpha is the research code's lossy view
  bool lossy = false;    // clipped, or alpha stored as float32
};

// Collective. The file must hold /alpha and /component, carry complete = 1, and (when its
// /model group records it) have been written with the model whose JSON is `model_json`.
// Throws core::InputError (agreed by every rank) naming the file and what is wrong.
[[nodiscard]] TransformFileInfo check_transform_file(const io::File& file,
                                                     const std::string& model_json,
                                                     const std::string& model_path);

}  // namespace modenorm::app
