#include "modenorm/core/kmeans.hpp"

#include <Random123/philox.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

namespace modenorm::core {
namespace {

// Uniform doubles in [0, 1) from Philox4x32-10: counter = draw number, key = seed. Each call
// yields two 53-bit doubles.
class PhiloxUniforms {
 public:
  explicit PhiloxUniforms(std::uint64_t seed)
      : key_{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}} {}

  double next() {
    if (buffered_ == 0) refill();
    return buffer_[static_cast<std::size_t>(--buffered_)];
  }

 private:
  void refill() {
    const r123::Philox4x32::ctr_type ctr{{static_cast<std::uint32_t>(counter_),
                                          static_cast<std::uint32_t>(counter_ >> 32), 0U,
                                          0x6b6d7070U /* "kmpp": keeps this stream apart */}};
    ++counter_;
    const auto out = generator_(ctr, key_);
    for (std::size_t i = 0; i < 2; ++i) {
      const std::uint64_t bits = (static_cast<std::uint64_t>(out[2 * i]) << 32) | out[2 * i + 1];
      // Slots are consumed from the back, so store the first draw last.
      buffer_[1 - i] = static_cast<double>(bits >> 11) * 0x1p-53;
    }
    buffered_ = 2;
  }

  r123::Philox4x32 generator_;
  r123::Philox4x32::key_type key_;
  std::uint64_t counter_ = 0;
  std::array<double, 2> buffer_{};
  int buffered_ = 0;
};

double squared(double v) { return v * v; }

}  // namespace

std::vector<double> kmeans_plus_plus(std::span<const double> sample, int k, std::uint64_t seed) {
  if (sample.empty() || k < 1) throw std::invalid_argument("kmeans_plus_plus: empty sample");
  const std::size_t n = sample.size();
  const int local_trials = 2 + static_cast<int>(std::floor(std::log(static_cast<double>(k))));
  PhiloxUniforms uniforms(seed);
  const auto index_of = [n](double u) {
    return std::min(n - 1, static_cast<std::size_t>(u * static_cast<double>(n)));
  };

  std::vector<double> centres;
  centres.reserve(static_cast<std::size_t>(k));
  centres.push_back(sample[index_of(uniforms.next())]);
  std::vector<double> closest(n), cumulative(n), candidate_closest(n), best_closest(n);
  for (std::size_t i = 0; i < n; ++i) closest[i] = squared(sample[i] - centres[0]);

  for (int c = 1; c < k; ++c) {
    double running = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      running += closest[i];
      cumulative[i] = running;
    }
    const double potential = running;
    double best_potential = std::numeric_limits<double>::infinity();
    std::size_t best_index = 0;
    for (int t = 0; t < local_trials; ++t) {
      // First index whose cumulative potential is >= the draw (searchsorted 'left').
      const double target = uniforms.next() * potential;
      const auto it = std::lower_bound(cumulative.begin(), cumulative.end(), target);
      const std::size_t candidate =
          std::min(n - 1, static_cast<std::size_t>(it - cumulative.begin()));
      double candidate_potential = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        candidate_closest[i] = std::min(closest[i], squared(sample[i] - sample[candidate]));
        candidate_potential += candidate_closest[i];
      }
      if (candidate_potential < best_potential) {  // strict: first candidate wins ties
        best_potential = candidate_potential;
        best_index = candidate;
        best_closest.swap(candidate_closest);
      }
    }
    centres.push_back(sample[best_index]);
    closest.swap(best_closest);
  }
  return centres;
}

bool far_order(const FarPoint& a, const FarPoint& b) {
  if (a.distance != b.distance) return a.distance > b.distance;
  if (a.value != b.value) return a.value < b.value;
  return a.label < b.label;
}

namespace {

// Keeps the `limit` first points in far_order.
void keep_farthest(std::vector<FarPoint>& points, std::size_t limit) {
  std::sort(points.begin(), points.end(), far_order);
  if (points.size() > limit) points.resize(limit);
}

}  // namespace

LloydPartial lloyd_partial_sums(std::span<const double> x, std::span<const double> centres) {
  const std::size_t k = centres.size();
  LloydPartial out;
  out.count.assign(k, 0.0);
  out.sum.assign(k, 0.0);
  for (const double v : x) {
    std::size_t best = 0;
    double best_distance = std::abs(v - centres[0]);
    for (std::size_t c = 1; c < k; ++c) {
      const double distance = std::abs(v - centres[c]);
      if (distance < best_distance) {
        best_distance = distance;
        best = c;
      }
    }
    out.count[best] += 1.0;
    out.sum[best] += v - centres[best];
    out.inertia += best_distance * best_distance;
    // Track the k farthest rows cheaply: only sort when the candidate list doubles.
    if (out.farthest.size() < k || best_distance >= out.farthest.back().distance) {
      out.farthest.push_back({best_distance, v, static_cast<int>(best)});
      if (out.farthest.size() >= 2 * k)
        keep_farthest(out.farthest, k);
      else
        std::sort(out.farthest.begin(), out.farthest.end(), far_order);
    }
  }
  keep_farthest(out.farthest, k);
  return out;
}

void merge_into(LloydPartial& into, const LloydPartial& block) {
  if (into.count.empty()) {
    into = block;
    return;
  }
  for (std::size_t c = 0; c < into.count.size(); ++c) {
    into.count[c] += block.count[c];
    into.sum[c] += block.sum[c];
  }
  into.inertia += block.inertia;
  into.farthest.insert(into.farthest.end(), block.farthest.begin(), block.farthest.end());
  keep_farthest(into.farthest, into.count.size());
}

LloydUpdate lloyd_update(std::span<const double> centres, const LloydPartial& total) {
  const std::size_t k = centres.size();
  std::vector<double> count = total.count;
  std::vector<double> sum = total.sum;  // shifted by the old centres
  LloydUpdate out;
  out.centres.assign(centres.begin(), centres.end());
  std::vector<bool> relocated(k, false);
  std::size_t next_far = 0;
  for (std::size_t c = 0; c < k; ++c) {
    if (count[c] > 0.0 || next_far >= total.farthest.size()) continue;
    const FarPoint& far = total.farthest[next_far++];
    const auto from = static_cast<std::size_t>(far.label);
    if (count[from] <= 1.0) continue;  // never empty another cluster
    count[from] -= 1.0;
    sum[from] -= far.value - centres[from];
    out.centres[c] = far.value;
    relocated[c] = true;
    ++out.relocated;
  }
  for (std::size_t c = 0; c < k; ++c) {
    if (count[c] > 0.0 && !relocated[c]) {
      out.centres[c] = centres[c] + sum[c] / count[c];
    }
    out.shift_squared += squared(out.centres[c] - centres[c]);
  }
  return out;
}

KMeansResult kmeans_serial(std::span<const double> x, int k, std::uint64_t seed, int max_iter) {
  KMeansResult result;
  result.centres = kmeans_plus_plus(x, k, seed);
  double mean = 0.0;
  for (const double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  double variance = 0.0;
  for (const double v : x) variance += squared(v - mean);
  variance /= static_cast<double>(x.size());
  const double tolerance = 1e-4 * variance;
  for (int it = 0; it < max_iter; ++it) {
    const LloydPartial partial = lloyd_partial_sums(x, result.centres);
    LloydUpdate update = lloyd_update(result.centres, partial);
    result.centres = std::move(update.centres);
    result.iterations = it + 1;
    if (update.shift_squared <= tolerance && update.relocated == 0) break;
  }
  return result;
}

}  // namespace modenorm::core
