#include "modenorm/core/tile_quadrature.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <array>
#include <cmath>

#include "modenorm/core/estep.hpp"
#include "quadrature_bound.hpp"

namespace modenorm::core {
namespace {

constexpr int kMaxNodes = 16;

// max_j |sum_i T_j(u_i) - sum_n q_n T_j(u_n)| / rows over j < 2 * nodes: how far a rule misses
// the Chebyshev moments it must reproduce exactly.
double chebyshev_moment_error(std::span<const double> u, std::span<const double> node_u,
                              std::span<const double> weight, int degree_limit) {
  // T_j by the three-term recurrence, one degree at a time over all points (vectorises).
  constexpr std::size_t kTileMax = kQuadratureTileRows;
  // Uninitialised on purpose: only the first `size` entries are used, each written first.
  std::array<double, kTileMax> t_prev, t_cur;
  std::array<double, kMaxNodes> n_prev{}, n_cur{};
  const std::size_t size = u.size(), count = node_u.size();
  double data = static_cast<double>(size), rule = 0.0;  // degree 0
  for (std::size_t n = 0; n < count; ++n) rule += weight[n];
  double worst = std::abs(data - rule);
  if (degree_limit < 2) return worst / static_cast<double>(size);
  data = 0.0;
  rule = 0.0;
#pragma omp simd reduction(+ : data)
  for (std::size_t i = 0; i < size; ++i) {  // degree 1
    t_prev[i] = 1.0;
    t_cur[i] = u[i];
    data += u[i];
  }
  for (std::size_t n = 0; n < count; ++n) {
    n_prev[n] = 1.0;
    n_cur[n] = node_u[n];
    rule += weight[n] * node_u[n];
  }
  worst = std::max(worst, std::abs(data - rule));
  for (int j = 2; j < degree_limit; ++j) {
    data = 0.0;
    rule = 0.0;
#pragma omp simd reduction(+ : data)
    for (std::size_t i = 0; i < size; ++i) {
      const double next = 2.0 * u[i] * t_cur[i] - t_prev[i];
      t_prev[i] = t_cur[i];
      t_cur[i] = next;
      data += next;
    }
    for (std::size_t n = 0; n < count; ++n) {
      const double next = 2.0 * node_u[n] * n_cur[n] - n_prev[n];
      n_prev[n] = n_cur[n];
      n_cur[n] = next;
      rule += weight[n] * next;
    }
    worst = std::max(worst, std::abs(data - rule));
  }
  return worst / static_cast<double>(size);
}

}  // namespace

std::size_t TileRules::bytes() const noexcept {
  return (lo.size() + hi.size() + node_x.size() + node_weight.size() + moment_error.size()) *
             sizeof(double) +
         first_node.size() * sizeof(std::uint32_t) + kind.size() * sizeof(RuleKind) +
         ellipse.size();
}

std::size_t BlockQuadrature::bytes() const noexcept {
  return whole.bytes() + halves.bytes() + halves_of.size() * sizeof(std::uint32_t);
}

void TileRules::append(std::span<const double> tile) {
  const auto [min, max] = std::minmax_element(tile.begin(), tile.end());
  lo.push_back(tile.empty() ? 0.0 : *min);
  hi.push_back(tile.empty() ? 0.0 : *max);
  double error = 0.0;
  kind.push_back(append_tile_rule(tile, kQuadratureNodes, node_x, node_weight, error));
  moment_error.push_back(error);
  ellipse.push_back(0);
  first_node.push_back(static_cast<std::uint32_t>(node_x.size()));
}

RuleKind append_tile_rule(std::span<const double> values, int nodes, std::vector<double>& node_x,
                          std::vector<double>& node_weight, double& moment_error) {
  moment_error = 0.0;
  if (values.empty()) return RuleKind::exact;
  nodes = std::clamp(nodes, 1, kMaxNodes);
  const auto rows = static_cast<double>(values.size());

  // At most `nodes` distinct values: the values with their counts are the tile itself.
  {
    std::array<double, kMaxNodes> distinct{}, count{};
    int d = 0;
    bool few = true;
    for (const double v : values) {
      int j = 0;
      while (j < d && distinct[static_cast<std::size_t>(j)] != v) ++j;
      if (j == d) {
        if (d == nodes) {
          few = false;
          break;
        }
        distinct[static_cast<std::size_t>(d++)] = v;
      }
      count[static_cast<std::size_t>(j)] += 1.0;
    }
    if (few) {
      std::array<int, kMaxNodes> order{};
      for (int j = 0; j < d; ++j) order[static_cast<std::size_t>(j)] = j;
      std::sort(order.begin(), order.begin() + d, [&](int a, int b) {
        return distinct[static_cast<std::size_t>(a)] < distinct[static_cast<std::size_t>(b)];
      });
      for (int j = 0; j < d; ++j) {
        node_x.push_back(distinct[static_cast<std::size_t>(order[static_cast<std::size_t>(j)])]);
        node_weight.push_back(count[static_cast<std::size_t>(order[static_cast<std::size_t>(j)])]);
      }
      return RuleKind::exact;
    }
  }
  const auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
  const double t = 0.5 * (*lo_it + *hi_it);
  const double h = 0.5 * (*hi_it - *lo_it);

  // Stieltjes procedure on u = (x - t) / h in [-1, 1]: the monic orthogonal polynomials of
  // the discrete measure, evaluated at its points, give the recurrence coefficients.
  constexpr std::size_t kTileMax = kQuadratureTileRows;
  if (values.size() > kTileMax) return RuleKind::none;
  const std::size_t size = values.size();
  // Uninitialised on purpose (a tile's worth of zeroing costs more than the recurrence): only
  // the first `size` entries are used, each written before it is read.
  std::array<double, kTileMax> u_store, p_prev, p, p_next;
  const std::span<double> u(u_store.data(), size);
  for (std::size_t i = 0; i < size; ++i) {
    u[i] = (values[i] - t) / h;
    p[i] = 1.0;
    p_prev[i] = 0.0;
  }
  std::array<double, kMaxNodes> alpha{}, beta{}, norms{};
  int m = 0;
  for (; m < nodes; ++m) {
    double norm = 0.0, first = 0.0;
#pragma omp simd reduction(+ : norm, first)
    for (std::size_t i = 0; i < size; ++i) {
      norm += p[i] * p[i];
      first += u[i] * p[i] * p[i];
    }
    // More than `nodes` distinct values, so no norm is 0 in exact arithmetic; one lost to
    // rounding (a tight cluster of values) leaves the tile to be summed row by row.
    if (!(norm > 1e-200) || !std::isfinite(norm)) return RuleKind::none;
    const auto j = static_cast<std::size_t>(m);
    norms[j] = norm;
    alpha[j] = first / norm;
    beta[j] = m == 0 ? rows : norm / norms[j - 1];
    const double b = m == 0 ? 0.0 : beta[j];
#pragma omp simd
    for (std::size_t i = 0; i < size; ++i) {
      p_next[i] = (u[i] - alpha[j]) * p[i] - b * p_prev[i];
    }
    std::swap(p_prev, p);
    std::swap(p, p_next);
  }

  // Golub-Welsch: the nodes are the eigenvalues of the Jacobi matrix; the weights are the
  // Christoffel numbers 1 / sum_j p_j(node)^2 / ||p_j||^2 of the same recurrence.
  std::array<double, kMaxNodes> node_u{}, weight{};
  {
    // Fixed-capacity types: no heap allocation per tile.
    using Vector = Eigen::Matrix<double, Eigen::Dynamic, 1, 0, kMaxNodes, 1>;
    using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, kMaxNodes, kMaxNodes>;
    Vector diagonal(m), off(std::max(m - 1, 1));
    for (int j = 0; j < m; ++j) diagonal[j] = alpha[static_cast<std::size_t>(j)];
    for (int j = 1; j < m; ++j) off[j - 1] = std::sqrt(beta[static_cast<std::size_t>(j)]);
    Eigen::SelfAdjointEigenSolver<Matrix> solver(m);
    solver.computeFromTridiagonal(diagonal, off.head(m - 1), Eigen::EigenvaluesOnly);
    if (solver.info() != Eigen::Success) return RuleKind::none;
    for (int n = 0; n < m; ++n) {
      const double z = std::clamp(solver.eigenvalues()[n], -1.0, 1.0);
      double q_prev = 0.0, q = 1.0, christoffel = 1.0 / norms[0];
      for (int j = 0; j + 1 < m; ++j) {
        const auto i = static_cast<std::size_t>(j);
        const double next = (z - alpha[i]) * q - (j == 0 ? 0.0 : beta[i]) * q_prev;
        q_prev = q;
        q = next;
        christoffel += q * q / norms[i + 1];
      }
      node_u[static_cast<std::size_t>(n)] = z;
      weight[static_cast<std::size_t>(n)] = 1.0 / christoffel;
    }
  }
  const auto count = static_cast<std::size_t>(m);
  // Keep the rule only if it really reproduces the moments it must (rounding can break a
  // nearly degenerate recurrence); a tile without nodes is always summed row by row.
  moment_error = chebyshev_moment_error(u, std::span<const double>(node_u.data(), count),
                                        std::span<const double>(weight.data(), count),
                                        std::min(2 * m, 2 * kMaxNodes));
  if (!(moment_error <= kQuadratureMomentError)) return RuleKind::none;
  for (std::size_t n = 0; n < count; ++n) {
    node_x.push_back(t + h * node_u[n]);
    node_weight.push_back(weight[n]);
  }
  return RuleKind::gauss;
}

BlockQuadrature make_block_quadrature(std::span<const double> block) {
  BlockQuadrature rules;
  const std::size_t tiles = (block.size() + kQuadratureTileRows - 1) / kQuadratureTileRows;
  rules.whole.lo.reserve(tiles);
  rules.whole.hi.reserve(tiles);
  rules.whole.first_node.reserve(tiles + 1);
  rules.whole.kind.reserve(tiles);
  rules.whole.moment_error.reserve(tiles);
  rules.whole.node_x.reserve(tiles * kQuadratureNodes);
  rules.whole.node_weight.reserve(tiles * kQuadratureNodes);
  for (std::size_t begin = 0; begin < block.size(); begin += kQuadratureTileRows) {
    rules.whole.append(block.subspan(begin, std::min(kQuadratureTileRows, block.size() - begin)));
  }
  rules.halves_of.assign(tiles, BlockQuadrature::kNoHalves);
  return rules;
}

void QuadratureCounts::add(const QuadratureCounts& other) noexcept {
  tiles_by_rule += other.tiles_by_rule;
  tiles_by_rows += other.tiles_by_rows;
  rows_by_rows += other.rows_by_rows;
}

namespace {

// Appends the nodes of rule `i` of `rules` to the list when the bound accepts it.
bool take_rule(TileRules& rules, std::size_t i, const EStepTables& tables, std::vector<double>& x,
               std::vector<double>& weight) {
  const std::uint32_t first = rules.first_node[i];
  const std::uint32_t end = rules.first_node[i + 1];
  const RuleKind kind = rules.kind[i];
  const bool accepted =
      kind == RuleKind::exact ||
      (kind == RuleKind::gauss &&
       detail::quadrature_is_accurate(rules.lo[i], rules.hi[i], static_cast<int>(end - first),
                                      rules.moment_error[i], kQuadratureTolerance, tables,
                                      &rules.ellipse[i]));
  if (accepted) {
    x.insert(x.end(), rules.node_x.begin() + first, rules.node_x.begin() + end);
    weight.insert(weight.end(), rules.node_weight.begin() + first, rules.node_weight.begin() + end);
  }
  return accepted;
}

void take_rows(std::span<const double> rows, std::vector<double>& x, std::vector<double>& weight,
               QuadratureCounts& counts) {
  x.insert(x.end(), rows.begin(), rows.end());
  weight.insert(weight.end(), rows.size(), 1.0);
  counts.rows_by_rows += rows.size();
}

}  // namespace

SufficientStats estep_block_quadrature(std::span<const double> block, BlockQuadrature& rules,
                                       const EStepTables& tables, QuadratureCounts* counts) {
  // Nodes of accepted rules and rows of the others, in row order: for a sorted block the list
  // stays sorted, so the kernel's component skipping keeps working.
  thread_local std::vector<double> x, weight;
  x.clear();
  weight.clear();
  QuadratureCounts local;
  for (std::size_t tile = 0; tile < rules.tiles(); ++tile) {
    const std::size_t begin = tile * kQuadratureTileRows;
    const auto rows = block.subspan(begin, std::min(kQuadratureTileRows, block.size() - begin));
    if (take_rule(rules.whole, tile, tables, x, weight)) {
      ++local.tiles_by_rule;
      continue;
    }
    if (rows.size() <= kQuadratureHalfRows) {
      ++local.tiles_by_rows;
      take_rows(rows, x, weight, local);
      continue;
    }
    std::uint32_t& first_half = rules.halves_of[tile];
    if (first_half == BlockQuadrature::kNoHalves) {
      first_half = static_cast<std::uint32_t>(rules.halves.tiles());
      rules.halves.append(rows.first(kQuadratureHalfRows));
      rules.halves.append(rows.subspan(kQuadratureHalfRows));
    }
    bool all_by_rule = true;
    for (std::size_t h = 0; h < 2; ++h) {
      const auto half =
          h == 0 ? rows.first(kQuadratureHalfRows) : rows.subspan(kQuadratureHalfRows);
      if (!take_rule(rules.halves, first_half + h, tables, x, weight)) {
        all_by_rule = false;
        take_rows(half, x, weight, local);
      }
    }
    ++(all_by_rule ? local.tiles_by_rule : local.tiles_by_rows);
  }
  SufficientStats out = estep_weighted_rows(x, weight, tables);
  out.rows = block.size();
  if (counts != nullptr) counts->add(local);
  return out;
}

}  // namespace modenorm::core
