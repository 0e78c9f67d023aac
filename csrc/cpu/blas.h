// Thin typed wrappers over the BLAS/LAPACK glmlx links (OpenBLAS from the
// scipy-openblas32 wheel, whose symbols carry a "scipy_" prefix, or Accelerate).
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>

#include "cpu/cores.h"

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

// Threads. glmlx's OpenBLAS runs single-threaded (set when the library loads,
// blas.cpp): OpenBLAS's pool spins at its barriers and for ~0.1 s after each
// call, and when another process shares a core its threads wait out each
// other's time slices (docs/PERFORMANCE.md, "Speed under load").
// The products that pay for threads are split by glmlx instead (over_parts):
// fixed parts that glmlx's threads claim one at a time and that sleep when
// they wait. Factorizations that cannot be split (LAPACK) get OpenBLAS's
// threads only for the cores that are free at the call (ThreadScope).

// Below this many flops a product runs on the calling thread in one part.
constexpr double kSplitFlops = 5e7;

/** OpenBLAS's thread count when glmlx loaded (OPENBLAS_NUM_THREADS or the cores), 1 with Accelerate. */
int initial_threads();

/**
 * Cores free right now: the usable cores less the other runnable threads
 * (Linux's instantaneous count in /proc/loadavg, this thread excluded); at
 * least 1. The usable cores where the count cannot be read.
 */
int free_cores();

/**
 * How many fixed parts a product of `flops` over `extent` rows (or columns)
 * is split into: 1 under kSplitFlops, else one per 2.5e7 flops, at most 8,
 * each at least `min_extent` long. It depends on the sizes alone, never on
 * the cores or the load: a reduction over parts gives the same bits on an
 * idle and on a busy machine. `part_bytes`, the scratch each part past the
 * first needs for its partial sums, caps the parts at 256 MiB of it.
 */
inline int64_t parts_for(double flops, int64_t extent, int64_t min_extent = 64, double part_bytes = 0.0) {
  if (flops < kSplitFlops || extent < 2 * min_extent) {
    return 1;
  }
  int64_t parts = std::min<int64_t>({8, int64_t(flops / 2.5e7), extent / min_extent});
  if (part_bytes > 0) {
    parts = std::min<int64_t>(parts, 1 + int64_t(double(256 << 20) / part_bytes));
  }
  return std::max<int64_t>(parts, 1);
}

/** [lo, hi) of part q of `parts` equal parts of [0, extent). */
inline std::pair<int64_t, int64_t> part_range(int64_t extent, int64_t parts, int64_t q) {
  return {extent * q / parts, extent * (q + 1) / parts};
}

/**
 * fn(q, lo, hi) for the parts q of [0, extent), claimed one at a time by the
 * caller and up to usable_cores() - 1 helper threads (detail::for_each_index):
 * a thread on a core that another process is using runs fewer parts, and
 * nobody spins. fn calls single-threaded BLAS.
 */
template <class F>
void over_parts(int64_t extent, int64_t parts, F&& fn) {
  if (parts <= 1) {
    fn(int64_t(0), int64_t(0), extent);
    return;
  }
  const size_t threads = std::min<size_t>(size_t(parts), detail::usable_cores());
  detail::for_each_index(size_t(parts), threads, [&](size_t q, size_t) {
    const auto [lo, hi] = part_range(extent, parts, int64_t(q));
    fn(int64_t(q), lo, hi);
  });
}

/**
 * OpenBLAS's threads for one call that glmlx cannot split (a LAPACK
 * factorization, a Gram too wide for partial sums): the free cores (at most
 * initial_threads()) for `flops` >= kSplitFlops, else one; back to one when
 * the scope ends. No effect with Accelerate.
 */
class ThreadScope {
 public:
  explicit ThreadScope(double flops);
  ~ThreadScope();
  ThreadScope(const ThreadScope&) = delete;
  ThreadScope& operator=(const ThreadScope&) = delete;

 private:
  int set_ = 1;
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
