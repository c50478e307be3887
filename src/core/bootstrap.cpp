#include "modenorm/core/bootstrap.hpp"

#include <Random123/philox.h>

#if defined(__AVX512F__) && defined(__AVX512DQ__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace modenorm::core {
namespace {

// The 10-round Philox4x32 that Random123 defines, written on 64-bit lanes so the compiler can
// vectorise it: each multiply is a 32x32->64 product (one vpmuludq per 8 calls on AVX-512).
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

inline Words philox_lanes(std::uint64_t pair, std::uint64_t attempt, const Key& key) {
  std::uint64_t x0 = pair & kLow32;
  std::uint64_t x1 = pair >> 32;
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

// The index word (2h) and the jitter word (2h + 1) of half h of a pair's output.
inline std::uint64_t index_word(const Words& w, std::uint64_t half) {
  return half != 0 ? w.w2 : w.w0;
}
inline std::uint64_t jitter_word(const Words& w, std::uint64_t half) {
  return half != 0 ? w.w3 : w.w1;
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

// The 32-bit uniform in [0, 1) of a jitter word (exact: a double holds 32 bits).
inline double uniform32(std::uint64_t w) {
  return static_cast<double>(static_cast<std::int64_t>(w)) * 0x1p-32;
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
    const Words w = philox_lanes(row >> 1, attempt, key);
    const std::uint64_t m = index_word(w, row & 1U) * bound.n;
    if ((m & kLow32) >= bound.threshold) {
      return m >> 32;
    }
  }
}

// Recomputes a row whose first index draw was rejected (rare: probability < n / 2^32).
template <bool kJitter>
double redrawn_row(const double* source, const Bound& bound, const Key& key, std::uint64_t row,
                   double jitter) {
  const double v = source[redrawn_index(row, key, bound)];
  if constexpr (kJitter) {
    const Words w = philox_lanes(row >> 1, 0, key);
    return jittered(v, uniform32(jitter_word(w, row & 1U)), jitter);
  } else {
    return v;
  }
}

// Rows are made in chunks of a fixed size starting at an even row (a whole number of pairs):
// the vector loop always runs the same full trip count (no scalar remainder loop whose rounding
// might differ), so a row's value cannot depend on where a caller's span starts or ends. A
// partial chunk goes through a local buffer.
constexpr std::size_t kChunk = 512;
constexpr std::size_t kPairsPerChunk = kChunk / 2;

// Which rows of a chunk drew a rejected first index: bit b of byte k is row 8k + b.
using RejectedRows = std::array<std::uint8_t, kChunk / 8>;

#if defined(__AVX512F__) && defined(__AVX512DQ__)
// The same rows with AVX-512 intrinsics: GCC vectorises the portable loop with vpmullq (a
// 64x64 multiply, 3 uops), where Philox needs only vpmuludq (32x32->64, 1 uop); written out,
// the kernel runs several times faster. A group is 8 pairs (16 rows) on 64-bit lanes; four
// independent groups are interleaved to hide the multiply latency of the 10 dependent rounds.
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

struct VectorConstants {
  __m512i low32, n, threshold;
  __m512d scale32, jitter, zero;
  __m512i one, below_zero;
};

// Eight rows of one half: the source value (rejected lanes get some in-range value, redrawn
// later) and, with jitter, the value moved up by u * J, kept below fl(v + J) as `jittered`
// does. `index_w` and `jitter_w` hold their words in the low 32 bits of each lane.
template <bool kJitter>
inline __m512d half_rows(const double* source, const VectorConstants& c, __m512i index_w,
                         __m512i jitter_w, __mmask8& rejected) {
  const __m512i m = _mm512_mul_epu32(index_w, c.n);
  rejected = _mm512_cmplt_epu64_mask(_mm512_and_si512(m, c.low32), c.threshold);
  // Eight scalar loads, not vgatherqpd: on Zen 4 the gather instruction alone cost about as
  // much as the ten Philox rounds; the loads were measured ~10 % faster for the whole kernel.
  alignas(64) std::uint64_t index[kLanes];
  alignas(64) double drawn[kLanes];
  _mm512_store_si512(index, _mm512_srli_epi64(m, 32));
  for (std::size_t lane = 0; lane < kLanes; ++lane) {
    drawn[lane] = source[index[lane]];
  }
  const __m512d v = _mm512_load_pd(drawn);
  if constexpr (!kJitter) {
    return v;
  } else {
    const __m512d u =
        _mm512_mul_pd(_mm512_cvtepi64_pd(_mm512_and_si512(jitter_w, c.low32)), c.scale32);
    const __m512d value = _mm512_fmadd_pd(u, c.jitter, v);
    const __m512d top = _mm512_add_pd(v, c.jitter);
    const __mmask8 below_top = _mm512_cmp_pd_mask(value, top, _CMP_LT_OQ);
    if (below_top == 0xff) {
      return value;  // the usual case: rounding reached fl(v + J) in no lane
    }
    const __mmask8 keep = below_top | _mm512_cmp_pd_mask(value, v, _CMP_EQ_OQ);
    const __m512i top_bits = _mm512_castpd_si512(top);
    __m512i below = _mm512_mask_blend_epi64(_mm512_cmp_pd_mask(top, c.zero, _CMP_LT_OQ),
                                            c.below_zero, _mm512_add_epi64(top_bits, c.one));
    below = _mm512_mask_blend_epi64(_mm512_cmp_pd_mask(top, c.zero, _CMP_GT_OQ), below,
                                    _mm512_sub_epi64(top_bits, c.one));
    return _mm512_mask_blend_pd(keep, _mm512_castsi512_pd(below), value);
  }
}

// Bit b of the result is bit b/2 of `even` (b even) or of `odd` (b odd): the rows of a group
// in memory order. Only used when a draw was rejected.
inline std::uint16_t interleave_bits(unsigned even, unsigned odd) {
  std::uint16_t bits = 0;
  for (unsigned b = 0; b < kLanes; ++b) {
    bits |= static_cast<std::uint16_t>((((even >> b) & 1U) << (2 * b)) |
                                       (((odd >> b) & 1U) << (2 * b + 1)));
  }
  return bits;
}

template <bool kJitter>
void chunk_avx512(const double* source, const Bound& bound, const Key& key, std::uint64_t first_row,
                  double jitter, double* out, RejectedRows& rejected, unsigned& any_rejected) {
  const VectorConstants c{
      .low32 = _mm512_set1_epi64(static_cast<long long>(kLow32)),
      .n = _mm512_set1_epi64(static_cast<long long>(bound.n)),
      .threshold = _mm512_set1_epi64(static_cast<long long>(bound.threshold)),
      .scale32 = _mm512_set1_pd(0x1p-32),
      .jitter = _mm512_set1_pd(jitter),
      .zero = _mm512_setzero_pd(),
      .one = _mm512_set1_epi64(1),
      .below_zero = _mm512_set1_epi64(static_cast<long long>(0x8000000000000001U)),
  };
  const __m512i mul0 = _mm512_set1_epi64(static_cast<long long>(kMul0));
  const __m512i mul1 = _mm512_set1_epi64(static_cast<long long>(kMul1));
  const __m512i tag = _mm512_set1_epi64(kBootstrapStream);
  const __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
  // Even rows (half 0) to lanes 0, 2, 4, ... of the output, odd rows to 1, 3, 5, ...
  const __m512i first_eight = _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0);
  const __m512i last_eight = _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4);
  __m512i k0[kRounds];  // C arrays: std::array drops the vector types' alignment attributes
  __m512i k1[kRounds];
  for (std::size_t r = 0; r < kRounds; ++r) {
    k0[r] = _mm512_set1_epi64(static_cast<long long>(key.k0[r]));
    k1[r] = _mm512_set1_epi64(static_cast<long long>(key.k1[r]));
  }
  constexpr int kXor3 = 0x96;  // ternary-logic truth table of a ^ b ^ c
  const std::uint64_t first_pair = first_row >> 1;
  // Rows go to memory with non-temporal stores when `out` allows it: a slab is far larger
  // than the caches and is next read by the disk write, so reading each line in before
  // overwriting it (what an ordinary store does) would only double the memory traffic.
  const bool aligned = reinterpret_cast<std::uintptr_t>(out) % 64 == 0;

