#pragma once
// sklearn's init_params='random' (VGM_SPEC §3.2): r_ik = u_ik / sum_j u_ij with uniform u.
// The uniforms come from Philox4x32-10 keyed by the seed, with the row's position as the
// counter, so the statistics depend only on (values in block order, first_index, seed).

#include <cstdint>
#include <span>

#include <Eigen/Core>

#include "modenorm/core/vgm_types.hpp"

namespace modenorm::core {

// Statistics of one block whose first row has index `first_index` (any stable numbering, e.g.
// block * block_rows + position), with shifts `shifts` (one per component).
[[nodiscard]] SufficientStats random_init_stats(std::span<const double> x,
                                                std::uint64_t first_index,
                                                const Eigen::ArrayXd& shifts,
                                                std::uint64_t seed);

}  // namespace modenorm::core
