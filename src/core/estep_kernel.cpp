// Fast E-step kernels (VGM_SPEC §4.2, §4.3, §5.1; DESIGN §4 "the E-step kernel is the hot
// loop"): estep_block (double) and estep_block_mixed (float per tile, double sums).
//
// Layout: rows are processed in tiles of kTileRows = 64. Each step of a tile is a loop over its
// 64 rows per active component (`#pragma omp simd`, which GCC vectorises reliably), with the
// tile's working arrays in L1. Per-row sums are kept per lane of 8 (double) and combined in a
// fixed order, so the summation order is fixed by the source, not by the vector width the
// compiler picks: results depend only on the block's values and their order.
//
// Per tile:
//  1. active components: those that can be non-zero anywhere on [min x, max x] of the tile
//     (component_skipping.hpp), proven on a longer stretch ahead when possible and reused by
//     the following (sorted) tiles; their constants are packed into a compact table.
//  2. w_k = log_norm_k - (x P'_k - m_k P'_k)^2 with P' = P / sqrt(2), M = max_k w_k   (§4.2)
//  3. e_k = exp(w_k - M), s = sum_k e_k, A = sum_k e_k (w_k - M)                      (§4.3)
//  4. r_k = e_k / s, accumulated as sum r, sum r d, sum r d^2 with d = x - x_ref, where x_ref
//     is the middle of the tile's range (one d per row instead of one per component), then
//     shifted to the component shifts c_k once per tile (§5.1).
// Entropy without a log per component (VGM_SPEC §4.3, ln r = w - L, L = M + ln s):
//   sum_k r_k ln r_k = A / s - ln s,
// two non-positive terms, so nothing cancels. ln s is summed per lane as the log of the product
// of the tile's 8 values of s (each in [1, K]): one vector log per tile. sum L = sum M + the
// same logs.
//
// Sums: within a tile, tiles within a chunk of kTilesPerChunk, chunks within the block, all per
// lane, lanes combined pairwise at the end: rounding error ~ (8 + 16 + 64) eps.
//
// The mixed kernel runs steps 2-4 in float at 16 lanes (d = x - x_ref and the per-tile
// constant (x_ref - m) P' formed in double first, so float keeps the digits that matter) and
// folds its per-tile sums into the same double lanes; everything after the tile is shared.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <vector>

#include "component_skipping.hpp"
#include "modenorm/core/estep.hpp"
#include "modenorm/core/fast_math.hpp"

namespace modenorm::core {
namespace {

constexpr int kLanes = 8;
constexpr int kTileRows = 64;
constexpr int kGroups = kTileRows / kLanes;
constexpr int kTilesPerChunk = 16;
constexpr double kSqrtHalf = 0.70710678118654752440;
// A tile's active set is also tried on an interval this many tile widths longer (see below).
constexpr double kCertifyAhead = 16.0;
constexpr int kMaxComponents = 64;  // beyond this the fast kernel hands over to the reference

using Lanes = std::array<double, kLanes>;

// Constants of the active components of one tile, in increasing component order.
struct ActiveTable {
  alignas(64) std::array<double, kMaxComponents> P{};       // P_k / sqrt(2)
  alignas(64) std::array<double, kMaxComponents> neg_mP{};  // -m_k P_k / sqrt(2)
  alignas(64) std::array<double, kMaxComponents> log_norm{};
  std::array<int, kMaxComponents> index{};
  int count = 0;
};

// Per-slot (active component) and per-lane sums of one tile, about x_ref.
struct TileSums {
  alignas(64) double R[kMaxComponents][kLanes];
  alignas(64) double D1[kMaxComponents][kLanes];  // sum r (x - x_ref)
  alignas(64) double D2[kMaxComponents][kLanes];  // sum r (x - x_ref)^2
  alignas(64) Lanes entropy;                      // sum A / s
  alignas(64) Lanes max_sum;                      // sum M
  alignas(64) Lanes product;                      // product of s
  alignas(64) Lanes weighted_log;                 // sum q ln s (weighted rows only)
};

// Working arrays of one tile, all in L1.
struct TileWork {
  alignas(64) std::array<double, kMaxComponents * kTileRows> w{};  // w, then e, per slot
  alignas(64) std::array<double, kTileRows> max_w{};
  alignas(64) std::array<double, kTileRows> sum_e{};
  alignas(64) std::array<double, kTileRows> entropy_part{};
  alignas(64) std::array<double, kTileRows> inv_sum{};
  alignas(64) std::array<double, kTileRows> d{};
  alignas(64) std::array<double, kTileRows> d2{};
};

// Per-component, per-lane sums at one summation level (chunk or block), shifted by c_k.
struct LaneSums {
  std::vector<double> R, T1, T2;  // [component * kLanes + lane]
  Lanes H{};
  Lanes log_norm{};

