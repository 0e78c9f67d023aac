// The gaussian path primitive's Metal kernel: one threadgroup per problem
// running glmnet's covariance scheme (backend/common/gaussian_cd.h) over a
// block of lambdas. Compiled at run time through MLX's Metal device
// (backend/metal/gaussian_path.cpp); the #include is inlined at build time.
#include "backend/common/gaussian_cd.h"

using glmlx::gpu::GaussianCDArrays;
using glmlx::gpu::GaussianCDParams;

[[kernel]] void glmlx_gaussian_cd_path(
    device const float* C [[buffer(0)]],
    device const float* g_in [[buffer(1)]],
    device const float* beta_in [[buffer(2)]],
    device const float* rsq_in [[buffer(3)]],
    device const int* rank_in [[buffer(4)]],
    device const float* lambdas [[buffer(5)]],
    device const float* penalty [[buffer(6)]],
    device const float* limits [[buffer(7)]],
    device const float* include [[buffer(8)]],
    device const int* warm_in [[buffer(9)]],
    device const float* xv [[buffer(10)]],
    device float* beta_path [[buffer(11)]],
    device float* rsq_path [[buffer(12)]],
    device float* g [[buffer(13)]],
    device float* beta [[buffer(14)]],
    device int* rank [[buffer(15)]],
    device int* stats [[buffer(16)]],
    device int* active [[buffer(17)]],
    device float* scratch [[buffer(18)]],
    constant GaussianCDParams& params [[buffer(19)]],
    device const float* alphas [[buffer(20)]],  // (B): read when params.per_problem_alpha
    uint group [[threadgroup_position_in_grid]],
    uint tid [[thread_position_in_threadgroup]],
    uint nthreads [[threads_per_threadgroup]]) {
  threadgroup int red[GLMLX_MAX_GROUP_THREADS];
  const GaussianCDParams prm = params;
  const size_t b = group, p = size_t(prm.p), L = size_t(prm.L);
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
  glmlx::gpu::gaussian_cd_path(a, prm, alpha, rsq_in[b], warm_in[b], stats + b * 4, int(tid), int(nthreads), red);
}
