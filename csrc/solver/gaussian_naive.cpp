// glmnet's naive scheme by glmnet's own method: the (weighted) residual is kept
// current, each coordinate visit computes x_k'W r from column k of X, and a
// change moves the residual (r -= dbeta x_k). After convergence one pass of
// X'W r over the non-candidates checks the KKT conditions; its gradients also
// feed the next lambda's sequential strong rule. Nothing of size p x p or
// p x |S| is formed, so wide problems cost O(n) per coordinate visit and one
// read of X per KKT check.
//
// Every problem reads the same matrix: Z (p x n, one column of Z per row) with
// Z = (X - center) / scale. Problem b standardizes column j as
//   xt_j = (x_j - xm_bj) / xs_bj = a_bj z_j + c_bj,
//   a_bj = scale_j / xs_bj, c_bj = (center_j - xm_bj) / xs_bj,
// and keeps q = w_b * r (r the standardized residual) and S = sum_i q_i, so
// g_j = xt_j'W r = a_bj z_j'q + c_bj S. CV folds are the full data with their
// held-out rows weighted zero: no copy per fold.
//
// KKT passes of a float64 problem are screened with a float16 (x86-64 with
// F16C) or float32 copy of Z (a quarter or half the memory traffic): the
// rounding of vec::dot_screen and of the copies is bounded, so a gradient whose
// screened value is farther from the threshold than the bound gets the same
// decision as in float64; the few others are computed in float64.
//
// A batch of problems walks its paths in lockstep (run_residual_batch): the
// problems' sweeps run side by side, then one pass over the columns serves
// every problem's KKT check.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <type_traits>
#include <vector>

#include "cpu/interrupt.h"
#include "path/gaussian_path.h"
#include "cpu/scratch.h"
#include "cpu/vec.h"
#include "matrix/standardized_columns.h"

namespace glmlx::path {

using detail::for_column_chunks;
using matrix::Columns;
using matrix::Screen;
using matrix::pow2_scale_to_unit;
using matrix::round_up_sum;

namespace {

enum class Step { kkt, done, stop };

template <typename T>
class ResidualSolver {
 public:
  ResidualSolver(Problem<T>& pr, const Columns<T>& cols, const T* y, const T* w, const T* xm, const T* xs,
                 const Settings& s, Outcome& out, size_t copy_budget)
      : pr_(pr),
        cols_(cols),
        n_(cols.n),
        p_(cols.p),
        w_(w),
        s_(s),
        out_(out),
        warm_(out.warm),
        a_(p_),
        c_(p_),
        wz_(p_, std::numeric_limits<T>::quiet_NaN()),
        q_(n_),
        cand_(p_),
        exact_(p_, 1),
        copy_budget_(copy_budget) {
    for (int64_t j = 0; j < p_; ++j) {
      a_[j] = cols.scale[j] / xs[j];
      c_[j] = (cols.center[j] - xm[j]) / xs[j];
    }
    find_rows();
    // r = y - sum_k beta_k xt_k at the warm start; q = w r.
    std::copy(y, y + n_, q_.begin());
    for (int64_t k = 0; k < p_; ++k) {
      if (pr_.beta[k] != T(0)) {
        vec::axpb_neg(q_.data(), col(k), pr_.beta[k] * a_[k], pr_.beta[k] * c_[k], size_t(n_));
      }
    }
    S_ = 0;
    for (int64_t i = 0; i < n_; ++i) {
      q_[i] *= w_[i];
      S_ += q_[i];
    }
    sw_ = 0;
    for (int64_t i = 0; i < n_; ++i) {
      sw_ += w_[i];
    }
    std::vector<int64_t> order;
    for (int64_t j = 0; j < p_; ++j) {
      if (pr_.rank[j] >= 0) {
        order.push_back(j);
        cand_.add(j);
      }
    }
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return pr_.rank[a] < pr_.rank[b]; });
    for (int64_t k : order) {
      activate(k);
    }
    cand_.sort();
  }

