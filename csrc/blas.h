// Thin typed wrappers over the BLAS/LAPACK glmlx links (OpenBLAS from the
// scipy-openblas32 wheel, whose symbols carry a "scipy_" prefix, or Accelerate).
#pragma once

#include <cstdint>

#if defined(GLMLX_BLAS_ACCELERATE)
#include <Accelerate/Accelerate.h>
#define GLMLX_CBLAS(name) cblas_##name
#define GLMLX_LAPACK(name) name##_
using glmlx_blas_int = __LAPACK_int;
#else
#include <cblas.h>
#define GLMLX_CAT_(a, b) a##b
#define GLMLX_CAT(a, b) GLMLX_CAT_(a, b)
#define GLMLX_CBLAS(name) GLMLX_CAT(GLMLX_BLAS_PREFIX, cblas_##name)
#define GLMLX_LAPACK(name) GLMLX_CAT(GLMLX_BLAS_PREFIX, name##_)
using glmlx_blas_int = blasint;
extern "C" {
// Fortran LAPACK entry points (column-major, arguments by pointer).
void GLMLX_LAPACK(dpotrf)(const char*, const glmlx_blas_int*, double*, const glmlx_blas_int*, glmlx_blas_int*, std::size_t);
void GLMLX_LAPACK(spotrf)(const char*, const glmlx_blas_int*, float*, const glmlx_blas_int*, glmlx_blas_int*, std::size_t);
void GLMLX_LAPACK(dpotrs)(const char*, const glmlx_blas_int*, const glmlx_blas_int*, const double*, const glmlx_blas_int*, double*, const glmlx_blas_int*, glmlx_blas_int*, std::size_t);
void GLMLX_LAPACK(spotrs)(const char*, const glmlx_blas_int*, const glmlx_blas_int*, const float*, const glmlx_blas_int*, float*, const glmlx_blas_int*, glmlx_blas_int*, std::size_t);
void GLMLX_LAPACK(dpocon)(const char*, const glmlx_blas_int*, const double*, const glmlx_blas_int*, const double*, double*, double*, glmlx_blas_int*, glmlx_blas_int*, std::size_t);
void GLMLX_LAPACK(spocon)(const char*, const glmlx_blas_int*, const float*, const glmlx_blas_int*, const float*, float*, float*, glmlx_blas_int*, glmlx_blas_int*, std::size_t);
void GLMLX_LAPACK(dgeqrf)(const glmlx_blas_int*, const glmlx_blas_int*, double*, const glmlx_blas_int*, double*, double*, const glmlx_blas_int*, glmlx_blas_int*);
void GLMLX_LAPACK(sgeqrf)(const glmlx_blas_int*, const glmlx_blas_int*, float*, const glmlx_blas_int*, float*, float*, const glmlx_blas_int*, glmlx_blas_int*);
void GLMLX_LAPACK(dormqr)(const char*, const char*, const glmlx_blas_int*, const glmlx_blas_int*, const glmlx_blas_int*, const double*, const glmlx_blas_int*, const double*, double*, const glmlx_blas_int*, double*, const glmlx_blas_int*, glmlx_blas_int*, std::size_t, std::size_t);
void GLMLX_LAPACK(sormqr)(const char*, const char*, const glmlx_blas_int*, const glmlx_blas_int*, const glmlx_blas_int*, const float*, const glmlx_blas_int*, const float*, float*, const glmlx_blas_int*, float*, const glmlx_blas_int*, glmlx_blas_int*, std::size_t, std::size_t);
void GLMLX_LAPACK(dgelsd)(const glmlx_blas_int*, const glmlx_blas_int*, const glmlx_blas_int*, double*, const glmlx_blas_int*, double*, const glmlx_blas_int*, double*, const double*, glmlx_blas_int*, double*, const glmlx_blas_int*, glmlx_blas_int*, glmlx_blas_int*);
void GLMLX_LAPACK(sgelsd)(const glmlx_blas_int*, const glmlx_blas_int*, const glmlx_blas_int*, float*, const glmlx_blas_int*, float*, const glmlx_blas_int*, float*, const float*, glmlx_blas_int*, float*, const glmlx_blas_int*, glmlx_blas_int*, glmlx_blas_int*);
void GLMLX_LAPACK(dtrtrs)(const char*, const char*, const char*, const glmlx_blas_int*, const glmlx_blas_int*, const double*, const glmlx_blas_int*, double*, const glmlx_blas_int*, glmlx_blas_int*, std::size_t, std::size_t, std::size_t);
void GLMLX_LAPACK(strtrs)(const char*, const char*, const char*, const glmlx_blas_int*, const glmlx_blas_int*, const float*, const glmlx_blas_int*, float*, const glmlx_blas_int*, glmlx_blas_int*, std::size_t, std::size_t, std::size_t);
void GLMLX_LAPACK(dtrcon)(const char*, const char*, const char*, const glmlx_blas_int*, const double*, const glmlx_blas_int*, double*, double*, glmlx_blas_int*, glmlx_blas_int*, std::size_t, std::size_t, std::size_t);
void GLMLX_LAPACK(strcon)(const char*, const char*, const char*, const glmlx_blas_int*, const float*, const glmlx_blas_int*, float*, float*, glmlx_blas_int*, glmlx_blas_int*, std::size_t, std::size_t, std::size_t);
void GLMLX_LAPACK(dtpqrt)(const glmlx_blas_int*, const glmlx_blas_int*, const glmlx_blas_int*, const glmlx_blas_int*, double*, const glmlx_blas_int*, double*, const glmlx_blas_int*, double*, const glmlx_blas_int*, double*, glmlx_blas_int*);
void GLMLX_LAPACK(stpqrt)(const glmlx_blas_int*, const glmlx_blas_int*, const glmlx_blas_int*, const glmlx_blas_int*, float*, const glmlx_blas_int*, float*, const glmlx_blas_int*, float*, const glmlx_blas_int*, float*, glmlx_blas_int*);
void GLMLX_LAPACK(dtpmqrt)(const char*, const char*, const glmlx_blas_int*, const glmlx_blas_int*, const glmlx_blas_int*, const glmlx_blas_int*, const glmlx_blas_int*, const double*, const glmlx_blas_int*, const double*, const glmlx_blas_int*, double*, const glmlx_blas_int*, double*, const glmlx_blas_int*, double*, glmlx_blas_int*, std::size_t, std::size_t);
void GLMLX_LAPACK(stpmqrt)(const char*, const char*, const glmlx_blas_int*, const glmlx_blas_int*, const glmlx_blas_int*, const glmlx_blas_int*, const glmlx_blas_int*, const float*, const glmlx_blas_int*, const float*, const glmlx_blas_int*, float*, const glmlx_blas_int*, float*, const glmlx_blas_int*, float*, glmlx_blas_int*, std::size_t, std::size_t);
}
#endif

