// X as the GLM solvers hold it (matrix/dense.cpp): glmnet's standardized
// column-major copy of the rows fitted, with the data that goes with it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "cpu/scratch.h"
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
 * What a GLM solver reads of X, glmnet's standardized column-major copy
 * (n x p): a column for the sweep kernels (vec::, RowOps::pair_step), its
 * weighted sum of squares, and a row's linear predictor over some columns.
 * With abs_gradient (the KKT gradients, below) this is the only way the
 * solvers read X; a sparse X is to be a second implementation of it.
 */
class DenseColumns {
 public:
  DenseColumns(const double* X, int64_t n, int64_t p) : X_(X), n_(n), p_(p) {}
  int64_t rows() const { return n_; }
  int64_t cols() const { return p_; }
  // Column k; columns k, k + 1, ... follow it contiguously (n apart).
  const double* col(int64_t k) const { return X_ + k * n_; }
  double wsumsq(const double* w, int64_t k) const { return vec::wsumsq(w, col(k), size_t(n_)); }
  // f + sum_a x_{i, cols[a]} b[a], summed in the order of cols.
  double add_row_dot(double f, int64_t i, const std::vector<int64_t>& cols, const double* b) const {
    for (size_t a = 0; a < cols.size(); ++a) {
      f += X_[cols[a] * n_ + i] * b[a];
    }
    return f;
  }

 private:
  const double* X_;
  int64_t n_, p_;
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


/** beta_std (lmu x K x p, standardized scale) and out.a0 to the original scale, into out.beta / out.a0. */
void to_original_scale(const GlmData& d, const GlmPathSettings& s, const std::vector<double>& beta_std,
                       GlmPathResult& out, int64_t K);

} // namespace glmlx::detail
