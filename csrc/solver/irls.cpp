// glmnet's regularization path for the binomial (two-class) and poisson
// families, reproducing glmnet 4.1's iterates (glmnetpp's elnet_point/internal/
// binomial_base.hpp, poisson_naive.hpp and elnet_path/base.hpp):
//
//  - X is standardized (weighted centering and scaling, as glmnet's
//    LStandardize1) into a column-major copy, so every coordinate visit reads
//    one contiguous column;
//  - per lambda: the sequential strong rule picks candidates; IRLS forms the
//    working weights W and residual r = w (y - mu); weighted least squares by
//    coordinate descent with residual updates (a full sweep over the
//    candidates, then sweeps over the active set to convergence, repeated
//    until a full sweep converges); IRLS repeats until the coefficients stop
//    moving; a KKT check over the other variables (one gemv) admits violators
//    and IRLS resumes;
//  - glmnet's stops (deviance ratio gain, devmax, dfmax, pmax, maxit).
//
// The multinomial family lives in solver/multinomial.cpp.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <memory>
#include <string>
#include <system_error>

#include "cpu/interrupt.h"
#include "cpu/cores.h"
#include "family/binomial.h"
#include "family/poisson.h"
#include "path/lambda_walk.h"
#include "path/screening.h"
#include "state/irls_state.h"
#include "matrix/sparse_glm.h"
#include "solver/glm_common.h"
#include "glmlx/glm.h"
#include "glmlx/ops.h"
#include "cpu/vec.h"

namespace glmlx {

namespace {

using detail::GlmData;
using detail::MaxitReached;
using detail::PairTeam;
using detail::RowOps;
using detail::PmaxReached;

// Largest factor by which the linear predictor's update from the residuals
// (update_irls) may magnify their rounding: beyond it (|r0| + |r| > 1e4 W,
// e.g. a binomial fit within 1e-4 of 0 or 1) a row's eta is summed afresh.
constexpr double kEtaGainMax = 1e4;

// Data: GlmData (X's dense standardized copy) or SparseGlmData (X's entries, standardized on the fly);
// the solver reads X only through Data::Columns and abs_gradient(Data).
template <class Family, class Data = GlmData>
class IrlsPath {
 public:
  IrlsPath(Data& d, const GlmPathSettings& s, PairTeam* team)
      : d_(d), s_(s), n_(d.n), p_(d.p), X_(d.columns()),
        fam_(d.y.data(), d.w.data(), d.offset.empty() ? nullptr : d.offset.data(), d.n, s), team_(team),
        rows_(team, d.n), st_(d.n, d.p), prefetch_(detail::sweeps_prefetch(s, n_, p_)) {
    xv_per_step_ = fam_.curvature_per_step(s.kopt);
    thr_ = s.thresh;
  }

  GlmPathResult run(const double* user_lambdas, int64_t n_user);

  // The point solver's face to path::walk_lambdas.
  int64_t p() const { return p_; }
  const uint8_t* usable() const { return d_.ju.data(); }
  const double* penalty() const { return d_.vp.data(); }
  const double* abs_gradient() const { return st_.ga.data(); }
  void fit(double alm, double alm0);
  bool finite() const;
  void record(int64_t m, double alm);
  bool stop(int64_t m, int64_t mnl) const;

 private:
  GlmPathResult out_;  // the path, as walked so far
  double curvature(int64_t k) const { return st_.xv[k]; }
  // Coordinate k's curvature x_k'Wx_k, summed by a sweep's kernel with its
  // gradient, so current for every coordinate the sweep visits (Newton's, as
  // glmnet's; modified Newton keeps the path's fixed bound).
  void take_curvature(int64_t k, double wsq) {
    if (xv_per_step_) {
      st_.xv[k] = wsq;
    }
  }

  void construct();
  void fit_point(double ab, double dem, double alm, double alm0);
  void setup_wls();
  void wls(double ab, double dem);
  bool pass(bool full, double ab, double dem);
  double update_coord(int64_t k, double gk, bool full, double ab, double dem);
  void update_intercept();
  bool update_irls(double ab);
  bool kkt(double ab);
  double deviance_ratio() const;

  Data& d_;
  const GlmPathSettings& s_;
  const int64_t n_, p_;
  const typename Data::Columns X_;  // the only way the sweeps read X (matrix/dense.h, matrix/sparse_glm.h)
  Family fam_;      // the response's distribution: null fit, working weights, deviance (family/)
  PairTeam* team_;  // null: one thread
  RowOps rows_;     // the O(n) loops, on the team's two threads when n is large

