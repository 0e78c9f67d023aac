// GaussianPath::eval_gpu on CUDA: kernels/gaussian_cd.cu, one thread block per
// problem (backend/common/gaussian_cd.h). The op sends only float32 full-Gram
// problems without the strong rule here (ops/gaussian_path.cpp).
#include <stdexcept>

#include "backend/common/gpu_params.h"
#include "backend/cuda/module.h"
#include "mlx/backend/cuda/utils.h"
#include "ops/primitives.h"

namespace glmlx {

void GaussianPath::eval_gpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) {
  for (auto& o : outputs) {
    o.set_data(mx::allocator::malloc(o.nbytes()));
  }
  const auto& g = inputs[0];
  const int B = g.shape(0), p = g.shape(1), L = inputs[4].shape(1);
  const auto& C = inputs[11];
  auto prm = gpu::gaussian_cd_params(settings_, B, p, L, C.shape(0) == 1);
  mx::array active({B, p}, mx::int32, nullptr, {});
  mx::array scratch({B, 2 * p}, mx::float32, nullptr, {});
  active.set_data(mx::allocator::malloc(active.nbytes()));
  scratch.set_data(mx::allocator::malloc(scratch.nbytes()));

  CUfunction fn = cuda::kernel("glmlx_gaussian_cd_path", stream());
  if (!fn) {
    throw std::runtime_error("[glmlx.gaussian_path] the CUDA kernel is not loaded");
  }
  auto& enc = mx::cu::get_command_encoder(stream());
  enc.set_input_array(C);
  for (int i = 0; i < 10; ++i) {
    enc.set_input_array(inputs[i]);
  }
  for (auto& o : outputs) {
    enc.set_output_array(o);
  }
  enc.set_output_array(active);
  enc.set_output_array(scratch);
  auto ptr = [](const mx::array& a) { return const_cast<void*>(mx::gpu_ptr<void>(a)); };
  // in the kernel's parameter order: C, g beta rsq rank lambdas penalty limits include warm xv, the six outputs,
  // the two scratch arrays, the settings
  void *c = ptr(C), *g_in = ptr(inputs[0]), *beta_in = ptr(inputs[1]), *rsq_in = ptr(inputs[2]),
       *rank_in = ptr(inputs[3]), *lam = ptr(inputs[4]), *pen = ptr(inputs[5]), *lim = ptr(inputs[6]),
       *inc = ptr(inputs[7]), *warm = ptr(inputs[8]), *xv = ptr(inputs[9]);
  void *bp = ptr(outputs[0]), *rp = ptr(outputs[1]), *go = ptr(outputs[2]), *bo = ptr(outputs[3]),
       *ro = ptr(outputs[4]), *st = ptr(outputs[5]), *act = ptr(active), *scr = ptr(scratch);
  const int threads = gpu::group_threads(p, 1024);
  enc.add_kernel_node_ex(fn, dim3(B), dim3(threads), dim3(), 0, c, g_in, beta_in, rsq_in, rank_in, lam, pen, lim, inc,
                         warm, xv, bp, rp, go, bo, ro, st, act, scr, prm);
  enc.add_temporary(active);
  enc.add_temporary(scratch);
}

} // namespace glmlx
