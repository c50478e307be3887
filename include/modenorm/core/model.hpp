#pragma once
// The fitted model: everything the transform, the inverse and a reader of the model file need,
// and everything that determines the fit (so the same inputs give the same model, byte for byte
// once written). No timings, hosts or rank counts: those belong to the run, not the model.

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "modenorm/core/vgm_types.hpp"

namespace modenorm::core {

// What the model was fitted on: enough to refuse a model applied to different data.
struct InputFingerprint {
  std::string file;     // file name as given to fit
  std::string dataset;  // "/Amount"
  std::uint64_t rows = 0;
  std::uint64_t rows_skipped = 0;  // non-finite rows dropped by --bad-values skip
  double min = 0.0;
  double max = 0.0;
  double sum = 0.0;  // in the fit's fixed block order, so identical at any rank count
};

struct FittedModel {
  FitSettings settings;
  std::string init;  // "kmeans", "random" or "means:v1,v2,..."
  std::uint64_t seed = 42;
  std::uint64_t block_rows = 0;    // the fixed reduction block; part of the result's bits
  std::string data_path = "rows";  // "rows" (every row, per block), "quadrature" (every row,
                                   // per tile rule or row) or "distinct-values"
  InputFingerprint input;
  Priors priors;
  Params params;                             // the variational posterior at exit (VGM_SPEC §5.2)
  Eigen::ArrayXd weights;                    // sklearn's weights_ (VGM_SPEC §7.1)
  Eigen::ArrayXd stds;                       // sqrt(covariances_) (VGM_SPEC §7.2)
  std::vector<std::uint64_t> argmax_counts;  // rows for which each component is predict()
  std::vector<bool> valid;           // weight > threshold AND argmax of >= 1 row (VGM_SPEC §1.4)
  std::vector<double> lower_bounds;  // LB_1 .. LB_n_iter
  int n_iter = 0;
  bool converged = false;

  [[nodiscard]] int components() const { return settings.components; }
  // Indices of the valid components, in component order.
  [[nodiscard]] std::vector<int> valid_indices() const {
    std::vector<int> indices;
    for (std::size_t k = 0; k < valid.size(); ++k) {
      if (valid[k]) indices.push_back(static_cast<int>(k));
    }
    return indices;
  }
};

}  // namespace modenorm::core
