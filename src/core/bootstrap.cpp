#include "modenorm/core/bootstrap.hpp"

#include <Random123/philox.h>

#if defined(__AVX512F__) && defined(__AVX512DQ__)
#include <immintrin.h>
#endif

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>

namespace modenorm::core {
namespace {

// The 10-round Philox4x32 that Random123 defines, written on 64-bit lanes so the compiler can
// vectorise it: each multiply is a 32x32->64 product (one vpmuludq per 8 rows on AVX-512).
// Lanes carry their value in the low 32 bits; high bits may be dirty between rounds and are
// masked where they matter (multiplies and the final words).
constexpr std::uint64_t kLow32 = 0xffffffffU;
constexpr std::uint64_t kMul0 = PHILOX_M4x32_0;
constexpr std::uint64_t kMul1 = PHILOX_M4x32_1;
constexpr int kRounds = 10;

struct Key {
  std::array<std::uint64_t, kRounds> k0{};
  std::array<std::uint64_t, kRounds> k1{};
};

// The round keys (Random123 bumps the key by the Weyl constants before every round after the
// first), computed once per call instead of once per row.
Key round_keys(std::uint64_t seed) {
  Key key;
  std::uint32_t k0 = static_cast<std::uint32_t>(seed);
  std::uint32_t k1 = static_cast<std::uint32_t>(seed >> 32);
  for (int r = 0; r < kRounds; ++r) {
    key.k0[static_cast<std::size_t>(r)] = k0;
    key.k1[static_cast<std::size_t>(r)] = k1;
    k0 += PHILOX_W32_0;
    k1 += PHILOX_W32_1;
  }
  return key;
}

struct Words {
  std::uint64_t w0, w1, w2, w3;
};

inline Words philox_lanes(std::uint64_t row, std::uint64_t attempt, const Key& key) {
  std::uint64_t x0 = row & kLow32;
  std::uint64_t x1 = row >> 32;
  std::uint64_t x2 = attempt;
  std::uint64_t x3 = kBootstrapStream;
  for (std::size_t r = 0; r < kRounds; ++r) {
    const std::uint64_t p0 = kMul0 * (x0 & kLow32);
    const std::uint64_t p1 = kMul1 * (x2 & kLow32);
    x0 = (p1 >> 32) ^ x1 ^ key.k0[r];
    x1 = p1;
    x2 = (p0 >> 32) ^ x3 ^ key.k1[r];
    x3 = p0;
  }
  return {x0 & kLow32, x1 & kLow32, x2 & kLow32, x3 & kLow32};
}

// Lemire's unbiased bounded draw, split in the two halves the vector loop and the rare
// rejection path share: index = (w * n) >> 32, rejected iff (w * n) mod 2^32 < threshold.
struct Bound {
  std::uint64_t n;
  std::uint64_t threshold;  // (2^32 - n) mod n
};

Bound make_bound(std::size_t n) {
  const auto n32 = static_cast<std::uint32_t>(n);
  return {n, static_cast<std::uint32_t>(0U - n32) % n32};
}

// The 53-bit uniform in [0, 1) from words 2 and 3.
inline double uniform53(std::uint64_t w2, std::uint64_t w3) {
  const std::uint64_t bits = ((w3 << 32) | w2) >> 11;
  return static_cast<double>(static_cast<std::int64_t>(bits)) * 0x1p-53;
}

// The largest double below x (x finite or +inf), with plain integer operations on the bits so
// the loop stays vectorised (std::nextafter is a library call).
inline double next_below(double x) {
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const std::uint64_t below = x > 0.0 ? bits - 1 : (x < 0.0 ? bits + 1 : 0x8000000000000001U);
  return std::bit_cast<double>(below);
}

// v + u*J in [v, v + J): one rounding (fma) keeps the sum as exact as a double can be and the
// same on every target; the rounding can still reach fl(v + J), which is then lowered by one
// ulp unless fl(v + J) == v (J below half an ulp of v: only v itself is in range).
inline double jittered(double v, double u, double jitter) {
  const double value = std::fma(u, jitter, v);
  const double top = v + jitter;
  return (value < top || value == v) ? value : next_below(top);
}

void check_arguments(std::span<const double> source, double jitter) {
  if (source.empty()) {
    throw std::invalid_argument("bootstrap: the source has no rows");
  }
  if (source.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::invalid_argument("bootstrap: the source has " + std::to_string(source.size()) +
                                " rows; at most 2^32 - 1 are supported");
  }
  if (!std::isfinite(jitter) || jitter < 0.0) {
    throw std::invalid_argument("bootstrap: jitter must be finite and >= 0");
  }
}

// The index of a row whose first draw was rejected: redraw from attempts 1, 2, ... (each
// attempt is rejected with probability < n / 2^32, so this almost never loops twice).
std::uint64_t redrawn_index(std::uint64_t row, const Key& key, const Bound& bound) {
  for (std::uint64_t attempt = 1;; ++attempt) {
    const std::uint64_t m = philox_lanes(row, attempt, key).w0 * bound.n;
    if ((m & kLow32) >= bound.threshold) {
      return m >> 32;
    }
  }
}

// Rows are made in chunks of a fixed size: the vector loop always runs the same full trip
// count (no scalar remainder loop whose rounding might differ), so a row's value cannot depend
// on where a caller's span starts or ends. A partial chunk goes through a local buffer.
constexpr std::size_t kChunk = 512;

#if defined(__AVX512F__) && defined(__AVX512DQ__)
// The same rows with AVX-512 intrinsics: GCC vectorises the portable loop with vpmullq (a
// 64x64 multiply, 3 uops), where Philox needs only vpmuludq (32x32->64, 1 uop); written out,
// the kernel runs several times faster. Four independent groups of 8 rows are interleaved to
// hide the multiply latency of the 10 dependent rounds.
constexpr std::size_t kLanes = 8;
constexpr std::size_t kGroups = 4;

// GCC 12 reports "'__Y' is used uninitialized" inside avx512fintrin.h for _mm512_mul_epu32
// (its _mm512_undefined_epi32 operand; GCC PR 105593, fixed in 12.3): a false positive.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"

// The high 32 bits of each 64-bit lane moved to the low half (the high half keeps a copy:
// lanes may be dirty there). A dword shuffle runs on port 5, while a shift would compete with
// the multiplies for port 0, the bottleneck of the rounds.
inline __m512i high_to_low(__m512i x) { return _mm512_shuffle_epi32(x, _MM_PERM_DDBB); }

template <bool kJitter>
void chunk_avx512(const double* source, const Bound& bound, const Key& key, std::uint64_t first_row,
                  double jitter, double* out, std::array<std::uint8_t, kChunk / kLanes>& rejected,
                  unsigned& any_rejected) {
  const __m512i low32 = _mm512_set1_epi64(static_cast<long long>(kLow32));
  const __m512i mul0 = _mm512_set1_epi64(static_cast<long long>(kMul0));
  const __m512i mul1 = _mm512_set1_epi64(static_cast<long long>(kMul1));
  const __m512i tag = _mm512_set1_epi64(kBootstrapStream);
  const __m512i n = _mm512_set1_epi64(static_cast<long long>(bound.n));
  const __m512i threshold = _mm512_set1_epi64(static_cast<long long>(bound.threshold));
  const __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
  __m512i k0[kRounds];  // C arrays: std::array drops the vector types' alignment attributes
  __m512i k1[kRounds];
  for (std::size_t r = 0; r < kRounds; ++r) {
    k0[r] = _mm512_set1_epi64(static_cast<long long>(key.k0[r]));
    k1[r] = _mm512_set1_epi64(static_cast<long long>(key.k1[r]));
  }
  const __m512d scale53 = _mm512_set1_pd(0x1p-53);
  const __m512d jitter_v = _mm512_set1_pd(jitter);
  const __m512d zero = _mm512_setzero_pd();
  const __m512i one = _mm512_set1_epi64(1);
  const __m512i below_zero = _mm512_set1_epi64(static_cast<long long>(0x8000000000000001U));
  constexpr int kXor3 = 0x96;  // ternary-logic truth table of a ^ b ^ c

  for (std::size_t j = 0; j < kChunk; j += kLanes * kGroups) {
    __m512i x0[kGroups], x1[kGroups], x2[kGroups], x3[kGroups];
    for (std::size_t g = 0; g < kGroups; ++g) {
      const __m512i row = _mm512_add_epi64(
          _mm512_set1_epi64(static_cast<long long>(first_row + j + g * kLanes)), lane);
      // Round 1 with word 2 (the attempt) = 0: its product is 0.
      const __m512i p0 = _mm512_mul_epu32(row, mul0);
      x0[g] = _mm512_xor_si512(_mm512_srli_epi64(row, 32), k0[0]);
      x1[g] = _mm512_setzero_si512();
      x2[g] = _mm512_ternarylogic_epi64(high_to_low(p0), tag, k1[0], kXor3);
      x3[g] = p0;
    }
    for (std::size_t r = 1; r < kRounds; ++r) {
      for (std::size_t g = 0; g < kGroups; ++g) {
        const __m512i p0 = _mm512_mul_epu32(x0[g], mul0);
        const __m512i p1 = _mm512_mul_epu32(x2[g], mul1);
        x0[g] = _mm512_ternarylogic_epi64(high_to_low(p1), x1[g], k0[r], kXor3);
        x1[g] = p1;
        x2[g] = _mm512_ternarylogic_epi64(high_to_low(p0), x3[g], k1[r], kXor3);
        x3[g] = p0;
      }
    }
    for (std::size_t g = 0; g < kGroups; ++g) {
      const std::size_t at = j + g * kLanes;
      const __m512i m = _mm512_mul_epu32(x0[g], n);
      const __mmask8 reject = _mm512_cmplt_epu64_mask(_mm512_and_si512(m, low32), threshold);
      rejected[at / kLanes] = reject;
      any_rejected |= reject;
      const __m512d v = _mm512_i64gather_pd(_mm512_srli_epi64(m, 32), source, 8);
      if constexpr (kJitter) {
        const __m512i bits = _mm512_srli_epi64(
            _mm512_or_si512(_mm512_slli_epi64(x3[g], 32), _mm512_and_si512(x2[g], low32)), 11);
        const __m512d u = _mm512_mul_pd(_mm512_cvtepi64_pd(bits), scale53);
        const __m512d value = _mm512_fmadd_pd(u, jitter_v, v);
        const __m512d top = _mm512_add_pd(v, jitter_v);
        const __mmask8 keep =
            _mm512_cmp_pd_mask(value, top, _CMP_LT_OQ) | _mm512_cmp_pd_mask(value, v, _CMP_EQ_OQ);
        const __m512i top_bits = _mm512_castpd_si512(top);
        __m512i below = _mm512_mask_blend_epi64(_mm512_cmp_pd_mask(top, zero, _CMP_LT_OQ),
                                                below_zero, _mm512_add_epi64(top_bits, one));
        below = _mm512_mask_blend_epi64(_mm512_cmp_pd_mask(top, zero, _CMP_GT_OQ), below,
                                        _mm512_sub_epi64(top_bits, one));
        _mm512_storeu_pd(out + at, _mm512_mask_blend_pd(keep, _mm512_castsi512_pd(below), value));
      } else {
        _mm512_storeu_pd(out + at, v);
      }
    }
  }
}
#pragma GCC diagnostic pop
#endif

// Recomputes a row whose first index draw was rejected (rare: probability < n / 2^32).
template <bool kJitter>
double redrawn_row(const double* source, const Bound& bound, const Key& key, std::uint64_t row,
                   double jitter) {
  const double v = source[redrawn_index(row, key, bound)];
  if constexpr (kJitter) {
    const Words w = philox_lanes(row, 0, key);
    return jittered(v, uniform53(w.w2, w.w3), jitter);
  } else {
    return v;
  }
}

template <bool kJitter>
void chunk(const double* source, const Bound& bound, const Key& key, std::uint64_t first_row,
           double jitter, double* out) {
#if defined(__AVX512F__) && defined(__AVX512DQ__)
  std::array<std::uint8_t, kChunk / kLanes> rejected;  // bit b of byte k: row k * 8 + b
  unsigned any_rejected = 0;
  chunk_avx512<kJitter>(source, bound, key, first_row, jitter, out, rejected, any_rejected);
  if (any_rejected != 0) {
    for (std::size_t j = 0; j < kChunk; ++j) {
      if (((rejected[j / kLanes] >> (j % kLanes)) & 1U) != 0) {
        out[j] = redrawn_row<kJitter>(source, bound, key, first_row + j, jitter);
      }
    }
  }
#else
  std::array<std::uint8_t, kChunk> rejected;
  unsigned any_rejected = 0;
#pragma omp simd reduction(| : any_rejected)
  for (std::size_t j = 0; j < kChunk; ++j) {
    const Words w = philox_lanes(first_row + j, 0, key);
    const std::uint64_t m = w.w0 * bound.n;
    const bool reject = (m & kLow32) < bound.threshold;
    rejected[j] = reject;
    any_rejected |= reject;
    const double v = source[m >> 32];  // in range even when rejected
    if constexpr (kJitter) {
      out[j] = jittered(v, uniform53(w.w2, w.w3), jitter);
    } else {
      out[j] = v;
    }
  }
  if (any_rejected != 0) {
    for (std::size_t j = 0; j < kChunk; ++j) {
      if (rejected[j] != 0) {
        out[j] = redrawn_row<kJitter>(source, bound, key, first_row + j, jitter);
      }
    }
  }
#endif
}

template <bool kJitter>
void all_chunks(std::span<const double> source, std::uint64_t first_row, std::span<double> out,
                const Key& key, double jitter) {
  const Bound bound = make_bound(source.size());
  std::size_t done = 0;
  for (; done + kChunk <= out.size(); done += kChunk) {
    chunk<kJitter>(source.data(), bound, key, first_row + done, jitter, out.data() + done);
  }
  if (done < out.size()) {
    std::array<double, kChunk> tail;
    chunk<kJitter>(source.data(), bound, key, first_row + done, jitter, tail.data());
    for (std::size_t j = 0; done + j < out.size(); ++j) {
      out[done + j] = tail[j];
    }
  }
}

}  // namespace

void bootstrap_rows(std::span<const double> source, std::uint64_t first_row, std::span<double> out,
                    std::uint64_t seed, double jitter) {
  check_arguments(source, jitter);
  const Key key = round_keys(seed);
  if (jitter > 0.0) {
    all_chunks<true>(source, first_row, out, key, jitter);
  } else {
    all_chunks<false>(source, first_row, out, key, jitter);
  }
}

double bootstrap_row(std::span<const double> source, std::uint64_t row, std::uint64_t seed,
                     double jitter) {
  check_arguments(source, jitter);
  const r123::Philox4x32 philox;
  const r123::Philox4x32::key_type key{
      {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  const Bound bound = make_bound(source.size());
  double u = 0.0;
  for (std::uint32_t attempt = 0;; ++attempt) {
    const r123::Philox4x32::ctr_type counter{{static_cast<std::uint32_t>(row),
                                              static_cast<std::uint32_t>(row >> 32), attempt,
                                              kBootstrapStream}};
    const auto w = philox(counter, key);
    if (attempt == 0) {
      u = uniform53(w[2], w[3]);
    }
    const std::uint64_t m = std::uint64_t{w[0]} * bound.n;
    if ((m & kLow32) >= bound.threshold) {
      const double v = source[m >> 32];
      return jitter > 0.0 ? jittered(v, u, jitter) : v;
    }
  }
}

}  // namespace modenorm::core
