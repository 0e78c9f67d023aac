// The gaussian naive solver's X (solver/gaussian_naive.cpp): one column-major
// copy Z = (X - center) / scale shared by every problem of a batch, each
// problem standardizing column j on the fly as a_bj z_j + c_bj (its own
// centers and scales), and a low-precision screening copy of Z for the KKT
// passes with a rigorous bound on its rounding (vec::dot_screen).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>
#include <vector>

#include "cpu/problems.h"
#include "cpu/scratch.h"
#include "cpu/vec.h"

namespace glmlx::matrix {

// A float64 sum of n non-negative terms times this is at least the exact sum.
inline double round_up_sum(int64_t n) {
  return 1 + double(n + 16) * 0x1p-52;
}

// Powers of two keep the scaling exact.
inline double pow2_scale_to_unit(double maxabs) {
  if (!(maxabs > 0) || !std::isfinite(maxabs)) {
    return 1.0;
  }
  int e;
  std::frexp(maxabs, &e);  // maxabs = f 2^e, f in [0.5, 1)
  return std::ldexp(1.0, -e);
}

enum class Screen { none, f32, f16 };

// The matrix every problem reads, and its screening copy (float16 where the
// CPU converts it in hardware, else float32): column j scaled by an exact
// power of two so its largest entry lies in [0.5, 1) (no overflow; underflow
// is bounded absolutely).
template <typename T>
struct Columns {
  const T* Z;
  int64_t n, p;
  const T* center;
  const T* scale;
  Screen screen = Screen::none;
  glmlx::detail::KeptBuffer copy;  // from screen_buffers()
  std::vector<double> unscale;  // Z[j] ~ copy[j] * unscale[j]
  std::vector<double> norm;     // ||Z[j]||_2, rounded up
  // |screen_dot - z_j'q| <= rel ||z_j|| ||q|| + unscale_j (abs_z sqrt(n) ||q||
  // + q_unscale n (m + 4) 2^-149): dot_screen's summation (gamma_m, m =
  // kScreenRoundings), the rounding of z and q to the copy's formats (relative,
  // and absolute abs_z per entry where z underflows), and float64's own rounding
  // of the reference x_j'q, so a decision outside the bound is float64's.
  double rel = 0, abs_z = 0;

  // Column j of Z (n entries): what the naive solver's sweeps and copies read.
  const T* column(int64_t j) const { return Z + j * n; }

  void make_screen_copy(Screen format, int threads) {
    screen = format;
    const bool half = format == Screen::f16;
    copy = glmlx::detail::KeptBuffer(glmlx::detail::screen_buffers(), size_t(n) * p * (half ? 2 : 4));
    unscale.resize(p);
    norm.resize(p);
    constexpr double u32 = 0x1p-24, u64 = 0x1p-53;
    constexpr int m = vec::kScreenRoundings;
    const double gamma = m * u32 / (1 - m * u32);
    // z -> float -> float16: 2^-11 relative for normal float16, 2^-25 absolute below
    const double rel_z = half ? 0x1p-11 * (1 + 0x1p-20) + u32 : u32;
    abs_z = half ? 0x1p-25 * 1.01 : 0x1p-150;
    rel = rel_z + u32 + gamma * (1 + rel_z) * 1.01 + (double(n) + 8) * u64 * 1.01;
    detail::for_column_chunks(p, threads, [&](int64_t j0, int64_t j1) {
      for (int64_t j = j0; j < j1; ++j) {
        if constexpr (std::is_same_v<T, double>) {
          const T* z = Z + j * n;
          const double s = pow2_scale_to_unit(vec::max_abs(z, size_t(n)));
          unscale[j] = 1.0 / s;
          norm[j] = std::sqrt(vec::dot(z, z, size_t(n)) * round_up_sum(n)) + 1e-300;
          if (half) {
            vec::to_half_scaled(static_cast<std::uint16_t*>(copy.get()) + j * n, z, s, size_t(n));
          } else {
            vec::to_float_scaled(static_cast<float*>(copy.get()) + j * n, z, s, size_t(n));
          }
        }
      }
    });
  }

  // out[b] ~ z_j'q_b / (unscale_j q_unscale) for B scaled float32 vectors q.
  void screen_dot(int64_t j, const float* const* q, size_t B, double* out) const {
    if (screen == Screen::f16) {
      vec::dot_screen_half(static_cast<const std::uint16_t*>(copy.get()) + j * n, q, B, size_t(n), out);
    } else {
      vec::dot_screen(static_cast<const float*>(copy.get()) + j * n, q, B, size_t(n), out);
    }
  }
};

} // namespace glmlx::matrix
