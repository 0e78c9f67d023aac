// X and Y as the mgaussian solver holds them, after glmnet's MultStandardize1
// (matrix/mgaussian_data.cpp): column-major copies with rows multiplied by
// sqrt(w), so plain inner products are weighted ones.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "glmlx/glm.h"
#include "glmlx/mgaussian.h"
#include "glmlx/ops.h"
#include "matrix/dense.h"
#include "matrix/sparse_glm.h"

namespace glmlx::detail {

/** One path's data after glmnet's MultStandardize1. */
struct MultData {
  int64_t n = 0, p = 0, K = 0;
  std::vector<double> X;       // n x p column-major: sqrt(w) (x - xm) / xs
  std::vector<double> Y;       // n x K column-major: sqrt(w) (y - ym) / ys
  std::vector<uint8_t> ju;     // p: usable (included, not constant)
  std::vector<double> xm, xs, xv;  // p
  std::vector<double> ym, ys;  // K
  double ys0 = 0.0;            // total sum of squares of the standardized responses
  double nulldev = 0.0;        // R's nulldev (raw weights, centered responses)

  using Columns = DenseColumns;
  DenseColumns columns() const { return DenseColumns(X.data(), n, p); }
};

/**
 * The mgaussian solver's X~ = diag(sqrt w) (X - 1 xm') / xs over a sparse X's
 * entries. The centering makes each column dense under the row weights, and a
 * residual update touches every row of R either way, so the response kernels
 * take a column made dense for the call (kept for the next few visits, as a
 * sweep's pair becomes the next call's x0, x1): O(n) per column made, never
 * more than four columns at once.
 */
class SparseMultColumns {
 public:
  SparseMultColumns(const int64_t* indptr, const int32_t* indices, const double* data, int64_t n, int64_t p,
                    const double* v, const double* xm, const double* xs)
      : indptr_(indptr), indices_(indices), data_(data), n_(n), p_(p), v_(v), xm_(xm), xs_(xs) {}

  void response_grad(const ColumnKernels& kern, int64_t k, const double* R, int64_t K, double* g) const {
    const double* z[4];
    columns({k, -1, -1, -1}, z);
    kern.grad(R, n_, K, z[0], g);
  }
  void response_pair(const ColumnKernels& kern, double* R, int64_t K, int64_t k0, int64_t k1, const double* d0,
                     const double* d1, int64_t next0, int64_t next1, double* g0, double* g1, double* cross) const {
    const double* z[4];
    columns({k0, k1, next0, next1}, z);
    kern.pair(R, n_, K, z[0], z[1], d0, d1, z[2], z[3], g0, g1, cross);
  }
  // G (p x K) rows [lo, hi) = X~' R: the entries, and the centering from R's weighted column sums.
  void response_cross(int64_t lo, int64_t hi, const double* R, int64_t K, double* G) const {
    std::vector<double> vr(size_t(K), 0.0);
    for (int64_t c = 0; c < K; ++c) {
      for (int64_t i = 0; i < n_; ++i) {
        vr[size_t(c)] += v_[i] * R[c * n_ + i];
      }
    }
    for (int64_t j = lo; j < hi; ++j) {
      for (int64_t c = 0; c < K; ++c) {
        const double* Rc = R + c * n_;
        double xr = 0.0;
        for (int64_t e = indptr_[j]; e < indptr_[j + 1]; ++e) {
          xr += v_[indices_[e]] * data_[e] * Rc[indices_[e]];
        }
        G[j * K + c] = (xr - xm_[j] * vr[size_t(c)]) / xs_[j];
      }
    }
  }

 private:
  // Columns ks of X~ (null for -1), from four slots: a column asked for again (the pair that becomes
  // the next call's x0, x1) is not made again; slots for new ones are those no k of this call holds.
  void columns(const std::array<int64_t, 4>& ks, const double* out[4]) const {
    auto held = [&](int64_t key) { return key >= 0 && std::find(ks.begin(), ks.end(), key) != ks.end(); };
    for (int a = 0; a < 4; ++a) {
      out[a] = nullptr;
      if (ks[a] < 0) {
        continue;
      }
      int q = 0;
      while (q < 4 && key_[q] != ks[a]) {
        ++q;
      }
      if (q == 4) {
        q = 0;
        while (held(key_[q])) {
          ++q;  // at most four distinct keys held, so some slot is free of them
        }
        make(ks[a], q);
      }
      out[a] = slot_[q].data();
    }
  }

  void make(int64_t k, int q) const {
    key_[q] = k;
    std::vector<double>& z = slot_[q];
    z.resize(size_t(n_));
    const double m = xm_[k], s = xs_[k];  // the dense copy's roundings: v (x - m), then / s
    for (int64_t i = 0; i < n_; ++i) {
      z[size_t(i)] = v_[i] * (0.0 - m) / s;
    }
    for (int64_t e = indptr_[k]; e < indptr_[k + 1]; ++e) {
      const int32_t i = indices_[e];
      z[size_t(i)] = v_[i] * (data_[e] - m) / s;
    }
  }

  const int64_t* indptr_;
  const int32_t* indices_;
  const double* data_;
  int64_t n_, p_;
  const double *v_, *xm_, *xs_;
  mutable std::vector<double> slot_[4];
  mutable int64_t key_[4] = {-1, -1, -1, -1};
};

/** MultData with a sparse X's entries of the rows fitted in place of the dense copy (X is left empty). */
struct SparseMultData : MultData {
  SparseEntries x;
  std::vector<double> v;  // sqrt of the normalized weights

  using Columns = SparseMultColumns;
  SparseMultColumns columns() const {
    return SparseMultColumns(x.indptr, x.indices, x.values, n, p, v.data(), xm.data(), xs.data());
  }
};

/** glmnet's MultStandardize1 of the rows ``rows`` (all when null); ValueError-worthy overflow throws. */
MultData standardize_mgaussian(const HostMatrix& X, const HostMatrix& Y, const double* weights,
                               const int64_t* rows, int64_t nrows, const uint8_t* include,
                               const MgaussianPathSettings& s);

/** standardize_mgaussian for a sparse X: the same statistics from the entries. */
SparseMultData standardize_mgaussian(const SparseHostMatrix& X, const HostMatrix& Y, const double* weights,
                                     const int64_t* rows, int64_t nrows, const uint8_t* include,
                                     const MgaussianPathSettings& s);

} // namespace glmlx::detail
