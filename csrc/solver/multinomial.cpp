// glmnet's regularization path for the multinomial family, reproducing glmnet
// 4.1's iterates (glmnetpp's elnet_point/internal/binomial_base.hpp:
// ElnetPointInternalBinomialMultiBase, ...MultiClassBase, ...MultiClassGroupBase;
// elnet_point/binomial_multi_class*.hpp; elnet_path/binomial_base.hpp;
// elnet_driver/binomial.hpp):
//
//  - "ungrouped" (kopt 0 Newton, 1 modified Newton with the Hessian bound
//    1/4): each IRLS round visits the classes in turn, fitting one binomial-like
//    weighted least-squares problem per class by coordinate descent against
//    the other classes' current fit; afterwards each variable's K
//    coefficients are shifted by glmnet's elc() (the penalty-minimizing
//    constant: the multinomial model is unchanged by it);
//  - "grouped" (kopt 2): one WLS problem for all classes at once, with a
//    single curvature bound t = 2 max p(1-p) and a group-lasso penalty on
//    each variable's K coefficients (glmnet's chkbnds/bnorm for box limits).
//
// Shared with solver/irls.cpp: X is standardized into a column-major copy
// (prepare()), the sequential strong rule picks candidates, KKT checks cover
// the rest (all classes' gradients per column in one pass). The n-vector loops live in vec.cpp (AVX2 clones), written
// to give the same arithmetic as glmnet's per-element expressions. Results
// are glmnet's R output: coefficients on the original scale and intercepts
// centred over the classes (getcoef.multinomial).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <limits>
#include <stdexcept>

#include "cpu/interrupt.h"
#include "family/multinomial.h"
#include "path/screening.h"
#include "state/multinomial_state.h"
#include "solver/glm_common.h"
#include "matrix/sparse_glm.h"
#include "glmlx/glm.h"
#include "glmlx/ops.h"
#include "cpu/vec.h"

