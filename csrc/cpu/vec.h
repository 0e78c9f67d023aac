// Small vector loops on the solver's hot paths, compiled twice on x86-64
// (AVX2 and baseline) and picked at load time, so a generic build still runs
// the wide instructions where the CPU has them. Each loop fixes its order of
// operations (independent lanes, then a fixed reduction), so both clones
// give bit-identical results.
#pragma once

#include <cstddef>
#include <cstdint>

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

// The pair kernels' dispatch from pointers to template arguments (pair_step
// here, solver/mgaussian.cpp's column kernels): Step<U, N>::run(args...) with U
// the coordinates to update (x0, then x1, non-null: 0-2) and N the next ones
// to sum (y0, then y1); nothing when both are 0. It has no target attribute:
// a Step::run with one is called rather than inlined.
template <template <int, int> class Step, class... Args>
__attribute__((always_inline)) inline void with_pair_counts(const void* x0, const void* x1, const void* y0,
                                                            const void* y1, Args... args) {
  switch (3 * (x0 ? (x1 ? 2 : 1) : 0) + (y0 ? (y1 ? 2 : 1) : 0)) {
    case 1: Step<0, 1>::run(args...); break;
    case 2: Step<0, 2>::run(args...); break;
    case 3: Step<1, 0>::run(args...); break;
    case 4: Step<1, 1>::run(args...); break;
    case 5: Step<1, 2>::run(args...); break;
    case 6: Step<2, 0>::run(args...); break;
    case 7: Step<2, 1>::run(args...); break;
    case 8: Step<2, 2>::run(args...); break;
    default: break;
  }
}

// One step of a sweep that updates coordinates two at a time, in one pass over
// r and w: the residual update of the pair just solved, r[i] -= w[i] * (a0 *
// x0[i] + a1 * x1[i]) (x1 null: the a0 term alone; x0 null: no update), then
// the next pair's sums over the updated r: out[0..4] = {y0'r, y1'r, sum w y0^2,
// sum w y0 y1, sum w y1^2} (y1 null: zeros in its slots; y0 null: none, out
// untouched). ahead0, ahead1 (null: none) are prefetched: the columns a sweep
// reads after these, too short for the hardware prefetcher to ramp up on each
// new one (a gain where X is not in cache).
void pair_step(double* r, const double* w, const double* x0, const double* x1, double a0, double a1,
               const double* y0, const double* y1, std::size_t n, const double* ahead0, const double* ahead1,
               double* out);

// Several right-hand sides sharing one column x, read once: K vectors R_k =
// R + k * ld. Each result is bit-identical to the single-vector routine.
// out[k] = dot(R_k, x)
void dot_multi(const double* R, std::size_t ld, std::size_t K, const double* x, std::size_t n, double* out);
// y[i] -= a[j] * cols[j][i] for j = 0..m-1 in turn (m axpy_neg calls, bit for
// bit), y read and written once per four columns.
void axpy_neg_cols(double* y, const double* const* cols, const double* a, std::size_t m, std::size_t n);
// R_k[i] -= a[k] * (w[i] * x[i])
void axpy_wneg_multi(double* R, std::size_t ld, std::size_t K, const double* w, const double* x, const double* a,
                     std::size_t n);
// axpy_wneg_multi(R, ld, K, w, xa, a) then dot_multi(R, ld, K, xb) in one sweep over R.
void axpy_wneg_dot_multi(double* R, std::size_t ld, std::size_t K, const double* w, const double* xa,
                         const double* a, const double* xb, std::size_t n, double* out);

// Multinomial IRLS (solver/multinomial.cpp), with p = q / s the class probability:
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

// y[i] -= a * x[i] + b
void axpb_neg(double* y, const double* x, double a, double b, std::size_t n);
void axpb_neg(float* y, const float* x, float a, float b, std::size_t n);

// y[i] -= w[i] * (a * x[i] + b)
void waxpb_neg(double* y, const double* w, const double* x, double a, double b, std::size_t n);
void waxpb_neg(float* y, const float* w, const float* x, float a, float b, std::size_t n);

// float: sum_i x[i] y[i], 16 interleaved partial sums, combined in a fixed tree.
float dot(const float* x, const float* y, std::size_t n);

// dot(x, y), while prefetching next[0, n) into cache: the column a
// coordinate-descent sweep visits next, so its load overlaps this one's work.
double dot_prefetch(const double* x, const double* y, std::size_t n, const double* next);
float dot_prefetch(const float* x, const float* y, std::size_t n, const float* next);

// out[b] = sum_i x[i] y[b][i] over i < n for b < B, of float32 data, for
// screening: in blocks of kScreenBlock rows, 16 interleaved float partial sums
// per b (each gets at most kScreenBlock / 16 products added), combined in a
// 4-level tree, block sums added in double. x is read once for up to four
// problems. Every product is rounded at most kScreenRoundings times in float,
// so out[b] is within gamma(kScreenRoundings) sum_i |x_i y_bi| of the exact
// sum (plus float underflow, at most n (kScreenRoundings + 1) 2^-149).
inline constexpr std::size_t kScreenBlock = 256;
inline constexpr int kScreenRoundings = 1 + int(kScreenBlock / 16) + 4;
void dot_screen(const float* x, const float* const* y, std::size_t B, std::size_t n, double* out);

// dot_screen with x stored as float16 (IEEE binary16 bit patterns): half the
// memory of float per row, the same lanes, blocks and bound on the summation
// (the conversion of x to float16 is the caller's to bound). Only where
// has_half() (x86-64 with AVX2 and F16C).
bool has_half();
void dot_screen_half(const std::uint16_t* x, const float* const* y, std::size_t B, std::size_t n, double* out);
// out[i] = float16(float(x[i] * s)), rounded to nearest; only where has_half().
void to_half_scaled(std::uint16_t* out, const double* x, double s, std::size_t n);

// max_i |x[i]|
double max_abs(const double* x, std::size_t n);

// out[i] = float(x[i] * s)
void to_float_scaled(float* out, const double* x, double s, std::size_t n);

} // namespace glmlx::vec