  for (std::size_t j = 0; j < kPairsPerChunk; j += kLanes * kGroups) {
    __m512i x0[kGroups], x1[kGroups], x2[kGroups], x3[kGroups];
    for (std::size_t g = 0; g < kGroups; ++g) {
      const __m512i pair = _mm512_add_epi64(
          _mm512_set1_epi64(static_cast<long long>(first_pair + j + g * kLanes)), lane);
      // Round 1 with word 2 (the attempt) = 0: its product is 0.
      const __m512i p0 = _mm512_mul_epu32(pair, mul0);
      x0[g] = _mm512_xor_si512(_mm512_srli_epi64(pair, 32), k0[0]);
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
      const std::size_t at = 2 * (j + g * kLanes);  // the group's first row in the chunk
      __mmask8 rejected_even = 0;
      __mmask8 rejected_odd = 0;
      const __m512d even = half_rows<kJitter>(source, c, x0[g], x1[g], rejected_even);
      const __m512d odd = half_rows<kJitter>(source, c, x2[g], x3[g], rejected_odd);
      const __m512d first = _mm512_permutex2var_pd(even, first_eight, odd);
      const __m512d last = _mm512_permutex2var_pd(even, last_eight, odd);
      if (aligned) {
        _mm512_stream_pd(out + at, first);
        _mm512_stream_pd(out + at + kLanes, last);
      } else {
        _mm512_storeu_pd(out + at, first);
        _mm512_storeu_pd(out + at + kLanes, last);
      }
      if ((rejected_even | rejected_odd) != 0) {
        const std::uint16_t bits = interleave_bits(rejected_even, rejected_odd);
        rejected[at / 8] = static_cast<std::uint8_t>(bits);
        rejected[at / 8 + 1] = static_cast<std::uint8_t>(bits >> 8);
        any_rejected = 1;
      } else {
        rejected[at / 8] = 0;
        rejected[at / 8 + 1] = 0;
      }
    }
  }
}
#pragma GCC diagnostic pop
#endif

