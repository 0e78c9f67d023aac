// Scalar math of the coordinate-descent solvers, shared by every backend: the
// CPU solvers (C++), the Metal kernels (compiled from source at run time, where
// __METAL_VERSION__ is set) and the CUDA kernels (nvcc, __CUDACC__). One
// definition, so the devices run glmnet's update exactly as the CPU does.
// Written in the subset of C++ that Metal accepts: no double on Metal, no
// std:: outside the host branch, no recursion.
#pragma once

#if defined(__METAL_VERSION__)
#include <metal_stdlib>
#define GLMLX_FN inline
#elif defined(__CUDACC__)
#define GLMLX_FN __host__ __device__ inline
#else
#include <algorithm>
#include <cmath>
#define GLMLX_FN inline
#endif

namespace glmlx {
namespace kernels {

// |z| and copysign(a, z) in each compiler's own spelling (the host's std::
// forms keep the CPU loops vectorized and their results bit for bit).
#if defined(__METAL_VERSION__)
GLMLX_FN float magnitude(float z) { return metal::fabs(z); }
GLMLX_FN float with_sign(float a, float z) { return metal::copysign(a, z); }
GLMLX_FN half magnitude(half z) { return metal::fabs(z); }
GLMLX_FN half with_sign(half a, half z) { return metal::copysign(a, z); }
#elif defined(__CUDACC__)
GLMLX_FN float magnitude(float z) { return fabsf(z); }
GLMLX_FN float with_sign(float a, float z) { return copysignf(a, z); }
GLMLX_FN double magnitude(double z) { return fabs(z); }
GLMLX_FN double with_sign(double a, double z) { return copysign(a, z); }
#else
template <typename T>
GLMLX_FN T magnitude(T z) { return std::abs(z); }
template <typename T>
GLMLX_FN T with_sign(T a, T z) { return std::copysign(a, z); }
#endif

// sign(z) * max(|z| - t, 0): the lasso's proximal step. NaN in z propagates
// (the comparison is false, as std::max(NaN, 0) keeps its first argument).
template <typename T>
GLMLX_FN T soft_threshold(T z, T t) {
  T a = magnitude(z) - t;
  a = a < T(0) ? T(0) : a;
  return with_sign(a, z);
}

// sign(z) * max(|z| - t, 0) / scale.
template <typename T>
GLMLX_FN T soft_threshold(T z, T t, T scale) {
  return soft_threshold(z, t) / scale;
}

/**
 * glmnet's coordinate update of variable k on its standardized scale:
 * u = g_k + beta_k xv_k, b = S(u, vp_k ab) / (xv_k + vp_k dem), clamped to
 * [lo_k, hi_k] (a zero stays exactly zero). ab = lambda alpha, dem =
 * lambda (1 - alpha), g_k = x_k'W r the gradient, xv_k = x_k'W x_k. First
 * the step before the limits:
 */
template <typename T>
GLMLX_FN T coordinate_step(T gk, T beta, T xv, T vp, T ab, T dem) {
  return soft_threshold(gk + beta * xv, vp * ab, xv + vp * dem);
}

// b clamped to [lo, hi] (std::max(lo, std::min(hi, b))).
template <typename T>
GLMLX_FN T clamp_to_limits(T b, T lo, T hi) {
  const T below = b < hi ? b : hi;
  return lo < below ? below : lo;
}

// The whole update: the step, then the limits (a zero stays exactly zero; the
// CPU solvers read a variable's limits only then).
template <typename T>
GLMLX_FN T coordinate_update(T gk, T beta, T xv, T vp, T ab, T dem, T lo, T hi) {
  const T b = coordinate_step(gk, beta, xv, vp, ab, dem);
  return b == T(0) ? T(0) : clamp_to_limits(b, lo, hi);
}

// The change's weight in glmnet's convergence test: xv_k (b - beta_k)^2.
template <typename T>
GLMLX_FN T convergence_term(T xv, T d) {
  return xv * d * d;
}

// The fit's R^2 after beta_k moves by d: rsq + d (2 g_k - d xv_k).
template <typename T>
GLMLX_FN T rsq_gain(T gk, T d, T xv) {
  return d * (T(2) * gk - d * xv);
}

// glmnet's gaussian early stop: R^2's fractional rise over the last lambda
// below fdev (never when R^2 is 0, where the fraction is infinite).
template <typename T>
GLMLX_FN bool small_rsq_gain(T rsq, T rsq_before, T fdev) {
  return rsq != T(0) && (rsq - rsq_before) / rsq < fdev;
}

}  // namespace kernels
}  // namespace glmlx
