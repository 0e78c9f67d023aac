#include "vec.h"

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
  for (std::size_t w = K / 2; w > 0; w /= 2) {
    for (std::size_t l = 0; l < w; ++l) {
      acc[l] += acc[l + w];
    }
  }
  return acc[0];
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
  return dot_impl<double, 8>(x, y, n);
}
GLMLX_CLONES float dot(const float* x, const float* y, std::size_t n) {
  return dot_impl<float, 16>(x, y, n);
}

GLMLX_CLONES double dot_screen(const float* x, const float* y, std::size_t n) {
  double total = 0.0;
  for (std::size_t i0 = 0; i0 < n; i0 += kScreenBlock) {
    const std::size_t nb = n - i0 < kScreenBlock ? n - i0 : kScreenBlock;
    total += double(dot_impl<float, 32>(x + i0, y + i0, nb));
  }
  return total;
}

GLMLX_CLONES void to_float_scaled(float* __restrict out, const double* __restrict x, double s, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = float(x[i] * s);
  }
}

} // namespace glmlx::vec