  state::IrlsState st_;  // coefficients, active set, rows' working quantities, passes
  bool xv_per_step_ = true;  // curvatures under the current W (else modified Newton's fixed ones)
  const bool prefetch_;  // sweeps prefetch the pair of columns after the next (sweeps_prefetch)
  std::vector<int64_t> order_;       // the coordinates of the current sweep
  double thr_;
  double dev0_ = 0.0;     // saturated-minus-null deviance, per unit weight, halved
};

// ---------------------------------------------------------------------------
// Start: the intercept-only (or offset-only) fit, null deviance, gradients.

template <class Family, class Data>
void IrlsPath<Family, Data>::construct() {
  const family::NullFit f = fam_.start(st_.W.data(), st_.r.data());
  st_.b0 = f.b0;
  st_.wsum = f.wsum;
  dev0_ = f.dev0;
  if (!xv_per_step_) {
    // Modified Newton: the family's bound on the variance in place of W, fixed for the path.
    const double* w = d_.w.data();
    for (int64_t j = 0; j < p_; ++j) {
      if (s_.standardize && s_.intercept) {
        st_.xv[j] = Family::kCurvatureBound;
      } else if (d_.ju[j]) {
        st_.xv[j] = Family::kCurvatureBound * X_.wsumsq(w, j);
      }
    }
  }
  const double* g = d_.offset.empty() ? nullptr : d_.offset.data();
  for (int64_t i = 0; i < n_; ++i) {
    st_.eta[i] = st_.b0 + (g ? g[i] : 0.0);
  }
  thr_ = s_.thresh * dev0_;
  detail::abs_gradient(d_, st_.r.data(), st_.ga.data(), nullptr, team_);
}

// ---------------------------------------------------------------------------
// One lambda: IRLS around weighted coordinate descent.

template <class Family, class Data>
void IrlsPath<Family, Data>::fit_point(double ab, double dem, double alm, double alm0) {
  // Sequential strong rule: candidates are kept from earlier lambdas.
  path::admit_candidates(st_.strong, d_.ju.data(), d_.vp.data(), st_.ga.data(), p_,
                         path::strong_rule_threshold(s_.alpha, alm, alm0));
  while (true) {
    if (st_.npasses > s_.maxit || interrupt::requested()) {  // Ctrl-C: stop as at maxit
      throw MaxitReached{};
    }
    setup_wls();
    wls(ab, dem);
    if (update_irls(ab)) {
      break;
    }
  }
}

template <class Family, class Data>
void IrlsPath<Family, Data>::setup_wls() {
  st_.b0_old = st_.b0;
  for (int64_t k : st_.active) {
    st_.beta_old[k] = st_.beta[k];
  }
}

template <class Family, class Data>
void IrlsPath<Family, Data>::wls(double ab, double dem) {
  while (!pass(true, ab, dem)) {
    while (!pass(false, ab, dem)) {
    }
  }
}

template <class Family, class Data>
bool IrlsPath<Family, Data>::pass(bool full, double ab, double dem) {
  ++st_.npasses;
  st_.dlx = 0.0;
  detail::sweep_order(full, st_.strong, st_.active, order_);
  X_.pair_sweep(rows_, st_.r.data(), st_.W.data(), order_, prefetch_,
                     [&](int64_t k, double gk, double wsq) {
                       take_curvature(k, wsq);
                       return update_coord(k, gk, full, ab, dem);
                     });
  update_intercept();
  if (st_.dlx < thr_) {
    return true;
  }
  if (st_.npasses > s_.maxit || interrupt::requested()) {  // Ctrl-C: stop as at maxit
    throw MaxitReached{};
  }
  return false;
}

// Coordinate k's soft-thresholded Newton step from its gradient gk = x_k'r;
// returns the change of its coefficient (the caller updates the residual).
template <class Family, class Data>
double IrlsPath<Family, Data>::update_coord(int64_t k, double gk, bool full, double ab, double dem) {
  const double old = st_.beta[k];
  const double vpk = d_.vp[k];
  const double u = old == 0.0 ? gk : gk + old * curvature(k);
  const double v = std::abs(u) - vpk * ab;
  double b = 0.0;
  if (v > 0.0) {
    b = std::max(d_.lower[k], std::min(d_.upper[k], std::copysign(v, u) / (curvature(k) + vpk * dem)));
  }
  st_.beta[k] = b;
  if (b == old) {
    return 0.0;
  }
  if (full && st_.active_pos[k] < 0) {
    st_.active_pos[k] = int64_t(st_.active.size());
    st_.active.push_back(k);
    if (int64_t(st_.active.size()) > s_.pmax) {
      throw PmaxReached{};
    }
  }
  const double diff = b - old;
  st_.dlx = std::max(st_.dlx, curvature(k) * diff * diff);
  return diff;
}

template <class Family, class Data>
void IrlsPath<Family, Data>::update_intercept() {
  if (!s_.intercept) {
    return;
  }
  // Summed in row order on one thread, as glmnet (the team splits the sum in two).
  double rsum = 0.0;
  if (rows_.split()) {
    rsum = rows_.sum(st_.r.data());
  } else {
    for (int64_t i = 0; i < n_; ++i) {
      rsum += st_.r[i];
    }
  }
  const double d = rsum / st_.wsum;
  if (d != 0.0) {
    st_.b0 += d;
    st_.dlx = std::max(st_.dlx, st_.wsum * d * d);
    rows_.axpy_neg(st_.r.data(), st_.W.data(), d);
  }
}

// New working weights and residuals at the current fit; true when this lambda
// is done (coefficients settled and KKT conditions hold, or, binomial, the
// total working weight collapsed).
template <class Family, class Data>
bool IrlsPath<Family, Data>::update_irls(double ab) {
  const double* g = d_.offset.empty() ? nullptr : d_.offset.data();
  std::vector<double> bA(st_.active.size());
  for (size_t a = 0; a < st_.active.size(); ++a) {
    bA[a] = st_.beta[st_.active[a]];
  }
  // eta at the new coefficients on rows [lo, hi). Every update of the weighted
  // least squares just solved subtracted W times its change of eta from r, so
  // r went from r0 = w (y - mu) to r0 - W (eta_new - eta_old): eta_new is
  // eta_old + (r0 - r) / W, O(1) per row where X_A b_A (a gemv) reads every
  // active column, as much memory traffic as a whole sweep. Where W is small
  // against the residuals that division would magnify their rounding (by
  // more than kEtaGainMax), and where W is 0 (a zero weight, a saturated
  // binomial fit), the row's own sum is taken instead.
  auto linear_predictor = [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      const double r0 = fam_.residual_at_fit(i, st_.W.data());
      if (st_.W[i] > 0.0 && std::abs(r0) + std::abs(st_.r[i]) <= kEtaGainMax * st_.W[i]) {
        st_.eta[i] += (r0 - st_.r[i]) / st_.W[i];
        continue;
      }
      st_.eta[i] = X_.add_row_dot(st_.b0 + (g ? g[i] : 0.0), i, st_.active, bA.data());
    }
  };
  // The row order of one thread's sum is glmnet's; the team adds two halves' sums.
  st_.wsum = rows_.sum_rows([&](int64_t lo, int64_t hi) {
    linear_predictor(lo, hi);
    return fam_.reweight(lo, hi, st_.eta.data(), st_.W.data(), st_.r.data());
  });
  if (fam_.collapsed(st_.wsum)) {
    return true;
  }
  if constexpr (Family::kResidualsAfterReweight) {
    rows_.for_rows([&](int64_t lo, int64_t hi, int) { fam_.residuals(lo, hi, st_.W.data(), st_.r.data()); });
  }
  // Converged when no coefficient moved by more than thr in curvature units.
  const double d0 = st_.b0 - st_.b0_old;
  if (st_.wsum * d0 * d0 > thr_) {
    return false;
  }
  for (int64_t k : st_.active) {
    const double d = st_.beta[k] - st_.beta_old[k];
    if (d != 0.0 && st_.xv[k] * d * d > thr_) {  // a moved coordinate's curvature is current
      return false;
    }
  }
  return kkt(ab);
}

// Gradients of the non-candidates; violators join the candidates. True if none.
template <class Family, class Data>
bool IrlsPath<Family, Data>::kkt(double ab) {
  detail::abs_gradient(d_, st_.r.data(), st_.ga.data(), &st_.strong, team_);
  return !path::admit_candidates(st_.strong, d_.ju.data(), d_.vp.data(), st_.ga.data(), p_, ab);
}

template <class Family, class Data>
double IrlsPath<Family, Data>::deviance_ratio() const {
  return fam_.deviance_ratio(rows_, st_.eta.data(), st_.wsum);
}

// ---------------------------------------------------------------------------
// The point fit's face to the lambda walk (path/lambda_walk.h).

template <class Family, class Data>
GlmPathResult IrlsPath<Family, Data>::run(const double* user_lambdas, int64_t n_user) {
  GlmPathResult& out = out_;
  construct();
  out.nulldev = 2.0 * d_.sum_weights * dev0_;
  path::walk_path(*this, s_, user_lambdas, n_user, out);
  out.npasses = st_.npasses;
  detail::to_original_scale(d_, s_, st_.beta_path, out, 1);
  return std::move(out_);
}

template <class Family, class Data>
void IrlsPath<Family, Data>::fit(double alm, double alm0) {
  fit_point(alm * s_.alpha, alm * (1.0 - s_.alpha), alm, alm0);
}

template <class Family, class Data>
bool IrlsPath<Family, Data>::finite() const {
  return std::isfinite(st_.b0) && path::all_finite(st_.beta.begin(), st_.beta.end());
}

template <class Family, class Data>
void IrlsPath<Family, Data>::record(int64_t, double alm) {
  GlmPathResult& out = out_;
  out.lambdas.push_back(alm);
  out.a0.push_back(st_.b0);
  st_.beta_path.insert(st_.beta_path.end(), st_.beta.begin(), st_.beta.end());
  out.dev_ratio.push_back(deviance_ratio());
}

template <class Family, class Data>
bool IrlsPath<Family, Data>::stop(int64_t m, int64_t mnl) const {
  const GlmPathResult& out = out_;
  const double dev = out.dev_ratio[m];
  int64_t me = 0;
  for (int64_t k : st_.active) {
    me += st_.beta[k] != 0.0;
  }
  if (me > s_.dfmax || fam_.small_gain(out.dev_ratio, m, mnl, s_.sml) || dev > s_.rsqmax) {
    return true;
  }
  return fam_.collapsed(st_.wsum);
}

} // namespace

