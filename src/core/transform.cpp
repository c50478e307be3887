#include "modenorm/core/transform.hpp"

#include <Random123/philox.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "modenorm/core/fast_math.hpp"
#include "modenorm/core/predict.hpp"

namespace modenorm::core {
namespace {

// Rows per inner block: K rows of work (w, then exp, then the cumulative sums) stay in L1/L2.
constexpr std::size_t kBlock = 256;

// Random123's Philox4x32-10 on 64-bit lanes (values in the low 32 bits) so the row loop
// vectorises; each multiply is a 32x32->64 product.
constexpr std::uint64_t kLow32 = 0xffffffffU;
constexpr std::uint64_t kMul0 = PHILOX_M4x32_0;
constexpr std::uint64_t kMul1 = PHILOX_M4x32_1;
constexpr std::size_t kRounds = 10;

struct RoundKeys {
  std::array<std::uint64_t, kRounds> k0{};
  std::array<std::uint64_t, kRounds> k1{};
};

// Random123 bumps the key by the Weyl constants before every round after the first.
RoundKeys round_keys(std::uint64_t seed) {
  RoundKeys keys;
  auto k0 = static_cast<std::uint32_t>(seed);
  auto k1 = static_cast<std::uint32_t>(seed >> 32);
  for (std::size_t r = 0; r < kRounds; ++r) {
    keys.k0[r] = k0;
    keys.k1[r] = k1;
    k0 += PHILOX_W32_0;
    k1 += PHILOX_W32_1;
  }
  return keys;
}

// The 53-bit uniform of `row` (the header's stream), branch-free for the vectoriser.
[[gnu::always_inline]] inline double uniform_lane(std::uint64_t row, const RoundKeys& keys) {
  std::uint64_t x0 = row & kLow32;
  std::uint64_t x1 = row >> 32;
  std::uint64_t x2 = 0;
  std::uint64_t x3 = kModeSamplingStream;
  for (std::size_t r = 0; r < kRounds; ++r) {
    const std::uint64_t p0 = kMul0 * (x0 & kLow32);
    const std::uint64_t p1 = kMul1 * (x2 & kLow32);
    x0 = (p1 >> 32) ^ x1 ^ keys.k0[r];
    x1 = p1;
    x2 = (p0 >> 32) ^ x3 ^ keys.k1[r];
    x3 = p0;
  }
  const std::uint64_t bits = (((x0 & kLow32) << 32) | (x1 & kLow32)) >> 11;
  return static_cast<double>(static_cast<std::int64_t>(bits)) * 0x1p-53;
}

// Scratch for one block: K rows of per-component values plus per-row sums.
struct Work {
  explicit Work(int components) : w(static_cast<std::size_t>(components) * kBlock) {}
  std::vector<double> w;  // row k: w_k, then exp(w_k - max), then (valid k) cumulative sums
  alignas(64) std::array<double, kBlock> max{};
  alignas(64) std::array<double, kBlock> sum{};    // S = sum over all K of exp(w_k - max)
  alignas(64) std::array<double, kBlock> total{};  // sum over valid j of (e_j + 1e-6 S)
  double* row(std::size_t k) { return w.data() + k * kBlock; }
};

// For n <= kBlock values: leaves in work.row(valid[j]) the unnormalised cumulative sums
//   c_j = sum_{l <= j} (e_l + 1e-6 S),  e_l = exp(w_l - max),  S = sum_k e_k   (all K)
// and in work.total the last one. Since predict_proba p_l = e_l / S (VGM_SPEC §4.3, §7.3),
// q_j = (p_j + 1e-6) / sum (p_l + 1e-6) = (e_j + 1e-6 S) / total (§8.1): no log, no division.
void cumulative_block(const double* x, std::size_t n, const TransformTables& t, Work& work) {
  const auto K = static_cast<std::size_t>(t.components());
  double* max = work.max.data();
  double* sum = work.sum.data();
  double* total = work.total.data();
  std::fill_n(max, n, -std::numeric_limits<double>::infinity());
  std::fill_n(sum, n, 0.0);
  std::fill_n(total, n, 0.0);
  // w_k(x) = log_norm_k - 0.5 (x P_k - m_k P_k)^2: the E-step's weighted log-probability
  // (VGM_SPEC §4.2; E[ln pi_k] included, not ln weights_).
  for (std::size_t k = 0; k < K; ++k) {
    const auto kk = static_cast<Eigen::Index>(k);
    const double P = t.estep.P[kk];
    const double mP = t.estep.mP[kk];
    const double log_norm = t.estep.log_norm[kk];
    double* w = work.row(k);
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) {
      const double y = x[i] * P - mP;
      const double v = log_norm - 0.5 * (y * y);
      w[i] = v;
      max[i] = v > max[i] ? v : max[i];
    }
  }
  for (std::size_t k = 0; k < K; ++k) {
    double* w = work.row(k);
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) {
      const double e = fast_math::exp(w[i] - max[i]);
      w[i] = e;
      sum[i] += e;
    }
  }
  for (const int k : t.valid) {
    double* w = work.row(static_cast<std::size_t>(k));
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) {
      const double c = total[i] + (w[i] + kSamplingFloor * sum[i]);
      total[i] = c;
      w[i] = c;
    }
  }
}

}  // namespace

