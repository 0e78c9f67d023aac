// SoftThreshold::eval_gpu on Metal: kernels/soft_threshold.metal, the
// contiguous kernel where x is row-contiguous and each parameter is one value
// or row-contiguous, else the strided one (broadcast parameters have stride 0).
#include <algorithm>
#include <cstdint>
#include <string>

#include "backend/common/gpu_params.h"
#include "backend/metal/kernels.h"
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
  const auto& s = stream();
  auto* kernel = mx::metal::device(s.device).get_kernel(launch.kernel, metal::library("soft_threshold", s));
  auto& enc = mx::metal::get_command_encoder(s);
  enc.set_compute_pipeline_state(kernel);
  enc.set_input_array(x, 0);
  enc.set_input_array(t, 1);
  enc.set_input_array(sc, 2);
  enc.set_output_array(out, 3);
  enc.set_bytes(launch.shape, 4);
  const uint32_t n = uint32_t(out.size());
  enc.set_bytes(n, 5);
  const size_t group = std::min<size_t>(256, kernel->maxTotalThreadsPerThreadgroup());
  enc.dispatch_threads(MTL::Size(n, 1, 1), MTL::Size(group, 1, 1));
}

} // namespace glmlx
