// Host-side setup of the kernels, shared by the Metal and CUDA backends: the
// gaussian path kernel's settings block, group size and scratch, and the
// soft_threshold kernels' shape block.
#pragma once

#include <algorithm>
#include <climits>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "mlx/allocator.h"
#include "mlx/array.h"

#include "glmlx/ops.h"

namespace glmlx::gpu {

// Mirrors GaussianCDParams in gaussian_cd.h (a plain block of 9 ints and 4 floats).
struct GaussianCDParams {
  int B, p, L, grams, maxit, nx, ne, stops_from, per_problem_alpha;
  float alpha, thr, sml, rsqmax;
};

inline GaussianCDParams gaussian_cd_params(const GaussianPathSettings& st, int B, int p, int L, int grams,
                                           bool per_problem_alpha) {
  GaussianCDParams prm{};
  prm.B = B;
  prm.p = p;
  prm.L = L;
  prm.grams = grams;
  prm.maxit = st.maxit;
  prm.nx = st.pmax;
  prm.ne = st.dfmax;
  prm.stops_from = st.early_stop ? st.mnl - st.m_offset : INT_MAX;
  prm.per_problem_alpha = per_problem_alpha ? 1 : 0;
  prm.alpha = float(st.alpha);
  prm.thr = float(st.thresh);
  prm.sml = float(st.sml);
  prm.rsqmax = float(st.rsqmax);
  return prm;
}

// Threads per problem: a power of two (the group reductions' tree), up to 256
// and the device's limit, no more than p needs.
inline int group_threads(int p, int device_limit) {
  const int cap = std::max(1, std::min(256, device_limit));
  int t = 1;
  while (t * 2 <= cap && t < p) {
    t *= 2;
  }
  return t;
}

// The gaussian path kernel's launch: its settings block, and its per-problem
// scratch (the active set in entry order, p ints; its gradients and starting
// coefficients, 2p floats), allocated with the primitive's outputs.
struct GaussianCDLaunch {
  GaussianCDParams params;
  bool per_problem_alpha;
  mlx::core::array active, scratch;
};

// inputs: the primitive's (g beta rsq rank lambdas penalty limits include warm xv lambda_prev, C[, alpha]).
inline GaussianCDLaunch prepare_gaussian_cd(const std::vector<mlx::core::array>& inputs,
                                            std::vector<mlx::core::array>& outputs, const GaussianPathSettings& st) {
  namespace mx = mlx::core;
  for (auto& o : outputs) {
    o.set_data(mx::allocator::malloc(o.nbytes()));
  }
  const int B = inputs[0].shape(0), p = inputs[0].shape(1), L = inputs[4].shape(1);
  const bool per_problem_alpha = inputs.size() > 12;  // the optional alpha (B) after C
  GaussianCDLaunch launch{gaussian_cd_params(st, B, p, L, inputs[11].shape(0), per_problem_alpha), per_problem_alpha,
                          mx::array({B, p}, mx::int32, nullptr, {}), mx::array({B, 2 * p}, mx::float32, nullptr, {})};
  launch.active.set_data(mx::allocator::malloc(launch.active.nbytes()));
  launch.scratch.set_data(mx::allocator::malloc(launch.scratch.nbytes()));
  return launch;
}

// Mirrors SoftThresholdShape in the soft_threshold kernels (.metal, .cu).
struct SoftThresholdShape {
  uint32_t ndim, has_scale, t_step, s_step;  // t_step, s_step: 0 one value, 1 one per element
  int32_t shape[8];
  int64_t x_strides[8], t_strides[8], s_strides[8];
};

// The kernel's shape block for x, t and scale (t again without a scale), and
// whether the contiguous kernel applies: x row-contiguous, each parameter one
// value or row-contiguous. The op sends at most 8 axes.
inline SoftThresholdShape soft_threshold_shape(const mlx::core::array& x, const mlx::core::array& t,
                                               const mlx::core::array& scale, bool has_scale, bool& contiguous) {
  auto step = [](const mlx::core::array& a) -> int {  // 0: one value; 1: one per element; -1: neither
    return a.data_size() == 1 ? 0 : (a.flags().row_contiguous ? 1 : -1);
  };
  contiguous = x.flags().row_contiguous && step(t) >= 0 && step(scale) >= 0;
  SoftThresholdShape sh{};
  sh.ndim = uint32_t(x.ndim());
  sh.has_scale = has_scale ? 1u : 0u;
  sh.t_step = contiguous ? uint32_t(step(t)) : 0u;
  sh.s_step = contiguous ? uint32_t(step(scale)) : 0u;
  for (int d = 0; d < x.ndim(); ++d) {
    sh.shape[d] = x.shape(d);
    sh.x_strides[d] = x.strides()[d];
    sh.t_strides[d] = t.strides()[d];
    sh.s_strides[d] = scale.strides()[d];
  }
  return sh;
}

// The soft_threshold kernels' suffix for a storage type.
inline const char* soft_threshold_dtype(mlx::core::Dtype t) {
  if (t == mlx::core::float32) {
    return "float32";
  }
  if (t == mlx::core::float16) {
    return "float16";
  }
  if (t == mlx::core::bfloat16) {
    return "bfloat16";
  }
  throw std::runtime_error("[glmlx.soft_threshold] the GPU kernels take float32, float16 or bfloat16");
}

// A soft_threshold launch: its output allocated, the kernel's name and shape
// block; empty when there is nothing to compute.
struct SoftThresholdLaunch {
  bool empty;
  std::string kernel;
  SoftThresholdShape shape;
};

// inputs: x, t[, scale] (broadcast to one shape by the op).
inline SoftThresholdLaunch prepare_soft_threshold(const std::vector<mlx::core::array>& inputs,
                                                  std::vector<mlx::core::array>& outputs, bool has_scale) {
  auto& out = outputs[0];
  out.set_data(mlx::core::allocator::malloc(out.nbytes()));
  SoftThresholdLaunch launch{out.size() == 0, {}, {}};
  if (launch.empty) {
    return launch;
  }
  bool contiguous = false;
  launch.shape = soft_threshold_shape(inputs[0], inputs[1], has_scale ? inputs[2] : inputs[1], has_scale, contiguous);
  launch.kernel = std::string("glmlx_soft_threshold_") + (contiguous ? "contiguous_" : "strided_") +
      soft_threshold_dtype(out.dtype());
  return launch;
}

}  // namespace glmlx::gpu
