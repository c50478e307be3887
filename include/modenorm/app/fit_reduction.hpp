#pragma once
// The fit's only communication (VGM_SPEC §10): per-block sufficient statistics, reduced in the
// fixed global block order so every rank - at any rank count - gets the same bits.

#include <mpi.h>

#include <functional>
#include <span>
#include <vector>

#include "modenorm/app/fit_shard.hpp"
#include "modenorm/core/vgm_types.hpp"

namespace modenorm::app {

using BlockStatistic =
    std::function<core::SufficientStats(std::uint64_t global_block, std::span<const double>)>;

// Collective: sum over every block of the column of `per_block(block)`, in global block order.
// `shifts` are the c_k every block's statistics use (VGM_SPEC §5.1).
[[nodiscard]] core::SufficientStats reduce_block_stats(const FitShard& shard,
                                                       const Eigen::ArrayXd& shifts,
                                                       const BlockStatistic& per_block,
                                                       MPI_Comm comm);

// Collective: sum over every block of a scalar `per_block(block)`, in global block order.
[[nodiscard]] double reduce_block_scalar(
    const FitShard& shard, const std::function<double(std::span<const double>)>& per_block,
    MPI_Comm comm);

}  // namespace modenorm::app