namespace {

// The IRLS families' path over prepared data (dense or sparse X).
template <class Data>
GlmPathResult irls_path(Data& d, const GlmPathSettings& s, const double* user_lambdas, int64_t n_user) {
  if (std::none_of(d.ju.begin(), d.ju.end(), [](auto u) { return u != 0; })) {
    GlmPathResult out;  // glmnet's jerr 7777: no usable predictor
    out.jerr = detail::kNoUsablePredictor;
    return out;
  }
  const std::unique_ptr<PairTeam> team = detail::path_team(s, d.n, d.p);
  try {
    // The families the IRLS solver serves (family/): one line each.
    switch (s.family) {
      case GlmFamily::binomial:
        return IrlsPath<family::Binomial, Data>(d, s, team.get()).run(user_lambdas, n_user);
      case GlmFamily::poisson:
        return IrlsPath<family::Poisson, Data>(d, s, team.get()).run(user_lambdas, n_user);
      case GlmFamily::multinomial:
        break;
    }
    throw std::invalid_argument("[glmlx.glm_path] unknown family");
  } catch (const detail::FatalError& e) {
    GlmPathResult out;
    out.jerr = e.code;
    return out;
  }
}

} // namespace

GlmPathResult glm_path_host(const HostMatrix& X, const double* y, int64_t K, const double* weights,
                            const double* offset, const int64_t* rows, int64_t nrows, const uint8_t* include,
                            const double* penalty, const double* lower, const double* upper,
                            const double* user_lambdas, int64_t n_user, const GlmPathSettings& s) {
  if (s.family == GlmFamily::multinomial) {
    return detail::multinomial_path(X, y, K, weights, offset, rows, nrows, include, penalty, lower, upper,
                                    user_lambdas, n_user, s);
  }
  if (K != 1) {
    throw std::invalid_argument("[glmlx.glm_path] binomial and poisson take one column of y");
  }
  GlmData d = detail::prepare(X, y, weights, offset, 1, rows, nrows, include, penalty, lower, upper, s);
  return irls_path(d, s, user_lambdas, n_user);
}

GlmPathResult glm_path_host(const GlmPathInputs& in, const GlmPathSettings& s) {
  if (in.X_sparse) {
    if (s.family == GlmFamily::multinomial) {
      return detail::multinomial_path(*in.X_sparse, in.y, in.K, in.weights, in.offset, in.rows, in.nrows, in.include,
                                      in.penalty, in.lower, in.upper, in.user_lambdas, in.n_user, s);
    }
    if (in.K != 1) {
      throw std::invalid_argument("[glmlx.glm_path] binomial and poisson take one column of y");
    }
    detail::SparseGlmData d = detail::prepare_sparse(*in.X_sparse, in.y, in.weights, in.offset, 1, in.rows, in.nrows,
                                                     in.include, in.penalty, in.lower, in.upper, s);
    return irls_path(d, s, in.user_lambdas, in.n_user);
  }
  return glm_path_host(*in.X, in.y, in.K, in.weights, in.offset, in.rows, in.nrows, in.include, in.penalty, in.lower,
                       in.upper, in.user_lambdas, in.n_user, s);
}

} // namespace glmlx
