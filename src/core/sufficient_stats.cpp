#include <stdexcept>

#include "modenorm/core/vgm_types.hpp"

namespace modenorm::core {

SufficientStats make_empty_stats(const Eigen::ArrayXd& shifts) {
  const Eigen::Index k = shifts.size();
  SufficientStats s;
  s.R = Eigen::ArrayXd::Zero(k);
  s.T1 = Eigen::ArrayXd::Zero(k);
  s.T2 = Eigen::ArrayXd::Zero(k);
  s.c = shifts;
  return s;
}

void merge_into(SufficientStats& into, const SufficientStats& block) {
  if (into.c.size() != block.c.size() || !(into.c == block.c).all()) {
    throw std::invalid_argument("merge_into: sufficient statistics use different shifts");
  }
  into.R += block.R;
  into.T1 += block.T1;
  into.T2 += block.T2;
  into.H += block.H;
  into.sum_log_norm += block.sum_log_norm;
  into.rows += block.rows;
}

}  // namespace modenorm::core
