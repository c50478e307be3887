#include "modenorm/core/moments.hpp"

#include <algorithm>

namespace modenorm::core {

double DataMoments::sample_variance() const {
  return count < 2 ? 0.0 : m2 / static_cast<double>(count - 1);
}

double DataMoments::population_variance() const {
  return count == 0 ? 0.0 : m2 / static_cast<double>(count);
}

DataMoments moments_of_block(std::span<const double> values) {
  DataMoments out;
  if (values.empty()) return out;
  out.count = values.size();
  out.min = values.front();
  out.max = values.front();
  double sum = 0.0;
  for (const double v : values) {
    sum += v;
    out.min = std::min(out.min, v);
    out.max = std::max(out.max, v);
  }
  out.sum = sum;
  out.mean = sum / static_cast<double>(out.count);
  // Second pass about the block mean; the residual sum corrects the rounding of the mean
  // (the "corrected two-pass" algorithm of Chan, Golub & LeVeque).
  double m2 = 0.0;
  double residual = 0.0;
  for (const double v : values) {
    const double d = v - out.mean;
    m2 += d * d;
    residual += d;
  }
  const auto n = static_cast<double>(out.count);
  out.m2 = std::max(0.0, m2 - residual * residual / n);
  out.mean += residual / n;  // the same correction, applied to the rounded mean
  return out;
}

DataMoments combine(const DataMoments& first, const DataMoments& second) {
  if (first.count == 0) return second;
  if (second.count == 0) return first;
  DataMoments out;
  out.count = first.count + second.count;
  const double n_a = static_cast<double>(first.count);
  const double n_b = static_cast<double>(second.count);
  const double n = static_cast<double>(out.count);
  const double delta = second.mean - first.mean;
  out.mean = first.mean + delta * (n_b / n);
  out.m2 = first.m2 + second.m2 + delta * delta * (n_a * n_b / n);
  out.min = std::min(first.min, second.min);
  out.max = std::max(first.max, second.max);
  out.sum = first.sum + second.sum;
  return out;
}

Priors priors_from_moments(const DataMoments& moments, const FitSettings& settings) {
  Priors p;
  p.alpha0 = settings.weight_concentration_prior;
  p.beta0 = settings.mean_precision_prior;
  p.m0 = moments.mean;
  p.nu0 = 1.0;  // n_features
  p.psi0 = moments.sample_variance();
  return p;
}

}  // namespace modenorm::core
