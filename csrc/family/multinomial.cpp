// The multinomial family's math (family/multinomial.h).
#include "family/multinomial.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "cpu/vec.h"
#include "path/lambda_walk.h"

namespace glmlx::family {

using path::FatalError;

Multinomial::Multinomial(const double* y, const double* w, int64_t n, int64_t K, const GlmPathSettings& s)
    : y_(y), w_(w), n_(n), K_(K), s_(s), q_(size_t(n * K)), sxp_(size_t(n), 0.0) {
  pfm_ = (1.0 + s.pmin) * s.pmin;
  pfx_ = (1.0 - s.pmin) * (1.0 - s.pmin);
  vmin_ = (1.0 + s.pmin) * s.pmin * (1.0 - s.pmin);
  emin_ = s.pmin / (1.0 - s.pmin);
  emax_ = 1.0 / emin_;
}

void Multinomial::start(std::vector<double>& offset, std::vector<double>& a0) {
  const double* w = w_;
  const double* y = y_;
  const double K = double(K_);
  for (int64_t ic = 0; ic < K_; ++ic) {
    const double q0 = vec::dot(w, y + ic * n_, n_);
    if (q0 <= s_.pmin) {
      throw FatalError{8001 + ic};
    }
    if (q0 >= 1.0 - s_.pmin) {
      throw FatalError{9001 + ic};
    }
    if (s_.intercept) {
      a0[ic] = std::log(q0);
      dev1_ -= q0 * a0[ic];
    }
  }
  if (!s_.intercept) {
    dev1_ = std::log(K);
  }
  // glmnet takes the offset branch only for a nonzero offset.
  const bool has_offset =
      !offset.empty() && std::any_of(offset.begin(), offset.end(), [](double g) { return g != 0.0; });
  if (!has_offset) {
    offset.clear();
    const double mean = std::accumulate(a0.begin(), a0.end(), 0.0) / K;
    for (auto& a : a0) {
      a -= mean;
    }
    for (int64_t ic = 0; ic < K_; ++ic) {
      const double e = std::exp(a0[ic]);
      std::fill(q_.begin() + ic * n_, q_.begin() + (ic + 1) * n_, e);
      for (int64_t i = 0; i < n_; ++i) {
        sxp_[i] += e;
      }
    }
  } else {
    // The model is unchanged by a per-row constant: glmnet centres each offset row.
    double* g = offset.data();
    for (int64_t i = 0; i < n_; ++i) {
      double sum = 0.0;
      for (int64_t ic = 0; ic < K_; ++ic) {
        sum += g[ic * n_ + i];
      }
      for (int64_t ic = 0; ic < K_; ++ic) {
        g[ic * n_ + i] -= sum / K;
      }
    }
    if (s_.intercept) {
      offset_intercepts(offset.data(), a0);
    }
    dev1_ = 0.0;
    for (int64_t ic = 0; ic < K_; ++ic) {
      double* q = q_.data() + ic * n_;
      const double* gc = g + ic * n_;
      const double* yc = y + ic * n_;
      double s = 0.0;
      for (int64_t i = 0; i < n_; ++i) {
        q[i] = a0[ic] + gc[i];
        s += w[i] * (yc[i] * q[i]);
      }
      dev1_ -= s;
      for (int64_t i = 0; i < n_; ++i) {
        q[i] = std::exp(q[i]);
        sxp_[i] += q[i];
      }
    }
    for (int64_t ic = 0; ic < K_; ++ic) {
      const double* yc = y + ic * n_;
      double s = 0.0;
      for (int64_t i = 0; i < n_; ++i) {
        s += yc[i] * (w[i] * std::log(sxp_[i]));
      }
      dev1_ += s;
    }
  }
  dev0_ = 0.0;
  for (int64_t ic = 0; ic < K_; ++ic) {
    const double* yc = y + ic * n_;
    for (int64_t i = 0; i < n_; ++i) {
      if (yc[i] > 0.0) {
        dev0_ += w[i] * yc[i] * std::log(yc[i]);
      }
    }
  }
  dev0_ += dev1_;
}

// glmnet's kazero: intercepts of the offset-only model, by per-class Newton steps.
void Multinomial::offset_intercepts(const double* g, std::vector<double>& a0) {
  const double* w = w_;
  const double* y = y_;
  // glmnet's iteration, step for step. It has no cap, and when a class's
  // offsets make its probabilities tiny (an offset of ~30 against the other
  // classes) its curvature underflows, the step overflows and the
  // intercepts come out NaN (R's too). Then each class's intercept is solved
  // in turn with the others fixed, a one-dimensional logistic problem in
  // h_i = g_ic - log sum_{k != c} exp(g_ik + a_k) (computed without
  // overflow), until no intercept moves by 1e-7: the same optimum.
  std::vector<double> e(n_ * K_), s(n_, 0.0);
  for (int64_t ic = 0; ic < K_; ++ic) {
    for (int64_t i = 0; i < n_; ++i) {
      e[ic * n_ + i] = std::exp(g[ic * n_ + i]);
    }
  }
  for (int64_t i = 0; i < n_; ++i) {
    for (int64_t ic = 0; ic < K_; ++ic) {
      s[i] += e[ic * n_ + i];
    }
  }
  std::fill(a0.begin(), a0.end(), 0.0);
  double dm;
  int iterations = 0;
  do {
    dm = 0.0;
    for (int64_t ic = 0; ic < K_; ++ic) {
      double* ec = e.data() + ic * n_;
      const double* yc = y + ic * n_;
      double t = 0.0, u = 0.0;
      for (int64_t i = 0; i < n_; ++i) {
        const double pik = ec[i] / s[i];
        t += w[i] * (yc[i] - pik);
        u += w[i] * pik * (1.0 - pik);
      }
      const double dd = t / u;
      a0[ic] += dd;
      const double ed = std::exp(dd);
      dm = std::isfinite(dd) ? std::max(dm, std::abs(dd)) : std::numeric_limits<double>::infinity();
      for (int64_t i = 0; i < n_; ++i) {
        const double z = ec[i];
        ec[i] = z * ed;
        s[i] += -z + ec[i];
      }
    }
  } while (dm >= 1e-7 && std::isfinite(dm) && ++iterations < 1000);
  if (!(dm < 1e-7)) {
    class_by_class_intercepts(g, a0);
  }
  const double mean = std::accumulate(a0.begin(), a0.end(), 0.0) / double(K_);
  for (auto& a : a0) {
    a -= mean;
  }
}

// The offset-only intercepts by exact one-class-at-a-time solves (see
// offset_intercepts), each a bracketed logistic root: converges for any
// finite offsets where every class occurs and none is certain.
void Multinomial::class_by_class_intercepts(const double* g, std::vector<double>& a0) {
  const double* w = w_;
  const double* y = y_;
  double sw = 0.0;
  for (int64_t i = 0; i < n_; ++i) {
    sw += w[i];
  }
  std::vector<double> h(n_), terms(K_);
  std::fill(a0.begin(), a0.end(), 0.0);
  for (int sweep = 0; sweep < 1000; ++sweep) {
    double dm = 0.0;
    for (int64_t ic = 0; ic < K_; ++ic) {
      double qy = 0.0;
      for (int64_t i = 0; i < n_; ++i) {
        qy += w[i] * y[ic * n_ + i];
        double top = -std::numeric_limits<double>::infinity();
        for (int64_t k = 0; k < K_; ++k) {
          if (k != ic) {
            top = std::max(top, g[k * n_ + i] + a0[k]);
          }
        }
        double sum = 0.0;
        for (int64_t k = 0; k < K_; ++k) {
          if (k != ic) {
            sum += std::exp(g[k * n_ + i] + a0[k] - top);
          }
        }
        h[i] = g[ic * n_ + i] - (top + std::log(sum));
      }
      if (!(qy > 0.0 && qy < sw)) {
        throw std::invalid_argument("glmlx: a class of y has no observations (or all of them), so the "
                                    "offset-only multinomial model has no finite intercepts");
      }
      const double a = bracketed_offset_intercept(h.data(), w, n_, qy);
      dm = std::max(dm, std::abs(a - a0[ic]));
      a0[ic] = a;
    }
    if (dm < 1e-7) {
      return;
    }
  }
  throw std::invalid_argument("glmlx: the offset-only multinomial intercepts did not converge in 1000 sweeps");
}

double Multinomial::working_weights(int64_t ic, double* v, double* r) const {
  return vec::class_working_weights(q_.data() + ic * n_, sxp_.data(), w_, y_ + ic * n_, pfm_, pfx_, v, r, n_);
}

void Multinomial::residuals(int64_t ic, double scale, double* r) const {
  vec::class_resid(q_.data() + ic * n_, sxp_.data(), w_, y_ + ic * n_, scale, r, n_);
}

void Multinomial::update_class(int64_t ic, double* eta) {
  vec::class_exp_update(eta, q_.data() + ic * n_, sxp_.data(), -s_.exmx, s_.exmx, emin_, emax_, n_);
}

void Multinomial::rescale(const double* d) {
  for (int64_t i = 0; i < n_; ++i) {
    sxp_[i] *= d[i];
  }
  for (int64_t ic = 0; ic < K_; ++ic) {
    double* q = q_.data() + ic * n_;
    for (int64_t i = 0; i < n_; ++i) {
      q[i] *= d[i];
    }
  }
}

double Multinomial::max_prob_var(int64_t ic) const {
  return vec::max_prob_var(q_.data() + ic * n_, sxp_.data(), n_);
}

double Multinomial::deviance_ratio() const {
  const double* w = w_;
  double devi = 0.0;
  for (int64_t ic = 0; ic < K_; ++ic) {
    const double* y = y_ + ic * n_;
    const double* q = q_.data() + ic * n_;
    for (int64_t i = 0; i < n_; ++i) {
      if (y[i] > 0.0) {
        devi -= w[i] * y[i] * std::log(q[i] / sxp_[i]);
      }
    }
  }
  return (dev1_ - devi) / dev0_;
}

} // namespace glmlx::family
