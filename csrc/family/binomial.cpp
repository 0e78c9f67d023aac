// The binomial family's null fit with an offset (glmnet's azero), and the
// bracketed root finder the multinomial family's class-by-class start shares.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "family/binomial.h"

namespace glmlx::family {

namespace {

// 1 / (1 + exp(-t)) without overflow for any t.
inline double logistic(double t) {
  if (t >= 0) {
    return 1.0 / (1.0 + std::exp(-t));
  }
  const double e = std::exp(t);
  return e / (1.0 + e);
}

} // namespace

// f(a) = sum w y - sum w logistic(g + a) falls from sum w y to sum w y - sum w,
// so widening [lo, hi] by doubling brackets its root for any finite offsets.
double bracketed_offset_intercept(const double* g, const double* w, int64_t n, double qy) {
  auto f = [&](double a, double* slope) {
    double num = qy, den = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      const double pr = logistic(g[i] + a);
      num -= w[i] * pr;
      den += w[i] * pr * (1.0 - pr);
    }
    *slope = den;
    return num;
  };
  double slope;
  double lo = -1.0, hi = 1.0;  // f(lo) > 0 > f(hi) once widened
  while (f(lo, &slope) <= 0 && lo > -1e308 / 2) {
    lo *= 2;
  }
  while (f(hi, &slope) >= 0 && hi < 1e308 / 2) {
    hi *= 2;
  }
  double a = 0.5 * (lo + hi);
  for (int it = 0; it < 2000; ++it) {
    const double fa = f(a, &slope);
    if (fa > 0) {
      lo = a;
    } else {
      hi = a;
    }
    double next = slope > 0 ? a + fa / slope : 0.5 * (lo + hi);
    if (!(next > lo && next < hi)) {
      next = 0.5 * (lo + hi);
    }
    const double step = next - a;
    a = next;
    if (std::abs(step) < 1e-7 || hi - lo <= 4e-16 * std::max(1.0, std::abs(a))) {
      break;
    }
  }
  return a;
}

double binomial_offset_intercept(const double* y, const double* g, const double* w, int64_t n) {
  std::vector<double> e(n), pr(n);
  double qy = 0.0, sw = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    e[i] = std::exp(-g[i]);
    pr[i] = 1.0 / (1.0 + e[i]);
    qy += w[i] * y[i];
    sw += w[i];
  }
  if (!(qy > 0.0 && qy < sw)) {
    throw std::invalid_argument("glmlx: the offset-only binomial model has no finite intercept (y is constant)");
  }
  // glmnet's Newton iteration, step for step, while it behaves. It has no
  // iteration cap, and with offsets of |g| >~ 7 its curvature underflows and
  // the step goes to inf or NaN, on which it never stops (R hangs too): then
  // the safeguarded solve takes over.
  double az = 0.0;
  for (int it = 0;; ++it) {
    double num = qy, den = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      num -= w[i] * pr[i];
      den += w[i] * pr[i] * (1.0 - pr[i]);
    }
    const double dd = num / den;
    az += dd;
    if (!std::isfinite(az) || it >= 100) {
      return bracketed_offset_intercept(g, w, n, qy);
    }
    if (std::abs(dd) < 1e-7) {
      break;
    }
    const double ea0 = std::exp(-az);
    for (int64_t i = 0; i < n; ++i) {
      pr[i] = 1.0 / (1.0 + ea0 * e[i]);
    }
  }
  return az;
}

} // namespace glmlx::family
