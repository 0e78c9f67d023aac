// X as the GLM solvers hold it: glmnet's standardized column-major copy
// (prepare), its kept buffer (ColumnBuffer), and the operations a solver
// asks of it beyond a column pointer: KKT gradients (abs_gradient) and the
// map of coefficients back to X's original scale.
#include "matrix/dense.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "cpu/blas.h"
#include "cpu/cores.h"
#include "cpu/vec.h"

namespace glmlx::detail {


namespace {

template <typename T>
void copy_columns_of(const HostMatrix& M, const int64_t* rows, int64_t n, double* dst) {
  // Read in row blocks so both sides stay in cache.
  const T* src = static_cast<const T*>(M.data);
  constexpr int64_t kBlock = 64;
  for (int64_t i0 = 0; i0 < n; i0 += kBlock) {
    const int64_t i1 = std::min(n, i0 + kBlock);
    for (int64_t j = 0; j < M.cols; ++j) {
      double* out = dst + j * n;
      for (int64_t i = i0; i < i1; ++i) {
        out[i] = double(src[(rows ? rows[i] : i) * M.s0 + j * M.s1]);
      }
    }
  }
}

} // namespace

void copy_columns(const HostMatrix& M, const int64_t* rows, int64_t n, double* dst) {
  if (M.f32) {
    copy_columns_of<float>(M, rows, n, dst);
  } else {
    copy_columns_of<double>(M, rows, n, dst);
  }
}

void prepare_rows(GlmData& d, int64_t N, int64_t p, const double* y, const double* weights, const double* offset,
                  int64_t K, const int64_t* rows, int64_t nrows, const double* penalty, const double* lower,
                  const double* upper) {
  const int64_t n = rows ? nrows : N;
  d.n = n;
  d.p = p;
  d.K = K;
  auto row = [&](int64_t i) { return rows ? rows[i] : i; };
  d.w.resize(n);
  double sw = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    d.w[i] = std::max(weights[row(i)], 0.0);
    sw += d.w[i];
  }
  d.sum_weights = sw;
  for (auto& v : d.w) {
    v /= sw;
  }
  d.y.resize(n * K);
  for (int64_t k = 0; k < K; ++k) {
    for (int64_t i = 0; i < n; ++i) {
      d.y[k * n + i] = y[k * N + row(i)];
    }
  }
  if (offset) {
    d.offset.resize(n * K);
    for (int64_t k = 0; k < K; ++k) {
      for (int64_t i = 0; i < n; ++i) {
        d.offset[k * n + i] = offset[k * N + row(i)];
      }
    }
  }
  d.ju.assign(p, 0);
  d.vp.assign(penalty, penalty + p);
  d.lower.assign(lower, lower + p);
  d.upper.assign(upper, upper + p);
  d.xm.assign(p, 0.0);
  d.xs.assign(p, 1.0);
}

GlmData prepare(const HostMatrix& X, const double* y, const double* weights, const double* offset, int64_t K,
                const int64_t* rows, int64_t nrows, const uint8_t* include, const double* penalty,
                const double* lower, const double* upper, const GlmPathSettings& s) {
  GlmData d;
  prepare_rows(d, X.rows, X.cols, y, weights, offset, K, rows, nrows, penalty, lower, upper);
  const int64_t n = d.n, p = d.p;
  d.X = ColumnBuffer(size_t(n) * size_t(p));
  copy_columns(X, rows, n, d.X.data());
  for (double v : d.X) {
    if (!std::isfinite(v)) {
      throw std::invalid_argument("[glmlx.glmnet] X contains NaN or infinite values");
    }
  }
  for (int64_t j = 0; j < p; ++j) {
    double* x = d.X.data() + j * n;
    // glmnet's chkvars: a column equal to its first value everywhere is unusable.
    bool varies = false;
    for (int64_t i = 1; i < n && !varies; ++i) {
      varies = x[i] != x[0];
    }
    d.ju[j] = include[j] && varies;
    if (!d.ju[j]) {
      continue;
    }
    // LStandardize1: without an intercept, scale by the sd about the mean but do not center.
    if (s.intercept) {
      d.xm[j] = vec::dot(d.w.data(), x, n);
      for (int64_t i = 0; i < n; ++i) {
        x[i] -= d.xm[j];
      }
      if (s.standardize) {
        d.xs[j] = std::sqrt(vec::wsumsq(d.w.data(), x, n));
      }
    } else if (s.standardize) {
      const double mean = vec::dot(d.w.data(), x, n);
      d.xs[j] = std::sqrt(vec::wsumsq(d.w.data(), x, n) - mean * mean);
    }
    // glmnet would drop such a column silently (its scale overflows to Inf
    // and the column to zeros); the gaussian family says so, and so do these.
    const double second = s.standardize ? d.xs[j] : vec::wsumsq(d.w.data(), x, n);
    if (!std::isfinite(d.xm[j]) || !std::isfinite(second)) {
      throw std::invalid_argument("X has values too large in magnitude: column " + std::to_string(j) +
                                  "'s weighted variance overflows float; rescale X");
    }
    if (s.standardize) {
      const double inv = 1.0 / d.xs[j];
      for (int64_t i = 0; i < n; ++i) {
        x[i] *= inv;
      }
      d.lower[j] *= d.xs[j];
      d.upper[j] *= d.xs[j];
    }
  }
  return d;
}

