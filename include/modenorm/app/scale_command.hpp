#pragma once
// `modenorm scale`: the source column bootstrapped to N rows, reproducible at any rank count.

#include <cstdint>
#include <string>

namespace modenorm::app {

struct ScaleOptions {
  std::string in;
  std::string dataset = "/Amount";
  std::int64_t rows = 0;
  std::string out;
  std::uint64_t seed = 42;
  double jitter = 0.0;
  std::int64_t slab_rows = std::int64_t{1} << 24;  // 16M rows = 128 MiB per rank
  std::string io = "direct";                       // how the rows reach the file
  std::string cb_write;                            // MPI-IO hint romio_cb_write, if set
  bool force = false;
};

// Collective: every rank of MPI_COMM_WORLD calls it with the same options. Returns the exit code.
int run_scale(const ScaleOptions& options);

}  // namespace modenorm::app
