#include "vec.h"

#include <algorithm>
#include <cmath>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define GLMLX_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define GLMLX_CLONES
#endif

namespace glmlx::vec {

GLMLX_CLONES void axpy_neg(double* __restrict y, const double* __restrict x, double a, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    y[i] -= a * x[i];
  }
}

GLMLX_CLONES void axpy_neg(float* __restrict y, const float* __restrict x, float a, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    y[i] -= a * x[i];
  }
}

GLMLX_CLONES double dot(const double* __restrict a, const double* __restrict b, std::size_t n) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; ++j) {
      acc[j] += a[i + j] * b[i + j];
    }
  }
  double tail = 0;
  for (; i < n; ++i) {
    tail += a[i] * b[i];
  }
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail;
}

GLMLX_CLONES double sum(const double* __restrict x, std::size_t n) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; ++j) {
      acc[j] += x[i + j];
    }
  }
  double tail = 0;
  for (; i < n; ++i) {
    tail += x[i];
  }
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail;
}

GLMLX_CLONES double wsumsq(const double* __restrict w, const double* __restrict x, std::size_t n) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; ++j) {
      acc[j] += w[i + j] * (x[i + j] * x[i + j]);
    }
  }
  double tail = 0;
  for (; i < n; ++i) {
    tail += w[i] * (x[i] * x[i]);
  }
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail;
}

GLMLX_CLONES void axpy_wneg(double* __restrict r, const double* __restrict w, const double* __restrict x, double a,
                            std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    r[i] -= a * (w[i] * x[i]);
  }
}

namespace {

// Four doubles, unaligned: wide registers in the AVX2 clone, pairs of SSE2 ones
// otherwise. Only used inside this file's kernels (always inlined), so the ABI
// note GCC gives for passing them between functions does not apply.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif
typedef double v4d __attribute__((vector_size(32), aligned(8)));

__attribute__((always_inline)) inline v4d load4(const double* p) {
  v4d v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

// dot() over G vectors at once: the same eight partial sums per vector (lo
// holds dot's acc[0..3], hi acc[4..7]), so the same result bit for bit.
template <int G>
__attribute__((always_inline)) inline void dot_group(const double* __restrict R, std::size_t ld,
                                                     const double* __restrict x, std::size_t n, double* out) {
  v4d lo[G], hi[G];
  for (int g = 0; g < G; ++g) {
    lo[g] = v4d{0, 0, 0, 0};
    hi[g] = v4d{0, 0, 0, 0};
  }
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const v4d x0 = load4(x + i), x1 = load4(x + i + 4);
    for (int g = 0; g < G; ++g) {
      lo[g] += load4(R + g * ld + i) * x0;
      hi[g] += load4(R + g * ld + i + 4) * x1;
    }
  }
  for (int g = 0; g < G; ++g) {
    double tail = 0;
    for (std::size_t t = i; t < n; ++t) {
      tail += R[g * ld + t] * x[t];
    }
    const v4d a = lo[g], b = hi[g];
    out[g] = ((a[0] + b[0]) + (a[1] + b[1])) + ((a[2] + b[2]) + (a[3] + b[3])) + tail;
  }
}

template <int G>
__attribute__((always_inline)) inline void axpy_wneg_group(double* __restrict R, std::size_t ld,
                                                           const double* __restrict w, const double* __restrict x,
                                                           const double* a, std::size_t n) {
  double c[G];
  for (int g = 0; g < G; ++g) {
    c[g] = a[g];
  }
  for (std::size_t i = 0; i < n; ++i) {
    const double wx = w[i] * x[i];
    for (int g = 0; g < G; ++g) {
      R[g * ld + i] -= c[g] * wx;
    }
  }
}

} // namespace