  // Starts the fit at one lambda: glmnet's sequential strong rule, then sweeps
  // until the candidates converge. kkt: the KKT gradients are wanted next.
  Step start(T lam, T lam_prev) {
    ab_ = T(lam * s_.alpha);
    dem_ = T(lam * (1 - s_.alpha));
    // |g_j| > alpha (2 lambda - lambda_prev) v_j, on the gradients of the last
    // KKT pass (the residual has not moved since).
    const T tlam = T(s_.alpha * (2 * double(lam) - double(lam_prev)));
    std::vector<int64_t> added;
    for (int64_t j = 0; j < p_; ++j) {
      if (!cand_.contains(j) && pr_.ju[j] != T(0) && exceeds(j, tlam * pr_.vp[j])) {
        added.push_back(j);
      }
    }
    grow(added);
    if (warm_ && !active_fit()) {
      return Step::stop;
    }
    return converge();
  }

  // After a KKT pass (pass_column over every column): done if no
  // non-candidate violates its KKT condition, else the violators join the
  // candidates and the sweeps go on.
  Step after_kkt() {
    std::vector<int64_t> viol;
    for (int64_t j = 0; j < p_; ++j) {
      if (!cand_.contains(j) && pr_.ju[j] != T(0) && exceeds(j, ab_ * pr_.vp[j])) {
        viol.push_back(j);
      }
    }
    if (viol.empty()) {
      return Step::done;
    }
    grow(viol);
    return converge();
  }

  // A gradient pass at the current residual, column by column so that the
  // driver reads each column once for all problems: prepare_pass, then
  // set_screened or set_exact for every j it wants. KKT passes cover the
  // non-candidates (screened when `screen`), the final one every usable
  // variable in float64.
  void prepare_pass(bool screen) {
    screen_pass_ = screen && screen_on();
    if (screen_pass_) {
      if constexpr (std::is_same_v<T, double>) {
        const double sc = pow2_scale_to_unit(vec::max_abs(q_.data(), size_t(n_)));
        q32_.resize(n_);
        vec::to_float_scaled(q32_.data(), q_.data(), sc, size_t(n_));
        q_unscale_ = 1.0 / sc;
        q_norm_ = std::sqrt(vec::dot(q_.data(), q_.data(), size_t(n_)) * round_up_sum(n_)) + 1e-300;
        S_pass_ = S_;
      }
    }
  }

  // Whether a pass wants g_j: usable, and a non-candidate unless `all`.
  bool wants(int64_t j, bool all) const {
    return pr_.ju[j] != T(0) && (all || !cand_.contains(j));
  }
  bool screened_pass() const {
    return screen_pass_;
  }
  const float* q32() const {
    return q32_.data();
  }
  // g_j from a screened pass: s = cols_.screen_dot(j, q32).
  void set_screened(int64_t j, double s) {
    pr_.g[j] = T(a_[j] * (s * cols_.unscale[j] * q_unscale_) + c_[j] * S_);
    exact_[j] = 0;
  }
  void set_exact(int64_t j) {
    pr_.g[j] = grad(j);
    exact_[j] = 1;
  }

  T rsq() const {
    return pr_.rsq;
  }
  bool warm() const {
    return warm_;
  }

 private:
  const T* col(int64_t k) const {
    return cols_.column(k);
  }

  // Rows with positive weight as at most a few runs (CV folds whose held-out
  // rows are contiguous: two), else one run over the first to the last; and
  // whether the weights are equal on them (then updates skip reading w).
  void find_rows() {
    std::vector<std::pair<int64_t, int64_t>> runs;
    for (int64_t i = 0; i < n_;) {
      if (w_[i] == T(0)) {
        ++i;
        continue;
      }
      int64_t e = i;
      while (e < n_ && w_[e] != T(0)) {
        ++e;
      }
      runs.emplace_back(i, e);
      i = e;
    }
    if (runs.empty()) {
      runs.emplace_back(0, 0);
    }
    w0_ = w_[runs[0].first];
    uniform_ = runs.size() <= 4;
    for (const auto& [b, e] : runs) {
      for (int64_t i = b; i < e && uniform_; ++i) {
        uniform_ = w_[i] == w0_;
      }
    }
    if (runs.size() > 4) {
      runs = {{runs.front().first, runs.back().second}};
    }
    runs_ = runs;
  }

