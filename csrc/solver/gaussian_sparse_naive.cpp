// glmnet's naive scheme over a sparse X (its spelnet2): the weighted residual
// is kept, each coordinate visit computes x~_k'W r from column k's entries,
// and a KKT pass over the non-candidates follows convergence. X~ = (X - xm) / xs
// is never formed: the centering's share of a residual update, a multiple of
// W, is kept as one scalar t (q = r + t W), so a visit costs the column's
// entries, not n. Nothing of size p x p or p x |S| is formed.
//
// The same control flow as the covariance solver (solver/gaussian_cov.cpp),
// whose iterates these are up to rounding; only where x~_k'W r comes from differs.
#include <algorithm>
#include <cmath>
#include <vector>

#include "path/gaussian_path.h"

namespace glmlx::path {

namespace {

template <typename T>
class SparseResidualSolver {
 public:
  // Entries prefetched ahead in the gradients' gathers from r, once r no longer fits the L2 cache.
  static constexpr int64_t kAhead = 16;
  static constexpr int64_t kFarRows = 65536;

  SparseResidualSolver(Problem<T>& pr, const SparseGramSource& src, int64_t b, int64_t p, const Settings& s,
                       Outcome& out)
      : pr_(pr),
        p_(p),
        n_(src.weights.shape(1)),
        s_(s),
        out_(out),
        warm_(out.warm),
        indptr_(src.indptr.data<int64_t>()),
        indices_(src.indices.data<int32_t>()),
        data_(src.data.data<T>()),
        w_(src.weights.data<T>() + b * n_),
        xm_(src.xm.data<T>() + b * p),
        xs_(src.xs.data<T>() + b * p),
        xw_(size_t(p), 0.0),
        r_(size_t(n_)),
        cand_(p) {
    const T* y = src.y.data<T>() + b * n_;
    for (int64_t i = 0; i < n_; ++i) {
      r_[size_t(i)] = double(w_[i]) * double(y[i]);
      sw_ += double(w_[i]);
      sr_ += r_[size_t(i)];
    }
    for (int64_t j = 0; j < p_; ++j) {
      if (pr_.ju[j] == T(0)) {
        continue;
      }
      double xw = 0.0;
      for (int64_t e = indptr_[j]; e < indptr_[j + 1]; ++e) {
        xw += double(w_[indices_[e]]) * double(data_[e]);
      }
      xw_[size_t(j)] = xw;
    }
    std::vector<int64_t> order;
    for (int64_t j = 0; j < p_; ++j) {
      if (pr_.beta[j] != T(0)) {
        update(j, double(pr_.beta[j]));  // the warm start's residual
      }
      if (pr_.rank[j] >= 0) {
        order.push_back(j);
        cand_.add(j);
      }
    }
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t c) { return pr_.rank[a] < pr_.rank[c]; });
    active_ = order;
    cand_.sort();
  }

