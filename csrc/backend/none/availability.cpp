// GPU backend for builds where MLX has neither Metal nor CUDA (Linux CPU
// wheels): every op runs its MLX-op fallback on a GPU stream.
#include "ops/primitive_base.h"

#include "glmlx/ops.h"

namespace glmlx {

bool backend_has_kernel(const char*, const mx::Stream& s) {
  return s.device == mx::Device::cpu;
}

const char* gpu_backend() {
  return "none";
}

} // namespace glmlx
