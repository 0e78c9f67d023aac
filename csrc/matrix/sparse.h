// X stored sparse: compressed sparse columns (CSC) as scipy.sparse and R's
// dgCMatrix hold it, never densified. glmnet's sparse routines (spelnet,
// splognet) leave X as given and apply the centering and scaling on the fly;
// so does every operation here.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "cpu/blas.h"

namespace glmlx::matrix {

/**
 * X (n x p) in CSC form: column j's entries are data[indptr[j] .. indptr[j+1])
 * in rows indices[...] (sorted, no duplicates; the Python layer canonicalizes
 * a copy). The two operations LazyGram asks of X (as DenseRows in
 * gram_source.h), so the covariance solver fits sparse X unchanged.
 */
template <typename T>
class SparseColumns {
 public:
  SparseColumns(const int64_t* indptr, const int32_t* indices, const T* data, int64_t n, int64_t p)
      : indptr_(indptr), indices_(indices), data_(data), n_(n), p_(p) {}
  int64_t rows() const { return n_; }
  int64_t cols() const { return p_; }

  // V (n x b, row-major) = W (X[:, ks] - xm[ks]): the dense shift, then the stored entries.
  void weighted_centered(const std::vector<int64_t>& ks, const T* w, const T* xm, T* V) const {
    const int64_t b = int64_t(ks.size());
    for (int64_t i = 0; i < n_; ++i) {
      T* vr = V + i * b;
      for (int64_t c = 0; c < b; ++c) {
        vr[c] = -w[i] * xm[ks[c]];
      }
    }
    for (int64_t c = 0; c < b; ++c) {
      const int64_t k = ks[c];
      for (int64_t e = indptr_[k]; e < indptr_[k + 1]; ++e) {
        const int64_t i = indices_[e];
        V[i * b + c] = w[i] * (data_[e] - xm[k]);
      }
    }
  }

  // out (b x p, row-major) = V' X: column j of X meets V's rows at its entries,
  // so the cost is b nnz; columns split over glmlx's threads as the dense cross.
  void cross(const T* V, int64_t b, T* out) const {
    const double work = 2.0 * double(indptr_[p_]) * double(b);
    blas::over_parts(p_, blas::parts_for(work, p_), [&](int64_t, int64_t lo, int64_t hi) {
      std::vector<T> acc(static_cast<size_t>(b), T(0));
      for (int64_t j = lo; j < hi; ++j) {
        std::fill(acc.begin(), acc.end(), T(0));
        for (int64_t e = indptr_[j]; e < indptr_[j + 1]; ++e) {
          const T x = data_[e];
          const T* vr = V + int64_t(indices_[e]) * b;
          for (int64_t c = 0; c < b; ++c) {
            acc[size_t(c)] += vr[c] * x;
          }
        }
        for (int64_t c = 0; c < b; ++c) {
          out[c * p_ + j] = acc[size_t(c)];
        }
      }
    });
  }

 private:
  const int64_t* indptr_;
  const int32_t* indices_;
  const T* data_;
  int64_t n_, p_;
};

} // namespace glmlx::matrix
