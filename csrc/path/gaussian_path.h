// Pieces of the Gaussian coordinate-descent path shared by its two solvers:
// gradients through Gram columns (gaussian_path.cpp) and glmnet's own residual
// updates (gaussian_residual.cpp). Both run glmnet's elnet scheme on its
// standardized scale and differ only in where x_k'W r comes from.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "cpu/interrupt.h"
#include "path/lambda_walk.h"
#include "cpu/blas.h"
#include "cpu/cores.h"
#include "cpu/problems.h"
#include "glmlx/kernels/soft_threshold.h"
#include "glmlx/ops.h"

namespace glmlx::path {

// The naive scheme's candidates S (variables admitted by the sequential strong
// rule or a KKT check), never dropped; swept in ascending variable order, as
// glmnet sweeps them.
class CandidateSet {
 public:
  explicit CandidateSet(int64_t p) : in_(size_t(p), 0) {}
  bool contains(int64_t j) const { return in_[size_t(j)] != 0; }
  // j joins S (not yet in order: call sort() after a batch).
  void add(int64_t j) {
    if (!in_[size_t(j)]) {
      in_[size_t(j)] = 1;
      list_.push_back(j);
    }
  }
  void sort() { std::sort(list_.begin(), list_.end()); }
  // Adds a batch and restores the order; false when the batch is empty.
  bool add_all(const std::vector<int64_t>& added) {
    if (added.empty()) {
      return false;
    }
    for (int64_t j : added) {
      add(j);
    }
    sort();
    return true;
  }
  const std::vector<int64_t>& list() const { return list_; }
  size_t size() const { return list_.size(); }
  int64_t operator[](size_t i) const { return list_[i]; }
  std::vector<int64_t>::const_iterator begin() const { return list_.begin(); }
  std::vector<int64_t>::const_iterator end() const { return list_.end(); }

 private:
  std::vector<int64_t> list_;
  std::vector<char> in_;
};

enum PathError : int32_t { kOk = 0, kMaxit = 1, kPmax = 2 };

template <typename T>
struct Problem {
  T* g;          // p gradient, updated in place
  T* beta;       // p coefficients, updated in place
  int32_t* rank; // p: entry order in the active set, -1 if never active
  const T* lam;  // L lambdas
  const T* vp;   // p penalty factors
  const T* lo;   // p lower limits
  const T* hi;   // p upper limits
  const T* ju;   // p: 1 = variable may enter, 0 = excluded or constant
  const T* xv;   // p: C_kk
  T* beta_path;  // L x p
  T* rsq_path;   // L + 1
  T rsq;         // in/out
  T lam_prev = 0;  // lambda before this block's first (strong rule)
};

struct Settings {
  double alpha, thr, sml, rsqmax;
  int32_t maxit, nx, ne, mnl, m_offset;
  bool early_stop, strong;
  int32_t screen;  // residual solver: float32 screening of gradient passes (-1 auto, 0 off, 1 on)
};

inline Settings settings_of(const GaussianPathSettings& st) {
  return Settings{st.alpha, st.thresh, st.sml,      st.rsqmax,     st.maxit,  st.pmax,
                  st.dfmax, st.mnl,    st.m_offset, st.early_stop, st.strong, st.screen};
}

struct Outcome {
  int32_t npasses = 0, nfit = 0, err = kOk;
  bool warm = false;
};

// glmnet's coordinate update: soft-threshold then clamp to the limits.
template <typename T>
T new_beta(const Problem<T>& pr, int64_t k, T gk, T ab, T dem) {
  const T xv = pr.xv[k];
  const T u = gk + pr.beta[k] * xv;
  const T b = kernels::soft_threshold<T>(u, pr.vp[k] * ab, xv + pr.vp[k] * dem);
  return b == T(0) ? T(0) : std::max(pr.lo[k], std::min(pr.hi[k], b));
}

/**
 * A gaussian problem's face to the path driver (path/lambda_walk.h): a point
 * is recorded into the primitive's outputs (beta path, R^2, points fitted);
 * glmnet's gaussian early stop reads R^2 (its deviance ratio). The Python
 * layer rejects non-finite data up front and checks the returned path.
 */
template <typename T, class Solver>
struct GaussianPoint {
  Problem<T>& pr;
  const Solver& solver;
  int64_t p;
  const Settings& s;
  Outcome& out;
  T rsq_before, rsq_after;  // R^2 before and after the last point's fit

  GaussianPoint(Problem<T>& pr_, const Solver& solver_, int64_t p_, const Settings& s_, Outcome& out_)
      : pr(pr_), solver(solver_), p(p_), s(s_), out(out_), rsq_before(solver_.rsq()), rsq_after(rsq_before) {}

  bool finite() const { return true; }

