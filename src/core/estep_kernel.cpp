// Fast E-step kernel (VGM_SPEC §4.2, §4.3, §5.1; DESIGN §4 "the E-step kernel is the hot loop").
//
// Layout: rows are processed in tiles of kTileRows = 64, each tile as 8 groups of kLanes = 8
// rows. Every per-row quantity is an 8-lane array, so `#pragma omp simd` loops map onto one
// AVX-512 register (or two AVX2 ones) and the summation order is fixed by the source, not by
// the vector width the compiler picks: results depend only on the block's values and order.
//
// Per tile:
//  1. active components: those that can be non-zero anywhere on [min x, max x] of the tile
//     (component_skipping.hpp). On sorted blocks most tiles keep 2-4 of 10 components.
//  2. w_ik = log_norm_k - 0.5 (x_i P_k - m_k P_k)^2 for active k, and the row maximum M_i.
//  3. e_ik = exp(w_ik - M_i), s_i = sum_k e_ik, A_i = sum_k e_ik (w_ik - M_i).
//  4. r_ik = e_ik / s_i, accumulated into R, T1, T2 with the shifts c_k.
// Entropy without a log per component (VGM_SPEC §4.3, ln r = w - L, L = M + ln s):
//   sum_k r_ik ln r_ik = A_i / s_i - ln s_i,
// two non-positive terms, so nothing cancels. ln s_i is summed per lane as the log of the
// product of the tile's s_i (each in [1, K], 8 of them per lane): one vector log per tile.
// sum_i L_i = sum_i M_i + the same logs.
//
// Sums: lanes within a tile, tiles within a chunk of kTilesPerChunk, chunks within the block
// (plain additions at three levels keep the rounding error ~ (8 + 16 + 64) eps).
#include <algorithm>
#include <array>
#include <limits>
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

using Lanes = std::array<double, kLanes>;

// Per-lane partial sums at one summation level.
struct LaneSums {
  std::vector<double> R, T1, T2;  // [component * kLanes + lane]
  Lanes H{};
  Lanes log_norm{};

  explicit LaneSums(int components)
      : R(static_cast<std::size_t>(components * kLanes)), T1(R.size()), T2(R.size()) {}

  void add_and_clear(LaneSums& from, std::span<const int> components) {
    for (const int c : components) {
      const auto base = static_cast<std::size_t>(c * kLanes);
#pragma omp simd
      for (int l = 0; l < kLanes; ++l) {
        const auto i = base + static_cast<std::size_t>(l);
        R[i] += from.R[i];
        T1[i] += from.T1[i];
        T2[i] += from.T2[i];
        from.R[i] = 0.0;
        from.T1[i] = 0.0;
        from.T2[i] = 0.0;
      }
    }
#pragma omp simd
    for (int l = 0; l < kLanes; ++l) {
      H[static_cast<std::size_t>(l)] += from.H[static_cast<std::size_t>(l)];
      log_norm[static_cast<std::size_t>(l)] += from.log_norm[static_cast<std::size_t>(l)];
      from.H[static_cast<std::size_t>(l)] = 0.0;
      from.log_norm[static_cast<std::size_t>(l)] = 0.0;
    }
  }
};

// Fixed pairwise order for the 8 lanes.
double sum_lanes(const double* v) {
  return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
}

// Working arrays of one tile (reused across tiles, all in L1).
struct TileScratch {
  alignas(64) std::array<double, kTileRows> x{};
  alignas(64) std::array<double, kTileRows> valid{};  // 1 for a real row, 0 for padding
  alignas(64) std::array<double, kTileRows> max_w{};
  alignas(64) std::array<double, kTileRows> sum_e{};
  alignas(64) std::array<double, kTileRows> inv_sum{};
  alignas(64) std::array<double, kTileRows> entropy_part{};
  std::vector<double> w;  // [active slot * kTileRows + row]: w, then overwritten by e
  std::vector<int> active;

  explicit TileScratch(int components)
      : w(static_cast<std::size_t>(components * kTileRows)),
        active(static_cast<std::size_t>(components)) {}
};

// Copies rows [0, n) of the tile; pads the rest with the last value (so the tile's range is
// unchanged) and marks it invalid.
void load_tile(std::span<const double> rows, TileScratch& s) {
  const auto n = rows.size();
  for (std::size_t i = 0; i < n; ++i) {
    s.x[i] = rows[i];
    s.valid[i] = 1.0;
  }
  for (std::size_t i = n; i < kTileRows; ++i) {
    s.x[i] = rows[n - 1];
    s.valid[i] = 0.0;
  }
}

