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

} // namespace glmlx::vec
