// SoftThreshold::eval_gpu on CUDA: kernels/soft_threshold.cu, the contiguous
// kernel where x is row-contiguous and each parameter is one value or
// row-contiguous, else the strided one.
#include <stdexcept>
#include <string>

#include "backend/common/gpu_params.h"
#include "backend/cuda/module.h"
#include "mlx/backend/cuda/utils.h"
#include "ops/primitives.h"

namespace glmlx {

void SoftThreshold::eval_gpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) {
  auto launch = gpu::prepare_soft_threshold(inputs, outputs, has_scale_);
  if (launch.empty) {
    return;
  }
  auto& out = outputs[0];
  const auto& x = inputs[0];
  const auto& t = inputs[1];
  const auto& sc = has_scale_ ? inputs[2] : inputs[1];
  CUfunction fn = cuda::kernel(launch.kernel.c_str(), stream());
  if (!fn) {
    throw std::runtime_error("[glmlx.soft_threshold] the CUDA kernel " + launch.kernel + " is not loaded");
  }
  auto& enc = mx::cu::get_command_encoder(stream());
  enc.set_input_array(x);
  enc.set_input_array(t);
  enc.set_input_array(sc);
  enc.set_output_array(out);
  // kernel parameters: non-const lvalues of the kernel's exact types
  void* xp = const_cast<void*>(mx::gpu_ptr<void>(x));
  void* tp = const_cast<void*>(mx::gpu_ptr<void>(t));
  void* sp = const_cast<void*>(mx::gpu_ptr<void>(sc));
  void* op = mx::gpu_ptr<void>(out);
  unsigned n = unsigned(out.size());
  const unsigned block = 256;
  enc.add_kernel_node_ex(fn, dim3((n + block - 1) / block), dim3(block), dim3(), 0, xp, tp, sp, op, launch.shape, n);
}

} // namespace glmlx
