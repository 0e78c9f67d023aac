// One coordinate-descent sweep of the GLM solvers (irls.cpp, multinomial.cpp):
// which coordinates it visits and whether it prefetches X's columns. The
// paired visit itself is X's operation (DenseColumns::pair_sweep, matrix/dense.h).
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/team.h"
#include "glmlx/glm.h"

namespace glmlx::detail {

// Coordinate sweeps prefetch the columns after the next ones only when X is
// larger than this: columns streamed from memory then run faster, while on an
// X that stays in the last-level cache the extra instructions only cost time.
inline constexpr double kPrefetchFromBytes = 16.0 * (1 << 20);
inline bool sweeps_prefetch(const GlmPathSettings& s, int64_t n, int64_t p) {
  return s.prefetch > 0 || (s.prefetch < 0 && 8.0 * double(n) * double(p) > kPrefetchFromBytes);
}

// The coordinates of one sweep into ``order``: a full sweep visits the
// candidates (strong set) in column order, the others the active set in order
// of entry.
inline void sweep_order(bool full, const std::vector<uint8_t>& strong, const std::vector<int64_t>& active,
                        std::vector<int64_t>& order) {
  order.clear();
  if (full) {
    for (int64_t k = 0; k < int64_t(strong.size()); ++k) {
      if (strong[k]) {
        order.push_back(k);
      }
    }
  } else {
    order.assign(active.begin(), active.end());
  }
}

} // namespace glmlx::detail
