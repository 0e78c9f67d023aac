// SoftThreshold::eval_gpu on CUDA: kernels/soft_threshold.cu, the contiguous
// kernel where x is row-contiguous and each parameter is one value or
// row-contiguous, else the strided one.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "backend/cuda/module.h"
#include "mlx/backend/cuda/utils.h"
#include "ops/primitives.h"

namespace glmlx {

namespace {

struct SoftThresholdShape {  // as kernels/soft_threshold.cu
  uint32_t ndim, has_scale, t_step, s_step;
  int32_t shape[8];
  long long x_strides[8], t_strides[8], s_strides[8];
};

const char* dtype_name(mx::Dtype t) {
  switch (t) {
    case mx::float32: return "float32";
    case mx::float16: return "float16";
    case mx::bfloat16: return "bfloat16";
    default: throw std::runtime_error("[glmlx.soft_threshold] the CUDA kernel takes float32, float16 or bfloat16");
  }
}

} // namespace

void SoftThreshold::eval_gpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) {
  auto& out = outputs[0];
  const auto& x = inputs[0];
  const auto& t = inputs[1];
  const auto& sc = has_scale_ ? inputs[2] : inputs[1];
  out.set_data(mx::allocator::malloc(out.nbytes()));
  if (out.size() == 0) {
    return;
  }
  auto step = [](const mx::array& a) -> int {
    return a.data_size() == 1 ? 0 : (a.flags().row_contiguous ? 1 : -1);
  };
  const bool contiguous = x.flags().row_contiguous && step(t) >= 0 && step(sc) >= 0;
  SoftThresholdShape sh{};
  sh.ndim = uint32_t(out.ndim());
  sh.has_scale = has_scale_ ? 1u : 0u;
  sh.t_step = contiguous ? uint32_t(step(t)) : 0u;
  sh.s_step = contiguous ? uint32_t(step(sc)) : 0u;
  for (int d = 0; d < out.ndim(); ++d) {
    sh.shape[d] = out.shape(d);
    sh.x_strides[d] = x.strides()[d];
    sh.t_strides[d] = t.strides()[d];
    sh.s_strides[d] = sc.strides()[d];
  }
  const std::string name =
      std::string("glmlx_soft_threshold_") + (contiguous ? "contiguous_" : "strided_") + dtype_name(out.dtype());
  CUfunction fn = cuda::kernel(name.c_str(), stream());
  if (!fn) {
    throw std::runtime_error("[glmlx.soft_threshold] the CUDA kernel " + name + " is not loaded");
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
  enc.add_kernel_node_ex(fn, dim3((n + block - 1) / block), dim3(block), dim3(), 0, xp, tp, sp, op, sh, n);
}

} // namespace glmlx
