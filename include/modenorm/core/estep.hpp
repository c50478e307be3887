// The E-step kernel: responsibilities of a block of rows, reduced straight into the shifted
// sufficient statistics (VGM_SPEC §4, §5.1). The hot loop of the whole fit.
#pragma once

#include <cstddef>
#include <span>

#include "modenorm/core/estep_tables.hpp"
#include "modenorm/core/vgm_types.hpp"

namespace modenorm::core {

// Rows per block the fit reduces and sorts independently (DESIGN §4: fixed-size global blocks,
// combined in a fixed order, make the model identical at any rank count).
inline constexpr std::size_t kFitBlockRows = 65536;

enum class ComponentSkipping {
  enabled,   // skip components that provably underflow to 0 on a tile (exact: same bits)
  disabled,  // evaluate every component on every row (for tests and measurements)
};

// Partial sums of one block. Deterministic: depends only on the values and their order.
// Fast kernel: rows in tiles of 64, own vectorised exp, sums in fixed per-lane order; agrees
// with estep_block_reference to ~1e-13. On sorted blocks (block_sort.hpp) a tile skips the
// components that provably underflow to exactly 0 on it (dead tail components, narrow ones far
// away); skipping changes no bit of the result.
[[nodiscard]] SufficientStats estep_block(std::span<const double> x, const EStepTables& tables,
                                          ComponentSkipping skipping = ComponentSkipping::enabled);

// Mixed precision, for speed runs: per tile, x - x_ref, the log-probabilities, exponentials and
// responsibilities in float (16 lanes per AVX-512 register), every sum across groups, tiles and
// blocks in double; about twice as fast. Its sums are ~4e-7 from estep_block's and a
// 100-iteration fit through it stays within ~2e-6 of scikit-learn: not the parity mode.
// Responsibilities below e^-87 of the row's best component become 0. Tiles where some component is
// more than 1e4 standard deviations away (float would lose the log-probability) run in double
// instead. Deterministic like estep_block.
[[nodiscard]] SufficientStats estep_block_mixed(
    std::span<const double> x, const EStepTables& tables,
    ComponentSkipping skipping = ComponentSkipping::enabled);

// Plain scalar implementation in sklearn's operation order with std::exp / std::log and
// compensated (Neumaier) sums: the yardstick for the fast kernel.
[[nodiscard]] SufficientStats estep_block_reference(std::span<const double> x,
                                                    const EStepTables& tables);

// Weighted rows: row i stands for weights[i] rows (any real weight, e.g. the nodes of a
// quadrature rule, tile_quadrature.hpp). The double kernel of estep_block with each row's terms
// multiplied by its weight and one log per row for the entropy; `rows` of the result is
// x.size(), which callers that know the real row count overwrite. Throws std::invalid_argument
// unless weights.size() == x.size().
[[nodiscard]] SufficientStats estep_weighted_rows(
    std::span<const double> x, std::span<const double> weights, const EStepTables& tables,
    ComponentSkipping skipping = ComponentSkipping::enabled);

// The scalar reference with weights, for tests and for more than 64 components.
[[nodiscard]] SufficientStats estep_weighted_rows_reference(std::span<const double> x,
                                                            std::span<const double> weights,
                                                            const EStepTables& tables);

// All rows of a (local) data set in blocks of `block_rows`, merged in block order: the serial
// data pass. Blocks are processed as given (sort them beforehand for speed).
[[nodiscard]] SufficientStats estep_blocks(std::span<const double> x, const EStepTables& tables,
                                           std::size_t block_rows = kFitBlockRows);

}  // namespace modenorm::core
