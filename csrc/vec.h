// Small vector loops on the solver's hot paths, compiled twice on x86-64
// (AVX2 and baseline) and picked at load time, so a generic build still runs
// the wide instructions where the CPU has them.
#pragma once

#include <cstddef>

namespace glmlx::vec {

// y[i] -= a * x[i]
void axpy_neg(double* y, const double* x, double a, std::size_t n);
void axpy_neg(float* y, const float* x, float a, std::size_t n);

// sum_i a[i] * b[i], eight partial sums (vectorizes without -ffast-math)
double dot(const double* a, const double* b, std::size_t n);

// sum_i w[i] * x[i]^2
double wsumsq(const double* w, const double* x, std::size_t n);

// r[i] -= a * (w[i] * x[i]): a residual update under working weights w
void axpy_wneg(double* r, const double* w, const double* x, double a, std::size_t n);

// axpy_wneg(r, w, x, a) then dot(r, xnext), in one sweep over r (same arithmetic as the two calls)
double axpy_wneg_dot(double* r, const double* w, const double* x, double a, const double* xnext, std::size_t n);

} // namespace glmlx::vec
