// Host-side setup of the gaussian path kernel, shared by the Metal and CUDA
// backends: its settings block and its group size.
#pragma once

#include <algorithm>
#include <climits>

#include "glmlx/ops.h"

namespace glmlx::gpu {

// Mirrors GaussianCDParams in gaussian_cd.h (a plain block of 8 ints and 4 floats).
struct GaussianCDParams {
  int B, p, L, c_stride, maxit, nx, ne, stops_from;
  float alpha, thr, sml, rsqmax;
};

inline GaussianCDParams gaussian_cd_params(const GaussianPathSettings& st, int B, int p, int L, bool shared_gram) {
  GaussianCDParams prm{};
  prm.B = B;
  prm.p = p;
  prm.L = L;
  prm.c_stride = shared_gram ? 0 : p * p;
  prm.maxit = st.maxit;
  prm.nx = st.pmax;
  prm.ne = st.dfmax;
  prm.stops_from = st.early_stop ? st.mnl - st.m_offset : INT_MAX;
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

}  // namespace glmlx::gpu
