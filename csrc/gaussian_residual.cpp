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
// KKT passes of a float64 problem are screened with a float32 copy of Z (half
// the memory traffic): vec::dot_screen's rounding is bounded, so a gradient
// whose float32 value is farther from the threshold than the bound gets the
// same decision as in float64; the few others are computed in float64.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <limits>
#include <memory>
#include <thread>
#include <type_traits>
#include <vector>

#include "gaussian_path.h"
#include "vec.h"

namespace glmlx::path {

namespace {

// Runs f(j0, j1) over [0, p) in `threads` contiguous chunks.
template <typename F>
void parallel_columns(int64_t p, int threads, F&& f) {
  if (threads <= 1 || p < 256) {
    f(int64_t(0), p);
    return;
  }
  std::vector<std::thread> pool;
  const int64_t chunk = (p + threads - 1) / threads;
  for (int t = 1; t < threads; ++t) {
    const int64_t j0 = std::min(p, t * chunk), j1 = std::min(p, (t + 1) * chunk);
    pool.emplace_back([&f, j0, j1]() { f(j0, j1); });
  }
  f(int64_t(0), std::min(p, chunk));
  for (auto& th : pool) {
    th.join();
  }
}

// A float64 sum of n non-negative terms times this is at least the exact sum.
inline double round_up_sum(int64_t n) {
  return 1 + double(n + 16) * 0x1p-52;
}

// Powers of two keep the scaling exact.
inline double pow2_scale_to_unit(double maxabs) {
  if (!(maxabs > 0) || !std::isfinite(maxabs)) {
    return 1.0;
  }
  int e;
  std::frexp(maxabs, &e);  // maxabs = f 2^e, f in [0.5, 1)
  return std::ldexp(1.0, -e);
}

// The matrix every problem reads, and its float32 screening copy: column j
// scaled by an exact power of two so its largest entry lies in [0.5, 1)
// (float's range cannot overflow, and underflow is bounded absolutely).
template <typename T>
struct Columns {
  const T* Z;
  int64_t n, p;
  const T* center;
  const T* scale;
  std::unique_ptr<float[], void (*)(float*)> Z32{nullptr, [](float* f) { std::free(f); }};
  std::vector<double> unscale32;  // Z[j] ~ Z32[j] * unscale32[j]
  std::vector<double> norm;       // ||Z[j]||_2, rounded up

  bool screened() const {
    return bool(Z32);
  }

