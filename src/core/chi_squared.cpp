#include "modenorm/core/chi_squared.hpp"

#include <Eigen/Dense>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "modenorm/core/special_functions.hpp"

namespace modenorm::core {
namespace {

// P(a, x) by its series: x^a e^-x / Gamma(a + 1) * sum_n x^n / ((a + 1) ... (a + n)).
double lower_gamma_series(double a, double x) {
  double term = 1.0 / a;
  double sum = term;
  for (int n = 1; n < 100000; ++n) {
    term *= x / (a + n);
    sum += term;
    if (std::abs(term) < std::abs(sum) * 1e-16) break;
  }
  return sum * std::exp(-x + a * std::log(x) - log_gamma(a));
}

// Q(a, x) by Legendre's continued fraction, evaluated with the modified Lentz method.
double upper_gamma_fraction(double a, double x) {
  constexpr double kTiny = 1e-300;
  double b = x + 1.0 - a;
  double c = 1.0 / kTiny;
  double d = 1.0 / b;
  double h = d;
  for (int n = 1; n < 100000; ++n) {
    const double an = -n * (n - a);
    b += 2.0;
    d = an * d + b;
    if (std::abs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::abs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::abs(delta - 1.0) < 1e-16) break;
  }
  return std::exp(-x + a * std::log(x) - log_gamma(a)) * h;
}

}  // namespace

double chi_squared_survival(double statistic, double degrees_of_freedom) {
  if (!(degrees_of_freedom > 0)) {
    throw std::invalid_argument("chi_squared_survival: degrees of freedom must be positive");
  }
  if (std::isnan(statistic)) return std::numeric_limits<double>::quiet_NaN();
  if (statistic <= 0) return 1.0;
  const double a = 0.5 * degrees_of_freedom;
  const double x = 0.5 * statistic;
  if (x < a + 1.0) return 1.0 - lower_gamma_series(a, x);
  return upper_gamma_fraction(a, x);
}

ChiSquaredTest categorical_counts_test(std::span<const std::uint64_t> observed,
                                       std::span<const double> expected,
                                       std::span<const double> second_moments) {
  const auto v = observed.size();
  if (expected.size() != v || second_moments.size() != v * v) {
    throw std::invalid_argument("categorical_counts_test: sizes do not match");
  }
  ChiSquaredTest test;
  if (v < 2) return test;
  const auto m = static_cast<Eigen::Index>(v - 1);
  Eigen::MatrixXd covariance(m, m);
  Eigen::VectorXd difference(m);
  for (Eigen::Index j = 0; j < m; ++j) {
    const auto uj = static_cast<std::size_t>(j);
    difference[j] = static_cast<double>(observed[uj]) - expected[uj];
    for (Eigen::Index k = 0; k < m; ++k) {
      const auto uk = static_cast<std::size_t>(k);
      covariance(j, k) = (j == k ? expected[uj] : 0.0) - second_moments[uj * v + uk];
    }
  }
  // Semi-definite when a category has (almost) no variance: a pseudo-inverse through the
  // eigen-decomposition drops those directions and their degrees of freedom.
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(covariance);
  const Eigen::VectorXd values = eigen.eigenvalues();
  const double cutoff = 1e-9 * std::max(values.maxCoeff(), 0.0);
  const Eigen::VectorXd projected = eigen.eigenvectors().transpose() * difference;
  double statistic = 0.0;
  int rank = 0;
  for (Eigen::Index j = 0; j < m; ++j) {
    if (values[j] > cutoff && values[j] > 0) {
      statistic += projected[j] * projected[j] / values[j];
      ++rank;
    }
  }
  test.statistic = statistic;
  test.degrees_of_freedom = rank;
  test.p_value = rank > 0 ? chi_squared_survival(statistic, rank) : 1.0;
  return test;
}

}  // namespace modenorm::core