namespace glmlx::blas {

using Int = glmlx_blas_int;

// One BLAS thread while in scope for products under 5e7 flops (the wheel's
// OpenBLAS has no per-thread setting, so this sets the library's count and
// restores it). OpenBLAS's pool spins at its barriers, and on a loaded or small
// machine (numpy's own pool, MLX's worker, other processes) a 5 ms product was
// seen to take 300 ms multi-threaded; above ~1e8 flops two threads pay off.
class ThreadScope {
 public:
  explicit ThreadScope(double flops) {
#if !defined(GLMLX_BLAS_ACCELERATE)
    if (flops < 5e7) {
      prev_ = GLMLX_CAT(GLMLX_BLAS_PREFIX, openblas_get_num_threads)();
      if (prev_ > 1) {
        GLMLX_CAT(GLMLX_BLAS_PREFIX, openblas_set_num_threads)(1);
      }
    }
#else
    (void)flops;
#endif
  }
  ~ThreadScope() {
#if !defined(GLMLX_BLAS_ACCELERATE)
    if (prev_ > 1) {
      GLMLX_CAT(GLMLX_BLAS_PREFIX, openblas_set_num_threads)(prev_);
    }
#endif
  }
  ThreadScope(const ThreadScope&) = delete;
  ThreadScope& operator=(const ThreadScope&) = delete;

 private:
  int prev_ = 0;
};

// Row-major C = alpha * A'A + beta * C over the upper triangle; A is k x n
// (trans) so C is n x n.
inline void syrk_t(Int n, Int k, double alpha, const double* A, Int lda, double beta, double* C, Int ldc) {
  GLMLX_CBLAS(dsyrk)(CblasRowMajor, CblasUpper, CblasTrans, n, k, alpha, A, lda, beta, C, ldc);
}
inline void syrk_t(Int n, Int k, float alpha, const float* A, Int lda, float beta, float* C, Int ldc) {
  GLMLX_CBLAS(ssyrk)(CblasRowMajor, CblasUpper, CblasTrans, n, k, alpha, A, lda, beta, C, ldc);
}
// Row-major C = alpha * A A' + beta * C (upper); A is n x k.
inline void syrk_n(Int n, Int k, double alpha, const double* A, Int lda, double beta, double* C, Int ldc) {
  GLMLX_CBLAS(dsyrk)(CblasRowMajor, CblasUpper, CblasNoTrans, n, k, alpha, A, lda, beta, C, ldc);
}
inline void syrk_n(Int n, Int k, float alpha, const float* A, Int lda, float beta, float* C, Int ldc) {
  GLMLX_CBLAS(ssyrk)(CblasRowMajor, CblasUpper, CblasNoTrans, n, k, alpha, A, lda, beta, C, ldc);
}

// Row-major C (m x n) = alpha * op(A) op(B) + beta * C.
inline void gemm(bool ta, bool tb, Int m, Int n, Int k, double alpha, const double* A, Int lda,
                 const double* B, Int ldb, double beta, double* C, Int ldc) {
  GLMLX_CBLAS(dgemm)(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                     m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}
inline void gemm(bool ta, bool tb, Int m, Int n, Int k, float alpha, const float* A, Int lda,
                 const float* B, Int ldb, float beta, float* C, Int ldc) {
  GLMLX_CBLAS(sgemm)(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                     m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

// Row-major y = alpha * op(A) x + beta * y.
inline void gemv(bool ta, Int m, Int n, double alpha, const double* A, Int lda, const double* x,
                 Int incx, double beta, double* y, Int incy) {
  GLMLX_CBLAS(dgemv)(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, m, n, alpha, A, lda, x, incx, beta, y, incy);
}
inline void gemv(bool ta, Int m, Int n, float alpha, const float* A, Int lda, const float* x,
                 Int incx, float beta, float* y, Int incy) {
  GLMLX_CBLAS(sgemv)(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, m, n, alpha, A, lda, x, incx, beta, y, incy);
}

} // namespace glmlx::blas
