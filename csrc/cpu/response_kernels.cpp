// The kernels over the K residual columns R (n x K, column-major): a
// variable's gradient g = R'x (KKT checks), and a sweep's step over a pair of
// variables (below). Columns go in groups of four so x is read once per group.
// On x86-64 an AVX2+FMA version is picked at load time where the CPU has it
// (eight partial sums per column for g). Fusing one variable's update
// R -= x d' with the next one's gradient gained nothing; fusing a pair's
// update with the next pair's gradients reads R once per pair instead of
// three times per variable (figures: docs/PERFORMANCE.md, design measurements).

#include "cpu/response_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "cpu/vec.h"

namespace glmlx::detail {

namespace {

void grad_generic(const double* R, int64_t n, int64_t K, const double* x, double* g) {
  for (int64_t c = 0; c < K; ++c) {
    g[c] = vec::dot(R + c * n, x, size_t(n));
  }
}

void pair_generic(double* R, int64_t n, int64_t K, const double* x0, const double* x1, const double* d0,
                  const double* d1, const double* y0, const double* y1, double* g0, double* g1, double* cross) {
  for (int64_t c = 0; c < K; ++c) {
    double* r = R + c * n;
    for (int64_t i = 0; x0 && i < n; ++i) {
      r[i] = std::fma(-d0[c], x0[i], r[i]);
      if (x1) {
        r[i] = std::fma(-d1[c], x1[i], r[i]);
      }
    }
    if (y0) {
      g0[c] = vec::dot(r, y0, size_t(n));
    }
    if (y1) {
      g1[c] = vec::dot(r, y1, size_t(n));
    }
  }
  if (y1) {
    *cross = vec::dot(y0, y1, size_t(n));
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
#define GLMLX_AVX2 __attribute__((target("avx2,fma"), always_inline)) inline

// Tails use std::fma so every element gets the same single rounding as in the vector body.
template <int C>
GLMLX_AVX2 void reduce_group(__m256d (*acc)[2], const double* R, int64_t n, int64_t i, const double* x, double* g) {
#pragma GCC unroll 4
  for (int c = 0; c < C; ++c) {
    alignas(32) double a[4];
    _mm256_store_pd(a, _mm256_add_pd(acc[c][0], acc[c][1]));
    double tail = 0.0;
    for (int64_t t = i; t < n; ++t) {
      tail = std::fma(R[c * n + t], x[t], tail);
    }
    g[c] = ((a[0] + a[2]) + (a[1] + a[3])) + tail;
  }
}

template <int C>
GLMLX_AVX2 void grad_group_avx2(const double* R, int64_t n, const double* x, double* g) {
  __m256d acc[C][2];
#pragma GCC unroll 4
  for (int c = 0; c < C; ++c) {
    acc[c][0] = acc[c][1] = _mm256_setzero_pd();
  }
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256d x0 = _mm256_loadu_pd(x + i), x1 = _mm256_loadu_pd(x + i + 4);
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) {
      acc[c][0] = _mm256_fmadd_pd(_mm256_loadu_pd(R + c * n + i), x0, acc[c][0]);
      acc[c][1] = _mm256_fmadd_pd(_mm256_loadu_pd(R + c * n + i + 4), x1, acc[c][1]);
    }
  }
  reduce_group<C>(acc, R, n, i, x, g);
}

// Runs body<C>(c) over the column groups: fours, then the remainder.
template <template <int> class Body, class... Args>
GLMLX_AVX2 void for_groups(int64_t K, Args... args) {
  int64_t c = 0;
  for (; c + 4 <= K; c += 4) {
    Body<4>::run(c, args...);
  }
  switch (K - c) {
    case 3: Body<3>::run(c, args...); break;
    case 2: Body<2>::run(c, args...); break;
    case 1: Body<1>::run(c, args...); break;
    default: break;
  }
}

GLMLX_AVX2 double hsum_avx2(__m256d v) {
  alignas(32) double a[4];
  _mm256_store_pd(a, v);
  return (a[0] + a[2]) + (a[1] + a[3]);
}

// pair() on C response columns with U variables updated and N next ones (0-2
// each); cross (null: not wanted) is y0'y1.
template <int C, int U, int N>
GLMLX_AVX2 void pair_group_avx2(double* R, int64_t n, const double* x0, const double* x1, const double* d0,
                                const double* d1, const double* y0, const double* y1, double* g0, double* g1,
                                double* cross) {
  __m256d e0[C], e1[C], a0[C], a1[C];
#pragma GCC unroll 4
  for (int c = 0; c < C; ++c) {
    e0[c] = _mm256_set1_pd(U > 0 ? d0[c] : 0.0);
    e1[c] = _mm256_set1_pd(U > 1 ? d1[c] : 0.0);
    a0[c] = a1[c] = _mm256_setzero_pd();
  }
  __m256d ax = _mm256_setzero_pd();
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    __m256d u0, u1, v0, v1;
    if constexpr (U > 0) {
      u0 = _mm256_loadu_pd(x0 + i);
    }
    if constexpr (U > 1) {
      u1 = _mm256_loadu_pd(x1 + i);
    }
    if constexpr (N > 0) {
      v0 = _mm256_loadu_pd(y0 + i);
    }
    if constexpr (N > 1) {
      v1 = _mm256_loadu_pd(y1 + i);
      if (cross) {
        ax = _mm256_fmadd_pd(v0, v1, ax);
      }
    }
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) {
      double* rc = R + c * n + i;
      __m256d r = _mm256_loadu_pd(rc);
      if constexpr (U > 0) {
        r = _mm256_fnmadd_pd(e0[c], u0, r);
        if constexpr (U > 1) {
          r = _mm256_fnmadd_pd(e1[c], u1, r);
        }
        _mm256_storeu_pd(rc, r);
      }
      if constexpr (N > 0) {
        a0[c] = _mm256_fmadd_pd(r, v0, a0[c]);
      }
      if constexpr (N > 1) {
        a1[c] = _mm256_fmadd_pd(r, v1, a1[c]);
      }
    }
  }
  double t0[C] = {}, t1[C] = {}, tx = 0.0;
  for (; i < n; ++i) {
    if (N > 1 && cross) {
      tx = std::fma(y0[i], y1[i], tx);
    }
    for (int c = 0; c < C; ++c) {
      double& r = R[c * n + i];
      if constexpr (U > 0) {
        r = std::fma(-d0[c], x0[i], r);
      }
      if constexpr (U > 1) {
        r = std::fma(-d1[c], x1[i], r);
      }
      if constexpr (N > 0) {
        t0[c] = std::fma(r, y0[i], t0[c]);
      }
      if constexpr (N > 1) {
        t1[c] = std::fma(r, y1[i], t1[c]);
      }
    }
  }
  for (int c = 0; c < C; ++c) {
    if constexpr (N > 0) {
      g0[c] = hsum_avx2(a0[c]) + t0[c];
    }
    if constexpr (N > 1) {
      g1[c] = hsum_avx2(a1[c]) + t1[c];
    }
  }
  if (N > 1 && cross) {
    *cross = hsum_avx2(ax) + tx;
  }
}

