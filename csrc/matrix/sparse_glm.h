// X as the GLM solvers hold it when it is sparse: the CSC entries of the rows
// fitted, never densified, and glmnet's centering and scaling (xm, xs) applied
// on the fly, as its sparse routines (splognet, spfishnet) do. SparseGlmColumns
// has DenseColumns' members that the IRLS solver asks for (matrix/dense.h).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "cpu/team.h"
#include "glmlx/glm.h"
#include "matrix/dense.h"

namespace glmlx::detail {

/**
 * X~ = (X - 1 xm') / xs on the CSC entries of X. A coordinate step
 * r -= d W x~_k touches every row through the centering; the sweep keeps
 * that part as a multiple t of W (r = r_stored + t W) and adds it once at the
 * sweep's end, so a visit costs the column's entries, not n.
 */
class SparseGlmColumns {
 public:
  // Entries prefetched ahead in the gathers from r and w, once those no longer fit the L2 cache (from
  // 65536 rows; below, the prefetches only cost).
  static constexpr int64_t kAhead = 16;
  static constexpr int64_t kFarRows = 65536;

  // w_obs: the path's fixed observation weights, whose sum wsumsq takes from here (the solvers ask it of
  // every column: summing w each time would cost O(n p)).
  SparseGlmColumns(const int64_t* indptr, const int32_t* indices, const double* data, int64_t n, int64_t p,
                   const double* xm, const double* xs, const double* w_obs)
      : indptr_(indptr), indices_(indices), data_(data), n_(n), p_(p), xm_(xm), xs_(xs), w_obs_(w_obs),
        sw_obs_(sum(w_obs)) {}
  int64_t rows() const { return n_; }
  int64_t cols() const { return p_; }

  // sum_i w_i x~_ik^2
  double wsumsq(const double* w, int64_t k) const {
    double xw = 0.0, xwx = 0.0;
    for (int64_t e = indptr_[k]; e < indptr_[k + 1]; ++e) {
      const double x = data_[e], wi = w[indices_[e]];
      xw += wi * x;
      xwx += wi * x * x;
    }
    const double sw = w == w_obs_ ? sw_obs_ : sum(w);
    const double m = xm_[k], s = xs_[k];
    return (xwx - 2.0 * m * xw + m * m * sw) / (s * s);
  }

  // f + sum_a x~_{i, cols[a]} b[a] (a binary search per column: rare rows only)
  double add_row_dot(double f, int64_t i, const std::vector<int64_t>& cols, const double* b) const {
    for (size_t a = 0; a < cols.size(); ++a) {
      const int64_t k = cols[a];
      f += (entry(i, k) - xm_[k]) / xs_[k] * b[a];
    }
    return f;
  }

  /**
   * One coordinate-descent sweep over ``order`` with residual r under weights
   * w, one coordinate at a time; visit(k, g, wsq) as DenseColumns::pair_sweep
   * (g = x~_k'r, wsq = x~_k'W x~_k) returns the coefficient's change.
   */
  // The sweep's O(n) loops (the sums, the centering's update at the end) run on the team's two halves of the
  // rows when it has them (RowOps).
  template <class Visit>
  void pair_sweep(const RowOps& rows, double* r, const double* w, const std::vector<int64_t>& order, bool,
                  Visit visit) const {
    if (order.empty()) {
      return;
    }
    const double sw = rows.sum(w);
    double sr = rows.sum(r);
    double t = 0.0;  // r = r_stored + t w
    const bool far = n_ >= kFarRows;
    for (const int64_t k : order) {
      double xr = 0.0, xw = 0.0, xwx = 0.0;
      const int64_t end = indptr_[k + 1];
      for (int64_t e = indptr_[k]; e < end; ++e) {
        const int64_t i = indices_[e];
        if (far && e + kAhead < end) {  // rows far apart miss the cache: ask for r and w a few entries ahead
          __builtin_prefetch(r + indices_[e + kAhead]);
          __builtin_prefetch(w + indices_[e + kAhead]);
        }
        const double x = data_[e], wx = w[i] * x;
        xr += x * r[i];
        xw += wx;
        xwx += wx * x;
      }
      const double m = xm_[k], s = xs_[k];
      const double g = (xr + t * xw - m * (sr + t * sw)) / s;
      const double wsq = (xwx - 2.0 * m * xw + m * m * sw) / (s * s);
      const double d = visit(k, g, wsq);
      if (d != 0.0) {
        const double c = d / s;
        for (int64_t e = indptr_[k]; e < indptr_[k + 1]; ++e) {
          const int64_t i = indices_[e];
          r[i] -= c * w[i] * data_[e];
        }
        sr -= c * xw;
        t += c * m;
      }
    }
    if (t != 0.0) {
      rows.axpy_neg(r, w, -t);  // r += t w
    }
  }

