// GaussianPath::eval_gpu on Metal: kernels/gaussian_cd.metal, one threadgroup
// per problem (backend/common/gaussian_cd.h). The op sends only float32 full-
// Gram problems without the strong rule here (ops/gaussian_path.cpp).
#include <algorithm>
#include <limits>

#include "backend/common/gpu_params.h"
#include "backend/metal/kernels.h"
#include "ops/primitives.h"

namespace glmlx {

void GaussianPath::eval_gpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) {
  for (auto& o : outputs) {
    o.set_data(mx::allocator::malloc(o.nbytes()));
  }
  const auto& g = inputs[0];
  const int B = g.shape(0), p = g.shape(1), L = inputs[4].shape(1);
  const auto& C = inputs[11];
  const auto prm = gpu::gaussian_cd_params(settings_, B, p, L, C.shape(0) == 1);
  // scratch per problem: the active set in entry order (p ints); its gradients and starting coefficients (2p)
  mx::array active({B, p}, mx::int32, nullptr, {});
  mx::array scratch({B, 2 * p}, mx::float32, nullptr, {});
  active.set_data(mx::allocator::malloc(active.nbytes()));
  scratch.set_data(mx::allocator::malloc(scratch.nbytes()));

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
  enc.set_output_array(active, 17);
  enc.set_output_array(scratch, 18);
  enc.set_bytes(prm, 19);
  const int threads = gpu::group_threads(p, int(kernel->maxTotalThreadsPerThreadgroup()));
  enc.dispatch_threadgroups(MTL::Size(B, 1, 1), MTL::Size(threads, 1, 1));
  enc.add_temporary(active);
  enc.add_temporary(scratch);
}

} // namespace glmlx
