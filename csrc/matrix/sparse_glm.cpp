// The rows fitted of a sparse X and glmnet's sparse standardization
// (splstandard2: weighted means and second moments from the entries).
#include "matrix/sparse_glm.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace glmlx::detail {

SparseEntries sparse_rows(const SparseHostMatrix& X, const int64_t* rows, int64_t nrows) {
  const int64_t N = X.rows, p = X.cols, n = rows ? nrows : N;
  SparseEntries out;
  if (!rows) {  // all rows: X's own arrays, no copy
    for (int64_t e = 0; e < X.indptr[p]; ++e) {
      if (!std::isfinite(X.data[e])) {
        throw std::invalid_argument("[glmlx.glmnet] X contains NaN or infinite values");
      }
    }
    out.indptr = X.indptr;
    out.indices = X.indices;
    out.values = X.data;
    return out;
  }
  std::vector<int64_t> slot(size_t(N), -1);
  bool sorted = true;
  for (int64_t i = 0; i < n; ++i) {
    slot[size_t(rows[i])] = i;
    sorted = sorted && (i == 0 || rows[i] > rows[i - 1]);
  }
  std::vector<int64_t>& indptr = out.own_indptr;
  std::vector<int32_t>& indices = out.own_indices;
  std::vector<double>& values = out.own_values;
  indptr.assign(size_t(p) + 1, 0);
  for (int64_t j = 0; j < p; ++j) {
    const int64_t begin = int64_t(indices.size());
    for (int64_t e = X.indptr[j]; e < X.indptr[j + 1]; ++e) {
      const int64_t i = slot[size_t(X.indices[e])];
      if (i >= 0) {
        indices.push_back(int32_t(i));
        values.push_back(X.data[e]);
      }
    }
    if (!sorted) {  // rows given out of order: sort the column's entries by their new row
      std::vector<size_t> order(indices.size() - size_t(begin));
      std::iota(order.begin(), order.end(), size_t(begin));
      std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return indices[a] < indices[b]; });
      std::vector<int32_t> idx;
      std::vector<double> val;
      for (size_t o : order) {
        idx.push_back(indices[o]);
        val.push_back(values[o]);
      }
      std::copy(idx.begin(), idx.end(), indices.begin() + begin);
      std::copy(val.begin(), val.end(), values.begin() + begin);
    }
    indptr[size_t(j) + 1] = int64_t(indices.size());
  }
  for (double v : values) {
    if (!std::isfinite(v)) {
      throw std::invalid_argument("[glmlx.glmnet] X contains NaN or infinite values");
    }
  }
  out.indptr = indptr.data();
  out.indices = indices.data();
  out.values = values.data();
  return out;
}

bool sparse_column_varies(const double* values, int64_t count, int64_t n) {
  bool varies = false;
  if (count < n) {  // some rows are zero
    for (int64_t e = 0; e < count && !varies; ++e) {
      varies = values[e] != 0.0;
    }
  } else {
    for (int64_t e = 1; e < count && !varies; ++e) {
      varies = values[e] != values[0];
    }
  }
  return varies;
}

SparseGlmData prepare_sparse(const SparseHostMatrix& X, const double* y, const double* weights, const double* offset,
                             int64_t K, const int64_t* rows, int64_t nrows, const uint8_t* include,
                             const double* penalty, const double* lower, const double* upper,
                             const GlmPathSettings& s) {
  SparseGlmData d;
  prepare_rows(d, X.rows, X.cols, y, weights, offset, K, rows, nrows, penalty, lower, upper);
  const int64_t n = d.n, p = d.p;
  d.x = sparse_rows(X, rows, nrows);
  const double* w = d.w.data();
  for (int64_t j = 0; j < p; ++j) {
    const int64_t lo = d.x.indptr[j], hi = d.x.indptr[j + 1];
    // glmnet's chkvars: a column equal to its first value on every row fitted is unusable.
    d.ju[j] = include[j] && sparse_column_varies(d.x.values + lo, hi - lo, n);
    if (!d.ju[j]) {
      continue;
    }
    double mean = 0.0, second = 0.0;
    for (int64_t e = lo; e < hi; ++e) {
      const double x = d.x.values[e], wx = w[d.x.indices[e]] * x;
      mean += wx;
      second += wx * x;
    }
    if (s.intercept) {
      d.xm[j] = mean;
    }
    if (s.standardize) {
      d.xs[j] = std::sqrt(std::max(second - mean * mean, 0.0));
    }
    const double check = s.standardize ? d.xs[j] : second;
    if (!std::isfinite(mean) || !std::isfinite(check)) {
      throw std::invalid_argument("X has values too large in magnitude: column " + std::to_string(j) +
                                  "'s weighted variance overflows float; rescale X");
    }
    if (s.standardize) {
      d.lower[j] *= d.xs[j];
      d.upper[j] *= d.xs[j];
    }
  }
  return d;
}

void abs_gradient(const SparseGlmData& d, const double* r, double* ga, const std::vector<uint8_t>* skip,
                  PairTeam*) {
  d.columns().abs_gradient(r, ga, [&](int64_t j) { return d.ju[j] && !(skip && (*skip)[j]); });
}

} // namespace glmlx::detail
