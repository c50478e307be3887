#pragma once
// `modenorm inverse`: the values back from a transform output (VGM_SPEC §8.2).

#include <cstdint>
#include <string>

namespace modenorm::app {

struct InverseOptions {
  std::string in;
  std::string model;
  std::string out;
  std::string dataset = "/Amount";
  std::uint64_t slab_rows = std::uint64_t{8} << 20;
  std::string io = "direct";  // how the restored rows reach the file: direct or mpio
  bool force = false;
  std::string metrics;
};

// Collective: every rank of MPI_COMM_WORLD calls it with the same options. Returns the exit code.
int run_inverse(const InverseOptions& options);

}  // namespace modenorm::app
