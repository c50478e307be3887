// k-means for the initialisation (VGM_SPEC §3.1): deterministic k-means++ seeding on a sample,
// and the per-block partial sums of a Lloyd step so the app layer can run Lloyd over all rows
// with one all-reduce of 2K numbers (plus K far points) per step.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace modenorm::core {

// k-means++ (sklearn's greedy variant: n_local_trials = 2 + floor(ln k) candidates per centre,
// keep the one with the smallest potential). The uniforms come from Philox4x32-10 keyed by
// `seed`, so the centres depend only on (sample, k, seed). The returned order is the
// component order of the mixture. Requires sample.size() >= 1.
[[nodiscard]] std::vector<double> kmeans_plus_plus(std::span<const double> sample, int k,
                                                   std::uint64_t seed);

// A row far from its centre: a candidate new centre for an empty cluster.
struct FarPoint {
  double distance = 0.0;  // |x - centre(label)|
  double value = 0.0;
  int label = 0;
};

// Partial sums of one Lloyd step over one block of rows.
struct LloydPartial {
  std::vector<double> count;       // rows per cluster (exact below 2^53)
  std::vector<double> sum;         // sum of (x - centre_k) over the cluster (shifted: accurate)
  double inertia = 0.0;            // sum of squared distances to the nearest centre
  std::vector<FarPoint> farthest;  // the k rows farthest from their centres, in far_order
};

// Far points ordered by distance descending, then value, then label ascending: a total order,
// so merging is independent of the order of the blocks.
[[nodiscard]] bool far_order(const FarPoint& a, const FarPoint& b);

// Assigns every row to its nearest centre (ties to the lowest index) and sums per cluster.
[[nodiscard]] LloydPartial lloyd_partial_sums(std::span<const double> x,
                                              std::span<const double> centres);

// into += block (counts, sums, inertia; far points merged and cut to k).
void merge_into(LloydPartial& into, const LloydPartial& block);

struct LloydUpdate {
  std::vector<double> centres;
  double shift_squared = 0.0;  // sum over clusters of (new - old)^2, for sklearn's tol test
  int relocated = 0;           // empty clusters moved to far points
};

// New centres = cluster means. Empty clusters, in index order, take the farthest rows (the
// row leaves its old cluster's sum), as sklearn's _relocate_empty_clusters does.
[[nodiscard]] LloydUpdate lloyd_update(std::span<const double> centres, const LloydPartial& total);

struct KMeansResult {
  std::vector<double> centres;
  int iterations = 0;
};

// Serial k-means on all of x: k-means++ seeding on x, then Lloyd steps until the squared shift
// is <= 1e-4 * population variance (sklearn's data-scaled tolerance) or max_iter steps.
[[nodiscard]] KMeansResult kmeans_serial(std::span<const double> x, int k, std::uint64_t seed,
                                         int max_iter = 300);

}  // namespace modenorm::core
