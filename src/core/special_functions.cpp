#include "modenorm/core/special_functions.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace modenorm::core {
namespace {

// Below this the digamma recurrence is applied; above it the asymptotic series converges to
// < 1e-17 relative with the terms kept (next term ~ 1e-17 at x = 10).
constexpr double kDigammaAsymptoticFrom = 10.0;

// psi(x) ~ ln x - 1/(2x) - sum_n B_2n / (2n x^2n), x >= 10.
double digamma_asymptotic(double x) {
  const double inv2 = 1.0 / (x * x);
  // B_2n / (2n) for n = 1..8, evaluated in Horner form in 1/x^2.
  const double series =
      inv2 *
      (1.0 / 12.0 -
       inv2 * (1.0 / 120.0 -
               inv2 * (1.0 / 252.0 -
                       inv2 * (1.0 / 240.0 -
                               inv2 * (1.0 / 132.0 -
                                       inv2 * (691.0 / 32760.0 -
                                               inv2 * (1.0 / 12.0 - inv2 * 3617.0 / 8160.0)))))));
  return std::log(x) - 0.5 / x - series;
}

// Stirling correction lnG(x) - [(x - 1/2) ln x - x + ln(2 pi)/2] for x >= 16: the next term
// of the series is below 1e-21 there.
double stirling_correction(double x) {
  const double inv = 1.0 / x;
  const double inv2 = inv * inv;
  return inv * (1.0 / 12.0 -
                inv2 * (1.0 / 360.0 -
                        inv2 * (1.0 / 1260.0 -
                                inv2 * (1.0 / 1680.0 -
                                        inv2 * (1.0 / 1188.0 -
                                                inv2 * (691.0 / 360360.0 -
                                                        inv2 * (1.0 / 156.0 -
                                                                inv2 * 3617.0 / 122400.0)))))));
}

constexpr double kLogBetaAsymptoticFrom = 16.0;

// psi has its only positive root at x0 = 1.46163...; near it the recurrence subtracts two
// numbers ~2.3 to get a small result, which costs relative accuracy. On [1, 2] use the Taylor
// series about x0 instead: psi(x) = sum_n psi^(n)(x0) / n! (x - x0)^n, n = 1..40 (coefficients
// from mpmath at 50 digits; truncation < 2e-18 relative on [1, 2]).
constexpr double kDigammaRootHi = 0x1.762d86356be3fp+0;
constexpr double kDigammaRootLo = 0x1.b86a722197829p-54;
constexpr std::array<double, 40> kDigammaRootTaylor = {
    0.9676722454476212,      -0.4427631689835921,     0.258499760955651,
    -0.16394270544240652,    0.10782405069126237,     -0.07219956125645471,
    0.04880428816414311,     -0.03316112647484736,    0.022597648232218104,
    -0.01542476590494896,    0.010538791616612175,    -0.007204534386356869,
    0.004926781395729853,    -0.003369801655439328,   0.002305126326734928,
    -0.0015769367714301972,  0.0010788252019162967,   -0.0007380709389960052,
    0.000504953265834602,    -0.0003454680251063077,  0.00023635601564027053,
    -0.00016170622091974803, 0.0001106337276874741,   -7.569179582195066e-05,
    5.178575795222081e-05,   -3.5430070947659604e-05, 2.424006611860132e-05,
    -1.6584242271854135e-05, 1.134638458466385e-05,   -7.762817668462094e-06,
    5.3110609208898636e-06,  -3.6336507898010456e-06, 2.486022733129538e-06,
    -1.7008538854332607e-06, 1.1636675363548843e-06,  -7.96142543124197e-07,
    5.446941930669446e-07,   -3.7266161283438227e-07, 2.549626552021554e-07,
    -1.7443695117727745e-07,
};

double digamma_near_root(double x) {
  // x - x0 in two steps: x - kDigammaRootHi is exact (Sterbenz), so dx keeps full relative
  // accuracy even at the root.
  const double dx = (x - kDigammaRootHi) - kDigammaRootLo;
  double sum = 0.0;
  for (auto it = kDigammaRootTaylor.rbegin(); it != kDigammaRootTaylor.rend(); ++it) {
    sum = sum * dx + *it;
  }
  return sum * dx;
}

}  // namespace

double digamma(double x) {
  if (std::isnan(x)) return x;
  if (x <= 0.0) return std::numeric_limits<double>::quiet_NaN();  // not needed by the fit
  // Recurrence psi(x) = psi(x + 1) - 1/x. The correction terms are summed smallest-first
  // (largest x + i first) so that the small terms are not lost.
  if (x >= kDigammaAsymptoticFrom) return digamma_asymptotic(x);
  if (x >= 1.0 && x <= 2.0) return digamma_near_root(x);
  const int steps = static_cast<int>(std::ceil(kDigammaAsymptoticFrom - x));
  double correction = 0.0;
  for (int i = steps - 1; i >= 0; --i) correction += 1.0 / (x + static_cast<double>(i));
  return digamma_asymptotic(x + static_cast<double>(steps)) - correction;
}

double log_gamma(double x) {
  int sign = 0;
  return ::lgamma_r(x, &sign);
}

double log_beta(double a, double b) {
  const double big = std::max(a, b);
  const double small = std::min(a, b);
  if (big < kLogBetaAsymptoticFrom) {
    return log_gamma(a) + log_gamma(b) - log_gamma(a + b);
  }
  // lnG(big) - lnG(big + small)
  //   = -small ln(big) - (big + small - 1/2) log1p(small / big) + small
  //     + corr(big) - corr(big + small),
  // which involves no term of size lnG(big) (Stirling with the correction series).
  const double difference = -small * std::log(big) - (big + small - 0.5) * std::log1p(small / big) +
                            small + (stirling_correction(big) - stirling_correction(big + small));
  return log_gamma(small) + difference;
}

}  // namespace modenorm::core
