// glmnet's group-penalty pieces shared by the grouped multinomial and the
// mgaussian solvers: bnorm (the norm of a group's update) and chkbnds (a
// group update kept inside its box).
#include "solver/group_penalty.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "path/lambda_walk.h"

namespace glmlx::detail {

using path::BnormMaxitReached;

double bnorm(double b0, double al1p, double al2p, double g, double usq, double thr, int maxit) {
  double b = b0;
  double zsq = b * b + usq;
  if (zsq <= 0.0) {
    return 0.0;
  }
  double z = std::sqrt(zsq);
  double f = b * (al1p + al2p / z) - g;
  int it = 0;
  for (; it < maxit; ++it) {
    b -= f / (al1p + al2p * usq / (z * zsq));
    zsq = b * b + usq;
    if (zsq <= 0.0) {
      return 0.0;
    }
    z = std::sqrt(zsq);
    f = b * (al1p + al2p / z) - g;
    if (std::abs(f) <= thr) {
      break;
    }
    if (b <= 0.0) {
      b = 0.0;
      break;
    }
  }
  if (it >= maxit) {
    throw BnormMaxitReached{};
  }
  return b;
}

void chkbnds(int64_t K, const double* gk, double gkn, double xv, const double* lower, const double* upper,
             int64_t stride, double al1, double al2, double* a, uint8_t* isc, double thr, int maxit) {
  const double al1p = 1.0 + al1 / xv, al2p = al2 / xv;
  std::fill(isc, isc + K, uint8_t(0));
  double gsq = gkn * gkn;
  double asq = 0.0;
  for (int64_t k = 0; k < K; ++k) {
    asq += a[k] * a[k];
  }
  double usq = 0.0, u = 0.0;
  int64_t kn = -1;
  while (true) {
    double vmx = 0.0;
    for (int64_t k = 0; k < K; ++k) {
      const double v = std::max(a[k] - upper[k * stride], lower[k * stride] - a[k]);
      if (v > vmx) {
        vmx = v;
        kn = k;
      }
    }
    if (vmx <= 0.0 || isc[kn]) {
      break;
    }
    gsq -= gk[kn] * gk[kn];
    // abs() as glmnet: rounding can push the remainder below zero
    const double g = std::sqrt(std::abs(gsq)) / xv;
    if (a[kn] < lower[kn * stride]) {
      u = lower[kn * stride];
    }
    if (a[kn] > upper[kn * stride]) {
      u = upper[kn * stride];
    }
    usq += u * u;
    double b;
    if (usq == 0.0) {
      b = std::max(0.0, (g - al2p) / al1p);
    } else {
      b = bnorm(std::sqrt(std::abs(asq - a[kn] * a[kn])), al1p, al2p, g, usq, thr, maxit);
    }
    asq = usq + b * b;
    if (asq <= 0.0) {
      std::fill(a, a + K, 0.0);
      break;
    }
    a[kn] = u;
    isc[kn] = 1;
    const double f = 1.0 / (xv * (al1p + al2p / std::sqrt(asq)));
    for (int64_t j = 0; j < K; ++j) {
      if (!isc[j]) {
        a[j] = f * gk[j];
      }
    }
  }
}

} // namespace glmlx::detail