namespace {

template <int G>
__attribute__((always_inline)) inline void axpy_neg_group(double* __restrict y, const double* const* cols,
                                                          const double* a, std::size_t n) {
  const double* c[G];
  double s[G];
  for (int g = 0; g < G; ++g) {
    c[g] = cols[g];
    s[g] = a[g];
  }
  for (std::size_t i = 0; i < n; ++i) {
    double v = y[i];
    for (int g = 0; g < G; ++g) {
      v -= s[g] * c[g][i];
    }
    y[i] = v;
  }
}

// wsumsq() over G columns at once, with its eight partial sums per column.
template <int G>
__attribute__((always_inline)) inline void wsumsq_group(const double* __restrict w, const double* const* cols,
                                                        std::size_t n, double* out) {
  v4d lo[G], hi[G];
  const double* c[G];
  for (int g = 0; g < G; ++g) {
    lo[g] = v4d{0, 0, 0, 0};
    hi[g] = v4d{0, 0, 0, 0};
    c[g] = cols[g];
  }
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const v4d w0 = load4(w + i), w1 = load4(w + i + 4);
    for (int g = 0; g < G; ++g) {
      const v4d x0 = load4(c[g] + i), x1 = load4(c[g] + i + 4);
      lo[g] += w0 * (x0 * x0);
      hi[g] += w1 * (x1 * x1);
    }
  }
  for (int g = 0; g < G; ++g) {
    double tail = 0;
    for (std::size_t t = i; t < n; ++t) {
      tail += w[t] * (c[g][t] * c[g][t]);
    }
    const v4d a = lo[g], b = hi[g];
    out[g] = ((a[0] + b[0]) + (a[1] + b[1])) + ((a[2] + b[2]) + (a[3] + b[3])) + tail;
  }
}

template <int G>
__attribute__((always_inline)) inline void axpy_wneg_dot_group(double* __restrict R, std::size_t ld,
                                                               const double* __restrict w,
                                                               const double* __restrict xa, const double* a,
                                                               const double* __restrict xb, std::size_t n,
                                                               double* out) {
  v4d lo[G], hi[G];
  double c[G];
  for (int g = 0; g < G; ++g) {
    lo[g] = v4d{0, 0, 0, 0};
    hi[g] = v4d{0, 0, 0, 0};
    c[g] = a[g];
  }
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const v4d wx0 = load4(w + i) * load4(xa + i), wx1 = load4(w + i + 4) * load4(xa + i + 4);
    const v4d xb0 = load4(xb + i), xb1 = load4(xb + i + 4);
    for (int g = 0; g < G; ++g) {
      double* r = R + g * ld + i;
      const v4d r0 = load4(r) - c[g] * wx0, r1 = load4(r + 4) - c[g] * wx1;
      __builtin_memcpy(r, &r0, sizeof r0);
      __builtin_memcpy(r + 4, &r1, sizeof r1);
      lo[g] += r0 * xb0;
      hi[g] += r1 * xb1;
    }
  }
  double tail[G] = {};
  for (; i < n; ++i) {
    const double wx = w[i] * xa[i];
    for (int g = 0; g < G; ++g) {
      R[g * ld + i] -= c[g] * wx;
      tail[g] += R[g * ld + i] * xb[i];
    }
  }
  for (int g = 0; g < G; ++g) {
    const v4d p = lo[g], q = hi[g];
    out[g] = ((p[0] + q[0]) + (p[1] + q[1])) + ((p[2] + q[2]) + (p[3] + q[3])) + tail[g];
  }
}

} // namespace

GLMLX_CLONES double axpy_wneg_dot(double* __restrict r, const double* __restrict w, const double* __restrict xa,
                                  double a, const double* __restrict xb, std::size_t n) {
  v4d lo = {0, 0, 0, 0}, hi = {0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const v4d r0 = load4(r + i) - a * (load4(w + i) * load4(xa + i));
    const v4d r1 = load4(r + i + 4) - a * (load4(w + i + 4) * load4(xa + i + 4));
    __builtin_memcpy(r + i, &r0, sizeof r0);
    __builtin_memcpy(r + i + 4, &r1, sizeof r1);
    lo += r0 * load4(xb + i);
    hi += r1 * load4(xb + i + 4);
  }
  double tail = 0;
  for (; i < n; ++i) {
    r[i] -= a * (w[i] * xa[i]);
    tail += r[i] * xb[i];
  }
  return ((lo[0] + hi[0]) + (lo[1] + hi[1])) + ((lo[2] + hi[2]) + (lo[3] + hi[3])) + tail;
}

