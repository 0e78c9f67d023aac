// Kernels over K residual columns R (n x K, column-major) for the
// multi-response gaussian solver (solver/mgaussian.cpp).
#pragma once

#include <cstdint>

namespace glmlx::detail {

struct ColumnKernels {
  void (*grad)(const double* R, int64_t n, int64_t K, const double* x, double* g);
  // One step of a sweep two variables at a time: R -= x0 d0' + x1 d1' (x1
  // null: the first term alone; x0 null: none), then over the updated R the
  // next pair's gradients g0 = R'y0, g1 = R'y1 (y1 null: g1 untouched; y0
  // null: none) and *cross = y0'y1 (when y1 is given): one read and write of
  // R per pair, where separate gradient and update kernels read R three
  // times per variable.
  void (*pair)(double* R, int64_t n, int64_t K, const double* x0, const double* x1, const double* d0,
               const double* d1, const double* y0, const double* y1, double* g0, double* g1, double* cross);
};

// The kernels for this CPU: AVX2+FMA where the CPU has it (x86-64), else portable.
const ColumnKernels& response_kernels();

} // namespace glmlx::detail
