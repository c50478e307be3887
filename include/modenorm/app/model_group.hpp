#pragma once
// The `/model` group every transform output carries (DESIGN.md §5): the whole fitted model as
// datasets and attributes, plus the model file's JSON text, so an output is self-describing and
// the inverse can check it is given the model the transform used.

#include <string_view>
#include <vector>

#include "modenorm/core/model.hpp"
#include "modenorm/io/hdf5_file.hpp"
#include "modenorm/io/hdf5_types.hpp"

namespace modenorm::app {

// Collective. A small 1-D dataset written whole by rank 0 (the other ranks select nothing).
template <io::Hdf5Element T>
void write_small_dataset(const io::File& file, std::string_view name, const std::vector<T>& values);

// Collective. Creates `/model` with per-component datasets (means, stds, covariances, weights,
// valid, argmax_counts, the variational parameters), the lower-bound history, and attributes
// (priors, fit diagnostics, schema, model_json).
void write_model_group(const io::File& file, const core::FittedModel& model);

}  // namespace modenorm::app
