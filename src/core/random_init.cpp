#include "modenorm/core/random_init.hpp"

#include <Random123/philox.h>
#include <Random123/uniform.hpp>

#include <cmath>
#include <vector>

namespace modenorm::core {

SufficientStats random_init_stats(std::span<const double> x, std::uint64_t first_index,
                                  const Eigen::ArrayXd& shifts, std::uint64_t seed) {
  const auto k_count = static_cast<std::size_t>(shifts.size());
  SufficientStats stats = make_empty_stats(shifts);
  const r123::Philox4x32::key_type key{
      {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  r123::Philox4x32 philox;
  std::vector<double> u(k_count);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const std::uint64_t row = first_index + i;
    // Two 32-bit words per uniform (53 bits), four words per Philox call.
    for (std::size_t k = 0; k < k_count; k += 2) {
      const r123::Philox4x32::ctr_type ctr{{static_cast<std::uint32_t>(row),
                                            static_cast<std::uint32_t>(row >> 32),
                                            static_cast<std::uint32_t>(k / 2), 0u}};
      const auto words = philox(ctr, key);
      for (std::size_t j = 0; j < 2 && k + j < k_count; ++j) {
        const std::uint64_t bits = (std::uint64_t{words[2 * j]} << 32) | words[2 * j + 1];
        // (0, 1]: a zero would give a row no weight in that component, never all of them.
        u[k + j] = r123::u01<double>(bits);
      }
    }
    double total = 0.0;
    for (const double v : u) total += v;
    for (std::size_t k = 0; k < k_count; ++k) {
      const auto kk = static_cast<Eigen::Index>(k);
      const double r = u[k] / total;
      const double d = x[i] - shifts[kk];
      stats.R[kk] += r;
      stats.T1[kk] += r * d;
      stats.T2[kk] += r * d * d;
      if (r > 0.0) stats.H += r * std::log(r);
    }
  }
  stats.rows = x.size();
  return stats;
}

}  // namespace modenorm::core