  void make_screen_copy(int threads) {
    // 2 MiB-aligned and advised huge: a fresh buffer this size otherwise costs
    // a page fault per 4 KiB on first touch.
    const size_t huge = size_t(2) << 20, bytes = (size_t(n) * p * sizeof(float) + huge - 1) / huge * huge;
    Z32.reset(static_cast<float*>(std::aligned_alloc(huge, bytes)));
    if (!Z32) {
      throw std::bad_alloc();
    }
    advise_huge_pages(Z32.get(), bytes);
    unscale32.resize(p);
    norm.resize(p);
    parallel_columns(p, threads, [&](int64_t j0, int64_t j1) {
      for (int64_t j = j0; j < j1; ++j) {
        if constexpr (std::is_same_v<T, double>) {
          const T* z = Z + j * n;
          const double s = pow2_scale_to_unit(vec::max_abs(z, size_t(n)));
          unscale32[j] = 1.0 / s;
          norm[j] = std::sqrt(vec::dot(z, z, size_t(n)) * round_up_sum(n)) + 1e-300;
          vec::to_float_scaled(Z32.get() + j * n, z, s, size_t(n));
        }
      }
    });
  }
};

template <typename T>
class ResidualSolver {
 public:
  ResidualSolver(Problem<T>& pr, const Columns<T>& cols, const T* y, const T* w, const T* xm, const T* xs,
                 const Settings& s, Outcome& out, int threads)
      : pr_(pr),
        cols_(cols),
        n_(cols.n),
        p_(cols.p),
        w_(w),
        s_(s),
        out_(out),
        threads_(threads),
        warm_(out.warm),
        a_(p_),
        c_(p_),
        wz_(p_, std::numeric_limits<T>::quiet_NaN()),
        q_(n_),
        in_s_(p_, 0),
        exact_(p_, 1) {
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
        add_candidate(j);
      }
    }
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return pr_.rank[a] < pr_.rank[b]; });
    for (int64_t k : order) {
      activate(k);
    }
    std::sort(cand_.begin(), cand_.end());
  }

  // Solve at one lambda; false if the path must stop (maxit or pmax).
  bool fit(T lam, T lam_prev) {
    const T ab = T(lam * s_.alpha), dem = T(lam * (1 - s_.alpha));
    // Sequential strong rule: |g_j| > alpha (2 lambda - lambda_prev) v_j, on
    // the gradients of the last KKT pass (the residual has not moved since).
    const T tlam = T(s_.alpha * (2 * double(lam) - double(lam_prev)));
    std::vector<int64_t> added;
    for (int64_t j = 0; j < p_; ++j) {
      if (!in_s_[j] && pr_.ju[j] != T(0) && exceeds(j, tlam * pr_.vp[j])) {
        added.push_back(j);
      }
    }
    grow(added);
    if (warm_ && !active_fit(ab, dem)) {
      return false;
    }
    while (true) {
      const int st = sweep_candidates(ab, dem);
      if (st < 0) {
        return false;
      }
      if (st == 1) {
        if (kkt_passes(ab)) {
          return true;
        }
        continue;  // violators joined the candidates: sweep again
      }
      if (!active_fit(ab, dem)) {
        return false;
      }
    }
  }

  // The exact gradient of every usable variable at the current residual.
  void sync() {
    gradient_pass(/*all=*/true, /*screen=*/false);
  }

  T rsq() const {
    return pr_.rsq;
  }
  bool warm() const {
    return warm_;
  }

 private:
  const T* col(int64_t k) const {
    return cols_.Z + k * n_;
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
  void activate(int64_t k) {
    const size_t l = active_.size();
    active_.push_back(k);
    if (l % kBlock == 0) {
      active_cols_.emplace_back(new T[size_t(kBlock) * n_]);
    }
    std::copy(col(k), col(k) + n_, active_col(l));
  }

  T* active_col(size_t l) const {
    return active_cols_[l / kBlock].get() + (l % kBlock) * n_;
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
    pr_.rsq += d * (2 * gk - d * xv);
    for (const auto& [lo, hi] : runs_) {
      if (uniform_) {
        vec::axpb_neg(q_.data() + lo, z + lo, d * w0_ * a_[k], d * w0_ * c_[k], size_t(hi - lo));
      } else {
        vec::waxpb_neg(q_.data() + lo, w_ + lo, z + lo, d * a_[k], d * c_[k], size_t(hi - lo));
      }
    }
    S_ -= d * (a_[k] * wz(k) + c_[k] * sw_);
    return xv * d * d;
  }

  void add_candidate(int64_t j) {
    if (!in_s_[j]) {
      in_s_[j] = 1;
      cand_.push_back(j);
    }
  }

  void grow(const std::vector<int64_t>& added) {
    if (added.empty()) {
      return;
    }
    for (int64_t j : added) {
      add_candidate(j);
    }
    std::sort(cand_.begin(), cand_.end());  // sweep in variable order, as glmnet
  }

  bool count_pass() {
    if (++out_.npasses > s_.maxit) {
      out_.err = kMaxit;
      return false;
    }
    return true;
  }

  // 1 converged, 0 not yet, -1 stop (maxit or pmax).
  int sweep_candidates(T ab, T dem) {
    if (!count_pass()) {
      return -1;
    }
    T dlx = 0;
    const size_t m = cand_.size();
    for (size_t i = 0; i < m; ++i) {
      const int64_t k = cand_[i];
      const T gk = grad(k, col(k), col(cand_[i + 1 < m ? i + 1 : i]));
      const T b = new_beta(pr_, k, gk, ab, dem);
      if (b == pr_.beta[k]) {
        continue;
      }
      if (pr_.rank[k] < 0) {
        if (int64_t(active_.size()) >= s_.nx) {
          out_.err = kPmax;
          return -1;
        }
        pr_.rank[k] = int32_t(active_.size());
        activate(k);
      }
      dlx = std::max(dlx, move(k, col(k), b, gk));
    }
    return dlx < T(s_.thr) ? 1 : 0;
  }

  // Sweeps over the active set (entry order) to convergence.
  bool active_fit(T ab, T dem) {
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
        const T b = new_beta(pr_, k, gk, ab, dem);
        if (b != pr_.beta[k]) {
          dlx = std::max(dlx, move(k, z, b, gk));
        }
      }
      if (dlx < T(s_.thr)) {
        return true;
      }
    }
  }

  // KKT over non-candidates after convergence: true if none is violated.
  bool kkt_passes(T ab) {
    gradient_pass(/*all=*/false, screen_on());
    std::vector<int64_t> viol;
    for (int64_t j = 0; j < p_; ++j) {
      if (!in_s_[j] && pr_.ju[j] != T(0) && exceeds(j, ab * pr_.vp[j])) {
        viol.push_back(j);
      }
    }
    grow(viol);
    return viol.empty();
  }

  bool screen_on() const {
    return cols_.screened() && s_.screen != 0;
  }

  // pr_.g[j] for the usable non-candidates (all usable variables with `all`):
  // in float64, or screened in float32 (exact_[j] = 0, see exceeds()).
  void gradient_pass(bool all, bool screen) {
    std::vector<float> q32;
    if (screen) {
      if constexpr (std::is_same_v<T, double>) {
        const double sc = pow2_scale_to_unit(vec::max_abs(q_.data(), size_t(n_)));
        q32.resize(n_);
        vec::to_float_scaled(q32.data(), q_.data(), sc, size_t(n_));
        q_unscale_ = 1.0 / sc;
        q_norm_ = std::sqrt(vec::dot(q_.data(), q_.data(), size_t(n_)) * round_up_sum(n_)) + 1e-300;
        S_pass_ = S_;
      }
    }
    parallel_columns(p_, threads_, [&](int64_t j0, int64_t j1) {
      for (int64_t j = j0; j < j1; ++j) {
        if (pr_.ju[j] == T(0) || (!all && in_s_[j])) {
          continue;
        }
        if (screen) {
          const float* z32 = cols_.Z32.get() + j * n_;
          double s = 0;
          for (const auto& [b, e] : runs_) {
            s += vec::dot_screen(z32 + b, q32.data() + b, size_t(e - b));
          }
          pr_.g[j] = T(a_[j] * (s * cols_.unscale32[j] * q_unscale_) + c_[j] * S_);
          exact_[j] = 0;
        } else {
          pr_.g[j] = grad(j);
          exact_[j] = 1;
        }
      }
    });
  }

  // |g_j| > t exactly as float64 decides it. A screened gradient differs from
  // the float64 one by at most the bound below (dot_screen's rounding,
  // float conversion of z and q, and float64's own rounding); only when
  // |g_j| is within it of t is the float64 gradient computed.
  bool exceeds(int64_t j, T t) {
    if (!exact_[j]) {
      constexpr double u32 = 0x1p-24, u64 = 0x1p-53, tiny = 0x1p-149;
      constexpr int m = vec::kScreenRoundings;
      const double rel = m * u32 / (1 - m * u32) + 2.01 * u32 + (double(n_) + 8) * u64 * 1.01;
      const double abs_term = cols_.unscale32[j] * q_unscale_ * double(n_) * (m + 4) * tiny;
      const double g = double(pr_.g[j]);
      const double bound = std::abs(double(a_[j])) * (rel * cols_.norm[j] * q_norm_ + abs_term) +
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
  int threads_;
  bool warm_;
  std::vector<T> a_, c_;  // xt_j = a_j z_j + c_j
  std::vector<T> wz_;     // sum_i w_i z_ij (NaN until needed)
  std::vector<T> q_;      // w * r
  T S_ = 0, sw_ = 0;      // sum q, sum w
  std::vector<std::pair<int64_t, int64_t>> runs_;  // rows [b, e) with positive weight
  T w0_ = 0;
  bool uniform_ = false;
  static constexpr size_t kBlock = 64;
  std::vector<int64_t> active_;  // in entry order
  std::vector<std::unique_ptr<T[]>> active_cols_;  // their columns, kBlock per allocation
  std::vector<int64_t> cand_;    // S, ascending
  std::vector<char> in_s_;
  std::vector<char> exact_;  // pr_.g[j] is the float64 value
  double q_unscale_ = 1, q_norm_ = 0;  // of the last screened pass
  T S_pass_ = 0;
};

} // namespace