  // Solve at one lambda; false if the path must stop (maxit or pmax). The
  // non-candidates' gradients are exact here: the last KKT pass (or the
  // previous block's sync) computed them at the current residual.
  bool fit(T lam, T lam_prev) {
    const T ab = T(lam * s_.alpha), dem = T(lam * (1 - s_.alpha));
    const T tlam = T(s_.alpha * (2 * double(lam) - double(lam_prev)));
    std::vector<int64_t> added;
    for (int64_t j = 0; j < p_; ++j) {
      if (!cand_.contains(j) && pr_.ju[j] != T(0) && std::abs(pr_.g[j]) > tlam * pr_.vp[j]) {
        added.push_back(j);
      }
    }
    cand_.add_all(added);
    if (warm_ && !active_fit(ab, dem)) {
      return false;
    }
    while (true) {
      const int st = path::sweep_candidates(
          pr_, cand_, active_, s_, out_,
          [&](size_t, int64_t k) {
            const T gk = grad(k);
            return std::pair<T, T>(path::new_beta(pr_, k, gk, ab, dem), gk);
          },
          [&](int64_t k) { active_.push_back(k); }, [&](int64_t k, T b, T gk) { return move(k, b, gk); });
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

  // Every usable variable's gradient at the current residual.
  void sync() {
    for (int64_t j = 0; j < p_; ++j) {
      if (pr_.ju[j] != T(0)) {
        pr_.g[j] = grad(j);
      }
    }
  }

  T rsq() const { return pr_.rsq; }
  bool warm() const { return warm_; }

 private:
  // x~_k'q with q = r + t W
  T grad(int64_t k) const {
    double xr = 0.0;
    const int64_t end = indptr_[k + 1];
    for (int64_t e = indptr_[k]; e < end; ++e) {
      if (n_ >= kFarRows && e + kAhead < end) {  // rows far apart miss the cache: ask for r a few entries ahead
        __builtin_prefetch(r_.data() + indices_[e + kAhead]);
      }
      xr += double(data_[e]) * r_[size_t(indices_[e])];
    }
    const double m = double(xm_[k]);
    return T((xr + t_ * xw_[size_t(k)] - m * (sr_ + t_ * sw_)) / double(xs_[k]));
  }

  // q -= d W x~_k: the entries of column k, and the centering's share in t.
  void update(int64_t k, double d) {
    const double c = d / double(xs_[k]);
    for (int64_t e = indptr_[k]; e < indptr_[k + 1]; ++e) {
      const int32_t i = indices_[e];
      r_[size_t(i)] -= c * double(w_[i]) * double(data_[e]);
    }
    sr_ -= c * xw_[size_t(k)];
    t_ += c * double(xm_[k]);
  }

  T move(int64_t k, T b, T gk) {
    const T old = pr_.beta[k], xv = pr_.xv[k];
    pr_.beta[k] = b;
    const T d = b - old;
    pr_.rsq += kernels::rsq_gain(gk, d, xv);
    update(k, double(d));
    return kernels::convergence_term(xv, d);
  }

  // Sweeps over the active set (in entry order) to convergence.
  bool active_fit(T ab, T dem) {
    warm_ = true;
    while (true) {
      if (!path::count_pass(s_, out_)) {
        return false;
      }
      T dlx = 0;
      for (int64_t k : active_) {
        const T gk = grad(k);
        const T b = path::new_beta(pr_, k, gk, ab, dem);
        if (b != pr_.beta[k]) {
          dlx = std::max(dlx, move(k, b, gk));
        }
      }
      if (dlx < T(s_.thr)) {
        return true;
      }
    }
  }

  // KKT over the non-candidates after convergence: true if none is violated.
  bool kkt_passes(T ab) {
    std::vector<int64_t> viol;
    for (int64_t j = 0; j < p_; ++j) {
      if (!cand_.contains(j) && pr_.ju[j] != T(0)) {
        pr_.g[j] = grad(j);
        if (std::abs(pr_.g[j]) > ab * pr_.vp[j]) {
          viol.push_back(j);
        }
      }
    }
    cand_.add_all(viol);
    return viol.empty();
  }

  Problem<T>& pr_;
  int64_t p_, n_;
  const Settings& s_;
  Outcome& out_;
  bool warm_;
  const int64_t* indptr_;
  const int32_t* indices_;
  const T* data_;
  const T *w_, *xm_, *xs_;
  std::vector<double> xw_;  // sum_i w_i x_ik over column k's entries
  std::vector<double> r_;   // q = r + t W: the weighted residual
  double t_ = 0.0, sr_ = 0.0, sw_ = 0.0;  // t, sum r, sum W
  std::vector<int64_t> active_;  // in entry order
  CandidateSet cand_;
};

} // namespace

template <typename T>
void run_sparse_residual_batch(const PathArrays& a, const Settings& s) {
  const int64_t p = a.p(), L = a.L();
  const SparseGramSource src(a);
  path::run_problems<T>(a, [&](int64_t b, Outcome& out) {
    Problem<T> pr = path::problem_view<T>(a, b);
    SparseResidualSolver<T> solver(pr, src, b, p, s, out);
    path::solve_path(pr, solver, p, L, s, out);
  });
}

template void run_sparse_residual_batch<double>(const PathArrays&, const Settings&);
template void run_sparse_residual_batch<float>(const PathArrays&, const Settings&);

} // namespace glmlx::path
