// Where the gaussian covariance solver (solver/gaussian_cov.cpp) gets the
// columns of the standardized Gram matrix C = X'WX / (xs xs'): given whole
// (FullGram), or formed from X in blocks as variables become candidates
// (LazyGram over X's two operations, DenseRows), so wide problems never form
// the p x p matrix. GramColumns is all the covariance solver knows of X.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "cpu/blas.h"

namespace glmlx::matrix {

// Source of standardized Gram columns C[:, k] (length p).
template <typename T>
class GramColumns {
 public:
  virtual ~GramColumns() = default;
  virtual const T* col(int64_t k) = 0;
  virtual void prefetch(const std::vector<int64_t>&) {}
  virtual bool cached(int64_t) const {
    return true;
  }
  // acc += sum_k C[:, k] * d_k over (k, d_k) in changes.
  virtual void accumulate(const std::vector<std::pair<int64_t, T>>& changes, T* acc, int64_t p) {
    for (const auto& [k, d] : changes) {
      const T* ck = col(k);
      for (int64_t j = 0; j < p; ++j) {
        acc[j] += ck[j] * d;
      }
    }
  }
};

template <typename T>
class FullGram : public GramColumns<T> {
 public:
  FullGram(const T* C, int64_t p) : C_(C), p_(p) {}
  const T* col(int64_t k) override {
    return C_ + k * p_;  // row k = column k (symmetric)
  }

 private:
  const T* C_;
  int64_t p_;
};

/**
 * X as the covariance solver's lazy Gram reads it: the (n, p) row-major
 * matrix of the path op. The two operations LazyGram asks of X; a sparse X
 * is to be a second implementation with the same members.
 */
template <typename T>
class DenseRows {
 public:
  DenseRows(const T* X, int64_t n, int64_t p) : X_(X), n_(n), p_(p) {}
  int64_t rows() const { return n_; }
  int64_t cols() const { return p_; }

  // V (n x b, row-major) = W (X[:, ks] - xm[ks]).
  void weighted_centered(const std::vector<int64_t>& ks, const T* w, const T* xm, T* V) const {
    const int64_t b = int64_t(ks.size());
    for (int64_t i = 0; i < n_; ++i) {
      const T* xr = X_ + i * p_;
      T* vr = V + i * b;
      for (int64_t c = 0; c < b; ++c) {
        vr[c] = w[i] * (xr[ks[c]] - xm[ks[c]]);
      }
    }
  }

  // out (b x p, row-major) = V' X, by column ranges of X on glmlx's threads (blas.h, Threads).
  void cross(const T* V, int64_t b, T* out) const {
    blas::over_parts(p_, blas::parts_for(2.0 * double(n_) * double(p_) * double(b), p_),
                     [&](int64_t, int64_t lo, int64_t hi) {
                       blas::gemm(true, false, b, hi - lo, n_, T(1), V, b, X_ + lo, p_, T(0), out + lo, p_);
                     });
  }

 private:
  const T* X_;
  int64_t n_, p_;
};

// Columns C[:, k] = X' W (x_k - xm_k) / (xs xs_k), computed on demand and
// cached; requests are batched so X is read once per block of columns.
template <typename T, class Rows = DenseRows<T>>
class LazyGram : public GramColumns<T> {
 public:
  LazyGram(const Rows& X, const T* w, const T* xm, const T* xs, const T* xv, const T* ju)
      : X_(X), p_(X.cols()), w_(w), xm_(xm), xs_(xs), xv_(xv), ju_(ju), slot_(p_, -1) {}

  const T* col(int64_t k) override {
    if (slot_[k] < 0) {
      prefetch({k});
    }
    return slot_[k] >= 0 ? ptr_[slot_[k]] : nullptr;
  }

  bool cached(int64_t k) const override {
    return slot_[k] >= 0;
  }

  // One gemv per cached block (b columns stored contiguously): BLAS-speed
  // and multi-threaded, where a loop over columns would be scalar.
  void accumulate(const std::vector<std::pair<int64_t, T>>& changes, T* acc, int64_t p) override {
    std::vector<T> d(ptr_.size(), T(0));
    for (const auto& [k, dk] : changes) {
      d[slot_[k]] = dk;
    }
    blas::ThreadScope threads(2.0 * double(p) * double(changes.size()));
    size_t first = 0;
    for (size_t blk = 0; blk < block_size_.size(); ++blk) {
      const int64_t b = block_size_[blk];
      bool any = false;
      for (int64_t c = 0; c < b && !any; ++c) {
        any = d[first + c] != T(0);
      }
      if (any) {
        blas::gemv(true, b, p, T(1), ptr_[first], p, d.data() + first, 1, T(1), acc, 1);
      }
      first += b;
    }
  }

  void prefetch(const std::vector<int64_t>& ks) override {
    std::vector<int64_t> miss;
    for (int64_t k : ks) {
      if (slot_[k] < 0) {
        miss.push_back(k);
      }
    }
    if (miss.empty()) {
      return;
    }
    const int64_t b = int64_t(miss.size());
    // V = W (X[:, miss] - xm) (n x b); the block V'X (b x p, row-major) holds
    // the new columns contiguously, so each is stored where BLAS writes it.
    std::vector<T> V(size_t(X_.rows()) * b);
    X_.weighted_centered(miss, w_, xm_, V.data());
    blocks_.emplace_back(new T[size_t(b) * p_]);
    block_size_.push_back(b);
    T* out = blocks_.back().get();
    X_.cross(V.data(), b, out);
    for (int64_t c = 0; c < b; ++c) {
      const int64_t k = miss[c];
      T* dst = out + size_t(c) * p_;
      const T sk = xs_[k];
      for (int64_t j = 0; j < p_; ++j) {
        dst[j] = ju_[j] != T(0) ? dst[j] / (xs_[j] * sk) : T(0);
      }
      dst[k] = xv_[k];
      slot_[k] = int32_t(ptr_.size());
      ptr_.push_back(dst);
    }
  }

 private:
  Rows X_;
  int64_t p_;
  const T *w_, *xm_, *xs_, *xv_, *ju_;
  std::vector<int32_t> slot_;
  std::vector<std::unique_ptr<T[]>> blocks_;  // never moved once written
  std::vector<int64_t> block_size_;
  std::vector<T*> ptr_;
};

} // namespace glmlx::matrix
