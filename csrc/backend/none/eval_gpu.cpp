// The GPU entry points of the primitives that have kernels in the Metal and
// CUDA backends, for builds without either. Never reached: without a kernel
// (backend_has_kernel) the ops build their MLX-op fallback on a GPU stream, and
// the path ops run on the CPU stream.
#include <stdexcept>

#include "ops/primitives.h"

namespace glmlx {

void SoftThreshold::eval_gpu(const std::vector<mx::array>&, std::vector<mx::array>&) {
  throw std::runtime_error("[glmlx.soft_threshold] no GPU kernel in this build");
}

void GaussianPath::eval_gpu(const std::vector<mx::array>&, std::vector<mx::array>&) {
  throw std::runtime_error("[glmlx.gaussian_path] no GPU kernel in this build: it runs on the CPU stream");
}

} // namespace glmlx
