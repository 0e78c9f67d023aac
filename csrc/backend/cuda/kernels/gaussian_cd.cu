// The gaussian path primitive's CUDA kernel: one thread block per problem
// running glmnet's covariance scheme (backend/common/gaussian_cd.h, the same
// source as the Metal kernel). nvcc compiles this file into the fatbin that
// backend/cuda/module.cpp loads; gaussian_path.cpp launches it through MLX's
// command encoder with these parameters, in this order.
#include "backend/common/gaussian_cd.h"

using glmlx::gpu::GaussianCDArrays;
using glmlx::gpu::GaussianCDParams;

extern "C" __global__ void glmlx_gaussian_cd_path(
    const float* C, const float* g_in, const float* beta_in, const float* rsq_in, const int* rank_in,
    const float* lambdas, const float* penalty, const float* limits, const float* include, const int* warm_in,
    const float* xv, float* beta_path, float* rsq_path, float* g, float* beta, int* rank, int* stats, int* active,
    float* scratch, GaussianCDParams prm, const float* alphas) {
  __shared__ int red[GLMLX_MAX_GROUP_THREADS];
  const size_t b = blockIdx.x, p = size_t(prm.p), L = size_t(prm.L);
  GaussianCDArrays a;
  a.C = C + (b % size_t(prm.grams)) * p * p;
  a.lam = lambdas + b * L;
  a.vp = penalty + b * p;
  a.lo = limits + b * 2 * p;
  a.hi = limits + b * 2 * p + p;
  a.ju = include + b * p;
  a.xv = xv + b * p;
  a.g_in = g_in + b * p;
  a.beta_in = beta_in + b * p;
  a.rank_in = rank_in + b * p;
  a.g = g + b * p;
  a.beta = beta + b * p;
  a.rank = rank + b * p;
  a.beta_path = beta_path + b * L * p;
  a.rsq_path = rsq_path + b * (L + 1);
  a.active = active + b * p;
  a.gA = scratch + b * 2 * p;
  a.start = scratch + b * 2 * p + p;
  const float alpha = prm.per_problem_alpha != 0 ? alphas[b] : prm.alpha;
  glmlx::gpu::gaussian_cd_path(a, prm, alpha, rsq_in[b], warm_in[b], stats + b * 4, int(threadIdx.x), int(blockDim.x),
                               red);
}
