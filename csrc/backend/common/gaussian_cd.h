// glmnet's covariance-mode coordinate descent for a batch of gaussian
// problems on a GPU: one threadgroup (Metal) or thread block (CUDA) per
// problem, written once for both (device_prelude.h). It is the device twin
// of the CPU's covariance solver (solver/gaussian_cov.cpp, full Gram, no
// strong rule) and walks the primitive's block of lambdas as path/lambda_walk.h
// does: per lambda, a full sweep over the usable variables in ascending
// order, active-set sweeps to convergence, a confirming full sweep; glmnet's
// test max_k xv_k dbeta_k^2 < thr; the stops maxit (err 1), pmax (err 2),
// dfmax, a small R^2 gain and rsqmax. Float32 throughout; R^2 is carried with
// a compensation term.
//
// Coordinate descent is sequential: each update sees every earlier one. The
// group keeps that order exactly. Its threads propose the updates of the next
// nt coordinates at once; a coordinate whose update would not change it is
// passed over (as the sequential loop passes it), and the first that changes
// is applied by all, its gradient update spread over the threads. So the cost
// of a sweep is its moves, not its length.
//
// No recursion, no double, no std::: Metal compiles this too.
#pragma once

#include "backend/common/device_prelude.h"

namespace glmlx {
namespace gpu {

// Settings of the whole batch (uniform across problems).
struct GaussianCDParams {
  int B, p, L;
  int grams;       // G Gram matrices: problem b's is the (b mod G)-th
  int maxit, nx, ne;
  int stops_from;  // early stops from this many points fitted on (a huge number: never)
  int per_problem_alpha;  // 1: problem b's alpha is alphas[b], else alpha
  float alpha, thr, sml, rsqmax;
};

// Problem b's rows of the primitive's arrays (gaussian_path.h's PathArrays),
// and its scratch: the active variables in entry order, their gradients and
// their coefficients at the start of active-set sweeps.
struct GaussianCDArrays {
  GLMLX_GLOBAL const float* C;  // p x p standardized Gram; row k is column k
  GLMLX_GLOBAL const float* lam;
  GLMLX_GLOBAL const float* vp;
  GLMLX_GLOBAL const float* lo;
  GLMLX_GLOBAL const float* hi;
  GLMLX_GLOBAL const float* ju;
  GLMLX_GLOBAL const float* xv;
  GLMLX_GLOBAL const float* g_in;  // the carried state, copied to g, beta and rank first
  GLMLX_GLOBAL const float* beta_in;
  GLMLX_GLOBAL const int* rank_in;
  GLMLX_GLOBAL float* g;
  GLMLX_GLOBAL float* beta;
  GLMLX_GLOBAL int* rank;
  GLMLX_GLOBAL float* beta_path;
  GLMLX_GLOBAL float* rsq_path;
  GLMLX_GLOBAL int* active;
  GLMLX_GLOBAL float* gA;
  GLMLX_GLOBAL float* start;
};

// What every thread of the group carries, identically: the group agrees on
// each decision because each thread computes it from the same values.
struct GaussianCDState {
  float rsq, rsq_comp;  // R^2 and its compensation (Kahan)
  int npasses, err, na, nfit;
  bool warm;
};

GLMLX_DEVICE_FN void add_rsq(GLMLX_PRIVATE GaussianCDState& st, float gain) {
  const float y = gain - st.rsq_comp;
  const float t = st.rsq + y;
  st.rsq_comp = (t - st.rsq) - y;
  st.rsq = t;
}

// The smallest v over the group's nt threads (nt a power of two). Every
// thread gets it; red (nt ints of group memory) is free again on return.
GLMLX_DEVICE_FN int group_min(int v, int t, int nt, GLMLX_SHARED int* red) {
  red[t] = v;
  GLMLX_SYNC();
  for (int s = nt / 2; s > 0; s /= 2) {
    if (t < s && red[t + s] < red[t]) {
      red[t] = red[t + s];
    }
    GLMLX_SYNC();
  }
  const int r = red[0];
  GLMLX_SYNC();
  return r;
}

GLMLX_DEVICE_FN int group_sum(int v, int t, int nt, GLMLX_SHARED int* red) {
  red[t] = v;
  GLMLX_SYNC();
  for (int s = nt / 2; s > 0; s /= 2) {
    if (t < s) {
      red[t] += red[t + s];
    }
    GLMLX_SYNC();
  }
  const int r = red[0];
  GLMLX_SYNC();
  return r;
}

GLMLX_DEVICE_FN float proposed(GLMLX_PRIVATE const GaussianCDArrays& a, int k, float gk, float ab, float dem) {
  return kernels::coordinate_update(gk, a.beta[k], a.xv[k], a.vp[k], ab, dem, a.lo[k], a.hi[k]);
}

// beta_k moves from old to b (thread 0 writes it): R^2 and the sweep's largest
// convergence term dlx follow. Returns the change; the caller updates the gradients.
GLMLX_DEVICE_FN float apply_move(GLMLX_PRIVATE const GaussianCDArrays& a, GLMLX_PRIVATE GaussianCDState& st, int k,
                                 float b, float old, float gk, float xvk, GLMLX_PRIVATE float& dlx, int t) {
  const float d = b - old;
  if (t == 0) {
    a.beta[k] = b;
  }
  add_rsq(st, kernels::rsq_gain(gk, d, xvk));
  const float term = kernels::convergence_term(xvk, d);
  dlx = dlx < term ? term : dlx;
  return d;
}

// One full sweep in ascending order over the usable variables. 1 converged,
// 0 not yet, -1 stop (maxit or pmax; st.err says which).
GLMLX_DEVICE_FN int full_sweep(GLMLX_PRIVATE const GaussianCDArrays& a, GLMLX_PRIVATE GaussianCDState& st,
                               GLMLX_PRIVATE const GaussianCDParams& prm, float ab, float dem, int t, int nt,
                               GLMLX_SHARED int* red) {
  st.npasses += 1;
  if (st.npasses > prm.maxit) {
    st.err = 1;
    return -1;
  }
  const int p = prm.p;
  float dlx = 0.0f;
  int pos = 0;
  while (pos < p) {
    const int k = pos + t;
    int first = p;
    if (k < p && a.ju[k] != 0.0f && proposed(a, k, a.g[k], ab, dem) != a.beta[k]) {
      first = k;
    }
    const int km = group_min(first, t, nt, red);
    if (km >= p) {
      pos += nt;
      continue;
    }
    const float old = a.beta[km], gk = a.g[km], xvk = a.xv[km];
    const float b = proposed(a, km, gk, ab, dem);
    const bool enters = a.rank[km] < 0;
    GLMLX_SYNC();  // every thread has read g, beta and rank of km before they change
    if (enters) {
      if (st.na >= prm.nx) {
        st.err = 2;
        return -1;
      }
      if (t == 0) {
        a.rank[km] = st.na;
        a.active[st.na] = km;
      }
      st.na += 1;
    }
    const float d = apply_move(a, st, km, b, old, gk, xvk, dlx, t);
    GLMLX_GLOBAL const float* ck = a.C + km * p;
    for (int j = t; j < p; j += nt) {
      a.g[j] -= ck[j] * d;
    }
    GLMLX_SYNC();
    pos = km + 1;
  }
  return dlx < prm.thr ? 1 : 0;
}

// Sweeps over the active set to convergence on its own gradients, then the
// other gradients brought up to date in one pass. false: maxit.
GLMLX_DEVICE_FN bool active_fit(GLMLX_PRIVATE const GaussianCDArrays& a, GLMLX_PRIVATE GaussianCDState& st,
                                GLMLX_PRIVATE const GaussianCDParams& prm, float ab, float dem, int t, int nt,
                                GLMLX_SHARED int* red) {
  st.warm = true;
  const int na = st.na, p = prm.p;
  for (int l = t; l < na; l += nt) {
    const int k = a.active[l];
    a.start[l] = a.beta[k];
    a.gA[l] = a.g[k];
  }
  GLMLX_SYNC();
  bool ok = true;
  while (true) {
    st.npasses += 1;
    if (st.npasses > prm.maxit) {
      st.err = 1;
      ok = false;
      break;
    }
    float dlx = 0.0f;
    int pos = 0;
    while (pos < na) {
      const int l = pos + t;
      int first = na;
      if (l < na) {
        const int k = a.active[l];
        if (proposed(a, k, a.gA[l], ab, dem) != a.beta[k]) {
          first = l;
        }
      }
      const int lm = group_min(first, t, nt, red);
      if (lm >= na) {
        pos += nt;
        continue;
      }
      const int k = a.active[lm];
      const float old = a.beta[k], gk = a.gA[lm], xvk = a.xv[k];
      const float b = proposed(a, k, gk, ab, dem);
      GLMLX_SYNC();
      const float d = apply_move(a, st, k, b, old, gk, xvk, dlx, t);
      GLMLX_GLOBAL const float* ck = a.C + k * p;
      for (int m = t; m < na; m += nt) {
        a.gA[m] -= ck[a.active[m]] * d;
      }
      GLMLX_SYNC();
      pos = lm + 1;
    }
    if (dlx < prm.thr) {
      break;
    }
  }
  for (int l = t; l < na; l += nt) {
    a.g[a.active[l]] = a.gA[l];
  }
  GLMLX_SYNC();
  if (!ok) {
    return false;
  }
  // Each thread owns its j: the updates reach g_j in the active set's order, as on the CPU.
  for (int l = 0; l < na; ++l) {
    const int k = a.active[l];
    const float d = a.beta[k] - a.start[l];
    if (d == 0.0f) {
      continue;
    }
    GLMLX_GLOBAL const float* ck = a.C + k * p;
    for (int j = t; j < p; j += nt) {
      a.g[j] -= ck[j] * d;
    }
  }
  GLMLX_SYNC();
  for (int l = t; l < na; l += nt) {
    a.g[a.active[l]] = a.gA[l];  // the active set's own, from its sweeps
  }
  GLMLX_SYNC();
  return true;
}

// One lambda: glmnet's elnet loop. false: the path stops (st.err).
GLMLX_DEVICE_FN bool fit_lambda(GLMLX_PRIVATE const GaussianCDArrays& a, GLMLX_PRIVATE GaussianCDState& st,
                                GLMLX_PRIVATE const GaussianCDParams& prm, float alpha, float lam, int t, int nt,
                                GLMLX_SHARED int* red) {
  const float ab = lam * alpha, dem = lam * (1.0f - alpha);
  if (st.warm && !active_fit(a, st, prm, ab, dem, t, nt, red)) {
    return false;
  }
  while (true) {
    const int s = full_sweep(a, st, prm, ab, dem, t, nt, red);
    if (s < 0) {
      return false;
    }
    if (s == 1) {
      return true;
    }
    if (!active_fit(a, st, prm, ab, dem, t, nt, red)) {
      return false;
    }
  }
}

/**
 * Problem b's path over its block of L lambdas, by threads t < nt of its
 * group, with elastic-net mixing ``alpha``. g_in, beta_in, rank_in, rsq_in and
 * warm_in are the carried state (g, beta and rank are its copies, updated in place). On return beta_path (L x p) and rsq_path (L + 1, the last the
 * carried R^2) are written, and stats = npasses, points fitted, err, warm.
 */
GLMLX_DEVICE_FN void gaussian_cd_path(GLMLX_PRIVATE const GaussianCDArrays& a, GLMLX_PRIVATE const GaussianCDParams& prm,
                                      float alpha, float rsq_in, int warm_in, GLMLX_GLOBAL int* stats, int t, int nt,
                                      GLMLX_SHARED int* red) {
  const int p = prm.p, L = prm.L;
  int entered = 0;
  for (int j = t; j < p; j += nt) {
    a.g[j] = a.g_in[j];
    a.beta[j] = a.beta_in[j];
    const int r = a.rank_in[j];
    a.rank[j] = r;
    if (r >= 0) {
      a.active[r] = j;
      entered += 1;
    }
  }
  for (int i = t; i < L * p; i += nt) {
    a.beta_path[i] = 0.0f;
  }
  for (int i = t; i <= L; i += nt) {
    a.rsq_path[i] = 0.0f;
  }
  GaussianCDState st;
  st.rsq = rsq_in;
  st.rsq_comp = 0.0f;
  st.npasses = 0;
  st.err = 0;
  st.na = group_sum(entered, t, nt, red);  // (its barriers also publish the copies and active[])
  st.nfit = 0;
  st.warm = warm_in != 0;
  float rsq_before = st.rsq, rsq_after = st.rsq;
  for (int m = 0; m < L; ++m) {
    if (!fit_lambda(a, st, prm, alpha, a.lam[m], t, nt, red)) {
      break;
    }
    rsq_before = rsq_after;
    rsq_after = st.rsq;
    for (int j = t; j < p; j += nt) {
      a.beta_path[m * p + j] = a.beta[j];
    }
    if (t == 0) {
      a.rsq_path[m] = rsq_after;
    }
    st.nfit = m + 1;
    if (m + 1 >= L || st.nfit < prm.stops_from) {
      continue;
    }
    int nonzero = 0;
    for (int j = t; j < p; j += nt) {
      nonzero += a.beta[j] != 0.0f ? 1 : 0;
    }
    nonzero = group_sum(nonzero, t, nt, red);
    if (nonzero > prm.ne || kernels::small_rsq_gain(rsq_after, rsq_before, prm.sml) || rsq_after > prm.rsqmax) {
      break;
    }
  }
  if (t == 0) {
    a.rsq_path[L] = st.rsq;
    stats[0] = st.npasses;
    stats[1] = st.nfit;
    stats[2] = st.err;
    stats[3] = st.warm ? 1 : 0;
  }
}

}  // namespace gpu
}  // namespace glmlx