void abs_gradient(const GlmData& d, const double* r, double* ga, const std::vector<uint8_t>* skip,
                  PairTeam* team) {
  const int64_t n = d.n, p = d.p;
  auto wanted = [&](int64_t j) { return d.ju[j] && !(skip && (*skip)[j]); };
  // Runs of wanted columns in [c0, c1): one gemv per run (X is n x p
  // column-major, i.e. p x n row-major), so a KKT check reads only the
  // non-candidates' columns.
  auto columns = [&](int64_t c0, int64_t c1) {
    std::vector<double> g;
    for (int64_t j0 = c0; j0 < c1;) {
      if (!wanted(j0)) {
        ++j0;
        continue;
      }
      int64_t j1 = j0 + 1;
      while (j1 < c1 && wanted(j1)) {
        ++j1;
      }
      if (j1 - j0 < 4) {
        for (int64_t j = j0; j < j1; ++j) {
          ga[j] = std::abs(vec::dot(r, d.X.data() + j * n, n));
        }
      } else {
        g.resize(size_t(j1 - j0));
        blas::gemv(false, blas::Int(j1 - j0), blas::Int(n), 1.0, d.X.data() + j0 * n, blas::Int(n), r, 1, 0.0,
                   g.data(), 1);
        for (int64_t j = j0; j < j1; ++j) {
          ga[j] = std::abs(g[size_t(j - j0)]);
        }
      }
      j0 = j1;
    }
  };
  int64_t count = 0;
  for (int64_t j = 0; j < p; ++j) {
    count += wanted(j);
  }
  if (!team || count * n < kMinSplitGradient) {
    columns(0, p);
    return;
  }
  // The first half of the wanted columns ends at mid.
  int64_t mid = 0;
  for (int64_t seen = 0; seen < count / 2; ++mid) {
    seen += wanted(mid);
  }
  team->run([&](int part) {
    part == 0 ? columns(0, mid) : columns(mid, p);
    return 0.0;
  });
}

void to_original_scale(const GlmData& d, const GlmPathSettings& s, const std::vector<double>& beta_std,
                       GlmPathResult& out, int64_t K) {
  const int64_t p = d.p, lmu = out.lmu;
  out.nclass = K;
  out.beta.assign(size_t(lmu) * K * p, 0.0);
  for (int64_t m = 0; m < lmu; ++m) {
    for (int64_t k = 0; k < K; ++k) {
      const double* bs = beta_std.data() + (m * K + k) * p;
      double* b = out.beta.data() + (m * K + k) * p;
      double& a0 = out.a0[m * K + k];
      for (int64_t j = 0; j < p; ++j) {
        b[j] = s.standardize ? bs[j] / d.xs[j] : bs[j];
      }
      if (!s.intercept) {
        a0 = 0.0;
        continue;
      }
      for (int64_t j = 0; j < p; ++j) {
        a0 -= b[j] * d.xm[j];
      }
    }
  }
}

} // namespace glmlx::detail