TransformTables make_transform_tables(const Params& params, const Eigen::ArrayXd& stds,
                                      std::span<const int> valid) {
  const int K = params.components();
  if (K < 1 || K > 255) {
    throw std::invalid_argument("transform: components must be in [1, 255], got " +
                                std::to_string(K));
  }
  if (valid.empty() || valid.size() > static_cast<std::size_t>(K) || stds.size() != K) {
    throw std::invalid_argument("transform: need 1..K valid components and K stds");
  }
  TransformTables t;
  t.estep = make_estep_tables(params);
  for (const int k : valid) {
    if (k < 0 || k >= K || (!t.valid.empty() && k <= t.valid.back())) {
      throw std::invalid_argument("transform: valid indices must be increasing and in [0, K)");
    }
    t.valid.push_back(k);
    t.means.push_back(params.m[k]);
    t.scale.push_back(kStdMultiplier * stds[k]);
  }
  return t;
}

TransformTables make_transform_tables(const FittedModel& model) {
  const auto valid = model.valid_indices();
  return make_transform_tables(model.params, model.stds, valid);
}

double mode_uniform(std::uint64_t seed, std::uint64_t row) {
  const r123::Philox4x32 philox;
  const r123::Philox4x32::key_type key{
      {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  const r123::Philox4x32::ctr_type counter{{static_cast<std::uint32_t>(row),
                                            static_cast<std::uint32_t>(row >> 32), 0U,
                                            kModeSamplingStream}};
  const auto w = philox(counter, key);
  const std::uint64_t bits = ((std::uint64_t{w[0]} << 32) | w[1]) >> 11;
  return static_cast<double>(bits) * 0x1p-53;
}

void sampling_probabilities_row(double x, const TransformTables& tables, std::span<double> q) {
  std::vector<double> p(static_cast<std::size_t>(tables.components()));
  predict_proba_row(x, tables.estep, p);
  // §8.1 step 2, in numpy's order: keep the valid columns, add 1e-6, divide by their sum.
  double total = 0.0;
  for (std::size_t j = 0; j < tables.valid.size(); ++j) {
    q[j] = p[static_cast<std::size_t>(tables.valid[j])] + kSamplingFloor;
    total += q[j];
  }
  for (std::size_t j = 0; j < tables.valid.size(); ++j) q[j] /= total;
}

void sampling_probabilities(std::span<const double> x, const TransformTables& tables,
                            std::span<double> q) {
  const auto nv = tables.valid.size();
  if (q.size() != x.size() * nv) throw std::invalid_argument("sampling_probabilities: q size");
  Work work(tables.components());
  for (std::size_t start = 0; start < x.size(); start += kBlock) {
    const std::size_t n = std::min(kBlock, x.size() - start);
    cumulative_block(x.data() + start, n, tables, work);
    for (std::size_t i = 0; i < n; ++i) {
      double previous = 0.0;
      for (std::size_t j = 0; j < nv; ++j) {
        const double c = work.row(static_cast<std::size_t>(tables.valid[j]))[i];
        q[(start + i) * nv + j] = (c - previous) / work.total[i];
        previous = c;
      }
    }
  }
}

void transform_block(std::span<const double> x, std::uint64_t first_row, std::uint64_t seed,
                     const TransformTables& tables, std::span<double> alpha,
                     std::span<std::uint8_t> component, std::span<std::uint64_t> counts) {
  if (alpha.size() != x.size() || component.size() != x.size() ||
      counts.size() != static_cast<std::size_t>(tables.components())) {
    throw std::invalid_argument("transform_block: output sizes do not match the input");
  }
  const RoundKeys keys = round_keys(seed);
  const auto nv = tables.valid.size();
  const auto last = static_cast<double>(nv - 1);
  Work work(tables.components());
  alignas(64) std::array<double, kBlock> position{};
  alignas(64) std::array<double, kBlock> mean{};
  alignas(64) std::array<double, kBlock> scale{};
  alignas(64) std::array<double, kBlock> chosen{};
  for (std::size_t start = 0; start < x.size(); start += kBlock) {
    const std::size_t n = std::min(kBlock, x.size() - start);
    const double* xb = x.data() + start;
    cumulative_block(xb, n, tables, work);
    const std::uint64_t row0 = first_row + start;
    double* pos = position.data();
    const double* total = work.total.data();
    // numpy's choice (§8.1 step 3): s = #{j : cdf_j <= u}, with cdf_j = c_j / total, i.e.
    // c_j <= u * total. u < 1 keeps s <= n_valid - 1; the min guards the rounding of u * total.
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) pos[i] = uniform_lane(row0 + i, keys) * total[i];
    double* threshold = pos;
    alignas(64) std::array<double, kBlock> drawn{};
    std::fill_n(drawn.data(), n, 0.0);
    for (const int k : tables.valid) {
      const double* c = work.row(static_cast<std::size_t>(k));
#pragma omp simd
      for (std::size_t i = 0; i < n; ++i) drawn[i] += c[i] <= threshold[i] ? 1.0 : 0.0;
    }
    // Select m, 4 std and k of the drawn position with a chain of selects (n_valid <= 255).
    // The per-component counts are summed here too: a scalar histogram would serialise on
    // store-to-load forwarding.
    for (std::size_t j = 0; j < nv; ++j) {
      const double jd = static_cast<double>(j);
      const double mj = tables.means[j];
      const double sj = tables.scale[j];
      const double kj = static_cast<double>(tables.valid[j]);
      std::uint64_t hits = 0;
#pragma omp simd reduction(+ : hits)
      for (std::size_t i = 0; i < n; ++i) {
        const double s = drawn[i] < last ? drawn[i] : last;
        const bool hit = s == jd;
        mean[i] = hit ? mj : mean[i];
        scale[i] = hit ? sj : scale[i];
        chosen[i] = hit ? kj : chosen[i];
        hits += hit ? 1U : 0U;
      }
      counts[static_cast<std::size_t>(tables.valid[j])] += hits;
    }
    double* a = alpha.data() + start;
    std::uint8_t* comp = component.data() + start;
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) {
      a[i] = (xb[i] - mean[i]) / scale[i];  // §8.1 step 1, unclipped
      comp[i] = static_cast<std::uint8_t>(chosen[i]);
    }
  }
}

