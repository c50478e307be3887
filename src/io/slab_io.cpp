#include "modenorm/io/slab_io.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <string>

#include "modenorm/io/direct_read.hpp"
#include "modenorm/io/direct_write.hpp"
#include "modenorm/io/hdf5_error.hpp"
#include "modenorm/parallel/collective_check.hpp"
#include "modenorm/parallel/communicator.hpp"

namespace modenorm::io::detail {
namespace {

// HDF5 1.10.8 with MPI-IO fails any single transfer of 2 GiB or more (PERFORMANCE_NOTES, trap 3).
constexpr std::uint64_t kTransferLimit = std::uint64_t{1} << 31;

const char* mode_name(H5D_mpio_actual_io_mode_t mode) {
  switch (mode) {
    case H5D_MPIO_NO_COLLECTIVE:
      return "independent";
    case H5D_MPIO_CHUNK_INDEPENDENT:
      return "chunk-independent";
    case H5D_MPIO_CHUNK_COLLECTIVE:
      return "chunk-collective";
    case H5D_MPIO_CHUNK_MIXED:
      return "chunk-mixed";
    case H5D_MPIO_CONTIGUOUS_COLLECTIVE:
      return "contiguous-collective";
  }
  return "unknown";
}

std::optional<std::string> validate(const Dataset1D& dataset, parallel::RowRange rows,
                                    std::size_t buffer_elements, std::size_t element_bytes,
                                    const IoOptions& options) {
  const std::string where = dataset.where();
  if (rows.begin > rows.end || rows.end > dataset.size()) {
    return where + ": rows [" + std::to_string(rows.begin) + ", " + std::to_string(rows.end) +
           ") are outside the dataset's " + std::to_string(dataset.size()) + " rows";
  }
  if (buffer_elements != rows.size()) {
    return where + ": buffer holds " + std::to_string(buffer_elements) + " elements for " +
           std::to_string(rows.size()) + " rows";
  }
  if (options.max_bytes_per_call < element_bytes || options.max_bytes_per_call >= kTransferLimit) {
    return "max_bytes_per_call = " + std::to_string(options.max_bytes_per_call) +
           " must be at least one element and below 2 GiB";
  }
  return std::nullopt;
}

}  // namespace

IoReport transfer_rows(const Dataset1D& dataset, parallel::RowRange rows, void* buffer,
                       std::size_t buffer_elements, ElementType memory_type, Direction direction,
                       const IoOptions& options) {
  const MPI_Comm comm = dataset.comm();
  const std::size_t element_bytes = element_size(memory_type);
  parallel::agree_or_throw(validate(dataset, rows, buffer_elements, element_bytes, options), comm);

  // Direct reads (IoOptions::direct_reads): the same choice on every rank, since it depends only
  // on the file's metadata and the arguments. No MPI-IO transfer, nothing collective to check.
  if (direction == Direction::read && options.direct_reads && memory_type == dataset.type()) {
    if (const auto data_offset = raw_data_offset(dataset)) {
      parallel::run_collectively(
          [&] {
            if (rows.size() == 0) return;
            DirectRowReader reader(dataset.file_path());
            reader.read_bytes(
                *data_offset + rows.begin * element_bytes,
                std::span<std::byte>(static_cast<std::byte*>(buffer),
                                     static_cast<std::size_t>(rows.size()) * element_bytes));
          },
          comm);
      IoReport report;
      report.bytes = rows.size() * element_bytes;
      return report;
    }
  }

  const std::uint64_t rows_per_call = options.max_bytes_per_call / element_bytes;
  const std::uint64_t local_calls = (rows.size() + rows_per_call - 1) / rows_per_call;
  // Every rank must enter every collective call, so all make as many as the busiest rank.
  const std::uint64_t calls = parallel::allreduce_max(local_calls, comm);
  const bool reading = direction == Direction::read;
  const char* verb = reading ? "read" : "write";
  const std::string where = dataset.where();

  const DataspaceHandle file_space(check_id(H5Dget_space(dataset.id()), "H5Dget_space " + where));
  PropertyListHandle dxpl(check_id(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate(dxpl)"));
  check(H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio");
  const hid_t mem_type = native_type(memory_type);
  auto* bytes = static_cast<unsigned char*>(buffer);
  // Ranks with nothing left still pass a valid pointer: some HDF5 paths reject a null buffer.
  std::array<unsigned char, 8> dummy{};

  IoReport report;
  report.calls = calls;
  bool local_collective = true;
  for (std::uint64_t call = 0; call < calls; ++call) {
    const std::uint64_t offset = std::min(call * rows_per_call, rows.size());
    const std::uint64_t count = std::min(rows_per_call, rows.size() - offset);
    parallel::run_collectively(
        [&] {
          const std::array<hsize_t, 1> start{rows.begin + offset};
          const std::array<hsize_t, 1> extent{std::max<std::uint64_t>(count, 1)};
          const DataspaceHandle mem_space(
              check_id(H5Screate_simple(1, extent.data(), nullptr), "H5Screate_simple"));
          if (count == 0) {
            check(H5Sselect_none(file_space.get()), "H5Sselect_none(file)");
            check(H5Sselect_none(mem_space.get()), "H5Sselect_none(memory)");
          } else {
            check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr,
                                      extent.data(), nullptr),
                  "H5Sselect_hyperslab " + where);
          }
          void* data = count == 0 ? dummy.data() : bytes + offset * element_bytes;
          const std::string context = std::string("cannot ") + verb + " rows [" +
                                      std::to_string(start[0]) + ", " +
                                      std::to_string(start[0] + count) + ") of " + where;
          if (reading) {
            check(H5Dread(dataset.id(), mem_type, mem_space.get(), file_space.get(), dxpl.get(),
                          data),
                  context);
          } else {
            check(H5Dwrite(dataset.id(), mem_type, mem_space.get(), file_space.get(), dxpl.get(),
                           data),
                  context);
          }
          H5D_mpio_actual_io_mode_t mode = H5D_MPIO_NO_COLLECTIVE;
          check(H5Pget_mpio_actual_io_mode(dxpl.get(), &mode), "H5Pget_mpio_actual_io_mode");
          if (mode == H5D_MPIO_NO_COLLECTIVE) {
            std::uint32_t local_cause = 0;
            std::uint32_t global_cause = 0;
            H5Pget_mpio_no_collective_cause(dxpl.get(), &local_cause, &global_cause);
            spdlog::debug(
                "{} {} rows [{}, {}): not collective (HDF5 cause bits local {:#x}, "
                "global {:#x})",
                verb, where, start[0], start[0] + count, local_cause, global_cause);
            local_collective = false;
          }
          spdlog::debug("{} {} rows [{}, {}) {} bytes, call {}/{}, {}", verb, where, start[0],
                        start[0] + count, count * element_bytes, call + 1, calls, mode_name(mode));
        },
        comm);
    report.bytes += count * element_bytes;
  }
  report.all_collective = parallel::allreduce_min(local_collective ? 1 : 0, comm) == 1;
  return report;
}

}  // namespace modenorm::io::detail
