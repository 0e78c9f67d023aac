// The gaussian path primitive's B problems: its input and output arrays by
// name (PathArrays, the sources of X), and each problem's view of them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "glmlx/ops.h"
#include "state/gaussian_state.h"

namespace glmlx::path {

/**
 * The gaussian path primitive's arrays by name. Inputs: the eleven every
 * gaussian path op takes, in this order (g beta rsq rank lambdas penalty
 * limits include warm xv lambda_prev), then its source of X (FullGramSource,
 * LazyGramSource, SparseGramSource or ResidualSource, by the settings' mode). Outputs: beta
 * path (B, L, p), R^2 path (B, L + 1), g, beta, rank (B, p), stats (B, 4).
 */
struct PathArrays {
  static constexpr size_t kCommon = 11;  // inputs before the source of X
  const std::vector<mx::array>& in;
  std::vector<mx::array>& outs;

  const mx::array& g() const { return in[0]; }
  const mx::array& beta() const { return in[1]; }
  const mx::array& rsq() const { return in[2]; }
  const mx::array& rank() const { return in[3]; }
  const mx::array& lambdas() const { return in[4]; }
  const mx::array& penalty() const { return in[5]; }
  const mx::array& limits() const { return in[6]; }
  const mx::array& include() const { return in[7]; }
  const mx::array& warm() const { return in[8]; }
  const mx::array& xv() const { return in[9]; }
  const mx::array& lambda_prev() const { return in[10]; }
  const mx::array& source(size_t i) const { return in[kCommon + i]; }

  mx::array& beta_path() const { return outs[0]; }
  mx::array& rsq_path() const { return outs[1]; }
  mx::array& g_out() const { return outs[2]; }
  mx::array& beta_out() const { return outs[3]; }
  mx::array& rank_out() const { return outs[4]; }
  mx::array& stats() const { return outs[5]; }

  int64_t B() const { return g().shape(0); }
  int64_t p() const { return g().shape(1); }
  int64_t L() const { return lambdas().shape(1); }
  bool warm_start(int64_t b) const { return warm().data<int32_t>()[b] != 0; }
};

// The sources of X, by name (PathArrays::source).
// C (G, p, p): the standardized Grams, problem b's is C[b mod G]; then, optionally, alpha (B): each
// problem's own elastic-net mixing
struct FullGramSource {
  const mx::array& C;
  const mx::array* alpha;
  explicit FullGramSource(const PathArrays& a)
      : C(a.source(0)), alpha(a.in.size() > PathArrays::kCommon + 1 ? &a.source(1) : nullptr) {}
  template <typename T>
  const T* gram(int64_t b, int64_t p) const {
    return C.data<T>() + (b % C.shape(0)) * p * p;
  }
  double alpha_of(int64_t b) const {  // float64 on the CPU (the op keeps it so)
    return alpha->dtype() == mx::float64 ? alpha->data<double>()[b] : double(alpha->data<float>()[b]);
  }
};
struct LazyGramSource {  // X (n, p), weights (B, n), xm, xs (B, p)
  const mx::array &X, &weights, &xm, &xs;
  explicit LazyGramSource(const PathArrays& a)
      : X(a.source(0)), weights(a.source(1)), xm(a.source(2)), xs(a.source(3)) {}
};
// X (n, p) as CSC: indptr (p + 1, int64), indices (int32), data; y (standardized), weights (B, n); xm, xs (B, p)
struct SparseGramSource {
  const mx::array &indptr, &indices, &data, &y, &weights, &xm, &xs;
  explicit SparseGramSource(const PathArrays& a)
      : indptr(a.source(0)), indices(a.source(1)), data(a.source(2)), y(a.source(3)), weights(a.source(4)),
        xm(a.source(5)), xs(a.source(6)) {}
};
struct ResidualSource {  // Xt (p, n), center, scale (p), y, weights (B, n), xm, xs (B, p)
  const mx::array &Xt, &center, &scale, &y, &weights, &xm, &xs;
  explicit ResidualSource(const PathArrays& a)
      : Xt(a.source(0)), center(a.source(1)), scale(a.source(2)), y(a.source(3)), weights(a.source(4)),
        xm(a.source(5)), xs(a.source(6)) {}
};

// Problem b's view of the inputs and outputs; its outputs' path start at zero.
template <typename T>
Problem<T> problem_view(const PathArrays& a, int64_t b) {
  const int64_t p = a.p(), L = a.L();
  Problem<T> pr{a.g_out().data<T>() + b * p,
                a.beta_out().data<T>() + b * p,
                a.rank_out().data<int32_t>() + b * p,
                a.lambdas().data<T>() + b * L,
                a.penalty().data<T>() + b * p,
                a.limits().data<T>() + b * 2 * p,
                a.limits().data<T>() + b * 2 * p + p,
                a.include().data<T>() + b * p,
                a.xv().data<T>() + b * p,
                a.beta_path().data<T>() + b * L * p,
                a.rsq_path().data<T>() + b * (L + 1),
                a.rsq().data<T>()[b]};
  pr.lam_prev = a.lambda_prev().data<T>()[b];
  std::fill(pr.beta_path, pr.beta_path + L * p, T(0));
  std::fill(pr.rsq_path, pr.rsq_path + L + 1, T(0));
  return pr;
}

// The carried state (g, beta, rank) copied to the outputs, updated in place.
template <typename T>
void init_outputs(const PathArrays& a) {
  const int64_t n = a.B() * a.p();
  std::copy(a.g().data<T>(), a.g().data<T>() + n, a.g_out().data<T>());
  std::copy(a.beta().data<T>(), a.beta().data<T>() + n, a.beta_out().data<T>());
  std::copy(a.rank().data<int32_t>(), a.rank().data<int32_t>() + n, a.rank_out().data<int32_t>());
}

// stats (B x 4): npasses, nfit, err, warm.
inline void write_stats(const PathArrays& a, int64_t b, const Outcome& out) {
  int32_t* st = a.stats().data<int32_t>() + b * 4;
  st[0] = out.npasses;
  st[1] = out.nfit;
  st[2] = out.err;
  st[3] = out.warm ? 1 : 0;
}

} // namespace glmlx::path
