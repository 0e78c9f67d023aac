#include "cv/cv_gram.h"

#include <cmath>
#include <type_traits>
#include <vector>

#include "cpu/cores.h"

namespace glmlx::cv {

namespace {

// glmnet's chkvars on problem k's rows (every row outside fold k; all rows for
// k = K): columns whose every value equals the first are unusable. Only
// near-zero variances can belong to such columns, so only those are read.
template <typename TX>
void constant_columns(const FoldGrams& a, int64_t k, const double* var, const double* xbar,
                      std::vector<uint8_t>& constant) {
  const int64_t p = a.p, n = a.X.rows;
  const TX* X = static_cast<const TX*>(a.X.data);
  std::fill(constant.begin(), constant.end(), uint8_t(0));
  // A constant float32 column's variance, a difference of float32 Grams, is
  // float32 rounding (~1e-8 of its mean squared), not zero: only the exact
  // test below decides, so its filter is looser there.
  const double rel = std::is_same_v<TX, double> ? 1e-10 : 1e-4;
  for (int64_t j = 0; j < p; ++j) {
    // !(a <= b) also keeps NaN moments out (the caller reports them)
    if (!(var[j] <= rel * (xbar[j] * xbar[j]) + 1e-300)) {
      continue;
    }
    bool first = true, same = true;
    TX v0 = TX(0);
    for (int64_t i = 0; i < n && same; ++i) {
      if (k < a.K && a.fold[i] == k) {
        continue;
      }
      const TX v = X[i * a.X.s0 + j * a.X.s1];
      if (first) {
        v0 = v;
        first = false;
      } else {
        same = v == v0;
      }
    }
    constant[size_t(j)] = same ? 1 : 0;
  }
}

// Problem k's training Gram (into H[k]), X'Wy, means and variances on the
// scale of weights summing to one. The folds' come from the full Gram H[K],
// which is scaled last.
void training_moments(const FoldGrams& a, int64_t k, double* ct, double* xbar, double* var) {
  const int64_t p = a.p, K = a.K;
  double* T = a.H + k * p * p;
  const double* G = a.H + K * p * p;
  if (k == K) {
    for (int64_t i = 0; i < p * p; ++i) {
      T[i] /= a.S;
    }
    for (int64_t j = 0; j < p; ++j) {
      ct[j] = a.c[j] / a.S;
      xbar[j] = a.center ? a.mean[j] : a.xbar[k * p + j];
      var[j] = a.center ? T[j * p + j] : T[j * p + j] - xbar[j] * xbar[j];
    }
    return;
  }
  const double s = a.s[k], St = a.S - s;
  if (!a.center) {
    for (int64_t i = 0; i < p * p; ++i) {
      T[i] = (G[i] - T[i]) / St;
    }
    for (int64_t j = 0; j < p; ++j) {
      ct[j] = (a.c[j] - a.h[k * p + j]) / St;
      xbar[j] = a.xbar[k * p + j];
      var[j] = T[j * p + j] - xbar[j] * xbar[j];
    }
    return;
  }
  // The held-out Gram moved from its own means to the full ones, subtracted
  // from the full Gram, then moved to the training means: all rank-one
  // corrections about the full means stay small, so nothing cancels badly.
  std::vector<double> d(static_cast<size_t>(p)), delta(static_cast<size_t>(p));
  const double r = s / St, dy = a.my[k] - a.ymean, dyt = -r * dy;
  for (int64_t j = 0; j < p; ++j) {
    d[j] = a.m[k * p + j] - a.mean[j];
    delta[j] = -r * d[j];
  }
  for (int64_t i = 0; i < p; ++i) {
    double* Ti = T + i * p;
    const double* Gi = G + i * p;
    for (int64_t j = 0; j < p; ++j) {
      double t = Ti[j] + d[i] * d[j] * s;  // held-out Gram about the full means
      t = Gi[j] - t;                       // training Gram about them
      t -= delta[i] * delta[j] * St;       // ... and about the training means
      Ti[j] = t / St;
    }
  }
  for (int64_t j = 0; j < p; ++j) {
    const double hy = a.h[k * p + j] + s * d[j] * dy;
    ct[j] = (a.c[j] - hy - St * delta[j] * dyt) / St;
    xbar[j] = a.mean[j] + delta[j];
    var[j] = T[j * p + j];
  }
}

void standardize_one(const FoldGrams& a, int64_t k) {
  const int64_t p = a.p;
  double* T = a.H + k * p * p;
  std::vector<double> ct(static_cast<size_t>(p)), xbar(static_cast<size_t>(p)), var(static_cast<size_t>(p));
  training_moments(a, k, ct.data(), xbar.data(), var.data());
  bool finite = true;
  for (int64_t i = 0; i < p * p && finite; ++i) {
    finite = std::isfinite(T[i]);
  }
  for (int64_t j = 0; j < p && finite; ++j) {
    finite = std::isfinite(ct[j]);
  }
  a.finite[k] = finite ? 1 : 0;
  std::vector<uint8_t> constant(static_cast<size_t>(p));
  if (a.x_is_double) {
    constant_columns<double>(a, k, var.data(), xbar.data(), constant);
  } else {
    constant_columns<float>(a, k, var.data(), xbar.data(), constant);
  }
  double *xs = a.xs + k * p, *xv = a.xv + k * p, *g = a.g + k * p, *inc = a.include + k * p;
  const double ys = a.ys[k];
  for (int64_t j = 0; j < p; ++j) {
    const bool used = !constant[j] && !a.excluded[j];
    inc[j] = used ? 1.0 : 0.0;
    xs[j] = a.standardize && used ? std::sqrt(var[j]) : 1.0;
    // glmnet's xv: the standardized diagonal (exactly 1 with intercept and scaling)
    double v;
    if (a.center) {
      v = a.standardize ? 1.0 : var[j];
    } else {
      v = a.standardize ? 1.0 + xbar[j] * xbar[j] / (used ? var[j] : 1.0) : var[j] + xbar[j] * xbar[j];
    }
    xv[j] = used ? v : 0.0;
    g[j] = used ? ct[j] / (xs[j] * ys) : 0.0;
    a.xm[k * p + j] = a.center ? xbar[j] : 0.0;
  }
  for (int64_t i = 0; i < p; ++i) {
    double* Ti = T + i * p;
    for (int64_t j = 0; j < p; ++j) {
      Ti[j] = inc[i] != 0.0 && inc[j] != 0.0 ? Ti[j] / (xs[i] * xs[j]) : 0.0;
    }
    Ti[i] = xv[i];
  }
}

} // namespace

void fold_standardize(const FoldGrams& a) {
  // The folds read the full Gram H[K]; it is standardized once they are done.
  const double work = double(a.K) * double(a.p) * double(a.p);
  const size_t nthreads = work < 4e6 ? 1 : std::min<size_t>(size_t(a.K), glmlx::detail::usable_cores());
  glmlx::detail::for_each_index(size_t(a.K), nthreads, [&](size_t k, size_t) { standardize_one(a, int64_t(k)); });
  standardize_one(a, a.K);
}

} // namespace glmlx::cv
