#include "cpu/vec.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define GLMLX_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define GLMLX_CLONES
#endif

namespace glmlx::vec {

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


template <typename T>
inline void axpy_neg_impl(T* __restrict y, const T* __restrict x, T a, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    y[i] -= a * x[i];
  }
}

template <typename T>
inline void axpb_neg_impl(T* __restrict y, const T* __restrict x, T a, T b, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    y[i] -= a * x[i] + b;
  }
}

template <typename T>
inline void waxpb_neg_impl(T* __restrict y, const T* __restrict w, const T* __restrict x, T a, T b, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    y[i] -= w[i] * (a * x[i] + b);
  }
}

// Lanes are independent sums, so the compiler keeps them in vector registers
// without reassociating anything.
template <typename T, std::size_t K>
inline T reduce(T* acc) {
  for (std::size_t w = K / 2; w > 0; w /= 2) {
    for (std::size_t l = 0; l < w; ++l) {
      acc[l] += acc[l + w];
    }
  }
  return acc[0];
}

template <typename T, std::size_t K>
inline T dot_impl(const T* __restrict x, const T* __restrict y, std::size_t n) {
  T acc[K] = {};
  std::size_t i = 0;
  for (; i + K <= n; i += K) {
    for (std::size_t l = 0; l < K; ++l) {
      acc[l] += x[i + l] * y[i + l];
    }
  }
  for (std::size_t l = 0; i + l < n; ++l) {
    acc[l] += x[i + l] * y[i + l];
  }
  return reduce<T, K>(acc);
}

// dot_impl<T, 16> (same lanes and tree, so the same result), prefetching
// next[0, n) a cache line at a time.
template <typename T>
inline T dot_prefetch_impl(const T* __restrict x, const T* __restrict y, std::size_t n, const T* next) {
  constexpr std::size_t K = 16, line = 64 / sizeof(T);
  T acc[K] = {};
  std::size_t i = 0;
  for (; i + K <= n; i += K) {
    for (std::size_t o = 0; o < K; o += line) {
      __builtin_prefetch(next + i + o, 0, 3);
    }
    for (std::size_t l = 0; l < K; ++l) {
      acc[l] += x[i + l] * y[i + l];
    }
  }
  __builtin_prefetch(next + i, 0, 3);
  for (std::size_t l = 0; i + l < n; ++l) {
    acc[l] += x[i + l] * y[i + l];
  }
  return reduce<T, K>(acc);
}

// 8 floats in one vector register (AVX2; two SSE registers in the baseline).
// Functions taking or returning it are always inlined, so the baseline's
// different calling convention for it (-Wpsabi) never applies.
#pragma GCC diagnostic ignored "-Wpsabi"
typedef float v8f __attribute__((vector_size(32)));

__attribute__((always_inline)) inline v8f load8(const float* p) {
  v8f v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// A block's 16 float lanes per problem, summed in the fixed 4-level tree, added
// to the problems' double totals (the rounding bound in vec.h counts this tree).
template <std::size_t G>
__attribute__((always_inline)) inline void add_block_sums(const v8f* a0, const v8f* a1, double* total) {
  for (std::size_t g = 0; g < G; ++g) {
    float s[8];
    const v8f v = a0[g] + a1[g];
    std::memcpy(s, &v, sizeof(s));
    for (int w = 4; w > 0; w /= 2) {
      for (int l = 0; l < w; ++l) {
        s[l] += s[l + w];
      }
    }
    total[g] += double(s[0]);
  }
}

// dot_screen for G problems sharing x: 16 lanes (two vectors) per problem.
// The last rows (n not a multiple of 16) are zero-padded into one more step,
// so every row lands in lane (i - block start) mod 16.
template <std::size_t G>
__attribute__((always_inline)) inline void screen_group(const float* __restrict x, const float* const* y, std::size_t n, double* out) {
  const float* yg[G];
  for (std::size_t g = 0; g < G; ++g) {
    yg[g] = y[g];
  }
  double total[G] = {};
  for (std::size_t i0 = 0; i0 < n; i0 += kScreenBlock) {
    const std::size_t i1 = n - i0 < kScreenBlock ? n : i0 + kScreenBlock;
    v8f a0[G] = {}, a1[G] = {};
    std::size_t i = i0;
    for (; i + 16 <= i1; i += 16) {
      const v8f x0 = load8(x + i), x1 = load8(x + i + 8);
#pragma GCC unroll 4
      for (std::size_t g = 0; g < G; ++g) {
        a0[g] += x0 * load8(yg[g] + i);
        a1[g] += x1 * load8(yg[g] + i + 8);
      }
    }
    if (i < i1) {
      float xt[16] = {}, yt[16] = {};
      std::memcpy(xt, x + i, (i1 - i) * sizeof(float));
      const v8f x0 = load8(xt), x1 = load8(xt + 8);
      for (std::size_t g = 0; g < G; ++g) {
        std::memcpy(yt, yg[g] + i, (i1 - i) * sizeof(float));
        a0[g] += x0 * load8(yt);
        a1[g] += x1 * load8(yt + 8);
      }
    }
    add_block_sums<G>(a0, a1, total);
  }
  for (std::size_t g = 0; g < G; ++g) {
    out[g] = total[g];
  }
}

} // namespace