// Inputs: the common ones (problem_view), then Xt (p, n), center (p), scale
// (p), y (B, n), weights (B, n), xm (B, p), xs (B, p).
template <typename T>
void run_residual_batch(const std::vector<mx::array>& in, std::vector<mx::array>& outs, const Settings& s) {
  const int64_t B = in[0].shape(0), p = in[0].shape(1), L = in[4].shape(1);
  const auto& Xt = in[11];
  const int64_t n = Xt.shape(1);
  Columns<T> cols{Xt.data<T>(), n, p, in[12].data<T>(), in[13].data<T>()};
  const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  // float32 screening pays once a KKT pass reads enough of X to outweigh the copy.
  const bool screen = std::is_same_v<T, double> && (s.screen > 0 || (s.screen < 0 && n * p >= (int64_t(1) << 20)));
  if (screen) {
    cols.make_screen_copy(cores);
  }
  run_problems<T>(in, outs, [&](int64_t b, int threads, Outcome& out) {
    Problem<T> pr = problem_view<T>(in, outs, b);
    ResidualSolver<T> solver(pr, cols, in[14].data<T>() + b * n, in[15].data<T>() + b * n,
                             in[16].data<T>() + b * p, in[17].data<T>() + b * p, s, out, threads);
    solve_path(pr, solver, p, L, s, out);
  });
}

template void run_residual_batch<double>(const std::vector<mx::array>&, std::vector<mx::array>&, const Settings&);
template void run_residual_batch<float>(const std::vector<mx::array>&, std::vector<mx::array>&, const Settings&);

} // namespace glmlx::path
