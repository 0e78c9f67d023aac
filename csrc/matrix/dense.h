// X as the GLM solvers hold it (matrix/dense.cpp): glmnet's standardized
// column-major copy of the rows fitted, with the data that goes with it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "cpu/scratch.h"
#include "cpu/blas.h"
#include "cpu/response_kernels.h"
#include "cpu/team.h"
#include "cpu/vec.h"
#include "glmlx/glm.h"
#include "glmlx/ops.h"

namespace glmlx::detail {

/**
 * An uninitialized double buffer for a path's copies of X's columns: on
 * transparent huge pages where the kernel offers them, and from 1 MiB up
 * reused across paths (path_buffers, scratch.h). Written once right away, so
 * zero-filled fresh pages would only cost time (a page fault each where the
 * kernel gives no huge pages).
 */
class ColumnBuffer {
 public:
  ColumnBuffer() = default;
  explicit ColumnBuffer(size_t size) : buf_(path_buffers(), size * sizeof(double)), size_(size) {}
  double* data() { return static_cast<double*>(buf_.get()); }
  const double* data() const { return static_cast<const double*>(buf_.get()); }
  size_t size() const { return size_; }
  const double* begin() const { return data(); }
  const double* end() const { return data() + size_; }

 private:
  KeptBuffer buf_;
  size_t size_ = 0;
};

/**
 * X as a GLM solver reads it: glmnet's standardized column-major copy (n x p)
 * and every operation the solvers ask of it, so that no solver handles a
 * pointer into X. The sweeps (pair_sweep), the K-column kernels of the grouped
 * solvers, the weighted sum of squares of a column, a row's linear predictor,
 * and combinations of columns; with abs_gradient (the KKT gradients, below)
 * this is X's whole interface. A sparse X is to be a second implementation
 * with the same members (centering and scaling on the fly).
 */
class DenseColumns {
 public:
  DenseColumns(const double* X, int64_t n, int64_t p) : X_(X), n_(n), p_(p) {}
  int64_t rows() const { return n_; }
  int64_t cols() const { return p_; }

  double wsumsq(const double* w, int64_t k) const { return vec::wsumsq(w, col(k), size_t(n_)); }

  // f + sum_a x_{i, cols[a]} b[a], summed in the order of cols.
  double add_row_dot(double f, int64_t i, const std::vector<int64_t>& cols, const double* b) const {
    for (size_t a = 0; a < cols.size(); ++a) {
      f += X_[cols[a] * n_ + i] * b[a];
    }
    return f;
  }

  // y -= sum_a x_{ks[a]} c[a] (vec::axpy_neg_cols; with ``rows``, split as RowOps splits it).
  void axpy_neg_cols(double* y, const std::vector<int64_t>& ks, const std::vector<double>& c) const {
    vec::axpy_neg_cols(y, gather(ks), c.data(), ks.size(), size_t(n_));
  }
  void axpy_neg_cols(const RowOps& rows, double* y, const std::vector<int64_t>& ks,
                     const std::vector<double>& c) const {
    rows.axpy_neg_cols(y, gather(ks), c.data(), ks.size());
  }

  // The K-column kernels (R: n x K residuals, class-major): out = R'x_k; R -= w x_k d'; and both at once,
  // the update by column ka and the products with column kb (vec.h).
  void dot_multi(int64_t k, const double* R, int64_t K, double* out) const {
    vec::dot_multi(R, size_t(n_), size_t(K), col(k), size_t(n_), out);
  }
  void axpy_wneg_multi(int64_t k, double* R, int64_t K, const double* w, const double* d) const {
    vec::axpy_wneg_multi(R, size_t(n_), size_t(K), w, col(k), d, size_t(n_));
  }
  void axpy_wneg_dot_multi(int64_t ka, double* R, int64_t K, const double* w, const double* d, int64_t kb,
                           double* out) const {
    vec::axpy_wneg_dot_multi(R, size_t(n_), size_t(K), w, col(ka), d, col(kb), size_t(n_), out);
  }

