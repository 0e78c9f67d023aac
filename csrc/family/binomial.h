// The binomial family (two classes; y a proportion, weights the trials):
// logit link, glmnet 4.1's elnet_point/internal/binomial_base.hpp and its
// lognet2n. The interface is described in family/irls_family.h.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "cpu/team.h"
#include "cpu/vec.h"
#include "family/irls_family.h"
#include "path/lambda_walk.h"

namespace glmlx::family {

/** glmnet's azero: the intercept of the offset-only binomial fit, by Newton steps. */
double binomial_offset_intercept(const double* y, const double* g, const double* w, int64_t n);

/**
 * The root a of sum_i w_i y_i - sum_i w_i / (1 + exp(-(g_i + a))) = qy, for
 * 0 < qy < sum w and any finite g: Newton steps inside a bracket of the
 * root, bisection where a step leaves it.
 */
double bracketed_offset_intercept(const double* g, const double* w, int64_t n, double qy);

class Binomial {
 public:
  static constexpr const char* name = "binomial";

  // y, w (normalized to sum 1) and the offset g (null when absent) on n rows.
  Binomial(const double* y, const double* w, const double* g, int64_t n, const GlmPathSettings& s)
      : y_(y), w_(w), g_(g), n_(n), s_(s), mu_(n) {
    fmax_ = std::log(1.0 / s.pmin - 1.0);
    vmin_ = (1.0 + s.pmin) * s.pmin * (1.0 - s.pmin);
  }

  NullFit start(double* W, double* r) {
    const double* w = w_;
    const double* y = y_;
    const double* g = g_;
    NullFit f;
    double q0 = vec::dot(w, y, n_);
    if (q0 <= s_.pmin) {
      throw path::FatalError{8001};
    }
    if (q0 >= 1.0 - s_.pmin) {
      throw path::FatalError{9001};
    }
    if (!s_.intercept) {
      q0 = 0.5;
    }
    const double bz = s_.intercept ? std::log(q0 / (1.0 - q0)) : 0.0;
    if (g == nullptr) {
      const double vi = q0 * (1.0 - q0);
      f.b0 = bz;
      for (int64_t i = 0; i < n_; ++i) {
        W[i] = vi * w[i];
        r[i] = w[i] * (y[i] - q0);
        mu_[i] = q0;
      }
      f.wsum = vi;
      f.dev_null = -(bz * q0 + std::log(1.0 - q0));
    } else {
      f.b0 = s_.intercept ? binomial_offset_intercept(y, g, w, n_) : 0.0;
      double s = 0.0;
      f.wsum = 0.0;
      for (int64_t i = 0; i < n_; ++i) {
        mu_[i] = 1.0 / (1.0 + std::exp(-f.b0 - g[i]));
        W[i] = w[i] * mu_[i] * (1.0 - mu_[i]);
        r[i] = w[i] * (y[i] - mu_[i]);
        f.wsum += W[i];
        s += w[i] * (y[i] * g[i] + std::log(1.0 - mu_[i]));
      }
      f.dev_null = -(f.b0 * q0 + s);
    }
    f.dev0 = f.dev_null;
    for (int64_t i = 0; i < n_; ++i) {
      if (y[i] > 0.0) {
        f.dev0 += w[i] * y[i] * std::log(y[i]);
      }
      if (y[i] < 1.0) {
        f.dev0 += w[i] * (1.0 - y[i]) * std::log(1.0 - y[i]);
      }
    }
    dev_null_ = f.dev_null;
    dev0_ = f.dev0;
    return f;
  }

  // Modified Newton (kopt > 0) bounds mu (1 - mu) by 1/4, fixed for the path.
  bool curvature_per_step(int kopt) const { return kopt == 0; }
  static constexpr double kCurvatureBound = 0.25;

  double residual_at_fit(int64_t i, const double*) const { return w_[i] * (y_[i] - mu_[i]); }

  double reweight(int64_t lo, int64_t hi, const double* eta, double* W, double*) {
    double ws = 0.0;
    for (int64_t i = lo; i < hi; ++i) {
      const double f = eta[i];
      mu_[i] = f < -fmax_ ? 0.0 : (f > fmax_ ? 1.0 : 1.0 / (1.0 + std::exp(-f)));
      W[i] = w_[i] * mu_[i] * (1.0 - mu_[i]);
      ws += W[i];
    }
    return ws;
  }

  bool collapsed(double wsum) const { return wsum <= vmin_; }

  void residuals(int64_t lo, int64_t hi, const double*, double* r) const {
    for (int64_t i = lo; i < hi; ++i) {
      r[i] = w_[i] * (y_[i] - mu_[i]);
    }
  }
  static constexpr bool kResidualsAfterReweight = true;

  double deviance_ratio(const detail::RowOps& rows, const double*, double) const {
    const double* w = w_;
    const double* y = y_;
    const double pmin = s_.pmin, pmax = 1.0 - s_.pmin;
    const double dev = rows.sum_rows([&](int64_t lo, int64_t hi) {
      double dv = 0.0;
      for (int64_t i = lo; i < hi; ++i) {
        const double q = std::min(std::max(pmin, mu_[i]), pmax);
        dv -= w[i] * (y[i] * std::log(q) + (1.0 - y[i]) * std::log(1.0 - q));
      }
      return dv;
    });
    return (dev_null_ - dev) / dev0_;
  }

  // glmnet's early stop on the deviance gain: the last step's, against fdev.
  bool small_gain(const std::vector<double>& dev_ratio, int64_t m, int64_t, double fdev) const {
    const double gain = dev_ratio[size_t(m)] - (m == 0 ? 0.0 : dev_ratio[size_t(m - 1)]);
    return gain < fdev;
  }

 private:
  const double *y_, *w_, *g_;
  int64_t n_;
  const GlmPathSettings& s_;
  detail::RowVector<double> mu_;  // fitted means (rows the team splits: line-aligned)
  double fmax_, vmin_;
  double dev_null_ = 0.0, dev0_ = 0.0;
};

} // namespace glmlx::family
