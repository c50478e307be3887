// Collective hyperslab reads and writes of a rank's row range.
//
// Each rank's range is split into pieces of at most IoOptions::max_bytes_per_call, and every
// rank makes the same number of collective calls (ranks that run out select nothing): HDF5
// 1.10.8 fails any single MPI-IO transfer of 2 GiB or more per rank, and a collective call
// that some rank skips would hang. After every call the actual I/O mode is queried, so callers
// can check the transfers really were collective.
#pragma once

#include <cstdint>
#include <span>

#include "modenorm/io/dataset_1d.hpp"
#include "modenorm/io/hdf5_types.hpp"
#include "modenorm/parallel/shard.hpp"

namespace modenorm::io {

struct IoOptions {
  // Upper bound on one rank's bytes per collective call; must be below 2 GiB.
  std::uint64_t max_bytes_per_call = std::uint64_t{1} << 30;
  // Reads of contiguous datasets stored in the memory type go straight to the file's bytes
  // with O_DIRECT (direct_read.hpp) instead of collective MPI-IO; others stay collective.
  bool direct_reads = false;
};

struct IoReport {
  std::uint64_t calls = 0;     // collective calls made (the same on every rank)
  std::uint64_t bytes = 0;     // bytes this rank transferred
  bool all_collective = true;  // every call on every rank did collective I/O
};

namespace detail {
enum class Direction { read, write };
IoReport transfer_rows(const Dataset1D& dataset, parallel::RowRange rows, void* buffer,
                       std::size_t buffer_elements, ElementType memory_type, Direction direction,
                       const IoOptions& options);
}  // namespace detail

// Collective. Reads rows [rows.begin, rows.end) into `out` (out.size() == rows.size()).
// A float32 dataset may be read into doubles (HDF5 converts).
template <Hdf5Element T>
IoReport read_rows(const Dataset1D& dataset, parallel::RowRange rows, std::span<T> out,
                   const IoOptions& options = {}) {
  return detail::transfer_rows(dataset, rows, out.data(), out.size(), element_type_of<T>(),
                               detail::Direction::read, options);
}

// Collective. Writes `values` to rows [rows.begin, rows.end) (values.size() == rows.size()).
template <Hdf5Element T>
IoReport write_rows(const Dataset1D& dataset, parallel::RowRange rows, std::span<const T> values,
                    const IoOptions& options = {}) {
  // HDF5 never writes through the buffer; its API is simply not const-correct.
  return detail::transfer_rows(dataset, rows, const_cast<T*>(values.data()), values.size(),
                               element_type_of<T>(), detail::Direction::write, options);
}

}  // namespace modenorm::io