// The rows of one chunk into `rejected` and `out`, without the rare redraws.
template <bool kJitter>
void chunk_first_draws(const double* source, const Bound& bound, const Key& key,
                       std::uint64_t first_row, double jitter, double* out, RejectedRows& rejected,
                       unsigned& any_rejected) {
#if defined(__AVX512F__) && defined(__AVX512DQ__)
  chunk_avx512<kJitter>(source, bound, key, first_row, jitter, out, rejected, any_rejected);
#else
  std::array<std::uint8_t, kChunk> rejected_row;
  const std::uint64_t first_pair = first_row >> 1;
#pragma omp simd reduction(| : any_rejected)
  for (std::size_t p = 0; p < kPairsPerChunk; ++p) {
    const Words w = philox_lanes(first_pair + p, 0, key);
    const std::uint64_t m_even = w.w0 * bound.n;
    const std::uint64_t m_odd = w.w2 * bound.n;
    const bool reject_even = (m_even & kLow32) < bound.threshold;
    const bool reject_odd = (m_odd & kLow32) < bound.threshold;
    rejected_row[2 * p] = reject_even;
    rejected_row[2 * p + 1] = reject_odd;
    any_rejected |= static_cast<unsigned>(reject_even || reject_odd);
    const double v_even = source[m_even >> 32];  // in range even when rejected
    const double v_odd = source[m_odd >> 32];
    if constexpr (kJitter) {
      out[2 * p] = jittered(v_even, uniform32(w.w1), jitter);
      out[2 * p + 1] = jittered(v_odd, uniform32(w.w3), jitter);
    } else {
      out[2 * p] = v_even;
      out[2 * p + 1] = v_odd;
    }
  }
  if (any_rejected != 0) {
    rejected.fill(0);
    for (std::size_t j = 0; j < kChunk; ++j) {
      rejected[j / 8] |= static_cast<std::uint8_t>(rejected_row[j] << (j % 8));
    }
  }
#endif
}

