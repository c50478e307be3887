// The chi-squared distribution's upper tail, and the test that the mode counts of a transform
// agree with the probabilities the rows were drawn from (modenorm evaluate).
#pragma once

#include <cstdint>
#include <span>

namespace modenorm::core {

// P(X >= statistic) for X ~ chi^2(degrees_of_freedom): the regularised upper incomplete gamma
// Q(df / 2, statistic / 2), by its power series below a + 1 and its continued fraction above
// (relative error ~1e-14). 1 for statistic <= 0. Throws std::invalid_argument for df <= 0.
[[nodiscard]] double chi_squared_survival(double statistic, double degrees_of_freedom);

struct ChiSquaredTest {
  double statistic = 0.0;
  int degrees_of_freedom = 0;
  double p_value = 1.0;
};

// Row i draws category j with probability q_ij, independently of the other rows. Given the
// observed counts O_j, the expected counts E_j = sum_i q_ij and the second moments
// S_jk = sum_i q_ij q_ik (V categories; `second_moments` row-major V x V), tests O against E
// with the exact covariance of the counts, Cov(O_j, O_k) = [j = k] E_j - S_jk:
// X^2 = d' Cov^-1 d on the first V - 1 categories (the counts sum to the row count, so the
// last is redundant), chi^2 with V - 1 degrees of freedom for large counts. With identical
// rows this is Pearson's statistic; with rows of different q it is the right one (Pearson's
// would overstate the variance and hide a wrong sampler). V = 1 gives X^2 = 0, df 0, p = 1.
[[nodiscard]] ChiSquaredTest categorical_counts_test(std::span<const std::uint64_t> observed,
                                                     std::span<const double> expected,
                                                     std::span<const double> second_moments);

}  // namespace modenorm::core
