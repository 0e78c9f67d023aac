// glmnet's MultStandardize1 for the mgaussian family (elnet_driver/gaussian.hpp,
// standardize.hpp): X and Y copied column-major, centered, scaled, rows
// multiplied by sqrt(w).
#include "matrix/mgaussian_data.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "matrix/dense.h"
#include "matrix/sparse_glm.h"

namespace glmlx::detail {

namespace {


// glmnet would drop a column whose scale overflows (it becomes zeros) and
// return NaN lambdas for a response whose variance does; so say so.
void check_scales(const MultData& d) {
  for (int64_t j = 0; j < d.p; ++j) {
    if (d.ju[j] && !(std::isfinite(d.xm[j]) && std::isfinite(d.xs[j]) && std::isfinite(d.xv[j]))) {
      throw std::invalid_argument("X has values too large in magnitude: column " + std::to_string(j) +
                                  "'s weighted variance overflows float; rescale X");
    }
  }
  bool finite = std::isfinite(d.ys0);
  for (int64_t k = 0; k < d.K; ++k) {
    finite = finite && std::isfinite(d.ym[k]) && std::isfinite(d.ys[k]);
  }
  if (!finite) {
    throw std::invalid_argument("y has values too large in magnitude: a response's variance overflows float; "
                                "rescale y");
  }
}

// Weights normalized to sum 1 (w) and their square roots (v), of the rows fitted.
void row_weights(const double* weights, const int64_t* rows, int64_t n, std::vector<double>& w,
                 std::vector<double>& v) {
  auto row = [&](int64_t i) { return rows ? rows[i] : i; };
  w.resize(n);
  v.resize(n);
  double sw = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    w[i] = weights[row(i)];
    sw += w[i];
  }
  for (int64_t i = 0; i < n; ++i) {
    w[i] /= sw;
    v[i] = std::sqrt(w[i]);
  }
}

// The responses' part of MultStandardize1: d.Y, ym, ys, ys0 and R's nulldev (d.n, d.K set).
void standardize_responses(MultData& d, const HostMatrix& Y, const double* weights, const int64_t* rows,
                           const std::vector<double>& w, const std::vector<double>& v,
                           const MgaussianPathSettings& s) {
  const int64_t n = d.n, K = d.K;
  auto row = [&](int64_t i) { return rows ? rows[i] : i; };
  d.Y.resize(size_t(n) * size_t(K));
  detail::copy_columns(Y, rows, n, d.Y.data());
  // R's nulldev, from the raw weights and responses (mrelnet computes it before the C++ call).
  for (int64_t k = 0; k < K; ++k) {
    const double* y = d.Y.data() + k * n;
    double swy = 0.0, swr = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      swy += weights[row(i)] * y[i];
      swr += weights[row(i)];
    }
    const double ybar = swy / swr;
    for (int64_t i = 0; i < n; ++i) {
      d.nulldev += weights[row(i)] * (y[i] - ybar) * (y[i] - ybar);
    }
  }
  d.ym.assign(K, 0.0);
  d.ys.assign(K, 1.0);
  d.ys0 = 0.0;
  if (!s.intercept) {
    for (int64_t k = 0; k < K; ++k) {
      double* y = d.Y.data() + k * n;
      for (int64_t i = 0; i < n; ++i) {
        y[i] *= v[i];
      }
      const double z = vec::dot(y, y, n);
      if (s.standardize_response) {
        double u = vec::dot(v.data(), y, n);
        u = z - u * u;
        d.ys0 += z / u;
        d.ys[k] = std::sqrt(u);
        for (int64_t i = 0; i < n; ++i) {
          y[i] /= d.ys[k];
        }
      } else {
        d.ys0 += z;
      }
    }
    return;
  }
  for (int64_t k = 0; k < K; ++k) {
    double* y = d.Y.data() + k * n;
    d.ym[k] = vec::dot(w.data(), y, n);
    for (int64_t i = 0; i < n; ++i) {
      y[i] = v[i] * (y[i] - d.ym[k]);
    }
    const double z = vec::dot(y, y, n);
    if (s.standardize_response) {
      d.ys[k] = std::sqrt(z);
      for (int64_t i = 0; i < n; ++i) {
        y[i] /= d.ys[k];
      }
    } else {
      d.ys0 += z;
    }
  }
  if (s.standardize_response) {
    d.ys0 = double(K);
  }
}