void clip_alpha(std::span<double> alpha) {
#pragma omp simd
  for (std::size_t i = 0; i < alpha.size(); ++i) {
    alpha[i] = std::clamp(alpha[i], -kResearchClip, kResearchClip);
  }
}

InverseTables make_inverse_tables(const FittedModel& model) {
  InverseTables t;
  const auto K = static_cast<std::size_t>(model.components());
  t.means.assign(model.params.m.data(), model.params.m.data() + K);
  t.stds.assign(model.stds.data(), model.stds.data() + K);
  t.valid = model.valid;
  // Pad to 256 entries so any uint8 indexes safely; padding is never valid.
  t.means.resize(256, 0.0);
  t.stds.resize(256, 0.0);
  t.valid.resize(256, false);
  return t;
}

std::optional<std::size_t> first_invalid_component(std::span<const std::uint8_t> component,
                                                   const InverseTables& tables) {
  for (std::size_t i = 0; i < component.size(); ++i) {
    if (component[i] >= tables.valid.size() || !tables.valid[component[i]]) return i;
  }
  return std::nullopt;
}

void inverse_block(std::span<const double> alpha, std::span<const std::uint8_t> component,
                   const InverseTables& tables, bool clipped, std::span<double> x) {
  if (component.size() != alpha.size() || x.size() != alpha.size()) {
    throw std::invalid_argument("inverse_block: sizes do not match");
  }
  const double limit = clipped ? kInverseClip : std::numeric_limits<double>::infinity();
  const double* means = tables.means.data();
  const double* stds = tables.stds.data();
#pragma omp simd
  for (std::size_t i = 0; i < alpha.size(); ++i) {
    const double a = std::clamp(alpha[i], -limit, limit);
    // §8.2 step 3, in the research code's order: ((alpha * 4) * std) + m.
    x[i] = ((a * kStdMultiplier) * stds[component[i]]) + means[component[i]];
  }
}

}  // namespace modenorm::core