  explicit LaneSums(int components)
      : R(static_cast<std::size_t>(components * kLanes)), T1(R.size()), T2(R.size()) {}

  void add_and_clear(LaneSums& from, int components) {
    for (std::size_t i = 0; i < R.size() && i < static_cast<std::size_t>(components * kLanes);
         ++i) {
      R[i] += from.R[i];
      T1[i] += from.T1[i];
      T2[i] += from.T2[i];
      from.R[i] = 0.0;
      from.T1[i] = 0.0;
      from.T2[i] = 0.0;
    }
    for (std::size_t l = 0; l < kLanes; ++l) {
      H[l] += from.H[l];
      log_norm[l] += from.log_norm[l];
      from.H[l] = 0.0;
      from.log_norm[l] = 0.0;
    }
  }
};

// Fixed pairwise order for the 8 lanes.
double sum_lanes(const double* v) {
  return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
}

// Steps 2-4 for one tile. Each step is a loop over the 64 rows per active component, which
// compilers vectorise reliably; the tile's working arrays stay in L1.
// `valid` is each row's weight: 1 for a row, 0 for padding, or a quadrature weight (kWeighted,
// estep_weighted_rows). Weighted rows sum q ln s with one log per row instead of the product.
template <bool kWeighted>
void process_tile(const double* x, const double* valid, double x_ref, const ActiveTable& table,
                  TileWork& work, TileSums& sums) {
  const int active = table.count;
  double* const max_w = work.max_w.data();
  double* const sum_e = work.sum_e.data();
  double* const entropy_part = work.entropy_part.data();
  double* const inv_sum = work.inv_sum.data();
  double* const d = work.d.data();
  double* const d2 = work.d2.data();

  // 2. Weighted log-probabilities and the row maximum (VGM_SPEC §4.2).
#pragma omp simd aligned(max_w : 64)
  for (int i = 0; i < kTileRows; ++i) max_w[i] = -std::numeric_limits<double>::infinity();
  for (int a = 0; a < active; ++a) {
    const double p = table.P[static_cast<std::size_t>(a)];
    const double neg_mp = table.neg_mP[static_cast<std::size_t>(a)];
    const double ln = table.log_norm[static_cast<std::size_t>(a)];
    double* const w = work.w.data() + a * kTileRows;
#pragma omp simd aligned(x, max_w, w : 64)
    for (int i = 0; i < kTileRows; ++i) {
      const double y = std::fma(x[i], p, neg_mp);  // (x - m) P / sqrt(2)
      const double wi = std::fma(-y, y, ln);
      w[i] = wi;
      max_w[i] = wi > max_w[i] ? wi : max_w[i];
    }
  }

  // 3. Shifted exponentials, their sum and the entropy numerator (VGM_SPEC §4.3).
#pragma omp simd aligned(sum_e, entropy_part : 64)
  for (int i = 0; i < kTileRows; ++i) {
    sum_e[i] = 0.0;
    entropy_part[i] = 0.0;
  }
  for (int a = 0; a < active; ++a) {
    double* const w = work.w.data() + a * kTileRows;
#pragma omp simd aligned(max_w, sum_e, entropy_part, w : 64)
    for (int i = 0; i < kTileRows; ++i) {
      const double z = w[i] - max_w[i];
      const double e = fast_math::exp_nonpositive(z);
      sum_e[i] += e;
      entropy_part[i] = std::fma(e, z, entropy_part[i]);
      w[i] = e;
    }
  }

  // Per row: 1/s (0 for padding rows, which then add nothing), the entropy and normaliser
  // parts, and d = x - x_ref shared by every component.
#pragma omp simd aligned(x, valid, sum_e, inv_sum, d, d2 : 64)
  for (int i = 0; i < kTileRows; ++i) {
    inv_sum[i] = valid[i] / sum_e[i];
    d[i] = x[i] - x_ref;
    d2[i] = d[i] * d[i];
  }
  for (int l = 0; l < kLanes; ++l) {
    sums.entropy[static_cast<std::size_t>(l)] = 0.0;
    sums.max_sum[static_cast<std::size_t>(l)] = 0.0;
    sums.product[static_cast<std::size_t>(l)] = 1.0;
    sums.weighted_log[static_cast<std::size_t>(l)] = 0.0;
  }
  for (int g = 0; g < kGroups; ++g) {
#pragma omp simd
    for (int l = 0; l < kLanes; ++l) {
      const auto lane = static_cast<std::size_t>(l);
      const int i = g * kLanes + l;
      sums.entropy[lane] = std::fma(entropy_part[i], inv_sum[i], sums.entropy[lane]);
      sums.max_sum[lane] = std::fma(valid[i], max_w[i], sums.max_sum[lane]);
      if constexpr (kWeighted) {
        sums.weighted_log[lane] =
            std::fma(valid[i], fast_math::log(sum_e[i]), sums.weighted_log[lane]);
      } else {
        sums.product[lane] *= valid[i] > 0.0 ? sum_e[i] : 1.0;
      }
    }
  }

  // 4. Responsibilities into sums about x_ref (VGM_SPEC §5.1); local accumulators so that
  // they live in registers across the 8 groups.
  for (int a = 0; a < active; ++a) {
    const double* const e = work.w.data() + a * kTileRows;
    Lanes R{}, D1{}, D2{};
    for (int g = 0; g < kGroups; ++g) {
#pragma omp simd
      for (int l = 0; l < kLanes; ++l) {
        const auto lane = static_cast<std::size_t>(l);
        const int i = g * kLanes + l;
        const double r = e[i] * inv_sum[i];
        R[lane] += r;
        D1[lane] = std::fma(r, d[i], D1[lane]);
        D2[lane] = std::fma(r, d2[i], D2[lane]);
      }
    }
    for (int l = 0; l < kLanes; ++l) {
      const auto lane = static_cast<std::size_t>(l);
      sums.R[a][l] = R[lane];
      sums.D1[a][l] = D1[lane];
      sums.D2[a][l] = D2[lane];
    }
  }
}

// Packs the constants of `count` components (listed in `index`) for the tile kernel.
void fill_table(const std::array<int, kMaxComponents>& index, int count, const EStepTables& tables,
                ActiveTable& table) {
  table.count = count;
  for (int a = 0; a < count; ++a) {
    const auto slot = static_cast<std::size_t>(a);
    const int c = index[slot];
    table.index[slot] = c;
    // w = log_norm - (x P' - m P')^2 with P' = P / sqrt(2): one fused step less per row than
    // log_norm - 0.5 y^2, the same value to rounding.
    table.P[slot] = tables.P[c] * kSqrtHalf;
    table.neg_mP[slot] = -(tables.mP[c] * kSqrtHalf);
    table.log_norm[slot] = tables.log_norm[c];
  }
}

void load_tile(std::span<const double> rows, std::span<const double> weights,
               std::array<double, kTileRows>& x, std::array<double, kTileRows>& valid) {
  const std::size_t n = rows.size();
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = rows[i];
    valid[i] = weights.empty() ? 1.0 : weights[i];
  }
  // Padding repeats the last value, so the tile's range is unchanged, and has weight 0.
  for (std::size_t i = n; i < kTileRows; ++i) {
    x[i] = rows[n - 1];
    valid[i] = 0.0;
  }
}

// Working arrays of the mixed-precision tile kernel.
constexpr int kFloatLanes = 16;
constexpr int kFloatGroups = kTileRows / kFloatLanes;

struct TileWorkFloat {
  alignas(64) std::array<float, kMaxComponents * kTileRows> w{};  // w, then e, per slot
  alignas(64) std::array<float, kTileRows> max_w{};
  alignas(64) std::array<float, kTileRows> sum_e{};
  alignas(64) std::array<float, kTileRows> entropy_part{};
  alignas(64) std::array<float, kTileRows> inv_sum{};
  alignas(64) std::array<float, kTileRows> valid{};
  alignas(64) std::array<float, kTileRows> d{};
  alignas(64) std::array<float, kTileRows> d2{};
};

// Steps 2-4 in float (estep_block_mixed): rows relative to x_ref, so that float keeps the
// digits that matter even for data far from 0; y = d P' + (x_ref - m) P' with the per-tile
// constant formed in double. Per-lane float sums cover 4 rows each; lanes l and l + 8 are then
// folded into the double lane l of TileSums, so everything downstream is shared.
void process_tile_mixed(const double* x, const double* valid, double x_ref,
                        const ActiveTable& table, TileWorkFloat& work, TileSums& sums) {
  const int active = table.count;
  float* const max_w = work.max_w.data();
  float* const sum_e = work.sum_e.data();
  float* const entropy_part = work.entropy_part.data();
  float* const inv_sum = work.inv_sum.data();
  float* const vf = work.valid.data();
  float* const d = work.d.data();
  float* const d2 = work.d2.data();

#pragma omp simd aligned(x, valid, vf, d, d2, max_w, sum_e, entropy_part : 64)
  for (int i = 0; i < kTileRows; ++i) {
    d[i] = static_cast<float>(x[i] - x_ref);
    d2[i] = d[i] * d[i];
    vf[i] = static_cast<float>(valid[i]);
    max_w[i] = -std::numeric_limits<float>::infinity();
    sum_e[i] = 0.0F;
    entropy_part[i] = 0.0F;
  }
  for (int a = 0; a < active; ++a) {
    const auto slot = static_cast<std::size_t>(a);
    const auto p = static_cast<float>(table.P[slot]);
    const auto c = static_cast<float>(std::fma(x_ref, table.P[slot], table.neg_mP[slot]));
    const auto ln = static_cast<float>(table.log_norm[slot]);
    float* const w = work.w.data() + a * kTileRows;
#pragma omp simd aligned(d, max_w, w : 64)
    for (int i = 0; i < kTileRows; ++i) {
      const float y = std::fma(d[i], p, c);
      const float wi = std::fma(-y, y, ln);
      w[i] = wi;
      max_w[i] = wi > max_w[i] ? wi : max_w[i];
    }
  }
  for (int a = 0; a < active; ++a) {
    float* const w = work.w.data() + a * kTileRows;
#pragma omp simd aligned(max_w, sum_e, entropy_part, w : 64)
    for (int i = 0; i < kTileRows; ++i) {
      const float z = w[i] - max_w[i];
      const float e = fast_math::exp_nonpositive_float(z);
      sum_e[i] += e;
      entropy_part[i] = std::fma(e, z, entropy_part[i]);
      w[i] = e;
    }
  }
#pragma omp simd aligned(vf, sum_e, inv_sum : 64)
  for (int i = 0; i < kTileRows; ++i) {
    inv_sum[i] = vf[i] / sum_e[i];
    sum_e[i] = vf[i] > 0.0F ? sum_e[i] : 1.0F;  // padding rows enter the product as 1
  }

  std::array<float, kFloatLanes> entropy{}, max_sum{}, product{};
  product.fill(1.0F);
  for (int g = 0; g < kFloatGroups; ++g) {
#pragma omp simd
    for (int l = 0; l < kFloatLanes; ++l) {
      const auto lane = static_cast<std::size_t>(l);
      const int i = g * kFloatLanes + l;
      entropy[lane] = std::fma(entropy_part[i], inv_sum[i], entropy[lane]);
      max_sum[lane] = std::fma(vf[i], max_w[i], max_sum[lane]);
      product[lane] *= sum_e[i];
    }
  }
  for (int l = 0; l < kLanes; ++l) {
    const auto lo = static_cast<std::size_t>(l);
    const auto hi = static_cast<std::size_t>(l + kLanes);
    sums.entropy[lo] = static_cast<double>(entropy[lo]) + static_cast<double>(entropy[hi]);
    sums.max_sum[lo] = static_cast<double>(max_sum[lo]) + static_cast<double>(max_sum[hi]);
    sums.product[lo] = static_cast<double>(product[lo]) * static_cast<double>(product[hi]);
  }

  for (int a = 0; a < active; ++a) {
    const float* const e = work.w.data() + a * kTileRows;
    std::array<float, kFloatLanes> R{}, D1{}, D2{};
    for (int g = 0; g < kFloatGroups; ++g) {
#pragma omp simd
      for (int l = 0; l < kFloatLanes; ++l) {
        const auto lane = static_cast<std::size_t>(l);
        const int i = g * kFloatLanes + l;
        const float r = e[i] * inv_sum[i];
        R[lane] += r;
        D1[lane] = std::fma(r, d[i], D1[lane]);
        D2[lane] = std::fma(r, d2[i], D2[lane]);
      }
    }
    for (int l = 0; l < kLanes; ++l) {
      const auto lo = static_cast<std::size_t>(l);
      const auto hi = static_cast<std::size_t>(l + kLanes);
      sums.R[a][l] = static_cast<double>(R[lo]) + static_cast<double>(R[hi]);
      sums.D1[a][l] = static_cast<double>(D1[lo]) + static_cast<double>(D1[hi]);
      sums.D2[a][l] = static_cast<double>(D2[lo]) + static_cast<double>(D2[hi]);
    }
  }
}

// Whether the float tile kernel is accurate enough on [lo, hi]: every component's
// |y| = |x - m| P / sqrt(2) stays below kFloatMaxY there, so that the float error of
// w = log_norm - y^2 (~1e-7 y^2) stays far below the gap between the skip threshold (-750)
// and the float exp's flush (-87). Decided over all components, not the tile's active set,
// so that skipping never changes which kernel runs. Otherwise the tile runs in double.
constexpr double kFloatMaxY = 1e4;

bool fits_float(double lo, double hi, const EStepTables& tables) {
  const double limit = kFloatMaxY / kSqrtHalf;  // on |x - m| P
  for (Eigen::Index c = 0; c < tables.P.size(); ++c) {
    const double y_lo = lo * tables.P[c] - tables.mP[c];
    const double y_hi = hi * tables.P[c] - tables.mP[c];
    if (!(std::abs(y_lo) < limit && std::abs(y_hi) < limit)) return false;
  }
  return true;
}

// `weights` empty: every row counts once (estep_block, estep_block_mixed); otherwise row i
// counts weights[i] times (estep_weighted_rows; double only).
template <bool kMixed, bool kWeighted>
SufficientStats estep_block_impl(std::span<const double> x, std::span<const double> weights,
                                 const EStepTables& tables, ComponentSkipping skipping) {
  static_assert(!(kMixed && kWeighted), "the weighted kernel runs in double");
  const int k = tables.components();
  if (k > kMaxComponents) {
    if constexpr (kWeighted) return estep_weighted_rows_reference(x, weights, tables);
    return estep_block_reference(x, tables);
  }
  SufficientStats out = make_empty_stats(tables.shift);
  out.rows = x.size();
  if (x.empty() || k == 0) return out;

  alignas(64) std::array<double, kTileRows> xt{};
  alignas(64) std::array<double, kTileRows> valid{};
  std::array<int, kMaxComponents> active_index{};
  std::array<int, kMaxComponents> ahead_index{};
  std::array<int, kMaxComponents> all_components{};
  for (int c = 0; c < k; ++c) all_components[static_cast<std::size_t>(c)] = c;
  ActiveTable table;
  table.count = -1;
  double certified_lo = std::numeric_limits<double>::infinity();
  double certified_hi = -std::numeric_limits<double>::infinity();
  TileSums tile_sums;
  // Tile working arrays (33 KiB / 17 KiB): on the heap, not the stack.
  const auto work = std::make_unique<TileWork>();
  std::unique_ptr<TileWorkFloat> work_float;
  if constexpr (kMixed) work_float = std::make_unique<TileWorkFloat>();
  LaneSums chunk(k), block(k);
  const double* const shift = tables.shift.data();

  int tiles_in_chunk = 0;
  for (std::size_t begin = 0; begin < x.size(); begin += kTileRows) {
    const std::size_t n = std::min<std::size_t>(kTileRows, x.size() - begin);
    load_tile(x.subspan(begin, n), kWeighted ? weights.subspan(begin, n) : weights, xt, valid);
    double lo = xt[0];
    double hi = xt[0];
#pragma omp simd reduction(min : lo) reduction(max : hi)
    for (int i = 0; i < kTileRows; ++i) {
      lo = std::min(lo, xt[static_cast<std::size_t>(i)]);
      hi = std::max(hi, xt[static_cast<std::size_t>(i)]);
    }
    if (skipping == ComponentSkipping::disabled) {
      if (table.count != k) fill_table(all_components, k, tables, table);
    } else if (!(lo >= certified_lo && hi <= certified_hi)) {
      // The active set of a tile is valid for any sub-interval of the interval it was proven
      // on. Sorted tiles advance slowly, so try to prove the same set for a longer stretch
      // ahead and reuse it for the following tiles.
      // A set proven on [lo, ahead] is a valid (if larger) set for every tile inside it: use
      // it when it is no larger than the tile's own.
      const int count = detail::active_components(lo, hi, tables, active_index);
      const double ahead = hi + kCertifyAhead * (hi - lo);
      const int ahead_count = detail::active_components(lo, ahead, tables, ahead_index);
      certified_lo = lo;
      if (ahead_count <= count) {
        certified_hi = ahead;
        fill_table(ahead_index, ahead_count, tables, table);
      } else {
        certified_hi = hi;
        fill_table(active_index, count, tables, table);
      }
    }
    const double x_ref = 0.5 * (lo + hi);
    if (kMixed && fits_float(lo, hi, tables)) {
      process_tile_mixed(xt.data(), valid.data(), x_ref, table, *work_float, tile_sums);
    } else {
      process_tile<kWeighted>(xt.data(), valid.data(), x_ref, table, *work, tile_sums);
    }

    // Tile -> chunk: shift the sums from x_ref to c_k; entropy and log normaliser per lane.
    for (int a = 0; a < table.count; ++a) {
      const int c = table.index[static_cast<std::size_t>(a)];
      const double delta = x_ref - shift[c];
      double* const R = chunk.R.data() + c * kLanes;
      double* const T1 = chunk.T1.data() + c * kLanes;
      double* const T2 = chunk.T2.data() + c * kLanes;
#pragma omp simd
      for (int l = 0; l < kLanes; ++l) {
        const double r = tile_sums.R[a][l];
        const double d1 = tile_sums.D1[a][l];
        R[l] += r;
        T1[l] += std::fma(delta, r, d1);
        T2[l] += std::fma(delta, std::fma(delta, r, 2.0 * d1), tile_sums.D2[a][l]);
      }
    }
#pragma omp simd
    for (int l = 0; l < kLanes; ++l) {
      const auto lane = static_cast<std::size_t>(l);
      const double log_product =
          kWeighted ? tile_sums.weighted_log[lane] : fast_math::log(tile_sums.product[lane]);
      chunk.H[lane] += tile_sums.entropy[lane] - log_product;
      chunk.log_norm[lane] += tile_sums.max_sum[lane] + log_product;
    }
    if (++tiles_in_chunk == kTilesPerChunk) {
      block.add_and_clear(chunk, k);
      tiles_in_chunk = 0;
    }
  }
  block.add_and_clear(chunk, k);

  for (int c = 0; c < k; ++c) {
    const auto base = static_cast<std::size_t>(c * kLanes);
    out.R[c] = sum_lanes(block.R.data() + base);
    out.T1[c] = sum_lanes(block.T1.data() + base);
    out.T2[c] = sum_lanes(block.T2.data() + base);
  }
  out.H = sum_lanes(block.H.data());
  out.sum_log_norm = sum_lanes(block.log_norm.data());
  return out;
}

}  // namespace

SufficientStats estep_block(std::span<const double> x, const EStepTables& tables,
                            ComponentSkipping skipping) {
  return estep_block_impl<false, false>(x, {}, tables, skipping);
}

SufficientStats estep_block_mixed(std::span<const double> x, const EStepTables& tables,
                                  ComponentSkipping skipping) {
  return estep_block_impl<true, false>(x, {}, tables, skipping);
}

SufficientStats estep_weighted_rows(std::span<const double> x, std::span<const double> weights,
                                    const EStepTables& tables, ComponentSkipping skipping) {
  if (weights.size() != x.size()) {
    throw std::invalid_argument("estep_weighted_rows: one weight per row expected");
  }
  return estep_block_impl<false, true>(x, weights, tables, skipping);
}

}  // namespace modenorm::core
