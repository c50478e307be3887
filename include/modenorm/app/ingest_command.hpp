#pragma once
// `modenorm ingest`: one numeric CSV column -> a float64 HDF5 dataset.

#include <string>

namespace modenorm::app {

struct IngestOptions {
  std::string csv;
  std::string column = "Amount";
  std::string out;
  std::string dataset = "/Amount";
  std::string bad_values = "error";
  bool force = false;
};

// Collective: every rank of MPI_COMM_WORLD calls it with the same options. Returns the exit code.
int run_ingest(const IngestOptions& options);

}  // namespace modenorm::app
