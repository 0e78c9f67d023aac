// GaussianPath::eval_gpu on Metal: kernels/gaussian_cd.metal, one threadgroup
// per problem (backend/common/gaussian_cd.h). The op sends only float32 full-
// Gram problems without the strong rule here (ops/gaussian_path.cpp).
#include "backend/common/gpu_params.h"
#include "backend/metal/kernels.h"
#include "ops/primitives.h"

namespace glmlx {

void GaussianPath::eval_gpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) {
  auto launch = gpu::prepare_gaussian_cd(inputs, outputs, settings_);
  const auto& C = inputs[11];
  const auto& s = stream();
  auto& d = mx::metal::device(s.device);
  auto* kernel = d.get_kernel("glmlx_gaussian_cd_path", metal::library("gaussian_cd", s));
  auto& enc = mx::metal::get_command_encoder(s);
  enc.set_compute_pipeline_state(kernel);
  enc.set_input_array(C, 0);
  for (int i = 0; i < 10; ++i) {  // g beta rsq rank lambdas penalty limits include warm xv
    enc.set_input_array(inputs[i], 1 + i);
  }
  for (int i = 0; i < 6; ++i) {  // beta path, R^2 path, g, beta, rank, stats
    enc.set_output_array(outputs[i], 11 + i);
  }
  enc.set_output_array(launch.active, 17);
  enc.set_output_array(launch.scratch, 18);
  enc.set_bytes(launch.params, 19);
  enc.set_input_array(launch.per_problem_alpha ? inputs[12] : C, 20);  // (C: bound, never read)
  const int threads = gpu::group_threads(launch.params.p, int(kernel->maxTotalThreadsPerThreadgroup()));
  enc.dispatch_threadgroups(MTL::Size(launch.params.B, 1, 1), MTL::Size(threads, 1, 1));
  enc.add_temporary(launch.active);
  enc.add_temporary(launch.scratch);
}

} // namespace glmlx
