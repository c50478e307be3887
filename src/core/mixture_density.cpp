#include "modenorm/core/mixture_density.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "modenorm/core/fast_math.hpp"

namespace modenorm::core {
namespace {

constexpr std::size_t kLanes = 64;  // rows evaluated together by the vector loops

}  // namespace

PlugInMixture plug_in_mixture(const FittedModel& model) {
  PlugInMixture mixture;
  const double half_log_two_pi = 0.5 * std::log(2.0 * std::numbers::pi);
  for (Eigen::Index k = 0; k < model.weights.size(); ++k) {
    const double weight = model.weights[k];
    if (!(weight > 0)) continue;
    const double std_k = std::sqrt(model.params.C[k]);  // covariances_ (VGM_SPEC §7.2)
    mixture.log_coefficient.push_back(std::log(weight) - std::log(std_k) - half_log_two_pi);
    mixture.mean.push_back(model.params.m[k]);
    mixture.inverse_std.push_back(1.0 / std_k);
  }
  if (mixture.mean.empty()) {
    throw std::invalid_argument("plug_in_mixture: no component has a positive weight");
  }
  return mixture;
}

double log_density(double x, const PlugInMixture& mixture) {
  double best = -INFINITY;
  std::vector<double> terms(mixture.components());
  for (std::size_t k = 0; k < terms.size(); ++k) {
    const double z = (x - mixture.mean[k]) * mixture.inverse_std[k];
    terms[k] = mixture.log_coefficient[k] - 0.5 * z * z;
    best = std::max(best, terms[k]);
  }
  double sum = 0.0;
  for (const double t : terms) sum += std::exp(t - best);
  return best + std::log(sum);
}

double log_likelihood_sum(std::span<const double> x, const PlugInMixture& mixture) {
  const std::size_t components = mixture.components();
  alignas(64) std::array<double, kLanes> best{};
  alignas(64) std::array<double, kLanes> sum{};
  alignas(64) std::array<double, kLanes> total{};  // per-lane running sums, added at the end
  std::vector<std::array<double, kLanes>> terms(components);
  std::size_t begin = 0;
  for (; begin + kLanes <= x.size(); begin += kLanes) {
    const double* xs = x.data() + begin;
    best.fill(-INFINITY);
    for (std::size_t k = 0; k < components; ++k) {
      const double c = mixture.log_coefficient[k];
      const double m = mixture.mean[k];
      const double p = mixture.inverse_std[k];
      double* t = terms[k].data();
#pragma omp simd
      for (std::size_t i = 0; i < kLanes; ++i) {
        const double z = (xs[i] - m) * p;
        t[i] = c - 0.5 * z * z;
        best[i] = std::max(best[i], t[i]);
      }
    }
    sum.fill(0.0);
    for (std::size_t k = 0; k < components; ++k) {
      const double* t = terms[k].data();
#pragma omp simd
      for (std::size_t i = 0; i < kLanes; ++i) sum[i] += fast_math::exp_nonpositive(t[i] - best[i]);
    }
    // sum >= 1 (the best term contributes exp(0)), so the log is well conditioned.
#pragma omp simd
    for (std::size_t i = 0; i < kLanes; ++i) total[i] += best[i] + fast_math::log(sum[i]);
  }
  double result = 0.0;
  for (const double t : total) result += t;
  for (; begin < x.size(); ++begin) result += log_density(x[begin], mixture);
  return result;
}

}  // namespace modenorm::core
