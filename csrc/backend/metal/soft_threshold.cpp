// SoftThreshold::eval_gpu on Metal: kernels/soft_threshold.metal, the
// contiguous kernel where x is row-contiguous and each parameter is one value
// or row-contiguous, else the strided one (broadcast parameters have stride 0).
#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "backend/metal/kernels.h"
#include "ops/primitives.h"

namespace glmlx {

namespace {

// Mirrors SoftThresholdShape in kernels/soft_threshold.metal.
struct SoftThresholdShape {
  uint32_t ndim, has_scale, t_step, s_step;
  int32_t shape[8];
  int64_t x_strides[8], t_strides[8], s_strides[8];
};

const char* dtype_name(mx::Dtype t) {
  switch (t) {
    case mx::float32: return "float32";
    case mx::float16: return "float16";
    case mx::bfloat16: return "bfloat16";
    default: throw std::runtime_error("[glmlx.soft_threshold] the Metal kernel takes float32, float16 or bfloat16");
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
  auto step = [](const mx::array& a) -> int {  // 0: one value; 1: one per element; -1: neither
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
  const auto& s = stream();
  auto& d = mx::metal::device(s.device);
  const std::string name =
      std::string("glmlx_soft_threshold_") + (contiguous ? "contiguous_" : "strided_") + dtype_name(out.dtype());
  auto* kernel = d.get_kernel(name, metal::library("soft_threshold", s));
  auto& enc = mx::metal::get_command_encoder(s);
  enc.set_compute_pipeline_state(kernel);
  enc.set_input_array(x, 0);
  enc.set_input_array(t, 1);
  enc.set_input_array(sc, 2);
  enc.set_output_array(out, 3);
  enc.set_bytes(sh, 4);
  const uint32_t n = uint32_t(out.size());
  enc.set_bytes(n, 5);
  const size_t group = std::min<size_t>(256, kernel->maxTotalThreadsPerThreadgroup());
  enc.dispatch_threads(MTL::Size(n, 1, 1), MTL::Size(group, 1, 1));
}

} // namespace glmlx
