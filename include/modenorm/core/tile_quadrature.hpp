// The quadrature E-step: every E-step sum over a tile of sorted rows, computed from a Gauss
// rule of that tile's values instead of row by row, when a bound proves the rule accurate.
//
// Why it is right: each E-step sum over a tile (VGM_SPEC §5.1) is sum_i f(x_i) for a smooth f
// (a responsibility r_k(x) times 1, (x - c_k) or (x - c_k)^2, the entropy term, the log
// normaliser). The rows of a tile are a discrete measure; its n-point Gauss rule (nodes inside
// the tile's range, positive weights summing to the row count) integrates every polynomial of
// degree <= 2n - 1 exactly, so its error on f is at most 2 x rows x the best polynomial
// approximation error of f, which for f analytic on a Bernstein ellipse around the tile decays
// like rho^-(2n-1). The rule depends only on the data, so it is built once per fit; whether
// it is accurate depends on the parameters, so it is checked on every tile in every pass
// (quadrature_bound.hpp) and a tile that fails is summed row by row, exactly as estep_block
// would. Every row of the column still enters every iteration's sums.
//
// Why it is fast: a 256-row tile becomes 8 weighted nodes, so a pass evaluates the E-step at
// ~1/32 of the points (fewer where the bound sends tiles back to their rows).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "modenorm/core/estep_tables.hpp"
#include "modenorm/core/vgm_types.hpp"

namespace modenorm::core {

inline constexpr std::size_t kQuadratureTileRows = 256;
inline constexpr int kQuadratureNodes = 8;  // exact for polynomials of degree <= 15
// Largest accepted bound on the relative error of any component's sums over a tile.
inline constexpr double kQuadratureTolerance = 1e-12;
// A rule is kept only if it reproduces the tile's Chebyshev moments of degree < 2n to this,
// relative to the tile's rows; what it misses is stored and counted in the bound.
inline constexpr double kQuadratureMomentError = 1e-13;

enum class RuleKind : std::uint8_t {
  exact,  // at most kQuadratureNodes distinct values: the nodes are the values, weights counts
  gauss,  // the Gauss rule: exact for polynomials of degree < 2 * nodes
  none,   // no reliable rule (rounding broke it): the tile is always summed row by row
};

// The rules of a run of equal-sized tiles (tile t: rows [t * tile_rows, ...) of its span).
struct TileRules {
  std::vector<double> lo;                 // per tile: smallest value
  std::vector<double> hi;                 // per tile: largest value
  std::vector<std::uint32_t> first_node;  // per tile, plus one: its nodes are [first, next)
  std::vector<double> node_x;             // node positions, ascending within a tile
  std::vector<double> node_weight;        // positive; a tile's weights sum to its row count
  std::vector<RuleKind> kind;             // per tile
  std::vector<double> moment_error;       // per tile: largest Chebyshev moment miss / rows
  std::vector<std::uint8_t> ellipse;      // per tile: the bound's last proving ellipse (speed)

  TileRules() { first_node.push_back(0); }
  [[nodiscard]] std::size_t tiles() const noexcept { return lo.size(); }
  [[nodiscard]] std::size_t bytes() const noexcept;
  void append(std::span<const double> tile);  // one more tile's rule
};

// The rules of one block: one per 256-row tile, built once; and, for a tile whose rule the
// bound refused, the rules of its two 128-row halves, built the first time that happens and
// kept (narrower halves are often accepted where the whole tile is not). The halves change how
// fast a pass is, never what it computes for given acceptances; since the sums do depend on
// which rules are used, which is decided by the parameters alone, the result is the same
// whether the halves were built in this pass or an earlier one.
struct BlockQuadrature {
  static constexpr std::uint32_t kNoHalves = 0xffffffffU;
  TileRules whole;
  TileRules halves;                      // two entries per refused tile, in pairs
  std::vector<std::uint32_t> halves_of;  // per tile: index of its first half, or kNoHalves

  [[nodiscard]] std::size_t tiles() const noexcept { return whole.tiles(); }
  [[nodiscard]] std::size_t bytes() const noexcept;
};

// The rule of one tile, appended to `node_x` and `node_weight`: its distinct values with their
// counts when it has at most `nodes` of them (exact), else the `nodes`-point Gauss rule of the
// discrete measure sum_i delta(x_i) (Stieltjes procedure for the recurrence, Golub-Welsch for
// nodes and weights), kept only if it reproduces the tile's Chebyshev moments of degree
// < 2 * nodes within kQuadratureMomentError (else nothing is appended: none).
// `moment_error` receives what the rule misses (0 for exact rules).
[[nodiscard]] RuleKind append_tile_rule(std::span<const double> values, int nodes,
                                        std::vector<double>& node_x,
                                        std::vector<double>& node_weight, double& moment_error);

// Rules for every tile of a block; any order works (sorted blocks give narrow tiles).
[[nodiscard]] BlockQuadrature make_block_quadrature(std::span<const double> block);

inline constexpr std::size_t kQuadratureHalfRows = kQuadratureTileRows / 2;

// How a pass went: tiles summed from their rule (or both halves' rules), and tiles summed at
// least partly row by row, with the rows that were.
struct QuadratureCounts {
  std::uint64_t tiles_by_rule = 0;
  std::uint64_t tiles_by_rows = 0;
  std::uint64_t rows_by_rows = 0;
  void add(const QuadratureCounts& other) noexcept;
};

// The E-step sums of `block` (the same values make_block_quadrature saw), with the shifts of
// `tables`: a tile whose rule passes the bound contributes its nodes; otherwise each of its
// halves contributes its nodes if its rule passes, else its rows; all through the weighted
// double kernel (estep_weighted_rows). Builds and keeps the halves' rules of a refused tile in
// `rules` (see BlockQuadrature). `rows` of the result is the block's row count. Deterministic:
// depends only on the block and the parameters.
[[nodiscard]] SufficientStats estep_block_quadrature(std::span<const double> block,
                                                     BlockQuadrature& rules,
                                                     const EStepTables& tables,
                                                     QuadratureCounts* counts = nullptr);

}  // namespace modenorm::core