  // y -= sum_a x~_{ks[a]} c[a]: the entries, then the centering's constant on every row.
  void axpy_neg_cols(double* y, const std::vector<int64_t>& ks, const std::vector<double>& c) const {
    double shift = 0.0;
    for (size_t a = 0; a < ks.size(); ++a) {
      const int64_t k = ks[a];
      const double cs = c[a] / xs_[k];
      for (int64_t e = indptr_[k]; e < indptr_[k + 1]; ++e) {
        y[indices_[e]] -= cs * data_[e];
      }
      shift += cs * xm_[k];
    }
    if (shift != 0.0) {
      for (int64_t i = 0; i < n_; ++i) {
        y[i] += shift;
      }
    }
  }
  void axpy_neg_cols(const RowOps&, double* y, const std::vector<int64_t>& ks, const std::vector<double>& c) const {
    axpy_neg_cols(y, ks, c);
  }

  // The K-column kernels (R: n x K, class-major), as DenseColumns'. Each needs the classes' sums of R
  // for the centering: O(n K) per call (the grouped multinomial solver's visits).
  void dot_multi(int64_t k, const double* R, int64_t K, double* out) const {
    for (int64_t c = 0; c < K; ++c) {
      const double* Rc = R + c * n_;
      double sum = 0.0;
      for (int64_t i = 0; i < n_; ++i) {
        sum += Rc[i];
      }
      out[c] = centered_dot(k, Rc, sum);
    }
  }
  void axpy_wneg_multi(int64_t k, double* R, int64_t K, const double* w, const double* d) const {
    const double m = xm_[k], s = xs_[k];
    for (int64_t c = 0; c < K; ++c) {
      double* Rc = R + c * n_;
      const double cs = d[c] / s;
      if (cs == 0.0) {
        continue;
      }
      for (int64_t e = indptr_[k]; e < indptr_[k + 1]; ++e) {
        const int32_t i = indices_[e];
        Rc[i] -= cs * w[i] * data_[e];
      }
      if (m != 0.0) {
        for (int64_t i = 0; i < n_; ++i) {
          Rc[i] += cs * m * w[i];
        }
      }
    }
  }
  void axpy_wneg_dot_multi(int64_t ka, double* R, int64_t K, const double* w, const double* d, int64_t kb,
                           double* out) const {
    axpy_wneg_multi(ka, R, K, w, d);
    dot_multi(kb, R, K, out);
  }

  // out (js.size() x K, row-major) = x~_j'R_c for the columns js: the classes' sums of R once for all.
  void gradients_multi(const std::vector<int64_t>& js, const double* R, int64_t K, double* out) const {
    std::vector<double> sums(size_t(K), 0.0);
    for (int64_t c = 0; c < K; ++c) {
      for (int64_t i = 0; i < n_; ++i) {
        sums[size_t(c)] += R[c * n_ + i];
      }
    }
    for (size_t a = 0; a < js.size(); ++a) {
      for (int64_t c = 0; c < K; ++c) {
        out[a * size_t(K) + size_t(c)] = centered_dot(js[a], R + c * n_, sums[size_t(c)]);
      }
    }
  }