GLMLX_CLONES void axpy_neg_cols(double* y, const double* const* cols, const double* a, std::size_t m,
                                std::size_t n) {
  std::size_t j = 0;
  for (; j + 4 <= m; j += 4) {
    axpy_neg_group<4>(y, cols + j, a + j, n);
  }
  for (; j + 2 <= m; j += 2) {
    axpy_neg_group<2>(y, cols + j, a + j, n);
  }
  for (; j < m; ++j) {
    axpy_neg_group<1>(y, cols + j, a + j, n);
  }
}

GLMLX_CLONES void wsumsq_cols(const double* w, const double* const* cols, std::size_t m, std::size_t n,
                              double* out) {
  std::size_t j = 0;
  for (; j + 4 <= m; j += 4) {
    wsumsq_group<4>(w, cols + j, n, out + j);
  }
  for (; j + 2 <= m; j += 2) {
    wsumsq_group<2>(w, cols + j, n, out + j);
  }
  for (; j < m; ++j) {
    wsumsq_group<1>(w, cols + j, n, out + j);
  }
}

GLMLX_CLONES void axpy_wneg_dot_multi(double* R, std::size_t ld, std::size_t K, const double* w, const double* xa,
                                      const double* a, const double* xb, std::size_t n, double* out) {
  std::size_t k = 0;
  for (; k + 4 <= K; k += 4) {
    axpy_wneg_dot_group<4>(R + k * ld, ld, w, xa, a + k, xb, n, out + k);
  }
  switch (K - k) {
    case 3:
      axpy_wneg_dot_group<3>(R + k * ld, ld, w, xa, a + k, xb, n, out + k);
      break;
    case 2:
      axpy_wneg_dot_group<2>(R + k * ld, ld, w, xa, a + k, xb, n, out + k);
      break;
    case 1:
      axpy_wneg_dot_group<1>(R + k * ld, ld, w, xa, a + k, xb, n, out + k);
      break;
    default:
      break;
  }
}

GLMLX_CLONES void dot_multi(const double* R, std::size_t ld, std::size_t K, const double* x, std::size_t n,
                            double* out) {
  std::size_t k = 0;
  for (; k + 4 <= K; k += 4) {
    dot_group<4>(R + k * ld, ld, x, n, out + k);
  }
  switch (K - k) {  // three classes (the common case) in one pass too
    case 3:
      dot_group<3>(R + k * ld, ld, x, n, out + k);
      break;
    case 2:
      dot_group<2>(R + k * ld, ld, x, n, out + k);
      break;
    case 1:
      dot_group<1>(R + k * ld, ld, x, n, out + k);
      break;
    default:
      break;
  }
}

GLMLX_CLONES void axpy_wneg_multi(double* R, std::size_t ld, std::size_t K, const double* w, const double* x,
                                  const double* a, std::size_t n) {
  std::size_t k = 0;
  for (; k + 4 <= K; k += 4) {
    axpy_wneg_group<4>(R + k * ld, ld, w, x, a + k, n);
  }
  switch (K - k) {  // three classes (the common case) in one pass too
    case 3:
      axpy_wneg_group<3>(R + k * ld, ld, w, x, a + k, n);
      break;
    case 2:
      axpy_wneg_group<2>(R + k * ld, ld, w, x, a + k, n);
      break;
    case 1:
      axpy_wneg_group<1>(R + k * ld, ld, w, x, a + k, n);
      break;
    default:
      break;
  }
}

