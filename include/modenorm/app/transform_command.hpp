#pragma once
// `modenorm transform`: mode-specific normalisation of every row (VGM_SPEC §8, DESIGN.md §5).

#include <cstdint>
#include <string>

namespace modenorm::app {

struct TransformOptions {
  std::string in;
  std::string dataset = "/Amount";
  std::string model;
  std::string out;
  std::uint64_t seed = 42;
  std::string alpha_dtype = "f64";  // f64 (exact inverse) or f32 (lossy)
  bool clip = false;                // the research code's +-0.99 view (lossy)
  std::uint64_t slab_rows = std::uint64_t{8} << 20;
  bool check_fingerprint = false;
  std::string io = "direct";  // how /alpha and /component reach the file: direct or mpio
  bool force = false;
  std::string metrics;
  std::uint64_t fail_after_slabs = 0;  // tests only: fail after this many slab steps
};

// Collective: every rank of MPI_COMM_WORLD calls it with the same options. Returns the exit code.
// Resumes a `<out>.partial` left by a crashed run with the same parameters.
int run_transform(const TransformOptions& options);

}  // namespace modenorm::app