  // Appends k to the active set, with a copy of its column next to the
  // previous ones: active-set sweeps (most of the passes) then read one
  // contiguous stream in entry order instead of columns scattered over X.
  // Past the copy budget the sweeps read X's column itself.
  void activate(int64_t k) {
    const size_t l = active_.size();
    active_.push_back(k);
    if ((l + 1) * size_t(n_) * sizeof(T) > copy_budget_) {
      active_ptr_.push_back(col(k));
      return;
    }
    if (l % kBlock == 0) {
      active_cols_.emplace_back(new T[size_t(kBlock) * n_]);
    }
    T* dst = active_cols_[l / kBlock].get() + (l % kBlock) * n_;
    std::copy(col(k), col(k) + n_, dst);
    active_ptr_.push_back(dst);
  }

  const T* active_col(size_t l) const {
    return active_ptr_[l];
  }

  T grad(int64_t k) const {
    const T* z = col(k);
    T s = 0;
    for (const auto& [b, e] : runs_) {
      s += vec::dot(z + b, q_.data() + b, size_t(e - b));
    }
    return a_[k] * s + c_[k] * S_;
  }

  // grad(k) (the same value) from its column z, while the column visited
  // after k is brought into cache: sweeps read their columns from memory.
  T grad(int64_t k, const T* z, const T* zn) const {
    T s = 0;
    for (const auto& [b, e] : runs_) {
      s += vec::dot_prefetch(z + b, q_.data() + b, size_t(e - b), zn + b);
    }
    return a_[k] * s + c_[k] * S_;
  }

  // sum_i w_i z_ik, for the change of S when beta_k moves.
  T wz(int64_t k) {
    if (std::isnan(wz_[k])) {
      wz_[k] = vec::dot(col(k), w_, size_t(n_));
    }
    return wz_[k];
  }

  // beta_k <- b given its gradient gk and column z: R^2, the residual and S follow.
  T move(int64_t k, const T* z, T b, T gk) {
    const T d = b - pr_.beta[k], xv = pr_.xv[k];
    pr_.beta[k] = b;
    pr_.rsq += kernels::rsq_gain(gk, d, xv);
    for (const auto& [lo, hi] : runs_) {
      if (uniform_) {
        vec::axpb_neg(q_.data() + lo, z + lo, d * w0_ * a_[k], d * w0_ * c_[k], size_t(hi - lo));
      } else {
        vec::waxpb_neg(q_.data() + lo, w_ + lo, z + lo, d * a_[k], d * c_[k], size_t(hi - lo));
      }
    }
    S_ -= d * (a_[k] * wz(k) + c_[k] * sw_);
    return kernels::convergence_term(xv, d);
  }

  void grow(const std::vector<int64_t>& added) { cand_.add_all(added); }

  bool count_pass() {
    return path::count_pass(s_, out_);
  }

  // Sweeps over the candidates until one changes nothing beyond the threshold,
  // with active-set fits to convergence in between (glmnet's loop).
  Step converge() {
    while (true) {
      const int st = sweep_candidates();
      if (st < 0) {
        return Step::stop;
      }
      if (st == 1) {
        return Step::kkt;
      }
      if (!active_fit()) {
        return Step::stop;
      }
    }
  }

  // 1 converged, 0 not yet, -1 stop (maxit or pmax).
  int sweep_candidates() {
    const size_t m = cand_.size();
    return path::sweep_candidates(
        pr_, cand_, active_, s_, out_,
        [&](size_t i, int64_t k) {
          const T gk = grad(k, col(k), col(cand_[i + 1 < m ? i + 1 : i]));
          return std::pair<T, T>(new_beta(pr_, k, gk, ab_, dem_), gk);
        },
        [&](int64_t k) { activate(k); }, [&](int64_t k, T b, T gk) { return move(k, col(k), b, gk); });
  }

  // Sweeps over the active set (entry order) to convergence.
  bool active_fit() {
    warm_ = true;
    while (true) {
      if (!count_pass()) {
        return false;
      }
      T dlx = 0;
      const size_t m = active_.size();
      for (size_t i = 0; i < m; ++i) {
        const int64_t k = active_[i];
        const T* z = active_col(i);
        const T gk = grad(k, z, active_col(i + 1 < m ? i + 1 : 0));
        const T b = new_beta(pr_, k, gk, ab_, dem_);
        if (b != pr_.beta[k]) {
          dlx = std::max(dlx, move(k, z, b, gk));
        }
      }
      if (dlx < T(s_.thr)) {
        return true;
      }
    }
  }

