// glmnet's multi-response gaussian path (family = "mgaussian"), reproducing
// glmnet 4.1's iterates: multelnet -> ElnetDriver<gaussian>'s multi-response
// fit (elnet_driver/gaussian.hpp, MultStandardize1 in standardize.hpp), the
// "multi" path and point solvers (elnet_path/gaussian_multi.hpp,
// gaussian_base.hpp, base.hpp; elnet_point/gaussian_multi.hpp and
// internal/gaussian_base.hpp). glmnet has no covariance scheme for this
// family: type.gaussian is ignored and the solver updates residuals.
//
//  - X and Y are copied column-major and standardized as glmnet does, rows
//    multiplied by sqrt(w) so that plain inner products are weighted ones;
//  - per lambda: the sequential strong rule on the group gradient norms
//    ||R' x_k|| picks candidates; coordinate descent updates one variable's K
//    coefficients at a time (group soft-thresholding, then glmnet's chkbnds /
//    bnorm Newton solve when a box limit binds); sweeps over the active set
//    run to convergence between full sweeps over the candidates; a KKT check
//    over the others (one gemm) admits violators;
//  - glmnet's stops (residual-sum-of-squares gain, devmax, dfmax, pmax, maxit)
//    and error codes.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "cpu/blas.h"
#include "cpu/interrupt.h"
#include "cpu/response_kernels.h"
#include "cpu/vec.h"
#include "glmlx/mgaussian.h"
#include "glmlx/ops.h"
#include "family/gaussian.h"
#include "matrix/mgaussian_data.h"
#include "state/mgaussian_state.h"
#include "path/screening.h"
#include "solver/glm_common.h"

namespace glmlx {

namespace {

using detail::MultData;
using path::MaxitReached;
using path::PmaxReached;
using path::kNonPositivePenalty;

const detail::ColumnKernels& kKernels = detail::response_kernels();

// Data: MultData (X's dense standardized copy) or SparseMultData (matrix/mgaussian_data.h).
template <class Data>
class MultiPath {
 public:
  MultiPath(Data& d, const double* penalty, const double* lower, const double* upper,
            const MgaussianPathSettings& s)
      : d_(d), s_(s), n_(d.n), p_(d.p), K_(d.K), X_(d.columns()), vp_(penalty, penalty + d.p), cl_(size_t(d.p) * 2 * d.K),
        st_(d.p, d.K, std::move(d.Y)), g_curr_(d.K), g_next_(d.K), g0_(d.K), g1_(d.K), diff0_(d.K), diff1_(d.K),
        isc_(d.K) {
    // Box limits per variable and response on the solver's scale (glmnet's clt).
    for (int64_t j = 0; j < p_; ++j) {
      for (int64_t k = 0; k < K_; ++k) {
        double* c = cl_.data() + (j * K_ + k) * 2;
        c[0] = lower[j];
        c[1] = upper[j];
        for (int i = 0; i < 2; ++i) {
          if (s.standardize) {
            c[i] *= d.xs[j];
          }
          if (s.standardize_response) {
            c[i] /= d.ys[k];
          }
        }
      }
    }
    // glmnet compares the largest squared coefficient change with thr scaled
    // to the responses' mean sum of squares.
    thr_ = s.thresh * d.ys0 / double(K_);
    st_.rsq = d.ys0;
  }

  GlmPathResult run(const double* user_lambdas, int64_t n_user);

  // The point solver's face to path::walk_lambdas.
  int64_t p() const { return p_; }
  const uint8_t* usable() const { return d_.ju.data(); }
  const double* penalty() const { return vp_.data(); }
  const double* abs_gradient() const { return st_.g.data(); }
  void fit(double alm, double alm0);
  bool finite() const;
  void record(int64_t m, double alm);
  bool stop(int64_t m, int64_t mnl) const;

 private:
  GlmPathResult out_;  // the path, as walked so far
  double* ak(int64_t k) { return st_.a.data() + k * K_; }

  void group_gradient(int64_t k, double* g) const;
  void abs_gradients(bool skip_strong);
  void fit_point(double ab, double dem, double alm, double alm0);
  bool pass(bool full, double ab, double dem);
  bool update(int64_t k, const double* g, bool full, double ab, double dem, double* diff);
  void update_beta(int64_t k, const double* g, double ab, double dem);
  bool kkt(double ab);