template <int U, int N>
struct PairBody {
  template <int C>
  struct Of {
    GLMLX_AVX2 static void run(int64_t c, double* R, int64_t n, const double* x0, const double* x1,
                               const double* d0, const double* d1, const double* y0, const double* y1, double* g0,
                               double* g1, double* cross) {
      pair_group_avx2<C, U, N>(R + c * n, n, x0, x1, d0 + c, d1 + c, y0, y1, g0 + c, g1 + c,
                               c == 0 ? cross : nullptr);
    }
  };
};

// Called, not inlined, from vec::with_pair_counts (no target attribute of its own).
template <int U, int N>
struct PairStep {
  __attribute__((target("avx2,fma"))) static void run(double* R, int64_t n, int64_t K, const double* x0,
                                                      const double* x1, const double* d0, const double* d1,
                                                      const double* y0, const double* y1, double* g0, double* g1,
                                                      double* cross) {
    for_groups<PairBody<U, N>::template Of>(K, R, n, x0, x1, d0, d1, y0, y1, g0, g1, cross);
  }
};

template <int C>
struct GradBody {
  GLMLX_AVX2 static void run(int64_t c, const double* R, int64_t n, const double* x, double* g) {
    grad_group_avx2<C>(R + c * n, n, x, g + c);
  }
};
__attribute__((target("avx2,fma"))) void grad_avx2(const double* R, int64_t n, int64_t K, const double* x,
                                                    double* g) {
  for_groups<GradBody>(K, R, n, x, g);
}
__attribute__((target("avx2,fma"))) void pair_avx2(double* R, int64_t n, int64_t K, const double* x0,
                                                    const double* x1, const double* d0, const double* d1,
                                                    const double* y0, const double* y1, double* g0, double* g1,
                                                    double* cross) {
  vec::with_pair_counts<PairStep>(x0, x1, y0, y1, R, n, K, x0, x1, d0, d1, y0, y1, g0, g1, cross);
}
#undef GLMLX_AVX2

const ColumnKernels kPicked = [] {
  __builtin_cpu_init();  // may run before libgcc's own initializer
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return ColumnKernels{grad_avx2, pair_avx2};
  }
  return ColumnKernels{grad_generic, pair_generic};
}();
#else
const ColumnKernels kPicked{grad_generic, pair_generic};
#endif

} // namespace

const ColumnKernels& response_kernels() {
  return kPicked;
}

} // namespace glmlx::detail
