// One coordinate-descent sweep of the GLM solvers (irls.cpp, multinomial.cpp):
// which coordinates it visits, and the paired visit that halves the passes
// over the rows.
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

/**
 * One coordinate-descent sweep over ``order`` with residual r under weights w
 * (glm_path.cpp, multinomial_path.cpp), two coordinates at a time but still
 * one after the other: one RowOps::pair_step applies the residual update of
 * the pair just solved and sums the next pair's gradients and weighted Gram
 * matrix over the new residual, so the second coordinate's gradient after the
 * first one's step d0 is g1 - d0 x1'Wx0. Those are glmnet's iterates up to
 * rounding, for half the passes over r and w (the sweep's memory traffic) and
 * half the team's hand-offs. visit(k, g, wsq) takes coordinate k's step from
 * its gradient g = x_k'r and curvature wsq = x_k'Wx_k and returns its
 * coefficient's change; col(k) is k's column; prefetch: stream the columns
 * of the pair after the next (sweeps_prefetch).
 */
template <class Column, class Visit>
void pair_sweep(const RowOps& rows, double* r, const double* w, const std::vector<int64_t>& order, Column col,
                bool prefetch, Visit visit) {
  const size_t m = order.size();
  auto column = [&](size_t a) -> const double* { return a < m ? col(order[a]) : nullptr; };
  auto ahead = [&](size_t a) -> const double* { return prefetch ? column(a) : nullptr; };
  double sums[5];  // the pair's gradients g0, g1 and Gram x0'Wx0, x0'Wx1, x1'Wx1
  if (m > 0) {
    rows.pair_step(r, w, nullptr, nullptr, 0.0, 0.0, column(0), column(1), ahead(2), ahead(3), sums);
  }
  for (size_t a = 0; a < m; a += 2) {
    const int64_t k0 = order[a], k1 = a + 1 < m ? order[a + 1] : -1;
    const double d0 = visit(k0, sums[0], sums[2]);
    const double d1 = k1 >= 0 ? visit(k1, sums[1] - d0 * sums[3], sums[4]) : 0.0;
    // the coordinates that moved, first in the x0 slot
    const double* x0 = d0 != 0.0 ? col(k0) : (d1 != 0.0 ? col(k1) : nullptr);
    const double* x1 = d0 != 0.0 && d1 != 0.0 ? col(k1) : nullptr;
    if (x0 || a + 2 < m) {
      rows.pair_step(r, w, x0, x1, d0 != 0.0 ? d0 : d1, d1, column(a + 2), column(a + 3), ahead(a + 4),
                     ahead(a + 5), sums);
    }
  }
}

} // namespace glmlx::detail