namespace {

// sum_i a[i] b[i] in 8 interleaved partial sums. Explicit vectors (lanes lo =
// acc[0..3], hi = acc[4..7] of the scalar form, the same sums): with a prefetch
// in the loop GCC had stopped vectorizing the scalar form.
__attribute__((always_inline)) inline double dot8(const double* __restrict a, const double* __restrict b,
                                                  std::size_t n) {
  v4d lo = {0, 0, 0, 0}, hi = {0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const v4d b0 = load4(b + i), b1 = load4(b + i + 4);
    lo += load4(a + i) * b0;
    hi += load4(a + i + 4) * b1;
  }
  double tail = 0;
  for (; i < n; ++i) {
    tail += a[i] * b[i];
  }
  return ((lo[0] + hi[0]) + (lo[1] + hi[1])) + ((lo[2] + hi[2]) + (lo[3] + hi[3])) + tail;
}

} // namespace

GLMLX_CLONES double dot(const double* __restrict a, const double* __restrict b, std::size_t n) {
  return dot8(a, b, n);
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

namespace {

// pair_step for U coordinates updated (0-2) and N next ones (0-2). Rows four at
// a time: unrolling to eight ran out of registers for the five sums.
template <int U, int N, bool kAhead>
__attribute__((always_inline)) inline void pair_step4(double* __restrict r, const double* __restrict w,
                                                      const double* __restrict x0, const double* __restrict x1,
                                                      double a0, double a1, const double* __restrict y0,
                                                      const double* __restrict y1, std::size_t n,
                                                      const double* ahead0, const double* ahead1, double* out) {
  // sums: y0'r, then for N == 1 w y0^2; for N == 2 y1'r, w y0^2, w y0 y1, w y1^2
  constexpr int S = N == 2 ? 5 : (N == 1 ? 2 : 1);
  v4d acc[S];
  double tail[S];
  for (int q = 0; q < S; ++q) {
    acc[q] = v4d{0, 0, 0, 0};
    tail[q] = 0.0;
  }
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    if constexpr (kAhead) {
      if (i % 8 == 0) {  // a line of each column per eight rows
        if (ahead0) {
          __builtin_prefetch(ahead0 + i, 0, 3);
        }
        if (ahead1) {
          __builtin_prefetch(ahead1 + i, 0, 3);
        }
      }
    }
    const v4d wi = load4(w + i);
    v4d ri = load4(r + i);
    if constexpr (U > 0) {
      v4d step = a0 * load4(x0 + i);
      if constexpr (U == 2) {
        step += a1 * load4(x1 + i);
      }
      ri -= wi * step;
      __builtin_memcpy(r + i, &ri, sizeof ri);
    }
    if constexpr (N > 0) {
      const v4d b0 = load4(y0 + i), wb0 = wi * b0;
      acc[0] += ri * b0;
      if constexpr (N == 1) {
        acc[1] += wb0 * b0;
      } else {
        const v4d b1 = load4(y1 + i);
        acc[1] += ri * b1;
        acc[2] += wb0 * b0;
        acc[3] += wb0 * b1;
        acc[4] += (wi * b1) * b1;
      }
    }
  }
  for (; i < n; ++i) {
    double ri = r[i];
    if constexpr (U > 0) {
      double step = a0 * x0[i];
      if constexpr (U == 2) {
        step += a1 * x1[i];
      }
      ri -= w[i] * step;
      r[i] = ri;
    }
    if constexpr (N > 0) {
      const double wb0 = w[i] * y0[i];
      tail[0] += ri * y0[i];
      if constexpr (N == 1) {
        tail[1] += wb0 * y0[i];
      } else {
        tail[1] += ri * y1[i];
        tail[2] += wb0 * y0[i];
        tail[3] += wb0 * y1[i];
        tail[4] += (w[i] * y1[i]) * y1[i];
      }
    }
  }
  if constexpr (N > 0) {
    double sums[S];
    for (int q = 0; q < S; ++q) {
      const v4d v = acc[q];
      sums[q] = ((v[0] + v[1]) + (v[2] + v[3])) + tail[q];
    }
    if constexpr (N == 1) {
      out[0] = sums[0];
      out[1] = 0.0;
      out[2] = sums[1];
      out[3] = 0.0;
      out[4] = 0.0;
    } else {
      for (int q = 0; q < 5; ++q) {
        out[q] = sums[q];
      }
    }
  }
}

// pair_step4 with the prefetch compiled in only where there are columns to prefetch.
template <int U, int N>
struct PairStep {
  __attribute__((always_inline)) static void run(double* r, const double* w, const double* x0, const double* x1,
                                                 double a0, double a1, const double* y0, const double* y1,
                                                 std::size_t n, const double* ahead0, const double* ahead1,
                                                 double* out) {
    if (ahead0 || ahead1) {
      pair_step4<U, N, true>(r, w, x0, x1, a0, a1, y0, y1, n, ahead0, ahead1, out);
    } else {
      pair_step4<U, N, false>(r, w, x0, x1, a0, a1, y0, y1, n, nullptr, nullptr, out);
    }
  }
};

} // namespace

