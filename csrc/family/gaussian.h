// The gaussian families' share of the path (glmnet 4.1's elnet and
// multelnet): squared error and the identity link need no working weights or
// link, so what is left of the family is the early-stop rule on the fraction
// of the fit explained. The solvers work on glmnet's standardized scale
// (solver/gaussian_*.cpp, solver/mgaussian.cpp).
#pragma once

#include <limits>

#include "glmlx/kernels/device_math.h"

namespace glmlx::family {

// gaussian: stop when R^2's fractional rise over the last lambda is below fdev
// (in the solver's scalar type, as glmnet's single- or double-precision elnet).
template <typename T>
bool small_rsq_gain(T rsq, T rsq_before, T fdev) {
  return kernels::small_rsq_gain(rsq, rsq_before, fdev);
}

// mgaussian: stop when the residual sum of squares' fractional fall is below fdev.
inline bool small_rss_drop(double rss, double rss_before, double fdev) {
  const double prop = rss == 0.0 ? std::numeric_limits<double>::infinity() : (rss_before - rss) / rss;
  return prop < fdev;
}

} // namespace glmlx::family
