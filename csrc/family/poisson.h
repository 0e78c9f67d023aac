// The poisson family: log link, glmnet 4.1's elnet_point/internal/
// poisson_base.hpp and its fishnet1. The interface is described in
// family/irls_family.h.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "cpu/team.h"
#include "cpu/vec.h"
#include "family/irls_family.h"

namespace glmlx::family {

// glmnet's cap on |eta| for exp().
inline const double kPoissonMaxLink = std::log(std::numeric_limits<double>::max() * 0.1);

class Poisson {
 public:
  static constexpr const char* name = "poisson";

  // y, w (normalized to sum 1) and the offset g (null when absent) on n rows.
  Poisson(const double* y, const double* w, const double* g, int64_t n, const GlmPathSettings& s)
      : y_(y), w_(w), g_(g), n_(n), s_(s), t_(n) {}

  NullFit start(double* W, double* r) {
    const double* w = w_;
    const double* y = y_;
    const double* g = g_;
    NullFit f;
    for (int64_t i = 0; i < n_; ++i) {
      t_[i] = w[i] * y[i];
    }
    double yb = 0.0;  // sum w y
    for (int64_t i = 0; i < n_; ++i) {
      yb += t_[i];
    }
    if (g == nullptr) {
      if (s_.intercept) {
        for (int64_t i = 0; i < n_; ++i) {
          W[i] = yb * w[i];
        }
        f.b0 = std::log(yb);
        f.dev_null = yb * (f.b0 - 1.0);
      } else {
        std::copy(w, w + n_, W);
        f.b0 = 0.0;
        f.dev_null = -1.0;
      }
    } else {
      double v0 = 0.0;
      for (int64_t i = 0; i < n_; ++i) {
        W[i] = w[i] * std::exp(std::copysign(std::min(std::abs(g[i]), kPoissonMaxLink), g[i]));
        v0 += W[i];
      }
      const double tg = vec::dot(t_.data(), g, n_);
      if (s_.intercept) {
        const double eaz = yb / v0;
        for (int64_t i = 0; i < n_; ++i) {
          W[i] *= eaz;
        }
        f.b0 = std::log(eaz);
        f.dev_null = tg - yb * (1.0 - f.b0);
      } else {
        f.b0 = 0.0;
        f.dev_null = tg - v0;
      }
    }
    f.wsum = s_.intercept ? yb : 1.0;
    for (int64_t i = 0; i < n_; ++i) {
      r[i] = t_[i] - W[i];
    }
    f.dev0 = -yb;
    for (int64_t i = 0; i < n_; ++i) {
      if (t_[i] > 0.0) {
        f.dev0 += t_[i] * std::log(y[i]);
      }
    }
    f.dev0 -= f.dev_null;
    dev_null_ = f.dev_null;
    dev0_ = f.dev0;
    return f;
  }

  // Always Newton: glmnet's poisson has no modified-Newton bound.
  bool curvature_per_step(int) const { return true; }
  static constexpr double kCurvatureBound = 0.0;

  double residual_at_fit(int64_t i, const double* W) const { return t_[i] - W[i]; }

  double reweight(int64_t lo, int64_t hi, const double* eta, double* W, double* r) {
    double ws = 0.0;
    for (int64_t i = lo; i < hi; ++i) {
      const double f = eta[i];
      W[i] = w_[i] * std::exp(std::copysign(std::min(std::abs(f), kPoissonMaxLink), f));
      r[i] = t_[i] - W[i];
      ws += W[i];
    }
    return ws;
  }

  bool collapsed(double) const { return false; }

  void residuals(int64_t, int64_t, const double*, double*) const {}
  static constexpr bool kResidualsAfterReweight = false;

  double deviance_ratio(const detail::RowOps& rows, const double* eta, double wsum) const {
    return (rows.dot(t_.data(), eta) - wsum - dev_null_) / dev0_;
  }

  // glmnet's early stop on the deviance gain: relative, over mnl - 1 steps,
  // against ten times fdev (poisson_base.hpp).
  bool small_gain(const std::vector<double>& dev_ratio, int64_t m, int64_t mnl, double fdev) const {
    const double dev = dev_ratio[size_t(m)];
    const double gain = (dev - dev_ratio[size_t(m - mnl + 1)]) / dev;
    return gain < fdev * 10.0;
  }

 private:
  const double *y_, *w_, *g_;
  int64_t n_;
  const GlmPathSettings& s_;
  detail::RowVector<double> t_;  // w y (rows the team splits: line-aligned)
  double dev_null_ = 0.0, dev0_ = 0.0;
};

} // namespace glmlx::family