  Data& d_;
  const MgaussianPathSettings& s_;
  const int64_t n_, p_, K_;
  const typename Data::Columns X_;  // the only way the sweeps read X (matrix/dense.h, matrix/mgaussian_data.h)
  std::vector<double> vp_, cl_;
  state::MgaussianState st_;           // coefficients, residuals, active set, R^2 and passes
  double thr_ = 0.0;
  std::vector<double> g_curr_, g_next_;
  std::vector<double> g0_, g1_, diff0_, diff1_;  // a sweep's pair: gradients R'x_k and coefficient changes
  std::vector<int64_t> order_;                   // the variables of the current sweep
  std::vector<uint8_t> isc_;
};

template <class Data>
void MultiPath<Data>::group_gradient(int64_t k, double* g) const {
  X_.response_grad(kKernels, k, st_.R.data(), K_, g);
}

// st_.g[k] = ||R' x_k|| for usable k (not in the strong set with skip_strong).
// For a few responses the column kernel (one read of X, R stays in cache)
// beats gemm, which packs all of X first for a product only K wide; past
// eight responses one gemm X'R wins (docs/PERFORMANCE.md, design measurements).
template <class Data>
void MultiPath<Data>::abs_gradients(bool skip_strong) {
  auto wanted = [&](int64_t k) { return d_.ju[k] && !(skip_strong && st_.strong[k]); };
  int64_t count = 0;
  for (int64_t k = 0; k < p_; ++k) {
    count += wanted(k);
  }
  if (count == 0) {
    return;
  }
  if (K_ > 8 && count * 4 >= p_) {
    std::vector<double> G(size_t(p_) * K_);
    // X is p x n row-major, R is K x n row-major: G (p x K) = X R', by row
    // ranges of X on glmlx's threads (blas.h, Threads).
    const double flops = s_.one_blas_thread ? 0.0 : 2.0 * double(n_) * double(p_) * double(K_);
    blas::over_parts(p_, blas::parts_for(flops, p_), [&](int64_t, int64_t lo, int64_t hi) {
      X_.response_cross(lo, hi, st_.R.data(), K_, G.data());
    });
    for (int64_t k = 0; k < p_; ++k) {
      if (wanted(k)) {
        const double* gk = G.data() + k * K_;
        st_.g[k] = std::sqrt(vec::dot(gk, gk, size_t(K_)));
      }
    }
    return;
  }
  for (int64_t k = 0; k < p_; ++k) {
    if (wanted(k)) {
      group_gradient(k, g_curr_.data());
      st_.g[k] = std::sqrt(vec::dot(g_curr_.data(), g_curr_.data(), size_t(K_)));
    }
  }
}

// The group update of variable k from its gradient g = R'x_k: with
// h = g + xv_k a_k, a_k = (1 - ab vp_k / ||h||)_+ h / (xv_k + dem vp_k), then
// the box limits.
template <class Data>
void MultiPath<Data>::update_beta(int64_t k, const double* g, double ab, double dem) {
  double* a = ak(k);
  const double xvk = d_.xv[k], vpk = vp_[k];
  for (int64_t j = 0; j < K_; ++j) {
    g_next_[j] = g[j] + xvk * a[j];
  }
  const double gkn = std::sqrt(vec::dot(g_next_.data(), g_next_.data(), size_t(K_)));
  const double u = 1.0 - ab * vpk / gkn;
  if (u <= 0.0) {
    std::fill(a, a + K_, 0.0);
    return;
  }
  const double f = u / (xvk + dem * vpk);
  for (int64_t j = 0; j < K_; ++j) {
    a[j] = f * g_next_[j];
  }
  const double* cl = cl_.data() + k * 2 * K_;  // (lower, upper) per response
  detail::chkbnds(K_, g_next_.data(), gkn, xvk, cl, cl + 1, 2, dem * vpk, ab * vpk, a, isc_.data(), s_.bnorm_thr,
                  s_.bnorm_maxit);
}

// Variable k's update from its gradient g; true if its coefficients moved,
// their change in diff (the caller updates the residuals).
template <class Data>
bool MultiPath<Data>::update(int64_t k, const double* g, bool full, double ab, double dem, double* diff) {
  double* a = ak(k);
  std::copy(a, a + K_, diff);
  update_beta(k, g, ab, dem);
  if (std::equal(a, a + K_, diff)) {
    return false;
  }
  if (full && st_.active_pos[k] == 0) {
    st_.active.push_back(k);
    if (int64_t(st_.active.size()) > s_.pmax) {
      throw PmaxReached{};
    }
    st_.active_pos[k] = int64_t(st_.active.size());
  }
  double dmax = 0.0;
  for (int64_t j = 0; j < K_; ++j) {
    diff[j] = a[j] - diff[j];
    dmax = std::max(dmax, std::abs(diff[j]));
  }
  const double xvk = d_.xv[k];
  st_.dlx = std::max(xvk * dmax * dmax, st_.dlx);
  double drsq = 0.0;
  for (int64_t j = 0; j < K_; ++j) {
    drsq += diff[j] * (2.0 * g[j] - xvk * diff[j]);
  }
  st_.rsq -= drsq;
  return true;
}

// One sweep over the candidates (full) or the active set; returns whether it
// converged. Variables go two at a time, still one after the other (as the
// GLM sweeps, solver/irls.cpp): one kernel call applies the pair's residual
// update and takes the next pair's gradients and x0'x1 over the new
// residuals, so the second variable's gradient after the first one's step is
// g1 - (x0'x1) d0: glmnet's iterates up to rounding, with R read and written
// once per pair instead of read three times per variable.
template <class Data>
bool MultiPath<Data>::pass(bool full, double ab, double dem) {
  ++st_.npasses;
  st_.dlx = 0.0;
  detail::sweep_order(full, st_.strong, st_.active, order_);
  const size_t m = order_.size();
  auto column = [&](size_t a) -> int64_t { return a < m ? order_[a] : -1; };
  double cross = 0.0;  // x0'x1 of the pair
  if (m > 0) {
    X_.response_pair(kKernels, st_.R.data(), K_, -1, -1, nullptr, nullptr, column(0), column(1), g0_.data(),
                     g1_.data(), &cross);
  }
  for (size_t a = 0; a < m; a += 2) {
    const int64_t k0 = order_[a], k1 = a + 1 < m ? order_[a + 1] : -1;
    const bool moved0 = update(k0, g0_.data(), full, ab, dem, diff0_.data());
    bool moved1 = false;
    if (k1 >= 0) {
      if (moved0) {
        for (int64_t j = 0; j < K_; ++j) {
          g1_[j] -= cross * diff0_[j];
        }
      }
      moved1 = update(k1, g1_.data(), full, ab, dem, diff1_.data());
    }
    // the variables that moved, first in the x0 slot
    const int64_t x0 = moved0 ? k0 : (moved1 ? k1 : -1);
    const int64_t x1 = moved0 && moved1 ? k1 : -1;
    const double* e0 = moved0 ? diff0_.data() : diff1_.data();
    if (x0 >= 0 || a + 2 < m) {
      X_.response_pair(kKernels, st_.R.data(), K_, x0, x1, e0, diff1_.data(), column(a + 2), column(a + 3), g0_.data(),
                       g1_.data(), &cross);
    }
  }
  if (st_.dlx < thr_) {
    return true;
  }
  if (st_.npasses > s_.maxit || interrupt::requested()) {  // Ctrl-C: stop as at maxit
    throw MaxitReached{};
  }
  return false;
}

// KKT check over the non-candidates: refresh their gradient norms, admit
// every violator into the strong set; true when none violates.
template <class Data>
bool MultiPath<Data>::kkt(double ab) {
  abs_gradients(true);
  return !path::admit_candidates(st_.strong, d_.ju.data(), vp_.data(), st_.g.data(), p_, ab);
}

// glmnet's point fit (ElnetPointGaussianBase::fit with the multi internals).
template <class Data>
void MultiPath<Data>::fit_point(double ab, double dem, double alm, double alm0) {
  st_.rsq_prev = st_.rsq;
  // Sequential strong rule.
  path::admit_candidates(st_.strong, d_.ju.data(), vp_.data(), st_.g.data(), p_,
                         path::strong_rule_threshold(s_.alpha, alm, alm0));
  auto partial_fit = [&]() {
    st_.warm = true;
    while (!pass(false, ab, dem)) {
    }
  };
  if (st_.warm) {
    partial_fit();
  }
  while (true) {
    // Full sweeps until one does not converge (then the active set again) or
    // one converges with no KKT violation (done).
    bool done = false;
    while (true) {
      if (st_.npasses > s_.maxit || interrupt::requested()) {  // Ctrl-C: stop as at maxit
        throw MaxitReached{};
      }
      if (!pass(true, ab, dem)) {
        break;
      }
      if (kkt(ab)) {
        done = true;
        break;
      }
    }
    if (done) {
      return;
    }
    partial_fit();
  }
}

template <class Data>
GlmPathResult MultiPath<Data>::run(const double* user_lambdas, int64_t n_user) {
  GlmPathResult& out = out_;
  out.nclass = K_;
  out.nulldev = d_.nulldev;
  abs_gradients(false);
  path::walk_path(*this, s_, user_lambdas, n_user, out);
  out.npasses = st_.npasses;
  const int64_t lmu = out.lmu;
  out.a0.assign(size_t(lmu) * K_, 0.0);
  out.beta.assign(size_t(lmu) * K_ * p_, 0.0);
  if (out.jerr > 0) {
    // glmnet returns before mapping back: coefficients stay on the solver's
    // scale and the intercepts at zero. Kept for parity.
    out.beta = std::move(st_.beta_path);
    return std::move(out_);
  }
  for (int64_t m = 0; m < lmu; ++m) {
    for (int64_t j = 0; j < K_; ++j) {
      const double* bs = st_.beta_path.data() + (size_t(m) * K_ + j) * p_;
      double* b = out.beta.data() + (size_t(m) * K_ + j) * p_;
      for (int64_t k : st_.active) {
        b[k] = bs[k] * (d_.ys[j] / d_.xs[k]);
      }
      if (!s_.intercept) {
        continue;
      }
      double a0 = d_.ym[j];
      for (int64_t k : st_.active) {
        a0 -= b[k] * d_.xm[k];
      }
      out.a0[size_t(m) * K_ + j] = a0;
    }
  }
  return std::move(out_);
}

template <class Data>
void MultiPath<Data>::fit(double alm, double alm0) {
  fit_point(alm * s_.alpha, alm * (1.0 - s_.alpha), alm, alm0);
}

// Not glmnet's check (path/lambda_walk.h): no NaN coefficients without an error.
template <class Data>
bool MultiPath<Data>::finite() const {
  return path::all_finite(st_.a.begin(), st_.a.end());
}

template <class Data>
void MultiPath<Data>::record(int64_t m, double alm) {
  GlmPathResult& out = out_;
  st_.beta_path.resize(size_t(m + 1) * K_ * p_, 0.0);
  double* bm = st_.beta_path.data() + size_t(m) * K_ * p_;
  for (int64_t k : st_.active) {
    for (int64_t j = 0; j < K_; ++j) {
      bm[j * p_ + k] = st_.a[size_t(k * K_ + j)];
    }
  }
  out.lambdas.push_back(alm);
  out.dev_ratio.push_back(1.0 - st_.rsq / d_.ys0);
}

template <class Data>
bool MultiPath<Data>::stop(int64_t m, int64_t) const {
  const GlmPathResult& out = out_;
  int64_t me = 0;
  for (int64_t k : st_.active) {
    me += st_.a[size_t(k * K_)] != 0.0;  // glmnet counts dfmax on the first response only
  }
  return me > s_.dfmax || family::small_rss_drop(st_.rsq, st_.rsq_prev, s_.sml) || out.dev_ratio[m] > s_.rsqmax;
}

} // namespace

namespace {

// The path over standardized data (dense or sparse X); jerr 10000 and 7777 as glmnet.
template <class Standardize>
GlmPathResult mgaussian_path_of(int64_t p, int64_t K, const double* penalty, const double* lower, const double* upper,
                                const double* user_lambdas, int64_t n_user, const MgaussianPathSettings& settings,
                                Standardize standardize) {
  GlmPathResult out;
  out.nclass = K;
  double vmax = 0.0;
  for (int64_t j = 0; j < p; ++j) {
    vmax = std::max(vmax, penalty[j]);
  }
  if (vmax <= 0.0) {
    out.jerr = kNonPositivePenalty;
    return out;
  }
  auto d = standardize();
  if (std::none_of(d.ju.begin(), d.ju.end(), [](uint8_t u) { return u != 0; })) {
    out.jerr = path::kNoUsablePredictor;
    return out;
  }
  std::vector<double> vp(penalty, penalty + p);
  for (auto& v : vp) {
    v = std::max(v, 0.0);
  }
  MultiPath<decltype(d)> path(d, vp.data(), lower, upper, settings);
  return path.run(user_lambdas, n_user);
}

} // namespace

GlmPathResult mgaussian_path_host(const HostMatrix& X, const HostMatrix& Y, const double* weights,
                                  const int64_t* rows, int64_t nrows, const uint8_t* include, const double* penalty,
                                  const double* lower, const double* upper, const double* user_lambdas,
                                  int64_t n_user, const MgaussianPathSettings& settings) {
  return mgaussian_path_of(X.cols, Y.cols, penalty, lower, upper, user_lambdas, n_user, settings, [&] {
    return detail::standardize_mgaussian(X, Y, weights, rows, nrows, include, settings);
  });
}

GlmPathResult mgaussian_path_host(const MgaussianPathInputs& in, const MgaussianPathSettings& s) {
  if (in.X_sparse) {
    return mgaussian_path_of(in.X_sparse->cols, in.Y->cols, in.penalty, in.lower, in.upper, in.user_lambdas,
                             in.n_user, s, [&] {
                               return detail::standardize_mgaussian(*in.X_sparse, *in.Y, in.weights, in.rows,
                                                                    in.nrows, in.include, s);
                             });
  }
  return mgaussian_path_host(*in.X, *in.Y, in.weights, in.rows, in.nrows, in.include, in.penalty, in.lower, in.upper,
                             in.user_lambdas, in.n_user, s);
}

} // namespace glmlx
