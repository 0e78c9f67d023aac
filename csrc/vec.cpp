#include "vec.h"

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

GLMLX_CLONES double axpy_wneg_dot(double* __restrict r, const double* __restrict w, const double* __restrict x,
                                  double a, const double* __restrict xnext, std::size_t n) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; ++j) {
      r[i + j] -= a * (w[i + j] * x[i + j]);
      acc[j] += r[i + j] * xnext[i + j];
    }
  }
  double tail = 0;
  for (; i < n; ++i) {
    r[i] -= a * (w[i] * x[i]);
    tail += r[i] * xnext[i];
  }
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail;
}

} // namespace glmlx::vec
