#include <algorithm>

#include "modenorm/core/estep.hpp"

namespace modenorm::core {

SufficientStats estep_blocks(std::span<const double> x, const EStepTables& tables,
                             std::size_t block_rows) {
  SufficientStats total = make_empty_stats(tables.shift);
  for (std::size_t begin = 0; begin < x.size(); begin += block_rows) {
    const std::size_t rows = std::min(block_rows, x.size() - begin);
    merge_into(total, estep_block(x.subspan(begin, rows), tables));
  }
  return total;
}

}  // namespace modenorm::core