void process_tile(const EStepTables& tables, int n_active, TileScratch& s, LaneSums& tile) {
  const double* P = tables.P.data();
  const double* mP = tables.mP.data();
  const double* log_norm = tables.log_norm.data();
  const double* shift = tables.shift.data();
  double* const x = s.x.data();
  double* const max_w = s.max_w.data();
  double* const sum_e = s.sum_e.data();
  double* const inv_sum = s.inv_sum.data();
  double* const entropy_part = s.entropy_part.data();
  const double* const valid = s.valid.data();

  // 2. Weighted log-probabilities and the row maximum (VGM_SPEC §4.2).
#pragma omp simd
  for (int i = 0; i < kTileRows; ++i) max_w[i] = -std::numeric_limits<double>::infinity();
  for (int a = 0; a < n_active; ++a) {
    const int c = s.active[static_cast<std::size_t>(a)];
    const double p = P[c];
    const double neg_mp = -mP[c];
    const double ln = log_norm[c];
    double* const w = s.w.data() + a * kTileRows;
#pragma omp simd aligned(x, max_w : 64)
    for (int i = 0; i < kTileRows; ++i) {
      const double y = std::fma(x[i], p, neg_mp);
      const double wi = std::fma(-0.5 * y, y, ln);
      w[i] = wi;
      max_w[i] = wi > max_w[i] ? wi : max_w[i];
    }
  }

  // 3. Shifted exponentials, their sum and the entropy numerator (VGM_SPEC §4.3).
#pragma omp simd
  for (int i = 0; i < kTileRows; ++i) {
    sum_e[i] = 0.0;
    entropy_part[i] = 0.0;
  }
  for (int a = 0; a < n_active; ++a) {
    double* const w = s.w.data() + a * kTileRows;
#pragma omp simd aligned(max_w, sum_e, entropy_part : 64)
    for (int i = 0; i < kTileRows; ++i) {
      const double z = w[i] - max_w[i];
      const double e = fast_math::exp(z);
      sum_e[i] += e;
      entropy_part[i] = std::fma(e, z, entropy_part[i]);
      w[i] = e;
    }
  }

  // Per row: 1/s (0 for padding), sum_k r ln r = A/s - ln s, L = M + ln s.
  Lanes product_s;
  product_s.fill(1.0);
  for (int g = 0; g < kGroups; ++g) {
#pragma omp simd
    for (int l = 0; l < kLanes; ++l) {
      const int i = g * kLanes + l;
      const auto lane = static_cast<std::size_t>(l);
      const double inv = valid[i] / sum_e[i];
      inv_sum[i] = inv;
      tile.H[lane] += entropy_part[i] * inv;
      tile.log_norm[lane] += valid[i] * max_w[i];
      product_s[lane] *= valid[i] > 0.0 ? sum_e[i] : 1.0;
    }
  }
#pragma omp simd
  for (int l = 0; l < kLanes; ++l) {
    const auto lane = static_cast<std::size_t>(l);
    const double log_product = fast_math::log(product_s[lane]);
    tile.H[lane] -= log_product;
    tile.log_norm[lane] += log_product;
  }

  // 4. Responsibilities into the shifted sums (VGM_SPEC §5.1).
  for (int a = 0; a < n_active; ++a) {
    const int c = s.active[static_cast<std::size_t>(a)];
    const double shift_c = shift[c];
    const double* const e = s.w.data() + a * kTileRows;
    double* const R = tile.R.data() + c * kLanes;
    double* const T1 = tile.T1.data() + c * kLanes;
    double* const T2 = tile.T2.data() + c * kLanes;
    for (int g = 0; g < kGroups; ++g) {
#pragma omp simd
      for (int l = 0; l < kLanes; ++l) {
        const int i = g * kLanes + l;
        const double r = e[i] * inv_sum[i];
        const double d = x[i] - shift_c;
        const double rd = r * d;
        R[l] += r;
        T1[l] += rd;
        T2[l] = std::fma(rd, d, T2[l]);
      }
    }
  }
}

}  // namespace

SufficientStats estep_block(std::span<const double> x, const EStepTables& tables,
                            ComponentSkipping skipping) {
  const int k = tables.components();
  SufficientStats out = make_empty_stats(tables.shift);
  out.rows = x.size();
  if (x.empty() || k == 0) return out;

  TileScratch scratch(k);
  LaneSums tile(k), chunk(k), block(k);
  std::vector<int> all_components(static_cast<std::size_t>(k));
  for (int c = 0; c < k; ++c) all_components[static_cast<std::size_t>(c)] = c;

  int tiles_in_chunk = 0;
  for (std::size_t begin = 0; begin < x.size(); begin += kTileRows) {
    const std::size_t n = std::min<std::size_t>(kTileRows, x.size() - begin);
    load_tile(x.subspan(begin, n), scratch);
    int n_active = k;
    if (skipping == ComponentSkipping::enabled) {
      const auto [lo, hi] = std::minmax_element(scratch.x.begin(), scratch.x.end());
      n_active = detail::active_components(*lo, *hi, tables, scratch.active);
    } else {
      std::copy(all_components.begin(), all_components.end(), scratch.active.begin());
    }
    process_tile(tables, n_active, scratch, tile);
    chunk.add_and_clear(
        tile, std::span<const int>(scratch.active.data(), static_cast<std::size_t>(n_active)));
    if (++tiles_in_chunk == kTilesPerChunk) {
      block.add_and_clear(chunk, all_components);
      tiles_in_chunk = 0;
    }
  }
  block.add_and_clear(chunk, all_components);

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

}  // namespace modenorm::core