MultData standardize_unchecked(const HostMatrix& X, const HostMatrix& Y, const double* weights,
                               const int64_t* rows, int64_t nrows, const uint8_t* include,
                               const MgaussianPathSettings& s) {
  MultData d;
  const int64_t n = rows ? nrows : X.rows, p = X.cols, K = Y.cols;
  d.n = n;
  d.p = p;
  d.K = K;
  std::vector<double> w, v;
  row_weights(weights, rows, n, w, v);

  // Column-major copy (the GLM solvers' reader).
  d.X.resize(size_t(n) * size_t(p));
  detail::copy_columns(X, rows, n, d.X.data());
  standardize_responses(d, Y, weights, rows, w, v, s);

  d.ju.assign(p, 0);
  for (int64_t j = 0; j < p; ++j) {
    // glmnet's chkvars: a column equal to its first value everywhere is unusable.
    const double* x = d.X.data() + j * n;
    bool varies = false;
    for (int64_t i = 1; i < n && !varies; ++i) {
      varies = x[i] != x[0];
    }
    d.ju[j] = include[j] && varies;
  }

  d.xm.assign(p, 0.0);
  d.xs.assign(p, 1.0);
  d.xv.assign(p, 1.0);
  if (!s.intercept) {
    // Without an intercept nothing is centered; standardize scales by the sd
    // about the mean, so x_k'x_k = 1 + mean^2/var.
    for (int64_t j = 0; j < p; ++j) {
      if (!d.ju[j]) {
        continue;
      }
      double* x = d.X.data() + j * n;
      for (int64_t i = 0; i < n; ++i) {
        x[i] *= v[i];
      }
      const double z = vec::dot(x, x, n);
      if (s.standardize) {
        double xbq = vec::dot(v.data(), x, n);
        xbq *= xbq;
        const double vc = z - xbq;
        d.xs[j] = std::sqrt(vc);
        for (int64_t i = 0; i < n; ++i) {
          x[i] /= d.xs[j];
        }
        d.xv[j] = 1.0 + xbq / vc;
      } else {
        d.xv[j] = z;
      }
    }
    return d;
  }

  for (int64_t j = 0; j < p; ++j) {
    if (!d.ju[j]) {
      continue;
    }
    double* x = d.X.data() + j * n;
    d.xm[j] = vec::dot(w.data(), x, n);
    for (int64_t i = 0; i < n; ++i) {
      x[i] = v[i] * (x[i] - d.xm[j]);
    }
    d.xv[j] = vec::dot(x, x, n);
    if (s.standardize) {
      d.xs[j] = std::sqrt(d.xv[j]);
      for (int64_t i = 0; i < n; ++i) {
        x[i] /= d.xs[j];
      }
      d.xv[j] = 1.0;
    }
  }
  return d;
}

} // namespace

MultData standardize_mgaussian(const HostMatrix& X, const HostMatrix& Y, const double* weights,
                               const int64_t* rows, int64_t nrows, const uint8_t* include,
                               const MgaussianPathSettings& s) {
  MultData d = standardize_unchecked(X, Y, weights, rows, nrows, include, s);
  check_scales(d);
  return d;
}

SparseMultData standardize_mgaussian(const SparseHostMatrix& X, const HostMatrix& Y, const double* weights,
                                     const int64_t* rows, int64_t nrows, const uint8_t* include,
                                     const MgaussianPathSettings& s) {
  SparseMultData d;
  const int64_t n = rows ? nrows : X.rows, p = X.cols, K = Y.cols;
  d.n = n;
  d.p = p;
  d.K = K;
  std::vector<double> w;
  row_weights(weights, rows, n, w, d.v);
  d.x = sparse_rows(X, rows, nrows);
  standardize_responses(d, Y, weights, rows, w, d.v, s);
  d.ju.assign(p, 0);
  d.xm.assign(p, 0.0);
  d.xs.assign(p, 1.0);
  d.xv.assign(p, 1.0);
  for (int64_t j = 0; j < p; ++j) {
    const int64_t lo = d.x.indptr[j], hi = d.x.indptr[j + 1];
    d.ju[j] = include[j] && sparse_column_varies(d.x.values + lo, hi - lo, n);
    if (!d.ju[j]) {
      continue;
    }
    double mean = 0.0, second = 0.0;  // from the entries (glmnet's sparse standardization)
    for (int64_t e = lo; e < hi; ++e) {
      const double x = d.x.values[e], wx = w[d.x.indices[e]] * x;
      mean += wx;
      second += wx * x;
    }
    if (!s.intercept) {
      if (s.standardize) {
        const double xbq = mean * mean, vc = second - xbq;
        d.xs[j] = std::sqrt(vc);
        d.xv[j] = 1.0 + xbq / vc;
      } else {
        d.xv[j] = second;
      }
      continue;
    }
    d.xm[j] = mean;
    d.xv[j] = std::max(second - mean * mean, 0.0);
    if (s.standardize) {
      d.xs[j] = std::sqrt(d.xv[j]);
      d.xv[j] = 1.0;
    }
  }
  check_scales(d);
  return d;
}

} // namespace glmlx::detail
