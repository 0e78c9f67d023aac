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
  auto launch = gpu::prepare_gaussian_cd(inputs, outputs, settings_);
  CUfunction fn = cuda::kernel("glmlx_gaussian_cd_path", stream());
  if (!fn) {
    throw std::runtime_error("[glmlx.gaussian_path] the CUDA kernel is not loaded");
  }
  auto& enc = mx::cu::get_command_encoder(stream());
  for (const auto& a : inputs) {
    enc.set_input_array(a);
  }
  for (auto& o : outputs) {
    enc.set_output_array(o);
  }
  enc.set_output_array(launch.active);
  enc.set_output_array(launch.scratch);
  auto ptr = [](const mx::array& a) { return const_cast<void*>(mx::gpu_ptr<void>(a)); };
  // in the kernel's parameter order: C, g beta rsq rank lambdas penalty limits include warm xv, the six outputs,
  // the two scratch arrays, the settings, the per-problem alphas
  void *c = ptr(inputs[11]), *g_in = ptr(inputs[0]), *beta_in = ptr(inputs[1]), *rsq_in = ptr(inputs[2]),
       *rank_in = ptr(inputs[3]), *lam = ptr(inputs[4]), *pen = ptr(inputs[5]), *lim = ptr(inputs[6]),
       *inc = ptr(inputs[7]), *warm = ptr(inputs[8]), *xv = ptr(inputs[9]);
  void *bp = ptr(outputs[0]), *rp = ptr(outputs[1]), *go = ptr(outputs[2]), *bo = ptr(outputs[3]),
       *ro = ptr(outputs[4]), *st = ptr(outputs[5]), *act = ptr(launch.active), *scr = ptr(launch.scratch);
  void* alphas = launch.per_problem_alpha ? ptr(inputs[12]) : nullptr;
  auto prm = launch.params;
  const int threads = gpu::group_threads(prm.p, 1024);
  enc.add_kernel_node_ex(fn, dim3(prm.B), dim3(threads), dim3(), 0, c, g_in, beta_in, rsq_in, rank_in, lam, pen, lim,
                         inc, warm, xv, bp, rp, go, bo, ro, st, act, scr, prm, alphas);
  enc.add_temporary(launch.active);
  enc.add_temporary(launch.scratch);
}

} // namespace glmlx