GLMLX_CLONES void pair_step(double* r, const double* w, const double* x0, const double* x1, double a0, double a1,
                            const double* y0, const double* y1, std::size_t n, const double* ahead0,
                            const double* ahead1, double* out) {
  with_pair_counts<PairStep>(x0, x1, y0, y1, r, w, x0, x1, a0, a1, y0, y1, n, ahead0, ahead1, out);
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

GLMLX_CLONES void axpy_neg(double* y, const double* x, double a, std::size_t n) {
  axpy_neg_impl(y, x, a, n);
}
GLMLX_CLONES void axpy_neg(float* y, const float* x, float a, std::size_t n) {
  axpy_neg_impl(y, x, a, n);
}
GLMLX_CLONES void axpb_neg(double* y, const double* x, double a, double b, std::size_t n) {
  axpb_neg_impl(y, x, a, b, n);
}
GLMLX_CLONES void axpb_neg(float* y, const float* x, float a, float b, std::size_t n) {
  axpb_neg_impl(y, x, a, b, n);
}
GLMLX_CLONES void waxpb_neg(double* y, const double* w, const double* x, double a, double b, std::size_t n) {
  waxpb_neg_impl(y, w, x, a, b, n);
}
GLMLX_CLONES void waxpb_neg(float* y, const float* w, const float* x, float a, float b, std::size_t n) {
  waxpb_neg_impl(y, w, x, a, b, n);
}
GLMLX_CLONES float dot(const float* x, const float* y, std::size_t n) {
  return dot_impl<float, 16>(x, y, n);
}
GLMLX_CLONES double dot_prefetch(const double* x, const double* y, std::size_t n, const double* next) {
  return dot_prefetch_impl(x, y, n, next);
}
GLMLX_CLONES float dot_prefetch(const float* x, const float* y, std::size_t n, const float* next) {
  return dot_prefetch_impl(x, y, n, next);
}

GLMLX_CLONES void dot_screen(const float* x, const float* const* y, std::size_t B, std::size_t n, double* out) {
  std::size_t b = 0;
  for (; b + 4 <= B; b += 4) {
    screen_group<4>(x, y + b, n, out + b);
  }
  switch (B - b) {
    case 3:
      screen_group<3>(x, y + b, n, out + b);
      break;
    case 2:
      screen_group<2>(x, y + b, n, out + b);
      break;
    case 1:
      screen_group<1>(x, y + b, n, out + b);
      break;
    default:
      break;
  }
}

GLMLX_CLONES double max_abs(const double* x, std::size_t n) {
  double m[8] = {};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (std::size_t l = 0; l < 8; ++l) {
      const double a = x[i + l] < 0 ? -x[i + l] : x[i + l];
      m[l] = m[l] < a ? a : m[l];
    }
  }
  for (; i < n; ++i) {
    const double a = x[i] < 0 ? -x[i] : x[i];
    m[0] = m[0] < a ? a : m[0];
  }
  for (std::size_t l = 1; l < 8; ++l) {
    m[0] = m[0] < m[l] ? m[l] : m[0];
  }
  return m[0];
}