  // |x~_j'r| for the wanted j (one pass over their entries).
  template <class Wanted>
  void abs_gradient(const double* r, double* ga, Wanted wanted) const {
    double sr = 0.0;
    for (int64_t i = 0; i < n_; ++i) {
      sr += r[i];
    }
    const bool far = n_ >= kFarRows;
    for (int64_t j = 0; j < p_; ++j) {
      if (!wanted(j)) {
        continue;
      }
      double xr = 0.0;
      const int64_t end = indptr_[j + 1];
      for (int64_t e = indptr_[j]; e < end; ++e) {
        if (far && e + kAhead < end) {
          __builtin_prefetch(r + indices_[e + kAhead]);
        }
        xr += data_[e] * r[indices_[e]];
      }
      ga[j] = std::abs(xr - xm_[j] * sr) / xs_[j];
    }
  }

 private:
  double sum(const double* v) const {
    double total = 0.0;
    for (int64_t i = 0; v && i < n_; ++i) {
      total += v[i];
    }
    return total;
  }

  // x~_k'v given sum_i v_i
  double centered_dot(int64_t k, const double* v, double sum) const {
    double xv = 0.0;
    for (int64_t e = indptr_[k]; e < indptr_[k + 1]; ++e) {
      xv += data_[e] * v[indices_[e]];
    }
    return (xv - xm_[k] * sum) / xs_[k];
  }

  double entry(int64_t i, int64_t k) const {
    const int32_t* lo = indices_ + indptr_[k];
    const int32_t* hi = indices_ + indptr_[k + 1];
    const int32_t* at = std::lower_bound(lo, hi, int32_t(i));
    return at != hi && *at == i ? data_[at - indices_] : 0.0;
  }

  const int64_t* indptr_;
  const int32_t* indices_;
  const double* data_;
  int64_t n_, p_;
  const double *xm_, *xs_;
  const double* w_obs_;
  double sw_obs_;
};

/** The CSC entries of the rows fitted: X's own arrays for all rows, else a renumbered copy held here. */
struct SparseEntries {
  const int64_t* indptr = nullptr;  // p + 1
  const int32_t* indices = nullptr;
  const double* values = nullptr;
  std::vector<int64_t> own_indptr;
  std::vector<int32_t> own_indices;
  std::vector<double> own_values;
  SparseEntries() = default;
  SparseEntries(const SparseEntries&) = delete;  // the pointers may point into the vectors
  SparseEntries& operator=(const SparseEntries&) = delete;
  SparseEntries(SparseEntries&&) = default;  // a vector's move keeps its buffer
  SparseEntries& operator=(SparseEntries&&) = default;
};

/** GlmData with the rows fitted of a sparse X in place of the dense copy (X is left empty). */
struct SparseGlmData : GlmData {
  SparseEntries x;

  using Columns = SparseGlmColumns;
  SparseGlmColumns columns() const {
    return SparseGlmColumns(x.indptr, x.indices, x.values, n, p, xm.data(), xs.data(), w.data());
  }
};

/**
 * The entries of X's rows ``rows`` (all when null: X's arrays themselves), renumbered 0..nrows-1 and sorted
 * within each column; non-finite values throw.
 */
SparseEntries sparse_rows(const SparseHostMatrix& X, const int64_t* rows, int64_t nrows);

/** glmnet's chkvars on a column's ``count`` stored values of n rows: not every row equal. */
bool sparse_column_varies(const double* values, int64_t count, int64_t n);

/** prepare (matrix/dense.cpp) for a sparse X: glmnet's sparse standardization, from the entries. */
SparseGlmData prepare_sparse(const SparseHostMatrix& X, const double* y, const double* weights, const double* offset,
                             int64_t K, const int64_t* rows, int64_t nrows, const uint8_t* include,
                             const double* penalty, const double* lower, const double* upper,
                             const GlmPathSettings& s);

/** abs_gradient (matrix/dense.h) for a sparse X. */
void abs_gradient(const SparseGlmData& d, const double* r, double* ga, const std::vector<uint8_t>* skip = nullptr,
                  PairTeam* team = nullptr);

} // namespace glmlx::detail
