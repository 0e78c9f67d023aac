// glmlx.soft_threshold's Metal kernels: out = sign(x) max(|x| - t, 0) / scale
// in float32 arithmetic (kernels::soft_threshold), over float32, float16 and
// bfloat16 storage (bfloat16 by its bits, so no Metal 3.1 type is needed).
// "contiguous": x row-contiguous, each parameter one value or row-contiguous;
// "strided": any strides (broadcast parameters have stride 0).
#include "backend/common/device_prelude.h"

struct Bf16 {
  ushort bits;
};

inline float load_value(device const float* p, size_t i) { return p[i]; }
inline float load_value(device const half* p, size_t i) { return float(p[i]); }
inline float load_value(device const Bf16* p, size_t i) { return metal::as_type<float>(uint(p[i].bits) << 16); }

inline void store_value(device float* p, size_t i, float v) { p[i] = v; }
inline void store_value(device half* p, size_t i, float v) { p[i] = half(v); }
inline void store_value(device Bf16* p, size_t i, float v) {
  // round to nearest even, as MLX's bfloat16 conversion; NaN stays a quiet NaN
  uint u = metal::as_type<uint>(v);
  if ((u & 0x7fffffffu) > 0x7f800000u) {
    p[i].bits = ushort((u >> 16) | 0x40u);
    return;
  }
  u += 0x7fffu + ((u >> 16) & 1u);
  p[i].bits = ushort(u >> 16);
}

struct SoftThresholdShape {
  uint ndim;
  uint has_scale;
  uint t_step, s_step;  // contiguous kernel: 0 one value, 1 one per element
  int shape[8];
  long x_strides[8], t_strides[8], s_strides[8];
};

template <typename T>
inline void soft_threshold_contiguous(device const T* x, device const T* t, device const T* s, device T* out,
                                      constant SoftThresholdShape& sh, size_t i) {
  const float z = load_value(x, i);
  const float tv = load_value(t, i * sh.t_step);
  float r = glmlx::kernels::soft_threshold(z, tv);
  if (sh.has_scale != 0) {
    r = r / load_value(s, i * sh.s_step);
  }
  store_value(out, i, r);
}

template <typename T>
inline void soft_threshold_strided(device const T* x, device const T* t, device const T* s, device T* out,
                                   constant SoftThresholdShape& sh, size_t i) {
  size_t rest = i;
  long xo = 0, to = 0, so = 0;
  for (int d = int(sh.ndim) - 1; d >= 0; --d) {
    const size_t c = rest % size_t(sh.shape[d]);
    rest /= size_t(sh.shape[d]);
    xo += long(c) * sh.x_strides[d];
    to += long(c) * sh.t_strides[d];
    so += long(c) * sh.s_strides[d];
  }
  float r = glmlx::kernels::soft_threshold(load_value(x, size_t(xo)), load_value(t, size_t(to)));
  if (sh.has_scale != 0) {
    r = r / load_value(s, size_t(so));
  }
  store_value(out, i, r);
}

#define GLMLX_SOFT_THRESHOLD_KERNELS(T, NAME)                                                                 \
  [[kernel]] void glmlx_soft_threshold_contiguous_##NAME(                                                     \
      device const T* x [[buffer(0)]], device const T* t [[buffer(1)]], device const T* s [[buffer(2)]],      \
      device T* out [[buffer(3)]], constant SoftThresholdShape& sh [[buffer(4)]],                             \
      constant uint& n [[buffer(5)]], uint i [[thread_position_in_grid]]) {                                   \
    if (i < n) {                                                                                              \
      soft_threshold_contiguous<T>(x, t, s, out, sh, i);                                                      \
    }                                                                                                         \
  }                                                                                                           \
  [[kernel]] void glmlx_soft_threshold_strided_##NAME(                                                        \
      device const T* x [[buffer(0)]], device const T* t [[buffer(1)]], device const T* s [[buffer(2)]],      \
      device T* out [[buffer(3)]], constant SoftThresholdShape& sh [[buffer(4)]],                             \
      constant uint& n [[buffer(5)]], uint i [[thread_position_in_grid]]) {                                   \
    if (i < n) {                                                                                              \
      soft_threshold_strided<T>(x, t, s, out, sh, i);                                                         \
    }                                                                                                         \
  }

GLMLX_SOFT_THRESHOLD_KERNELS(float, float32)
GLMLX_SOFT_THRESHOLD_KERNELS(half, float16)
GLMLX_SOFT_THRESHOLD_KERNELS(Bf16, bfloat16)