  // out (js.size() x K, row-major) = x_j'R_c for the columns js (the KKT gradients of the grouped solvers).
  void gradients_multi(const std::vector<int64_t>& js, const double* R, int64_t K, double* out) const {
    for (size_t a = 0; a < js.size(); ++a) {
      dot_multi(js[a], R, K, out + a * size_t(K));
    }
  }

  // mgaussian's kernels over its K response residuals (cpu/response_kernels.h): g = R'x_k; the pair step
  // (k0, k1 updated by d0, d1; next0, next1 read; -1: none); and G (p x K) = X R' over columns [lo, hi).
  void response_grad(const ColumnKernels& kern, int64_t k, const double* R, int64_t K, double* g) const {
    kern.grad(R, n_, K, col(k), g);
  }
  void response_pair(const ColumnKernels& kern, double* R, int64_t K, int64_t k0, int64_t k1, const double* d0,
                     const double* d1, int64_t next0, int64_t next1, double* g0, double* g1, double* cross) const {
    kern.pair(R, n_, K, at(k0), at(k1), d0, d1, at(next0), at(next1), g0, g1, cross);
  }
  void response_cross(int64_t lo, int64_t hi, const double* R, int64_t K, double* G) const {
    blas::gemm(false, true, blas::Int(hi - lo), blas::Int(K), blas::Int(n_), 1.0, col(lo), blas::Int(n_), R,
               blas::Int(n_), 0.0, G + lo * K, blas::Int(K));
  }

  /**
   * One coordinate-descent sweep over ``order`` with residual r under weights
   * w (irls.cpp, multinomial.cpp), two coordinates at a time but still one
   * after the other: one RowOps::pair_step applies the residual update of the
   * pair just solved and sums the next pair's gradients and weighted Gram
   * matrix over the new residual, so the second coordinate's gradient after
   * the first one's step d0 is g1 - d0 x1'Wx0. Those are glmnet's iterates up
   * to rounding, for half the passes over r and w (the sweep's memory
   * traffic) and half the team's hand-offs. visit(k, g, wsq) takes coordinate
   * k's step from its gradient g = x_k'r and curvature wsq = x_k'Wx_k and
   * returns its coefficient's change; prefetch: stream the columns of the
   * pair after the next (sweeps_prefetch).
   */
  template <class Visit>
  void pair_sweep(const RowOps& rows, double* r, const double* w, const std::vector<int64_t>& order, bool prefetch,
                  Visit visit) const {
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

 private:
  const double* col(int64_t k) const { return X_ + k * n_; }
  const double* at(int64_t k) const { return k >= 0 ? col(k) : nullptr; }
  const double* const* gather(const std::vector<int64_t>& ks) const {
    ptrs_.clear();
    for (int64_t k : ks) {
      ptrs_.push_back(col(k));
    }
    return ptrs_.data();
  }

  const double* X_;
  int64_t n_, p_;
  mutable std::vector<const double*> ptrs_;  // gather's scratch (one solver's, one thread)
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

  using Columns = DenseColumns;
  DenseColumns columns() const { return DenseColumns(X.data(), n, p); }
};

/**
 * The rows fitted of everything but X: weights (normalized), y, offset, and
 * the per-column inputs (ju all 0, xm 0, xs 1: the caller's X part sets them).
 */
void prepare_rows(GlmData& d, int64_t N, int64_t p, const double* y, const double* weights, const double* offset,
                  int64_t K, const int64_t* rows, int64_t nrows, const double* penalty, const double* lower,
                  const double* upper);

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


/** beta_std (lmu x K x p, standardized scale) and out.a0 to the original scale, into out.beta / out.a0. */
void to_original_scale(const GlmData& d, const GlmPathSettings& s, const std::vector<double>& beta_std,
                       GlmPathResult& out, int64_t K);

} // namespace glmlx::detail
