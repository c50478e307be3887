// Bootstrap resampling of a small source column to any number of rows (`modenorm scale`).
//
// Row i (global, 0-based) depends only on (source, seed, jitter, i): it is drawn with
// Random123's Philox4x32-10 keyed by the seed, with the row's pair index as the counter. So any
// rank can generate any contiguous range of rows, and the output is bit-identical whatever the
// rank count or slab size.
//
// The stream, precisely (so other tools can reproduce it). Each Philox call serves two rows:
// rows 2p and 2p + 1 share counter p, the first taking output words 0 and 1, the second words 2
// and 3 (half the Philox work of one call per row, which bounded generation speed).
//   p, h    = i >> 1, i & 1                 (pair, half)
//   key     = {seed & 0xffffffff, seed >> 32}
//   counter = {p & 0xffffffff, p >> 32, attempt, kBootstrapStream}
//   index   : Lemire's multiply-shift on word 2h of attempt 0, m = w * n (64-bit); the draw is
//             rejected when (m mod 2^32) < (2^32 - n) mod n, which makes every index exactly
//             equally likely; a rejected draw is redrawn from word 2h of attempt 1, 2, ...
//             index = m >> 32.
//   jitter  : u = w * 2^-32 with w = word 2h + 1 of attempt 0 (a 32-bit uniform in [0, 1),
//             exact in a double); value = fma(u, J, source[index]), then lowered to the largest
//             double below source[index] + J if rounding reached it. J = 0 copies
//             source[index] exactly (a pure bootstrap).
// The jitter's 2^32 steps of J * 2^-32 (1.2e-12 for J = 0.005) are finer than the data needs;
// 1e9 rows jittered by 0.005 from the credit amounts repeat a value in ~5.7e5 pairs of rows
// (0.06 %, mostly on the most frequent amounts), against 12,531 distinct values unjittered.
#pragma once

#include <cstdint>
#include <span>

namespace modenorm::core {

// Counter word 3 of every bootstrap draw ("scal"): keeps this stream apart from the other
// Philox streams of the project (k-means seeding, the transform's mode sampling) even when
// the user passes them the same seed.
inline constexpr std::uint32_t kBootstrapStream = 0x7363616cU;

// Names the stream above in the files `scale` writes (attribute `generator`), so a file says
// how its rows were drawn: an earlier stream drew one row per Philox call.
inline constexpr const char* kBootstrapGenerator =
    "Philox4x32-10 keyed by the seed; rows 2p and 2p+1 from counter {p, attempt, 'scal'}, "
    "words 0-1 and 2-3 (index by Lemire's rejection, 32-bit jitter)";

// Fills out[j] with bootstrap row first_row + j, for every j. Requires 1 <= source.size() <
// 2^32 and jitter finite and >= 0 (std::invalid_argument otherwise). Source values must be
// finite; that is not checked here, on every call, but once by the caller. Vectorised: costs
// little more than writing `out` to memory.
void bootstrap_rows(std::span<const double> source, std::uint64_t first_row, std::span<double> out,
                    std::uint64_t seed, double jitter);

// Row `row` computed one at a time straight from Random123 (the reference the fast path is
// tested against). Same requirements as bootstrap_rows.
[[nodiscard]] double bootstrap_row(std::span<const double> source, std::uint64_t row,
                                   std::uint64_t seed, double jitter);

}  // namespace modenorm::core