  bool screen_on() const {
    return cols_.screen != Screen::none;
  }

  // |g_j| > t exactly as float64 decides it. A screened gradient differs from
  // the float64 one by at most the bound below (dot_screen's rounding,
  // float conversion of z and q, and float64's own rounding); only when
  // |g_j| is within it of t is the float64 gradient computed.
  bool exceeds(int64_t j, T t) {
    if (!exact_[j]) {
      constexpr double tiny = 0x1p-149;
      constexpr int m = vec::kScreenRoundings;
      const double g = double(pr_.g[j]);
      const double dot_bound = cols_.rel * cols_.norm[j] * q_norm_ +
          cols_.unscale[j] * (cols_.abs_z * std::sqrt(double(n_)) * q_norm_ * 1.01 +
                              q_unscale_ * double(n_) * (m + 4) * tiny);
      const double bound = std::abs(double(a_[j])) * dot_bound +
          1e-13 * (std::abs(g) + std::abs(double(c_[j]) * double(S_pass_))) + 1e-300;
      const double ag = std::abs(g), tt = double(t);
      if (ag - bound > tt) {
        return true;
      }
      if (ag + bound <= tt) {
        return false;
      }
      pr_.g[j] = grad(j);
      exact_[j] = 1;
    }
    return std::abs(pr_.g[j]) > t;
  }

  Problem<T>& pr_;
  const Columns<T>& cols_;
  int64_t n_, p_;
  const T* w_;
  const Settings& s_;
  Outcome& out_;
  bool warm_;
  T ab_ = 0, dem_ = 0;  // this lambda's L1 and L2 penalty scales
  std::vector<T> a_, c_;  // xt_j = a_j z_j + c_j
  std::vector<T> wz_;     // sum_i w_i z_ij (NaN until needed)
  std::vector<T> q_;      // w * r
  T S_ = 0, sw_ = 0;      // sum q, sum w
  std::vector<std::pair<int64_t, int64_t>> runs_;  // rows [b, e) with positive weight
  T w0_ = 0;
  bool uniform_ = false;
  static constexpr size_t kBlock = 64;
  std::vector<int64_t> active_;  // in entry order
  std::vector<std::unique_ptr<T[]>> active_cols_;  // copies of their columns, kBlock per allocation
  std::vector<const T*> active_ptr_;  // each active column: its copy, or X's past the budget
  size_t copy_budget_;                // bytes of active-column copies this problem may hold
  CandidateSet cand_;  // S, ascending
  std::vector<char> exact_;  // pr_.g[j] is the float64 value
  bool screen_pass_ = false;
  std::vector<float> q32_;  // q in float32 (scaled) for a screened pass
  double q_unscale_ = 1, q_norm_ = 0;  // of the last screened pass
  T S_pass_ = 0;
};

} // namespace

// Runs f(b) for every b in `list`, spread over the cores (their sweeps differ in cost).
template <typename F>
void for_problems(const std::vector<int64_t>& list, int cores, F&& f) {
  glmlx::detail::for_each_index(list.size(), size_t(cores), [&](size_t i, size_t) { f(list[i]); });
}