GLMLX_CLONES double class_working_weights(const double* __restrict q, const double* __restrict s,
                                          const double* __restrict w, const double* __restrict y, double lo,
                                          double hi, double* __restrict v, double* __restrict r, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    double p = q[i] / s[i];
    p = p < lo ? 0.0 : p;
    p = p > hi ? 1.0 : p;
    // Rounded rows get w * 0 * 1 = 0 weight without a branch.
    v[i] = w[i] * p * (1.0 - p);
    r[i] = w[i] * (y[i] - p);
  }
  return sum(v, n);
}

namespace {

typedef int v4i __attribute__((vector_size(16), aligned(4)));
typedef long long v4l __attribute__((vector_size(32), aligned(8)));

// exp on four lanes: x = n ln2 + g with |g| <= ln2/2 (ln2 split in two so
// n C1 is exact), exp(g) = 1 + 2 g P(g^2) / (Q(g^2) - g P(g^2)) with Cephes'
// coefficients, times 2^n built in the exponent bits. Inputs must lie within
// +-kExpVecMax so that 2^n is a normal number.
constexpr double kExpVecMax = 700.0;

__attribute__((always_inline)) inline v4d exp4(const v4d& input) {
  v4d x = input;
  const v4d t = x * 1.4426950408889634073599 + 0.5;
  v4d n = __builtin_convertvector(__builtin_convertvector(t, v4i), v4d);  // trunc
  n = n > t ? n - 1.0 : n;                                                // floor
  x = x - n * 0.693145751953125;
  x = x - n * 1.42860682030941723212e-6;
  const v4d x2 = x * x;
  const v4d px = ((1.26177193074810590878e-4 * x2 + 3.02994407707441961300e-2) * x2 + 9.99999999999999999910e-1) * x;
  const v4d qx = ((3.00198505138664455042e-6 * x2 + 2.52448340349684104192e-3) * x2 + 2.27265548208155028766e-1) * x2 +
                 2.00000000000000000009e0;
  const v4d e = 2.0 * (px / (qx - px)) + 1.0;
  const v4l bits = (__builtin_convertvector(__builtin_convertvector(n, v4i), v4l) + 1023) << 52;
  v4d scale;
  __builtin_memcpy(&scale, &bits, sizeof scale);
  return e * scale;
}

__attribute__((always_inline)) inline bool in_exp_range(const v4d& x) {
  const v4d a = x < 0 ? -x : x;
  return a[0] <= kExpVecMax && a[1] <= kExpVecMax && a[2] <= kExpVecMax && a[3] <= kExpVecMax;
}

} // namespace

GLMLX_CLONES void exp_inplace(double* x, std::size_t n) {
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const v4d v = load4(x + i);
    if (in_exp_range(v)) {
      const v4d e = exp4(v);
      __builtin_memcpy(x + i, &e, sizeof e);
    } else {
      for (int j = 0; j < 4; ++j) {
        x[i + j] = std::exp(x[i + j]);
      }
    }
  }
  for (; i < n; ++i) {
    x[i] = std::exp(x[i]);
  }
}

GLMLX_CLONES void class_exp_update(double* __restrict eta, double* __restrict q, double* __restrict s, double lo,
                                   double hi, double emin, double emax, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    eta[i] = std::min(std::max(eta[i], lo), hi);
  }
  exp_inplace(eta, n);
  for (std::size_t i = 0; i < n; ++i) {
    const double rest = s[i] - q[i];
    q[i] = std::min(std::max(emin * rest, eta[i]), emax * rest);
    s[i] = rest + q[i];
  }
}

GLMLX_CLONES double max_prob_var(const double* __restrict q, const double* __restrict s, std::size_t n) {
  double t = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double u = q[i] * (1.0 - q[i] / s[i]) / s[i];
    t = u > t ? u : t;
  }
  return t;
}

GLMLX_CLONES void class_resid(const double* __restrict q, const double* __restrict s, const double* __restrict w,
                              const double* __restrict y, double scale, double* __restrict r, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    r[i] = w[i] * (y[i] - q[i] / s[i]) / scale;
  }
}

} // namespace glmlx::vec
