// Shared pieces of the GLM path solvers (glm_path.cpp, multinomial_path.cpp):
// glmnet's preprocessing of X into a standardized column-major copy, gradients
// over it, and mapping coefficients back to the original scale.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "glmlx/glm.h"
#include "glmlx/ops.h"
#include "family/binomial.h"
#include "path/lambda_walk.h"
#include "cpu/scratch.h"
#include "cpu/team.h"

namespace glmlx::detail {

using path::BnormMaxitReached;
using path::FatalError;
using path::kNoUsablePredictor;
using path::kNonFiniteFit;
using path::MaxitReached;
using path::PmaxReached;

// Coordinate sweeps prefetch the columns after the next ones only when X is
// larger than this: columns streamed from memory then run ~2x faster, while on
// an X that stays in the last-level cache the extra instructions cost 10-25%
// (vec::dot at 5000 rows: 0.87 against 0.69 us).
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


/**
 * An uninitialized double buffer for a path's copies of X's columns: on
 * transparent huge pages where the kernel offers them, and from 1 MiB up
 * reused across paths (path_buffers, scratch.h). Written once right away, so
 * zero-filled fresh pages would only cost time: this project's VM gave no
 * huge pages, and a poisson 5000 x 200 path spent 4400 page faults (7 ms of
 * 38) on its copy of X and (then) of its active columns.
 */
class ColumnBuffer {
 public:
  ColumnBuffer() = default;
  explicit ColumnBuffer(size_t size);
  ColumnBuffer(ColumnBuffer&& o) noexcept : data_(o.data_), size_(o.size_), bytes_(o.bytes_) {
    o.data_ = nullptr;
    o.size_ = 0;
    o.bytes_ = 0;
  }
  ColumnBuffer& operator=(ColumnBuffer&& o) noexcept;
  ColumnBuffer(const ColumnBuffer&) = delete;
  ColumnBuffer& operator=(const ColumnBuffer&) = delete;
  ~ColumnBuffer();
  double* data() { return data_; }
  const double* data() const { return data_; }
  size_t size() const { return size_; }
  const double* begin() const { return data_; }
  const double* end() const { return data_ + size_; }

 private:
  double* data_ = nullptr;
  size_t size_ = 0;
  size_t bytes_ = 0;  // as allocated (the cache's key)
};

/** One path's data after glmnet's preprocessing. */
struct GlmData {
  int64_t n = 0, p = 0, K = 1;
  ColumnBuffer X;              // n x p column-major, centered (with intercept) and scaled (standardize)
  std::vector<double> w;       // n, normalized to sum 1
  std::vector<double> y;       // n x K column-major by class
  std::vector<double> offset;  // n x K, empty when absent
  std::vector<uint8_t> ju;     // p: usable (included, not constant)
  std::vector<double> vp;      // p penalty factors
  std::vector<double> lower, upper;  // p limits on the standardized scale
  std::vector<double> xm, xs;  // p centers and scales
  double sum_weights = 0.0;    // before normalization
};

/** Rows ``rows`` (all when null) of M, every column, into dst column-major (n x M.cols). */
void copy_columns(const HostMatrix& M, const int64_t* rows, int64_t n, double* dst);

GlmData prepare(const HostMatrix& X, const double* y, const double* weights, const double* offset, int64_t K,
                const int64_t* rows, int64_t nrows, const uint8_t* include, const double* penalty,
                const double* lower, const double* upper, const GlmPathSettings& s);

// abs_gradient splits its columns between a team's threads from this many
// matrix entries read (a few microseconds of gemv).
constexpr int64_t kMinSplitGradient = 16384;

/**
 * ga[j] = |x_j' r| for every usable j, or, with ``skip``, for the usable j
 * with skip[j] == 0 (the KKT check over non-candidates). One gemv when most
 * columns are wanted; with a team, the wanted columns split in two halves.
 */
void abs_gradient(const GlmData& d, const double* r, double* ga, const std::vector<uint8_t>* skip = nullptr,
                  PairTeam* team = nullptr);

/**
 * glmnet's bnorm: Newton's method for the norm b of a group's free
 * coordinates, b (al1p + al2p / sqrt(b^2 + usq)) = g, from b0. Throws
 * BnormMaxitReached after maxit iterations without |residual| <= thr.
 */
double bnorm(double b0, double al1p, double al2p, double g, double usq, double thr, int maxit);

/**
 * glmnet's chkbnds: a group update a (K) outside its box lower[k * stride] <=
 * a_k <= upper[k * stride] gets its most violating coordinate clamped to the
 * bound, the norm of the free coordinates re-solved (bnorm) and them rescaled
 * along the gradient gk (norm gkn); repeated until inside. isc (K) is scratch.
 */
void chkbnds(int64_t K, const double* gk, double gkn, double xv, const double* lower, const double* upper,
             int64_t stride, double al1, double al2, double* a, uint8_t* isc, double thr, int maxit);

/** beta_std (lmu x K x p, standardized scale) and out.a0 to the original scale, into out.beta / out.a0. */
void to_original_scale(const GlmData& d, const GlmPathSettings& s, const std::vector<double>& beta_std,
                       GlmPathResult& out, int64_t K);

using family::binomial_offset_intercept;
using family::bracketed_offset_intercept;

/**
 * A helper thread for one path's row loops (team.h), or null: when the caller
 * asks for two threads, or (path_threads 0) when the process may use a second
 * core and the loops are long enough to share: from about 4000 rows the
 * coordinate updates pay for the hand-off; on wide problems, whose KKT
 * gradients cover many columns, from RowOps::kMinSplitRows (the fused
 * update-and-gradient kernel took 1.5 us on two threads against 2.1 us on one
 * at 2000 rows, and gained nothing at 1000). Null too when no thread can be had.
 */
std::unique_ptr<PairTeam> path_team(const GlmPathSettings& s, int64_t n, int64_t p);

/** glmnet's multinomial path (multinomial_path.cpp); y is n x K class indicators or proportions. */
GlmPathResult multinomial_path(const HostMatrix& X, const double* y, int64_t K, const double* weights,
                               const double* offset, const int64_t* rows, int64_t nrows, const uint8_t* include,
                               const double* penalty, const double* lower, const double* upper,
                               const double* user_lambdas, int64_t n_user, const GlmPathSettings& s);

} // namespace glmlx::detail
