// GPU backend for MLX's CUDA backend: which ops have a CUDA kernel. A fatbin
// that does not load (no kernel for this GPU, an old driver) makes the ops take
// their CPU path, with one warning.
#include <cstring>

#include "backend/cuda/module.h"
#include "glmlx/ops.h"
#include "ops/primitive_base.h"

namespace glmlx {

bool backend_has_kernel(const char* op, const mx::Stream& s) {
  if (s.device == mx::Device::cpu) {
    return true;
  }
  if (std::strcmp(op, "soft_threshold") == 0) {
    return cuda::kernel("glmlx_soft_threshold_contiguous_float32", s) != nullptr;
  }
  if (std::strcmp(op, "gaussian_cov_path") == 0) {
    return cuda::kernel("glmlx_gaussian_cd_path", s) != nullptr;
  }
  return false;
}

const char* gpu_backend() {
  return "cuda";
}

} // namespace glmlx
