// glmlx.soft_threshold's CUDA kernels: out = sign(x) max(|x| - t, 0) / scale
// in float32 arithmetic (kernels::soft_threshold), over float32, float16 and
// bfloat16 storage. "contiguous": x row-contiguous, each parameter one value
// or row-contiguous; "strided": any strides (broadcast parameters: stride 0).
// The same scheme as kernels/soft_threshold.metal; launched by
// backend/cuda/soft_threshold.cpp.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "backend/common/device_prelude.h"

struct SoftThresholdShape {  // as backend/common/gpu_params.h fills it
  unsigned ndim, has_scale, t_step, s_step;
  int shape[8];
  long long x_strides[8], t_strides[8], s_strides[8];
};

__device__ inline float load_value(const float* p, size_t i) { return p[i]; }
__device__ inline float load_value(const __half* p, size_t i) { return __half2float(p[i]); }
__device__ inline float load_value(const __nv_bfloat16* p, size_t i) { return __bfloat162float(p[i]); }
__device__ inline void store_value(float* p, size_t i, float v) { p[i] = v; }
__device__ inline void store_value(__half* p, size_t i, float v) { p[i] = __float2half_rn(v); }
__device__ inline void store_value(__nv_bfloat16* p, size_t i, float v) { p[i] = __float2bfloat16_rn(v); }

template <typename T>
__device__ inline void soft_threshold_at(const T* x, const T* t, const T* s, T* out, const SoftThresholdShape& sh,
                                         size_t i, bool contiguous) {
  size_t xo = i, to = i * sh.t_step, so = i * sh.s_step;
  if (!contiguous) {
    size_t rest = i;
    long long xs = 0, ts = 0, ss = 0;
    for (int d = int(sh.ndim) - 1; d >= 0; --d) {
      const size_t c = rest % size_t(sh.shape[d]);
      rest /= size_t(sh.shape[d]);
      xs += (long long)c * sh.x_strides[d];
      ts += (long long)c * sh.t_strides[d];
      ss += (long long)c * sh.s_strides[d];
    }
    xo = size_t(xs);
    to = size_t(ts);
    so = size_t(ss);
  }
  float r = glmlx::kernels::soft_threshold(load_value(x, xo), load_value(t, to));
  if (sh.has_scale != 0) {
    r = r / load_value(s, so);
  }
  store_value(out, i, r);
}

#define GLMLX_SOFT_THRESHOLD_KERNELS(T, NAME)                                                                   \
  extern "C" __global__ void glmlx_soft_threshold_contiguous_##NAME(const T* x, const T* t, const T* s, T* out, \
                                                                   SoftThresholdShape sh, unsigned n) {        \
    const size_t i = size_t(blockIdx.x) * blockDim.x + threadIdx.x;                                             \
    if (i < n) soft_threshold_at<T>(x, t, s, out, sh, i, true);                                                 \
  }                                                                                                             \
  extern "C" __global__ void glmlx_soft_threshold_strided_##NAME(const T* x, const T* t, const T* s, T* out,    \
                                                                SoftThresholdShape sh, unsigned n) {           \
    const size_t i = size_t(blockIdx.x) * blockDim.x + threadIdx.x;                                             \
    if (i < n) soft_threshold_at<T>(x, t, s, out, sh, i, false);                                                \
  }

GLMLX_SOFT_THRESHOLD_KERNELS(float, float32)
GLMLX_SOFT_THRESHOLD_KERNELS(__half, float16)
GLMLX_SOFT_THRESHOLD_KERNELS(__nv_bfloat16, bfloat16)
