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

// y[i] -= a * x[i] + b
void axpb_neg(double* y, const double* x, double a, double b, std::size_t n);
void axpb_neg(float* y, const float* x, float a, float b, std::size_t n);

// y[i] -= w[i] * (a * x[i] + b)
void waxpb_neg(double* y, const double* w, const double* x, double a, double b, std::size_t n);
void waxpb_neg(float* y, const float* w, const float* x, float a, float b, std::size_t n);

// sum_i x[i] y[i]: 16 interleaved partial sums, combined in a fixed tree.
double dot(const double* x, const double* y, std::size_t n);
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