namespace glmlx::detail {

namespace {

// glmnet.control(prec, mxit): bnorm's Newton iterations (grouped with limits).
constexpr double kBnormThr = 1e-10;
constexpr int kBnormMaxit = 100;

using path::BelowMinVariance;  // grouped: max p(1-p) < eps

// Data: GlmData (X's dense standardized copy) or SparseGlmData (matrix/sparse_glm.h).
template <class Data>
class MultinomialPath {
 public:
  MultinomialPath(Data& d, const GlmPathSettings& s, PairTeam* team)
      : d_(d), s_(s), n_(d.n), p_(d.p), K_(d.K), X_(d.columns()),
        fam_(d.y.data(), d.w.data(), d.n, d.K, s), grouped_(s.kopt == 2), rows_(team, d.n),
        prefetch_(sweeps_prefetch(s, d.n, d.p)), st_(d.n, d.p, d.K, s.kopt == 2), v_(n_), di_(n_), bold_(K_),
        gnext_(K_), bk_(K_), isc_(K_, 0), pending_diffs_(K_, 0.0) {
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
  double& beta(int64_t ic, int64_t j) { return st_.beta[ic * p_ + j]; }
  double* resid(int64_t ic) { return st_.r.data() + ic * n_; }
  const double* offset(int64_t ic) const { return d_.offset.empty() ? nullptr : d_.offset.data() + ic * n_; }

  // Start: the null model, null deviance, first gradients.
  void construct();
  void grouped_x_var();

  // Shared by both flavours.
  void strong_rule(double tlam);
  bool admit_violators(double ab);
  void add_active(int64_t k);
  void class_residuals(double scale);
  void abs_gradients();
  void update_class_prediction(int64_t ic);
  double deviance_ratio() const;
  int64_t nonzero_count() const;

  // Ungrouped (kopt 0, 1).
  void fit_point_ungrouped(double ab, double dem);
  bool setup_class(int64_t ic);
  bool class_pass(int64_t ic, bool full, double ab, double dem);
  double update_class_coord(int64_t ic, int64_t k, double gk, bool full, double ab, double dem);
  bool class_converged(int64_t ic) const;
  bool center_and_check(double ab);
  double elc(int64_t l);

  // Grouped (kopt 2).
  void fit_point_grouped(double ab, double dem);
  void setup_grouped(double ab, double dem);
  bool grouped_pass(bool full);
  void update_group_coord(int64_t k, bool full);
  bool update_grouped_irls(double ab);

  Data& d_;
  const GlmPathSettings& s_;
  const int64_t n_, p_, K_;
  const typename Data::Columns X_;  // the only way the sweeps read X (matrix/dense.h, matrix/sparse_glm.h)
  family::Multinomial fam_;  // the softmax state and the distribution's math (family/multinomial.h)
  const bool grouped_;
  RowOps rows_;  // the ungrouped sweeps' O(n) loops, on two threads when the caller gave a team
  const bool prefetch_;  // sweeps prefetch the pair of columns after the next (sweeps_prefetch)

  state::MultinomialState st_;          // coefficients, residuals, curvatures, active set, passes
  detail::RowVector<double> v_;        // n: ungrouped working weights of the current class
  detail::RowVector<double> di_;       // n: linear predictor / shift buffer
  std::vector<int64_t> order_;  // the coordinates of the current class pass
  std::vector<double> bold_, gnext_, bk_;  // K: old and new coefficients of one variable, X_k'R + xv b
  std::vector<uint8_t> isc_;               // K: chkbnds' clamped classes
  std::vector<int64_t> cols_;              // columns and coefficients for the multi-column kernels
  std::vector<double> coefs_;
  std::vector<int64_t> wanted_;            // columns whose KKT gradients are due
  std::vector<double> gk_;                 // their gradients, K per column
  std::vector<double> sorted_;             // K: elc's sorted class coefficients

  double xmz_ = 0.0;  // ungrouped: sum of the current class's working weights
  int64_t pending_ = -1;               // grouped: coordinate whose residual update is not applied yet
  std::vector<double> pending_diffs_;  // grouped: its K coefficient changes
  double thr_ = 0.0;
  double l1_scaled_ = 0.0, l2_scaled_ = 0.0;  // grouped: penalties over the curvature bound t
  double dev0_ = 0.0;  // saturated-minus-null deviance, per unit weight, halved (glmnet's dev0)
  bool ig_ = false;    // some class was fitted at this lambda (else glmnet stops the path)
  bool ix_ = false;    // some class's IRLS has not converged this round
};

// ---------------------------------------------------------------------------
// Start.

template <class Data>
void MultinomialPath<Data>::construct() {
  fam_.start(d_.offset, st_.a0);
  dev0_ = fam_.dev0();
  thr_ = s_.thresh * dev0_;
  const double* w = d_.w.data();
  if (grouped_) {
    grouped_x_var();
  } else if (s_.kopt > 0) {
    // Modified Newton: the Hessian bound 1/4 in place of W, fixed for the path.
    for (int64_t j = 0; j < p_; ++j) {
      const double xv = (s_.standardize && s_.intercept) ? 0.25
                        : d_.ju[j]                       ? 0.25 * X_.wsumsq(w, j)
                                                         : 0.0;
      for (int64_t ic = 0; ic < K_; ++ic) {
        st_.xv[ic * p_ + j] = xv;
      }
    }
  }
  abs_gradients();
}

// MultLStandardize1's xv: each column's weighted second moment about the
// centre used, on the scale it is fitted at (1 when standardized with an
// intercept; 1 + mean^2/var when standardized without).
template <class Data>
void MultinomialPath<Data>::grouped_x_var() {
  for (int64_t j = 0; j < p_; ++j) {
    if (!d_.ju[j]) {
      continue;
    }
    st_.xv[j] = (s_.standardize && s_.intercept) ? 1.0 : X_.wsumsq(d_.w.data(), j);
  }
}

// ---------------------------------------------------------------------------
// Shared pieces.

template <class Data>
void MultinomialPath<Data>::strong_rule(double tlam) {
  path::admit_candidates(st_.strong, d_.ju.data(), d_.vp.data(), st_.ga.data(), p_, tlam);
}

// KKT check with fresh gradients: violators join the candidates; true if any did.
template <class Data>
bool MultinomialPath<Data>::admit_violators(double ab) {
  return path::admit_candidates(st_.strong, d_.ju.data(), d_.vp.data(), st_.ga.data(), p_, ab);
}

template <class Data>
void MultinomialPath<Data>::add_active(int64_t k) {
  st_.active_pos[k] = int64_t(st_.active.size());
  st_.active.push_back(k);
  // glmnet swallows this inside the class loop but rethrows it before the
  // lambda ends, dropping the point: stopping here gives the same path.
  if (int64_t(st_.active.size()) > s_.pmax) {
    throw PmaxReached{};
  }
}

// r_ic = w (y_ic - prob_ic) / scale for every class.
template <class Data>
void MultinomialPath<Data>::class_residuals(double scale) {
  for (int64_t ic = 0; ic < K_; ++ic) {
    fam_.residuals(ic, scale, resid(ic));
  }
}

// ga_j over the usable non-candidates: max_c |x_j' r_c| (ungrouped) or
// ||X_j' R|| (grouped), at the current fit. Column by column, all classes in
// one read of the column: for K right-hand sides a BLAS gemm is no faster
// single-threaded, and threaded it was seen spending half its time spinning.
template <class Data>
void MultinomialPath<Data>::abs_gradients() {
  class_residuals(1.0);
  std::vector<int64_t>& wanted = wanted_;
  wanted.clear();
  for (int64_t j = 0; j < p_; ++j) {
    if (d_.ju[j] && !st_.strong[j]) {
      wanted.push_back(j);
    }
  }
  if (wanted.empty()) {
    return;
  }
  gk_.resize(wanted.size() * size_t(K_));
  X_.gradients_multi(wanted, st_.r.data(), K_, gk_.data());
  for (size_t w = 0; w < wanted.size(); ++w) {
    const double* bk = gk_.data() + w * size_t(K_);
    double a = 0.0;
    for (int64_t ic = 0; ic < K_; ++ic) {
      a = grouped_ ? a + bk[ic] * bk[ic] : std::max(a, std::abs(bk[ic]));
    }
    st_.ga[wanted[w]] = grouped_ ? std::sqrt(a) : a;
  }
}

// Class ic's linear predictor at the current coefficients, clamped as glmnet
// (|eta| <= exmx, probability ratios within [pmin/(1-pmin), (1-pmin)/pmin]).
template <class Data>
void MultinomialPath<Data>::update_class_prediction(int64_t ic) {
  double* eta = di_.data();
  const double* g = offset(ic);
  const double b0 = st_.a0[ic];
  for (int64_t i = 0; i < n_; ++i) {
    eta[i] = g ? b0 + g[i] : b0;
  }
  cols_.clear();
  coefs_.clear();
  for (int64_t k : st_.active) {
    const double b = beta(ic, k);
    if (b != 0.0) {
      cols_.push_back(k);
      coefs_.push_back(-b);
    }
  }
  X_.axpy_neg_cols(rows_, eta, cols_, coefs_);
  fam_.update_class(ic, eta);
}

template <class Data>
double MultinomialPath<Data>::deviance_ratio() const {
  return fam_.deviance_ratio();
}

// glmnet's df for the dfmax stop: active variables nonzero in any class
// (ungrouped, nintot) or in the first class (grouped: all classes move together).
template <class Data>
int64_t MultinomialPath<Data>::nonzero_count() const {
  int64_t me = 0;
  for (int64_t k : st_.active) {
    bool nz = false;
    for (int64_t ic = 0; ic < (grouped_ ? 1 : K_) && !nz; ++ic) {
      nz = st_.beta[ic * p_ + k] != 0.0;
    }
    me += nz;
  }
  return me;
}

// ---------------------------------------------------------------------------
// Ungrouped: one IRLS round fits each class in turn (elnet_point/binomial_multi_class.hpp).

template <class Data>
void MultinomialPath<Data>::fit_point_ungrouped(double ab, double dem) {
  ig_ = false;
  while (true) {
    ix_ = false;
    if (st_.npasses > s_.maxit || interrupt::requested()) {  // Ctrl-C: stop as at maxit
      throw MaxitReached{};
    }
    for (int64_t ic = 0; ic < K_; ++ic) {
      if (!setup_class(ic)) {
        continue;
      }
      while (!class_pass(ic, true, ab, dem)) {
        while (!class_pass(ic, false, ab, dem)) {
        }
      }
      if (!ix_) {
        ix_ = !class_converged(ic);
      }
      update_class_prediction(ic);
    }
    if (center_and_check(ab)) {
      break;
    }
  }
}

// Working weights and residual of class ic; false (class skipped this round)
// when its total working weight is negligible.
template <class Data>
bool MultinomialPath<Data>::setup_class(int64_t ic) {
  st_.a0_old[ic] = st_.a0[ic];
  for (int64_t k : st_.active) {
    st_.beta_old[ic * p_ + k] = beta(ic, k);
  }
  // Probabilities within pmin of 0 or 1 are rounded there and get no weight.
  xmz_ = fam_.working_weights(ic, v_.data(), resid(0));
  if (fam_.negligible(xmz_)) {
    return false;
  }
  ig_ = true;
  return true;
}

template <class Data>
bool MultinomialPath<Data>::class_pass(int64_t ic, bool full, double ab, double dem) {
  ++st_.npasses;
  st_.dlx = 0.0;
  // The kernel's Gram diagonal is Newton's curvature x_k'vx_k of every
  // coordinate the sweep visits (all strong ones in a full pass, so all
  // before their first use).
  sweep_order(full, st_.strong, st_.active, order_);
  double* r = resid(0);
  double* xv = st_.xv.data() + ic * p_;
  X_.pair_sweep(rows_, r, v_.data(), order_, prefetch_,
             [&](int64_t k, double gk, double wsq) {
               if (s_.kopt == 0) {
                 xv[k] = wsq;
               }
               return update_class_coord(ic, k, gk, full, ab, dem);
             });
  if (s_.intercept) {
    const double d = rows_.sum(r) / xmz_;
    if (d != 0.0) {
      st_.a0[ic] += d;
      st_.dlx = std::max(st_.dlx, xmz_ * d * d);
      rows_.axpy_neg(r, v_.data(), d);
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

// Coordinate k's soft-thresholded Newton step in class ic from its gradient
// gk; returns the change of its coefficient (the caller updates the residual).
template <class Data>
double MultinomialPath<Data>::update_class_coord(int64_t ic, int64_t k, double gk, bool full, double ab, double dem) {
  double& bk = beta(ic, k);
  const double old = bk;
  const double xv = st_.xv[ic * p_ + k];
  const double vpk = d_.vp[k];
  const double u = gk + old * xv;
  const double v = std::abs(u) - vpk * ab;
  double b = 0.0;
  if (v > 0.0) {
    b = std::max(d_.lower[k], std::min(d_.upper[k], std::copysign(v, u) / (xv + vpk * dem)));
  }
  bk = b;
  if (b == old) {
    return 0.0;
  }
  if (full && st_.active_pos[k] < 0) {
    add_active(k);
  }
  const double diff = b - old;
  st_.dlx = std::max(st_.dlx, xv * diff * diff);
  return diff;
}

template <class Data>
bool MultinomialPath<Data>::class_converged(int64_t ic) const {
  const double d0 = st_.a0_old[ic] - st_.a0[ic];
  if (xmz_ * d0 * d0 > thr_) {
    return false;
  }
  const double* b = st_.beta.data() + ic * p_;
  const double* bs = st_.beta_old.data() + ic * p_;
  const double* xv = st_.xv.data() + ic * p_;
  for (int64_t k : st_.active) {
    const double d = b[k] - bs[k];
    if (xv[k] * d * d > thr_) {
      return false;
    }
  }
  return true;
}

// End of an IRLS round: shift each variable's K coefficients (and the
// intercepts) by the constant that minimizes the penalty, which leaves the
// probabilities unchanged, then rescale q accordingly. True when this lambda
// is done.
template <class Data>
bool MultinomialPath<Data>::center_and_check(double ab) {
  const double K = double(K_);
  double s = -std::accumulate(st_.a0.begin(), st_.a0.end(), 0.0) / K;
  for (auto& a : st_.a0) {
    a += s;
  }
  std::fill(di_.begin(), di_.end(), s);
  cols_.clear();
  coefs_.clear();
  for (int64_t l : st_.active) {
    if (d_.vp[l] <= 0.0) {
      s = 0.0;
      for (int64_t ic = 0; ic < K_; ++ic) {
        s += beta(ic, l);
      }
      s /= K;
    } else {
      s = elc(l);
    }
    for (int64_t ic = 0; ic < K_; ++ic) {
      beta(ic, l) -= s;
    }
    cols_.push_back(l);
    coefs_.push_back(s);
  }
  X_.axpy_neg_cols(di_.data(), cols_, coefs_);
  vec::exp_inplace(di_.data(), n_);
  fam_.rescale(di_.data());
  if (!ig_) {
    return true;
  }
  if (!ix_) {
    abs_gradients();
    ix_ = admit_violators(ab);
    if (!ix_) {
      return true;
    }
  }
  return false;
}

// glmnet's elc: the shift c minimizing sum_k (1-alpha)/2 (a_k - c)^2 + alpha |a_k - c|
// over variable l's class coefficients a (the median for the lasso, the mean
// for ridge, a search between them otherwise), kept within the box limits.
template <class Data>
double MultinomialPath<Data>::elc(int64_t l) {
  const double parm = s_.alpha;
  const int64_t n = K_;
  std::vector<double>& a = bk_;
  for (int64_t ic = 0; ic < K_; ++ic) {
    a[ic] = beta(ic, l);
  }
  double am = 0.0;
  for (double x : a) {
    am += x;
  }
  am /= double(n);
  double out = am;
  if (parm != 0.0 && n != 2) {
    sorted_.assign(a.begin(), a.end());  // glmnet sorts indices; only the sorted values are used
    std::sort(sorted_.begin(), sorted_.end());
    auto at = [&](int64_t k) { return sorted_[k]; };  // glmnet's a(is_(k)), 0-based
    if (at(0) == at(n - 1)) {
      out = a[0];
    } else {
      const double ad = n % 2 == 1 ? at(n / 2) : 0.5 * (at(n / 2) + at(n / 2 - 1));
      if (parm == 1.0) {
        out = ad;
      } else {
        const double b1 = std::min(am, ad), b2 = std::max(am, ad);
        int64_t k2 = 1;
        while (at(k2 - 1) <= b1) {
          ++k2;
        }
        const int64_t k1 = k2 - 1;
        while (at(k2 - 1) < b2) {
          ++k2;
        }
        const double r = parm / ((1.0 - parm) * double(n));
        int64_t is = 0;
        int64_t sm = n - 2 * (k1 - 1);
        double s = 0.0;
        for (int64_t k = k1; k < k2; ++k) {
          sm -= 2;
          s = r * double(sm) + am;
          if (s > at(k - 1) && s <= at(k)) {
            is = k;
            break;
          }
        }
        if (is) {
          out = s;
        } else {
          const double r2 = 2.0 * r, am2 = 2.0 * am;
          auto abs_dev = [&](double c) {
            double t = 0.0;
            for (double x : a) {
              t += std::abs(x - c);
            }
            return t;
          };
          double s1 = at(k1 - 1);
          double cri = r2 * abs_dev(s1) + s1 * (s1 - am2);
          out = s1;
          for (int64_t k = k1 + 1; k < k2 + 1; ++k) {
            s = at(k - 1);
            if (s == s1) {
              continue;
            }
            const double c = r2 * abs_dev(s) + s * (s - am2);
            if (c < cri) {
              cri = c;
              out = s;
            }
            s1 = s;
          }
        }
      }
    }
  }
  double max_above = -INFINITY, min_below = INFINITY;
  for (double x : a) {
    max_above = std::max(max_above, x - d_.upper[l]);
    min_below = std::min(min_below, x - d_.lower[l]);
  }
  return std::max(max_above, std::min(min_below, out));
}

// ---------------------------------------------------------------------------
// Grouped (elnet_point/binomial_multi_class_group.hpp): one WLS for all classes.

template <class Data>
void MultinomialPath<Data>::fit_point_grouped(double ab, double dem) {
  while (true) {
    if (st_.npasses > s_.maxit || interrupt::requested()) {  // Ctrl-C: stop as at maxit
      throw MaxitReached{};
    }
    setup_grouped(ab, dem);
    while (!grouped_pass(true)) {
      while (!grouped_pass(false)) {
      }
    }
    if (update_grouped_irls(ab)) {
      break;
    }
  }
}

// The curvature bound t = 2 max p(1-p) replaces every class's working
// weights: the WLS problem becomes a weighted group lasso with weights w,
// penalties over t and residuals w (y - p) / t.
template <class Data>
void MultinomialPath<Data>::setup_grouped(double ab, double dem) {
  double t = 0.0;
  for (int64_t ic = 0; ic < K_; ++ic) {
    t = std::max(t, fam_.max_prob_var(ic));
  }
  if (t < s_.eps) {
    throw BelowMinVariance{};
  }
  t *= 2.0;
  l1_scaled_ = ab / t;
  l2_scaled_ = dem / t;
  st_.a0_old = st_.a0;
  for (int64_t k : st_.active) {
    for (int64_t ic = 0; ic < K_; ++ic) {
      st_.beta_old[ic * p_ + k] = beta(ic, k);
    }
  }
  class_residuals(t);
  if (s_.intercept) {
    // The intercepts' curvature is sum w = 1: one exact step each.
    for (int64_t ic = 0; ic < K_; ++ic) {
      double* r = resid(ic);
      const double d = vec::sum(r, n_);
      if (d != 0.0) {
        st_.a0[ic] += d;
        vec::axpy_neg(r, d_.w.data(), d, n_);
      }
    }
  }
}

template <class Data>
bool MultinomialPath<Data>::grouped_pass(bool full) {
  st_.npasses += K_;
  st_.dlx = 0.0;
  pending_ = -1;
  if (full) {
    for (int64_t k = 0; k < p_; ++k) {
      if (st_.strong[k]) {
        update_group_coord(k, true);
      }
    }
  } else {
    for (size_t a = 0; a < st_.active.size(); ++a) {
      update_group_coord(st_.active[a], false);
    }
  }
  if (pending_ >= 0) {
    X_.axpy_wneg_multi(pending_, st_.r.data(), K_, d_.w.data(), pending_diffs_.data());
  }
  if (st_.dlx < thr_) {
    return true;
  }
  if (st_.npasses > s_.maxit || interrupt::requested()) {  // Ctrl-C: stop as at maxit
    throw MaxitReached{};
  }
  return false;
}

// Group-lasso update of variable k's K coefficients (glmnet's
// ElnetPointInternalGaussianMultiBase::update_beta).
template <class Data>
void MultinomialPath<Data>::update_group_coord(int64_t k, bool full) {
  const double xv = st_.xv[k], vpk = d_.vp[k];
  // The previous variable's residual update rides on this gradient's sweep over R.
  if (pending_ >= 0) {
    X_.axpy_wneg_dot_multi(pending_, st_.r.data(), K_, d_.w.data(), pending_diffs_.data(), k, gnext_.data());
  } else {
    X_.dot_multi(k, st_.r.data(), K_, gnext_.data());
  }
  pending_ = -1;
  double gkn = 0.0;
  for (int64_t ic = 0; ic < K_; ++ic) {
    bold_[ic] = beta(ic, k);
    gnext_[ic] += xv * bold_[ic];
    gkn += gnext_[ic] * gnext_[ic];
  }
  gkn = std::sqrt(gkn);
  const double u = 1.0 - l1_scaled_ * vpk / gkn;
  if (u <= 0.0) {
    std::fill(bk_.begin(), bk_.end(), 0.0);
  } else {
    const double f = u / (xv + l2_scaled_ * vpk);
    for (int64_t ic = 0; ic < K_; ++ic) {
      bk_[ic] = f * gnext_[ic];
    }
    // glmnet passes (l2, l1) as chkbnds' (al1, al2); one box for every class.
    try {
      chkbnds(K_, gnext_.data(), gkn, xv, &d_.lower[k], &d_.upper[k], 0, l2_scaled_ * vpk, l1_scaled_ * vpk,
              bk_.data(), isc_.data(), kBnormThr, kBnormMaxit);
    } catch (const BnormMaxitReached&) {
      throw FatalError{90000};
    }
  }
  bool same = true;
  for (int64_t ic = 0; ic < K_; ++ic) {
    same = same && bk_[ic] == bold_[ic];
  }
  if (same) {
    return;
  }
  if (full && st_.active_pos[k] < 0) {
    add_active(k);
  }
  double dmax = 0.0;
  for (int64_t ic = 0; ic < K_; ++ic) {
    pending_diffs_[ic] = bk_[ic] - bold_[ic];
    beta(ic, k) = bk_[ic];
    dmax = std::max(dmax, std::abs(pending_diffs_[ic]));
  }
  pending_ = k;  // R_c -= diff_c * w * x_k, applied with the next gradient or at the end of the pass
  st_.dlx = std::max(st_.dlx, xv * dmax * dmax);
}


// New probabilities at the current fit; true when this lambda is done
// (coefficients settled and no KKT violators).
template <class Data>
bool MultinomialPath<Data>::update_grouped_irls(double ab) {
  double int_diff = 0.0;
  for (int64_t ic = 0; ic < K_; ++ic) {
    int_diff = std::max(int_diff, std::abs(st_.a0[ic] - st_.a0_old[ic]));
  }
  bool converged = int_diff * int_diff <= thr_;
  for (size_t a = 0; a < st_.active.size() && converged; ++a) {
    const int64_t k = st_.active[a];
    double d = 0.0;
    for (int64_t ic = 0; ic < K_; ++ic) {
      d = std::max(d, std::abs(beta(ic, k) - st_.beta_old[ic * p_ + k]));
    }
    converged = d * d * st_.xv[k] <= thr_;
  }
  for (int64_t ic = 0; ic < K_; ++ic) {
    update_class_prediction(ic);
  }
  const double mean = std::accumulate(st_.a0.begin(), st_.a0.end(), 0.0) / double(K_);
  for (auto& a : st_.a0) {
    a -= mean;
  }
  if (converged) {
    abs_gradients();
    if (!admit_violators(ab)) {
      return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------
// The path (glmnet's ElnetPathBase::fit and the multi-class process_point_fit).

template <class Data>
GlmPathResult MultinomialPath<Data>::run(const double* user_lambdas, int64_t n_user) {
  GlmPathResult& out = out_;
  out.nclass = K_;
  construct();
  out.nulldev = 2.0 * d_.sum_weights * dev0_;
  path::walk_path(*this, s_, user_lambdas, n_user, out);
  out.npasses = st_.npasses;
  to_original_scale(d_, s_, st_.beta_path, out, K_);
  // getcoef.multinomial centres the intercepts over the classes.
  for (int64_t m = 0; m < out.lmu; ++m) {
    double* a0 = out.a0.data() + m * K_;
    const double mean = std::accumulate(a0, a0 + K_, 0.0) / double(K_);
    for (int64_t ic = 0; ic < K_; ++ic) {
      a0[ic] -= mean;
    }
  }
  return std::move(out_);
}

template <class Data>
void MultinomialPath<Data>::fit(double alm, double alm0) {
  strong_rule(path::strong_rule_threshold(s_.alpha, alm, alm0));
  const double dem = alm * (1.0 - s_.alpha), ab = alm * s_.alpha;
  if (grouped_) {
    fit_point_grouped(ab, dem);
  } else {
    fit_point_ungrouped(ab, dem);
  }
}

// Not glmnet's check: where an unpenalized variable sits at a limit, its
// Newton steps can overflow and the coefficients come out NaN with no error
// (R instead runs out of maxit at the first lambda).
template <class Data>
bool MultinomialPath<Data>::finite() const {
  return path::all_finite(st_.a0.begin(), st_.a0.end()) && path::all_finite(st_.beta.begin(), st_.beta.end());
}

template <class Data>
void MultinomialPath<Data>::record(int64_t, double alm) {
  GlmPathResult& out = out_;
  out.lambdas.push_back(alm);
  out.a0.insert(out.a0.end(), st_.a0.begin(), st_.a0.end());
  st_.beta_path.insert(st_.beta_path.end(), st_.beta.begin(), st_.beta.end());
  out.dev_ratio.push_back(deviance_ratio());
}

template <class Data>
bool MultinomialPath<Data>::stop(int64_t m, int64_t) const {
  const GlmPathResult& out = out_;
  const double dev = out.dev_ratio[m];
  if (nonzero_count() > s_.dfmax || fam_.small_gain(out.dev_ratio, m, 0, s_.sml) || dev > s_.rsqmax) {
    return true;
  }
  return !grouped_ && !ig_;  // no class was fitted at this lambda
}

} // namespace

namespace {

/**
 * As glmnet's lognet and driver: weights go into the rows of y, the row
 * totals become the observation weights and the rows are normalized to
 * proportions; rows with no weight are dropped (before chkvars sees them).
 * prepare(y, weights, rows, nrows) makes the data of the rows kept.
 */
template <class Prepare>
GlmPathResult multinomial_path_of(int64_t N, const double* y, int64_t K, const double* weights, const int64_t* rows,
                                  int64_t nrows, const double* user_lambdas, int64_t n_user, const GlmPathSettings& s,
                                  Prepare prepare) {
  if (K < 2) {
    throw std::invalid_argument("[glmlx.glm_path] the multinomial family needs y with K >= 2 class columns");
  }
  std::vector<double> yw(size_t(N) * K), ww(N);
  for (int64_t i = 0; i < N; ++i) {
    double total = 0.0;
    for (int64_t k = 0; k < K; ++k) {
      yw[k * N + i] = y[k * N + i] * weights[i];
      total += yw[k * N + i];
    }
    ww[i] = total;
    if (total != 0.0) {
      for (int64_t k = 0; k < K; ++k) {
        yw[k * N + i] /= total;
      }
    }
  }
  std::vector<int64_t> kept;
  const int64_t n = rows ? nrows : N;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t row = rows ? rows[i] : i;
    if (ww[row] > 0.0) {
      kept.push_back(row);
    }
  }
  if (kept.empty()) {
    GlmPathResult out;  // glmnet's code for a non-positive weight sum
    out.nclass = K;
    out.jerr = 9999;
    return out;
  }
  const bool all_kept = int64_t(kept.size()) == n;
  auto d = prepare(yw.data(), ww.data(), all_kept ? rows : kept.data(), all_kept ? nrows : int64_t(kept.size()));
  // The team shares the ungrouped sweeps; the grouped ones and the IRLS steps run on this thread.
  if (std::none_of(d.ju.begin(), d.ju.end(), [](auto u) { return u != 0; })) {
    GlmPathResult out;  // glmnet's jerr 7777: no usable predictor
    out.nclass = K;
    out.jerr = kNoUsablePredictor;
    return out;
  }
  const std::unique_ptr<PairTeam> team = s.kopt == 2 ? nullptr : path_team(s, d.n, d.p);
  try {
    MultinomialPath<decltype(d)> path(d, s, team.get());
    return path.run(user_lambdas, n_user);
  } catch (const FatalError& e) {
    GlmPathResult out;
    out.nclass = K;
    out.jerr = e.code;
    return out;
  }
}

} // namespace

GlmPathResult multinomial_path(const HostMatrix& X, const double* y, int64_t K, const double* weights,
                               const double* offset, const int64_t* rows, int64_t nrows, const uint8_t* include,
                               const double* penalty, const double* lower, const double* upper,
                               const double* user_lambdas, int64_t n_user, const GlmPathSettings& s) {
  return multinomial_path_of(X.rows, y, K, weights, rows, nrows, user_lambdas, n_user, s,
                             [&](const double* yw, const double* ww, const int64_t* kept, int64_t nkept) {
                               return prepare(X, yw, ww, offset, K, kept, nkept, include, penalty, lower, upper, s);
                             });
}

GlmPathResult multinomial_path(const SparseHostMatrix& X, const double* y, int64_t K, const double* weights,
                               const double* offset, const int64_t* rows, int64_t nrows, const uint8_t* include,
                               const double* penalty, const double* lower, const double* upper,
                               const double* user_lambdas, int64_t n_user, const GlmPathSettings& s) {
  return multinomial_path_of(X.rows, y, K, weights, rows, nrows, user_lambdas, n_user, s,
                             [&](const double* yw, const double* ww, const int64_t* kept, int64_t nkept) {
                               return prepare_sparse(X, yw, ww, offset, K, kept, nkept, include, penalty, lower,
                                                     upper, s);
                             });
}

} // namespace glmlx::detail