GLMLX_CLONES void to_float_scaled(float* __restrict out, const double* __restrict x, double s, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = float(x[i] * s);
  }
}

// Half-precision screening: the data are float16 (bit patterns), converted to
// float by F16C as they are loaded; same lanes, blocks and tree as dot_screen.
// Compiled for AVX2 + F16C only and used only where the CPU has them.
#if defined(__x86_64__) && defined(__GNUC__)
#pragma GCC push_options
#pragma GCC target("avx2,f16c")

namespace {

inline v8f load_half8(const std::uint16_t* p) {
  const __m256 v = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  v8f r;
  std::memcpy(&r, &v, sizeof(r));
  return r;
}

template <std::size_t G>
inline void screen_group_half(const std::uint16_t* __restrict x, const float* const* y, std::size_t n, double* out) {
  const float* yg[G];
  for (std::size_t g = 0; g < G; ++g) {
    yg[g] = y[g];
  }
  double total[G] = {};
  for (std::size_t i0 = 0; i0 < n; i0 += kScreenBlock) {
    const std::size_t i1 = n - i0 < kScreenBlock ? n : i0 + kScreenBlock;
    v8f a0[G] = {}, a1[G] = {};
    std::size_t i = i0;
    for (; i + 16 <= i1; i += 16) {
      const v8f x0 = load_half8(x + i), x1 = load_half8(x + i + 8);
#pragma GCC unroll 4
      for (std::size_t g = 0; g < G; ++g) {
        a0[g] += x0 * load8(yg[g] + i);
        a1[g] += x1 * load8(yg[g] + i + 8);
      }
    }
    if (i < i1) {
      std::uint16_t xt[16] = {};
      float yt[16] = {};
      std::memcpy(xt, x + i, (i1 - i) * sizeof(std::uint16_t));
      const v8f x0 = load_half8(xt), x1 = load_half8(xt + 8);
      for (std::size_t g = 0; g < G; ++g) {
        std::memcpy(yt, yg[g] + i, (i1 - i) * sizeof(float));
        a0[g] += x0 * load8(yt);
        a1[g] += x1 * load8(yt + 8);
      }
    }
    add_block_sums<G>(a0, a1, total);
  }
  for (std::size_t g = 0; g < G; ++g) {
    out[g] = total[g];
  }
}

} // namespace

void dot_screen_half(const std::uint16_t* x, const float* const* y, std::size_t B, std::size_t n, double* out) {
  std::size_t b = 0;
  for (; b + 4 <= B; b += 4) {
    screen_group_half<4>(x, y + b, n, out + b);
  }
  switch (B - b) {
    case 3:
      screen_group_half<3>(x, y + b, n, out + b);
      break;
    case 2:
      screen_group_half<2>(x, y + b, n, out + b);
      break;
    case 1:
      screen_group_half<1>(x, y + b, n, out + b);
      break;
    default:
      break;
  }
}

void to_half_scaled(std::uint16_t* out, const double* x, double s, std::size_t n) {
  const __m256d sv = _mm256_set1_pd(s);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128 lo = _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_loadu_pd(x + i), sv));
    const __m128 hi = _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_loadu_pd(x + i + 4), sv));
    const __m256 v = _mm256_insertf128_ps(_mm256_castps128_ps256(lo), hi, 1);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
  }
  for (; i < n; ++i) {
    const __m128 v = _mm_set_ss(float(x[i] * s));
    out[i] = std::uint16_t(_mm_extract_epi16(_mm_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT), 0));
  }
}

#pragma GCC pop_options

bool has_half() {
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("f16c");
}
#else
bool has_half() {
  return false;
}
void dot_screen_half(const std::uint16_t*, const float* const*, std::size_t, std::size_t, double*) {}
void to_half_scaled(std::uint16_t*, const double*, double, std::size_t) {}
#endif

} // namespace glmlx::vec
