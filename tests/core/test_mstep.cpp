#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "modenorm/core/final_attributes.hpp"
#include "modenorm/core/hard_assignment.hpp"
#include "modenorm/core/lower_bound.hpp"
#include "modenorm/core/mstep.hpp"
#include "modenorm/core/special_functions.hpp"

namespace modenorm::core {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

// Rows 0 and 1 in component 0 (shift 0), row 10.5 in component 1 (shift 10).
SufficientStats two_component_stats() {
  SufficientStats s = make_empty_stats((Eigen::ArrayXd(2) << 0.0, 10.0).finished());
  s.R << 2.0, 1.0;
  s.T1 << 1.0, 0.5;
  s.T2 << 1.0, 0.25;
  s.rows = 3;
  return s;
}

Priors hand_priors() {
  Priors p;
  p.alpha0 = 0.001;
  p.beta0 = 1.0;
  p.m0 = 11.5 / 3.0;
  p.nu0 = 1.0;
  p.psi0 = 28.583333333333332;  // sample variance of {0, 1, 10.5}
  return p;
}

TEST(MStep, ComponentMomentsFromShiftedSums) {
  const ComponentMoments m = component_moments(two_component_stats());
  EXPECT_EQ(m.N[0], 2.0 + 10 * kEps);
  EXPECT_EQ(m.N[1], 1.0 + 10 * kEps);
  EXPECT_NEAR(m.xbar[0], 0.5, 1e-15);
  EXPECT_EQ(m.xbar[1], 10.5 / (1.0 + 10 * kEps));  // divided by the eps-inflated N (§5.1)
  EXPECT_NEAR(m.D[0], 0.5, 1e-14);
  EXPECT_NEAR(m.D[1], 0.0, 1e-14);
  EXPECT_GE(m.D[1], 0.0);  // clamped, never negative
}

TEST(MStep, HandComputedPosterior) {
  const Priors pr = hand_priors();
  const Params p = m_step(two_component_stats(), pr, FitSettings{});
  // VGM_SPEC §5.2 with N = {2, 1} (the 10 eps shift the values by ~1e-15 only).
  EXPECT_NEAR(p.a[0], 3.0, 1e-14);
  EXPECT_NEAR(p.a[1], 2.0, 1e-14);
  EXPECT_NEAR(p.b[0], 1.001, 1e-14);
  EXPECT_EQ(p.b[1], 0.001);  // the last stick's b is alpha0 exactly
  EXPECT_NEAR(p.beta[0], 3.0, 1e-14);
  EXPECT_NEAR(p.beta[1], 2.0, 1e-14);
  EXPECT_NEAR(p.m[0], (pr.m0 + 2 * 0.5) / 3.0, 1e-14);
  EXPECT_NEAR(p.m[1], (pr.m0 + 10.5) / 2.0, 1e-14);
  EXPECT_NEAR(p.nu[0], 3.0, 1e-14);
  const double c0 = (pr.psi0 + 2 * (0.25 + 1e-6) + (2.0 / 3.0) * std::pow(0.5 - pr.m0, 2)) / 3.0;
  const double c1 = (pr.psi0 + 1 * (0.0 + 1e-6) + (1.0 / 2.0) * std::pow(10.5 - pr.m0, 2)) / 2.0;
  EXPECT_NEAR(p.C[0], c0, 1e-13 * c0);
  EXPECT_NEAR(p.C[1], c1, 1e-13 * c1);
  EXPECT_NEAR(p.P[0], 1.0 / std::sqrt(c0), 1e-14);
}

TEST(MStep, ShiftedSumsKeepNarrowComponentsFarFromZero) {
  // 1e6 + 0.001 * i: the raw-moment identity S2 - S1^2/N loses every digit of D here.
  std::vector<double> x;
  for (int i = 0; i < 1000; ++i) x.push_back(1e6 + 0.001 * (i % 10));
  const std::vector<double> means = {1e6 + 0.004};
  const ComponentMoments m = component_moments(hard_assignment_stats(x, means));
  double direct = 0.0;
  for (const double v : x) direct += std::pow(v - m.xbar[0], 2);
  EXPECT_NEAR(m.D[0] / direct, 1.0, 1e-9);
}

TEST(MStep, EmptyComponentsTakeThePrior) {
  SufficientStats s = make_empty_stats(Eigen::ArrayXd::Zero(3));
  s.R << 5.0, 0.0, 0.0;
  s.T1 << 0.0, 0.0, 0.0;
  s.T2 << 2.0, 0.0, 0.0;
  const Priors pr = hand_priors();
  const Params p = m_step(s, pr, FitSettings{});
  EXPECT_NEAR(p.m[1], pr.m0, 1e-12);
  EXPECT_NEAR(p.C[1], pr.psi0, 1e-9 * pr.psi0);
  EXPECT_NEAR(p.b[0], 0.001 + 20 * kEps, 1e-18);
  EXPECT_TRUE(std::isfinite(p.P[2]));
}

TEST(LowerBound, MatchesTheSimplifiedForm) {
  const Params p = m_step(two_component_stats(), hand_priors(), FitSettings{});
  const double H = -0.75;
  double expected = -H;
  for (int k = 0; k < 2; ++k) {
    // VGM_SPEC §6.1, second form.
    expected += log_gamma(p.nu[k] / 2) - (p.nu[k] / 2) * std::log(p.nu[k] * p.C[k] / 2) +
                log_beta(p.a[k], p.b[k]) - 0.5 * std::log(p.beta[k]);
  }
  EXPECT_NEAR(lower_bound(p, H), expected, 1e-13 * std::abs(expected));
}

TEST(Convergence, AbsoluteAndPerRow) {
  FitSettings s;
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(has_converged(-100.0, -inf, 1000, s));
  EXPECT_TRUE(has_converged(-100.0, -100.0009, 1000, s));
  EXPECT_FALSE(has_converged(-100.0, -100.0011, 1000, s));
  s.tol_mode = ToleranceMode::per_row;
  EXPECT_TRUE(has_converged(-100.0, -100.9, 1000, s));   // 0.9 / 1000 < 1e-3
  EXPECT_FALSE(has_converged(-100.0, -101.1, 1000, s));  // 1.1 / 1000 > 1e-3
  EXPECT_FALSE(has_converged(-100.0, -inf, 1000, s));
}

TEST(FinalAttributes, WeightsAreRenormalisedStickLengths) {
  Params p;
  p.a = (Eigen::ArrayXd(3) << 3.0, 2.0, 1.0).finished();
  p.b = (Eigen::ArrayXd(3) << 1.0, 2.0, 0.001).finished();
  p.C = (Eigen::ArrayXd(3) << 4.0, 9.0, 0.25).finished();
  // wt = 3/4, 2/4 * 1/4, 1/1.001 * 1/4 * 2/4
  const double w0 = 0.75, w1 = 0.125, w2 = 0.125 / 1.001;
  const Eigen::ArrayXd w = mixture_weights(p);
  const double total = w0 + w1 + w2;
  EXPECT_NEAR(w[0], w0 / total, 1e-16);
  EXPECT_NEAR(w[1], w1 / total, 1e-16);
  EXPECT_NEAR(w[2], w2 / total, 1e-16);
  const Eigen::ArrayXd sd = component_stds(p);
  EXPECT_EQ(sd[0], 2.0);
  EXPECT_EQ(sd[1], 3.0);
  EXPECT_EQ(sd[2], 0.5);
}

TEST(FinalAttributes, ValidComponentRules) {
  const Eigen::ArrayXd w = (Eigen::ArrayXd(4) << 0.6, 0.005, 0.3, 0.095).finished();
  EXPECT_EQ(valid_components(w, 0.005, {}), (std::vector<bool>{true, false, true, true}));
  const std::vector<std::uint64_t> counts = {10, 3, 7, 0};
  EXPECT_EQ(valid_components(w, 0.005, counts), (std::vector<bool>{true, false, true, false}));
}

}  // namespace
}  // namespace modenorm::core
