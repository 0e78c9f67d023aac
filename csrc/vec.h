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

// sum_i x[i], eight partial sums
double sum(const double* x, std::size_t n);

// sum_i w[i] * x[i]^2
double wsumsq(const double* w, const double* x, std::size_t n);

// r[i] -= a * (w[i] * x[i]): a residual update under working weights w
void axpy_wneg(double* r, const double* w, const double* x, double a, std::size_t n);

// axpy_wneg(r, w, xa, a) then dot(r, xb) in one sweep over r, bit for bit:
// one coordinate's residual update fused with the next one's gradient.
double axpy_wneg_dot(double* r, const double* w, const double* xa, double a, const double* xb, std::size_t n);

// Several right-hand sides sharing one column x, read once: K vectors R_k =
// R + k * ld. Each result is bit-identical to the single-vector routine.
// out[k] = dot(R_k, x)
void dot_multi(const double* R, std::size_t ld, std::size_t K, const double* x, std::size_t n, double* out);
// y[i] -= a[j] * cols[j][i] for j = 0..m-1 in turn (m axpy_neg calls, bit for
// bit), y read and written once per four columns.
void axpy_neg_cols(double* y, const double* const* cols, const double* a, std::size_t m, std::size_t n);
// out[j] = wsumsq(w, cols[j]) for j < m, w read once per four columns.
void wsumsq_cols(const double* w, const double* const* cols, std::size_t m, std::size_t n, double* out);
// R_k[i] -= a[k] * (w[i] * x[i])
void axpy_wneg_multi(double* R, std::size_t ld, std::size_t K, const double* w, const double* x, const double* a,
                     std::size_t n);
// axpy_wneg_multi(R, ld, K, w, xa, a) then dot_multi(R, ld, K, xb) in one sweep over R.
void axpy_wneg_dot_multi(double* R, std::size_t ld, std::size_t K, const double* w, const double* xa,
                         const double* a, const double* xb, std::size_t n, double* out);

// Multinomial IRLS (multinomial_path.cpp), with p = q / s the class probability:
// v = w p (1 - p), r = w (y - p), p rounded to 0 below lo and to 1 above hi
// (those rows get no weight); returns sum v.
double class_working_weights(const double* q, const double* s, const double* w, const double* y, double lo,
                             double hi, double* v, double* r, std::size_t n);
// x[i] = exp(x[i]) by the Cephes rational approximation, the one glmnet's
// Eigen evaluates vectorized (within an ulp or two of std::exp).
void exp_inplace(double* x, std::size_t n);
// Class probabilities after a new linear predictor eta: q = exp(clamp(eta,
// lo, hi)) kept within [emin, emax] times the other classes' total, with s
// (the total over classes) updated. eta is overwritten.
void class_exp_update(double* eta, double* q, double* s, double lo, double hi, double emin, double emax,
                      std::size_t n);
// max_i p (1 - p): the grouped solver's curvature bound.
double max_prob_var(const double* q, const double* s, std::size_t n);
// r = w (y - p) / scale
void class_resid(const double* q, const double* s, const double* w, const double* y, double scale, double* r,
                 std::size_t n);

} // namespace glmlx::vec