// Rows first_row .. first_row + kChunk - 1 into out; first_row must be even.
template <bool kJitter>
void chunk(const double* source, const Bound& bound, const Key& key, std::uint64_t first_row,
           double jitter, double* out) {
  RejectedRows rejected;
  unsigned any_rejected = 0;
  chunk_first_draws<kJitter>(source, bound, key, first_row, jitter, out, rejected, any_rejected);
  if (any_rejected != 0) {
    for (std::size_t j = 0; j < kChunk; ++j) {
      if (((rejected[j / 8] >> (j % 8)) & 1U) != 0) {
        out[j] = redrawn_row<kJitter>(source, bound, key, first_row + j, jitter);
      }
    }
  }
}

// How many rows to make apart before the chunks: the chunks must start on a pair (an even
// row) and, to use non-temporal stores, at a 64-byte boundary of `out`. Both hold after the
// same number of rows only if that number has the parity of first_row; otherwise the chunks
// start on the next pair and store unaligned.
std::size_t head_rows(std::uint64_t first_row, const double* out) {
  const auto address = reinterpret_cast<std::uintptr_t>(out);
  const std::size_t parity = first_row % 2;
  if (address % sizeof(double) != 0) {
    return parity;
  }
  const std::size_t to_line = (64 - address % 64) % 64 / sizeof(double);
  return to_line % 2 == parity ? to_line : parity;
}

// Rows whose chunk would start before the span or end after it go through a local buffer.
template <bool kJitter>
void all_chunks(std::span<const double> source, std::uint64_t first_row, std::span<double> out,
                const Key& key, double jitter) {
  const Bound bound = make_bound(source.size());
  alignas(64) std::array<double, kChunk> buffer;
  std::size_t done = std::min(out.size(), head_rows(first_row, out.data()));
  if (done > 0) {
    const std::uint64_t pair_start = first_row - first_row % 2;
    chunk<kJitter>(source.data(), bound, key, pair_start, jitter, buffer.data());
    std::copy_n(buffer.begin() + static_cast<std::ptrdiff_t>(first_row - pair_start), done,
                out.begin());
  }
  for (; done + kChunk <= out.size(); done += kChunk) {
    chunk<kJitter>(source.data(), bound, key, first_row + done, jitter, out.data() + done);
  }
  if (done < out.size()) {
    chunk<kJitter>(source.data(), bound, key, first_row + done, jitter, buffer.data());
    std::copy_n(buffer.begin(), out.size() - done, out.begin() + static_cast<std::ptrdiff_t>(done));
  }
#if defined(__AVX512F__) && defined(__AVX512DQ__)
  _mm_sfence();  // the non-temporal stores are visible to whatever reads `out` next
#endif
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
  const std::uint64_t pair = row >> 1;
  const std::size_t half = row & 1U;
  double u = 0.0;
  for (std::uint32_t attempt = 0;; ++attempt) {
    const r123::Philox4x32::ctr_type counter{{static_cast<std::uint32_t>(pair),
                                              static_cast<std::uint32_t>(pair >> 32), attempt,
                                              kBootstrapStream}};
    const auto w = philox(counter, key);
    if (attempt == 0) {
      u = uniform32(w[2 * half + 1]);
    }
    const std::uint64_t m = std::uint64_t{w[2 * half]} * bound.n;
    if ((m & kLow32) >= bound.threshold) {
      const double v = source[m >> 32];
      return jitter > 0.0 ? jittered(v, u, jitter) : v;
    }
  }
}

}  // namespace modenorm::core