// Inputs: the common ones (problem_view), then Xt (p, n), center (p), scale
// (p), y (B, n), weights (B, n), xm (B, p), xs (B, p).
//
// The problems walk their paths in lockstep, one lambda at a time: their
// sweeps run side by side, then one KKT pass serves all of them, each column
// read once for every problem's gradient (CV folds: one read of X per lambda
// instead of one per fold).
template <typename T>
void run_residual_batch(const PathArrays& a, const Settings& s) {
  const int64_t B = a.B(), p = a.p(), L = a.L();
  const ResidualSource src(a);
  const int64_t n = src.Xt.shape(1);
  Columns<T> cols{src.Xt.data<T>(), n, p, src.center.data<T>(), src.scale.data<T>()};
  // Threads pay off once a pass over X takes ten times a thread's start-up.
  const int cores = n * p >= (int64_t(1) << 19) ? int(glmlx::detail::usable_cores()) : 1;
  // Screening pays once a KKT pass reads enough of X to outweigh the copy;
  // float16 halves the traffic again where the CPU converts it in hardware
  // (settings.screen: 2 forces float32).
  const bool screen = std::is_same_v<T, double> && (s.screen > 0 || (s.screen < 0 && n * p >= (int64_t(1) << 20)));
  if (screen) {
    cols.make_screen_copy(s.screen != 2 && vec::has_half() ? Screen::f16 : Screen::f32, cores);
  }
  init_outputs<T>(a);
  // Active-column copies: 1 GiB across the problems (at least 64 MiB each).
  const size_t copy_budget = std::max<size_t>(size_t(64) << 20, (size_t(1) << 30) / size_t(B));
  std::vector<Problem<T>> prs;
  std::vector<Outcome> res(B);
  for (int64_t b = 0; b < B; ++b) {
    prs.push_back(problem_view<T>(a, b));
    res[b].warm = a.warm_start(b);
  }
  std::vector<std::unique_ptr<ResidualSolver<T>>> solvers;
  using Point = GaussianPoint<T, ResidualSolver<T>>;
  std::vector<std::unique_ptr<Point>> points;
  std::vector<GaussianWalk<T, ResidualSolver<T>>> walks;
  for (int64_t b = 0; b < B; ++b) {
    solvers.emplace_back(new ResidualSolver<T>(prs[b], cols, src.y.data<T>() + b * n,
                                               src.weights.data<T>() + b * n, src.xm.data<T>() + b * p,
                                               src.xs.data<T>() + b * p, s, res[b], copy_budget));
    points.emplace_back(new Point(prs[b], *solvers[b], p, s, res[b]));
    walks.push_back(gaussian_walk(*points[b], L, s));
  }
  // One pass over the columns for the problems in `list`: a screened column
  // is read once for all of them (vec::dot_screen takes several problems).
  auto gradient_pass = [&](const std::vector<int64_t>& list, bool all, bool screened) {
    for (int64_t b : list) {
      solvers[b]->prepare_pass(screened);
    }
    for_column_chunks(p, cores, [&](int64_t j0, int64_t j1) {
      std::vector<const float*> q;
      std::vector<int64_t> who;
      std::vector<double> sums(list.size());
      for (int64_t j = j0; j < j1; ++j) {
        q.clear();
        who.clear();
        for (int64_t b : list) {
          if (!solvers[b]->wants(j, all)) {
            continue;
          }
          if (solvers[b]->screened_pass()) {
            q.push_back(solvers[b]->q32());
            who.push_back(b);
          } else {
            solvers[b]->set_exact(j);
          }
        }
        if (!who.empty()) {
          cols.screen_dot(j, q.data(), q.size(), sums.data());
          for (size_t i = 0; i < who.size(); ++i) {
            solvers[who[i]]->set_screened(j, sums[i]);
          }
        }
      }
    });
  };
  std::vector<Step> step(B, Step::done);
  while (true) {
    std::vector<int64_t> live;
    for (int64_t b = 0; b < B; ++b) {
      if (!walks[b].done()) {
        live.push_back(b);
      }
    }
    if (live.empty()) {
      break;
    }
    for_problems(live, cores, [&](int64_t b) {
      const PathLambda lam = walks[b].next();
      step[b] = solvers[b]->start(T(lam.alm), T(lam.alm0));
    });
    while (true) {
      std::vector<int64_t> need;
      for (int64_t b : live) {
        if (step[b] == Step::kkt) {
          need.push_back(b);
        }
      }
      if (need.empty()) {
        break;
      }
      gradient_pass(need, false, true);
      for_problems(need, cores, [&](int64_t b) { step[b] = solvers[b]->after_kkt(); });
    }
    for (int64_t b : live) {
      walks[b].finish(points[b]->status(step[b] == Step::done));
    }
  }
  std::vector<int64_t> all(B);
  for (int64_t b = 0; b < B; ++b) {
    all[b] = b;
  }
  gradient_pass(all, true, false);  // the returned gradients are exact for every variable
  for (int64_t b = 0; b < B; ++b) {
    res[b].warm = solvers[b]->warm();
    prs[b].rsq_path[L] = solvers[b]->rsq();  // carried state for the next block
    write_stats(a, b, res[b]);
  }
}

template void run_residual_batch<double>(const PathArrays&, const Settings&);
template void run_residual_batch<float>(const PathArrays&, const Settings&);

} // namespace glmlx::path
