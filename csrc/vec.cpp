#include "vec.h"

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
  for (std::size_t g = 0; g < G; ++g) {
    out[g] = total[g];
  }
}

} // namespace

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
GLMLX_CLONES double dot(const double* x, const double* y, std::size_t n) {
  return dot_impl<double, 16>(x, y, n);
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