  void record(int64_t m, double) {
    rsq_before = rsq_after;
    rsq_after = solver.rsq();
    std::copy(pr.beta, pr.beta + p, pr.beta_path + m * p);
    pr.rsq_path[m] = rsq_after;
    out.nfit = int32_t(m + 1);
  }

  bool stop(int64_t, int64_t) const {
    int64_t me = 0;
    for (int64_t j = 0; j < p; ++j) {
      me += pr.beta[j] != T(0);
    }
    const T rsq = rsq_after;
    const T change = rsq == T(0) ? std::numeric_limits<T>::infinity() : (rsq - rsq_before) / rsq;
    return me > s.ne || change < T(s.sml) || rsq > T(s.rsqmax);
  }

  // How the solver's fit ended (it reports maxit and pmax in out.err).
  PointStatus status(bool ok) const {
    return ok ? PointStatus::ok : (out.err == kPmax ? PointStatus::pmax : PointStatus::maxit);
  }
};

// glmnet's early stops from the mnl-th point of the whole grid; this block
// starts at point m_offset.
inline int64_t gaussian_stops_from(const Settings& s) {
  return s.early_stop ? int64_t(s.mnl) - int64_t(s.m_offset) : std::numeric_limits<int64_t>::max();
}

template <typename T, class Solver>
using GaussianWalk = LambdaWalk<GaussianPoint<T, Solver>, GivenLambdas<T>>;

// One problem's lambdas for a Solver with fit(lam, lam_prev), rsq(), warm()
// and sync() (make the returned gradient exact).
template <typename T, typename Solver>
void solve_path(Problem<T>& pr, Solver& solver, int64_t p, int64_t L, const Settings& s, Outcome& out) {
  GaussianPoint<T, Solver> point(pr, solver, p, s, out);
  GaussianWalk<T, Solver> walk(point, GivenLambdas<T>{pr.lam, pr.lam_prev}, L, gaussian_stops_from(s));
  while (!walk.done()) {
    const PathLambda lam = walk.next();
    walk.finish(point.status(solver.fit(T(lam.alm), T(lam.alm0))));
  }
  solver.sync();  // the returned gradient is exact for every variable
  out.warm = solver.warm();
  pr.rsq_path[L] = solver.rsq();  // carried state for the next block
}

/**
 * The gaussian path primitive's arrays by name. Inputs: the eleven every
 * gaussian path op takes, in this order (g beta rsq rank lambdas penalty
 * limits include warm xv lambda_prev), then its source of X (FullGramSource,
 * LazyGramSource or ResidualSource, by the settings' mode). Outputs: beta
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
struct FullGramSource {  // C (1 or B, p, p): the standardized Gram
  const mx::array& C;
  explicit FullGramSource(const PathArrays& a) : C(a.source(0)) {}
};
struct LazyGramSource {  // X (n, p), weights (B, n), xm, xs (B, p)
  const mx::array &X, &weights, &xm, &xs;
  explicit LazyGramSource(const PathArrays& a)
      : X(a.source(0)), weights(a.source(1)), xm(a.source(2)), xs(a.source(3)) {}
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

// init_outputs, then solve_one(b, out) for every problem and its stats.
// Independent problems (CV folds, responses) spread over threads; BLAS then
// runs single-threaded inside each, so the cores are not oversubscribed.
template <typename T, typename SolveOne>
void run_problems(const PathArrays& a, SolveOne&& solve_one) {
  const int64_t B = a.B();
  init_outputs<T>(a);
  const size_t nthreads = size_t(std::min<int64_t>(B, int64_t(glmlx::detail::usable_cores())));
  glmlx::detail::run_problems(
      size_t(B), nthreads,
      [&](size_t b, bool) {
        Outcome out;
        out.warm = a.warm_start(int64_t(b));
        solve_one(int64_t(b), out);
        write_stats(a, int64_t(b), out);
      },
      [&](size_t b) {
        Outcome out;  // Ctrl-C: problems not yet started are left out (the caller raises)
        out.warm = a.warm_start(int64_t(b));
        out.err = kMaxit;
        write_stats(a, int64_t(b), out);
      });
}

// madvise(MADV_HUGEPAGE) over the 2 MiB pages inside [data, data + bytes)
// (columns.cpp): large fresh buffers then fault in 2 MiB at a time.
void advise_huge_pages(void* data, size_t bytes);

// glmnet's naive scheme by residual updates (gaussian_residual.cpp); inputs:
// the common ones, then Xt center scale y weights xm xs.
template <typename T>
void run_residual_batch(const PathArrays& a, const Settings& s);

// glmnet's covariance scheme (and the lazy Gram) over gradients through Gram
// columns (solver/gaussian_cov.cpp).
template <typename T>
void run_gram_batch(const PathArrays& a, const Settings& s, bool lazy);

} // namespace glmlx::path
