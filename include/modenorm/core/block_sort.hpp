// Sorting a block of rows for the fit (DESIGN §4: the fit's sums are order-free, so a block may
// be reordered; sorted tiles span narrow ranges and skip most components in the E-step).
#pragma once

#include <span>

namespace modenorm::core {

// Sorts the values ascending (-0.0 before +0.0; NaNs, which the fit rejects earlier, by their
// sign and bits) with an LSD radix sort over the 64-bit patterns: 8 passes of 8 bits, passes
// whose digit is the same for every value skipped. Allocates one scratch buffer of the size.
void sort_block_for_fit(std::span<double> values);

}  // namespace modenorm::core
