#pragma once
// Neumaier's compensated summation: for the sums whose accuracy matters more than their speed
// (the reference E-step that judges the fast kernel, the distinct-value table whose terms span
// many orders of magnitude).

#include <cmath>

namespace modenorm::core {

struct CompensatedSum {
  double sum = 0.0;
  double compensation = 0.0;
  void add(double v) {
    const double t = sum + v;
    compensation += std::abs(sum) >= std::abs(v) ? (sum - t) + v : (v - t) + sum;
    sum = t;
  }
  [[nodiscard]] double value() const { return sum + compensation; }
};

}  // namespace modenorm::core
