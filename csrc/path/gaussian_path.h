// What the gaussian solvers share on the path: glmnet's coordinate update,
// the face of a problem to the lambda walk (GaussianPoint, path/lambda_walk.h)
// and the runner of B problems. The solvers, gradients through Gram columns
// (solver/gaussian_cov.cpp) and glmnet's own residual updates
// (solver/gaussian_naive.cpp), run glmnet's elnet scheme on its standardized
// scale and differ only in where x_k'W r comes from.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "cpu/interrupt.h"
#include "family/gaussian.h"
#include "path/lambda_walk.h"
#include "cpu/blas.h"
#include "cpu/cores.h"
#include "cpu/problems.h"
#include "glmlx/kernels/device_math.h"
#include "glmlx/ops.h"
#include "state/gaussian_batch.h"
#include "state/gaussian_state.h"

namespace glmlx::path {

// glmnet's coordinate update (kernels::coordinate_update, the device kernels' too, in its two steps).
template <typename T>
T new_beta(const Problem<T>& pr, int64_t k, T gk, T ab, T dem) {
  const T b = kernels::coordinate_step<T>(gk, pr.beta[k], pr.xv[k], pr.vp[k], ab, dem);
  return b == T(0) ? T(0) : kernels::clamp_to_limits<T>(b, pr.lo[k], pr.hi[k]);  // limits read only then
}

// One more coordinate pass; false when the path must stop there (maxit
// passes, or Ctrl-C, which stops as at maxit).
inline bool count_pass(const Settings& s, Outcome& out) {
  if (++out.npasses > s.maxit || interrupt::requested()) {
    out.err = kMaxit;
    return false;
  }
  return true;
}

// Variable k's first move from zero: it joins the active set (rank: its
// order of entry) unless pmax variables are active already (glmnet's nx;
// out.err = kPmax, the path stops). ``active`` is the entry-ordered set.
template <typename T>
bool enter_active(Problem<T>& pr, int64_t k, const std::vector<int64_t>& active, const Settings& s, Outcome& out) {
  if (int64_t(active.size()) >= s.nx) {
    out.err = kPmax;
    return false;
  }
  pr.rank[k] = int32_t(active.size());
  return true;
}

// One sweep over the candidates (glmnet's full sweep, in ascending order):
// step(i, k) gives coordinate k's new coefficient and its gradient (k is the
// i-th candidate), a first move from zero admits k to the active set
// (activate(k) after enter_active), move(k, b, gk) applies it and returns its
// curvature-weighted squared change. 1 converged, 0 not yet, -1 stop (maxit
// or pmax). The two gaussian solvers differ only in step and move: where
// x_k'W r comes from and how a change updates it.
template <typename T, class Step, class Activate, class Move>
int sweep_candidates(Problem<T>& pr, const CandidateSet& cand, const std::vector<int64_t>& active,
                     const Settings& s, Outcome& out, Step step, Activate activate, Move move) {
  if (!count_pass(s, out)) {
    return -1;
  }
  T dlx = 0;
  for (size_t i = 0; i < cand.size(); ++i) {
    const int64_t k = cand[i];
    const auto [b, gk] = step(i, k);
    if (b == pr.beta[k]) {
      continue;
    }
    if (pr.rank[k] < 0) {
      if (!enter_active(pr, k, active, s, out)) {
        return -1;
      }
      activate(k);
    }
    dlx = std::max(dlx, move(k, b, gk));
  }
  return dlx < T(s.thr) ? 1 : 0;
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
    return me > s.ne || family::small_rsq_gain(rsq_after, rsq_before, T(s.sml)) || rsq_after > T(s.rsqmax);
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

// A problem's walk over this block's L lambdas.
template <typename T, class Solver>
GaussianWalk<T, Solver> gaussian_walk(GaussianPoint<T, Solver>& point, int64_t L, const Settings& s) {
  return GaussianWalk<T, Solver>(point, GivenLambdas<T>{point.pr.lam, point.pr.lam_prev}, L, gaussian_stops_from(s));
}

// One problem's lambdas for a Solver with fit(lam, lam_prev), rsq(), warm()
// and sync() (make the returned gradient exact).
template <typename T, typename Solver>
void solve_path(Problem<T>& pr, Solver& solver, int64_t p, int64_t L, const Settings& s, Outcome& out) {
  GaussianPoint<T, Solver> point(pr, solver, p, s, out);
  GaussianWalk<T, Solver> walk = gaussian_walk(point, L, s);
  while (!walk.done()) {
    const PathLambda lam = walk.next();
    walk.finish(point.status(solver.fit(T(lam.alm), T(lam.alm0))));
  }
  solver.sync();  // the returned gradient is exact for every variable
  out.warm = solver.warm();
  pr.rsq_path[L] = solver.rsq();  // carried state for the next block
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

// glmnet's naive scheme by residual updates (solver/gaussian_naive.cpp); inputs:
// the common ones, then Xt center scale y weights xm xs.
template <typename T>
void run_residual_batch(const PathArrays& a, const Settings& s);

// glmnet's naive scheme over a sparse X by residual updates (solver/gaussian_sparse_naive.cpp);
// inputs: the common ones, then SparseGramSource.
template <typename T>
void run_sparse_residual_batch(const PathArrays& a, const Settings& s);

// glmnet's covariance scheme (and the lazy Gram, from dense or sparse X) over
// gradients through Gram columns (solver/gaussian_cov.cpp).
template <typename T>
void run_gram_batch(const PathArrays& a, const Settings& s, bool lazy, bool sparse);

} // namespace glmlx::path
