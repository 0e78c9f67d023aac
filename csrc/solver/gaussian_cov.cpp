// Batched coordinate descent for the Gaussian elastic net over a block of
// lambdas per call (glmnet's elnet scheme), on glmnet's standardized scale.
//
// Per lambda: sweeps over the candidate set S until converged, then sweeps
// over the active set to convergence, then a sweep over S to confirm; after
// the first active-set fit each new lambda starts on the active set.
// Convergence: max_k xv_k * dbeta_k^2 < thr. The gradient g = X'W(y - X beta)
// is kept up to date through columns of the standardized Gram matrix C:
//  - full mode: C is given (p x p); S is every usable variable.
//  - lazy mode: columns of C are computed from X in blocks (one BLAS gemm per
//    block) when variables become candidates; S grows by glmnet's sequential
//    strong rule, and a KKT check over the other variables after convergence
//    adds any violators. Wide problems never form the p x p matrix.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "cpu/interrupt.h"

#include "cpu/blas.h"
#include "path/gaussian_path.h"
#include "glmlx/ops.h"
#include "matrix/gram_source.h"
#include "matrix/sparse.h"
#include "cpu/vec.h"

namespace glmlx {

namespace {

using matrix::FullGram;
using matrix::GramColumns;
using matrix::LazyGram;
using path::CandidateSet;
using path::kMaxit;
using path::kOk;
using path::kPmax;
using path::Outcome;
using path::PathArrays;
using path::FullGramSource;
using path::LazyGramSource;
using path::SparseGramSource;
using path::Problem;
using path::Settings;

template <typename T>
class Solver {
 public:
  Solver(Problem<T>& pr, GramColumns<T>& gram, int64_t p, const Settings& s, Outcome& out)
      : pr_(pr), gram_(gram), p_(p), s_(s), out_(out), warm_(out.warm), cand_(p), beta_ref_(p) {
    for (int64_t j = 0; j < p; ++j) {
      if (pr_.rank[j] >= 0) {
        active_.push_back(j);
      }
      beta_ref_[j] = pr_.beta[j];
      // Without strong rules every usable variable is a candidate.
      if (!s_.strong && pr_.ju[j] != T(0)) {
        cand_.add(j);
      }
    }
    std::sort(active_.begin(), active_.end(), [&](int64_t a, int64_t b) { return pr_.rank[a] < pr_.rank[b]; });
    for (int64_t k : active_) {
      cand_.add(k);
    }
    cand_.sort();
    gram_.prefetch(cand_.list());
    std::vector<int64_t> order;
    order.swap(active_);
    for (int64_t k : order) {
      activate(k);
    }
  }

  // Solve at one lambda; false if the path must stop (maxit or pmax).
  bool fit(T lam, T lam_prev) {
    const T ab = T(lam * s_.alpha), dem = T(lam * (1 - s_.alpha));
    if (s_.strong) {
      // Sequential strong rule: |g_j| > alpha (2 lambda - lambda_prev) v_j.
      sync();
      const T tlam = T(s_.alpha * (2 * double(lam) - double(lam_prev)));
      std::vector<int64_t> added;
      for (int64_t j = 0; j < p_; ++j) {
        if (!cand_.contains(j) && pr_.ju[j] != T(0) && std::abs(pr_.g[j]) > tlam * pr_.vp[j]) {
          added.push_back(j);
        }
      }
      grow(added);
    }
    if (warm_ && !active_fit(ab, dem)) {
      return false;
    }
    while (true) {
      const int st = sweep_candidates(ab, dem);
      if (st < 0) {
        return false;
      }
      if (st == 1) {
        if (!s_.strong || kkt_passes(ab)) {
          return true;
        }
        continue;  // violators joined the candidates: sweep again
      }
      if (!active_fit(ab, dem)) {
        return false;
      }
    }
  }

  // Bring the gradient of non-candidates up to date (lazy mode).
  void sync() {
    if (!s_.strong) {
      return;
    }
    std::vector<std::pair<int64_t, T>> changes;
    for (int64_t k : active_) {
      const T d = pr_.beta[k] - beta_ref_[k];
      if (d != T(0)) {
        changes.emplace_back(k, d);
        beta_ref_[k] = pr_.beta[k];
      }
    }
    if (changes.empty()) {
      return;
    }
    std::vector<T> acc(p_, T(0));
    gram_.accumulate(changes, acc.data(), p_);
    for (int64_t j = 0; j < p_; ++j) {
      if (!cand_.contains(j)) {
        pr_.g[j] -= acc[j];
      }
    }
  }

  T rsq() const {
    return pr_.rsq;
  }
  bool warm() const {
    return warm_;
  }

 private:
  void grow(const std::vector<int64_t>& added) {
    if (cand_.add_all(added)) {
      prefetch_padded(added);
    }
  }

  // Each block of Gram columns costs a full read of X, so a request is padded
  // with the non-candidates nearest to entering (largest |g_j| / v_j): most of
  // them are requested within a few lambdas anyway.
  void prefetch_padded(std::vector<int64_t> want) {
    size_t missing = 0;
    for (int64_t k : want) {
      missing += !gram_.cached(k);
    }
    if (missing == 0) {
      return;
    }
    // Reading X costs about as much as computing ~64 columns: pad small
    // requests up to that, never large ones.
    const size_t target = 64;
    if (missing < target) {
      std::vector<std::pair<T, int64_t>> pool;
      for (int64_t j = 0; j < p_; ++j) {
        if (!cand_.contains(j) && pr_.ju[j] != T(0) && !gram_.cached(j)) {
          const T v = pr_.vp[j] > T(0) ? std::abs(pr_.g[j]) / pr_.vp[j] : std::numeric_limits<T>::infinity();
          pool.emplace_back(v, j);
        }
      }
      const size_t extra = std::min(pool.size(), target - missing);
      std::partial_sort(pool.begin(), pool.begin() + extra, pool.end(),
                        [](const auto& a, const auto& b) { return a.first > b.first; });
      for (size_t i = 0; i < extra; ++i) {
        want.push_back(pool[i].second);
      }
    }
    gram_.prefetch(want);
  }

  // KKT over non-candidates after convergence: true if none is violated.
  bool kkt_passes(T ab) {
    sync();
    std::vector<int64_t> viol;
    for (int64_t j = 0; j < p_; ++j) {
      if (!cand_.contains(j) && pr_.ju[j] != T(0) && std::abs(pr_.g[j]) > ab * pr_.vp[j]) {
        viol.push_back(j);
      }
    }
    grow(viol);
    return viol.empty();
  }

  // Appends k to the active set with its compact column: ca_[l][m] =
  // C[active_m, active_l], so active-set sweeps update a contiguous gradient.
  void activate(int64_t k) {
    const T* ck = gram_.col(k);
    for (size_t l = 0; l < active_.size(); ++l) {
      ca_[l].push_back(ck[active_[l]]);
    }
    active_.push_back(k);
    std::vector<T> col(active_.size());
    for (size_t m = 0; m < active_.size(); ++m) {
      col[m] = ck[active_[m]];
    }
    ca_.push_back(std::move(col));
  }

  // glmnet's coordinate update: soft-threshold then clamp to the limits.
  T new_beta(int64_t k, T ab, T dem) const {
    return new_beta(k, pr_.g[k], ab, dem);
  }
  T new_beta(int64_t k, T gk, T ab, T dem) const {
    return path::new_beta(pr_, k, gk, ab, dem);
  }

  bool count_pass() {
    return path::count_pass(s_, out_);
  }

  // Applies beta_k <- b; updates R^2 and the gradient over `targets`.
  // Without strong rules the targets are every usable variable: one dense,
  // vectorized axpy over all p is cheaper than the indexed loop (the entries of
  // unusable variables are never read).
  template <typename Targets>
  T move(int64_t k, T b, const Targets& targets) {
    const T old = pr_.beta[k], xv = pr_.xv[k];
    pr_.beta[k] = b;
    const T d = b - old;
    pr_.rsq += kernels::rsq_gain(pr_.g[k], d, xv);
    const T* ck = gram_.col(k);
    if (!s_.strong) {
      vec::axpy_neg(pr_.g, ck, d, size_t(p_));
    } else {
      for (int64_t j : targets) {
        pr_.g[j] -= ck[j] * d;
      }
    }
    return kernels::convergence_term(xv, d);
  }

  // 1 converged, 0 not yet, -1 stop (maxit or pmax).
  int sweep_candidates(T ab, T dem) {
    return path::sweep_candidates(
        pr_, cand_, active_, s_, out_, [&](size_t, int64_t k) { return std::pair<T, T>(new_beta(k, ab, dem), T(0)); },
        [&](int64_t k) { activate(k); }, [&](int64_t k, T b, T) { return move(k, b, cand_); });
  }

  // Sweeps over the active set to convergence, then brings the gradient of
  // the other candidates up to date in one pass.
  bool active_fit(T ab, T dem) {
    warm_ = true;
    const size_t na = active_.size();
    std::vector<T> start(na), gA(na);
    for (size_t l = 0; l < na; ++l) {
      start[l] = pr_.beta[active_[l]];
      gA[l] = pr_.g[active_[l]];
    }
    bool ok = true;
    while (true) {
      if (!count_pass()) {
        ok = false;
        break;
      }
      T dlx = 0;
      for (size_t l = 0; l < na; ++l) {
        const int64_t k = active_[l];
        const T b = new_beta(k, gA[l], ab, dem);
        const T old = pr_.beta[k];
        if (b == old) {
          continue;
        }
        const T d = b - old, xv = pr_.xv[k];
        pr_.beta[k] = b;
        pr_.rsq += kernels::rsq_gain(gA[l], d, xv);
        vec::axpy_neg(gA.data(), ca_[l].data(), d, na);
        dlx = std::max(dlx, kernels::convergence_term(xv, d));
      }
      if (dlx < T(s_.thr)) {
        break;
      }
    }
    for (size_t l = 0; l < na; ++l) {
      pr_.g[active_[l]] = gA[l];
    }
    if (!ok) {
      return false;
    }
    for (size_t l = 0; l < na; ++l) {
      const int64_t k = active_[l];
      const T d = pr_.beta[k] - start[l];
      if (d == T(0)) {
        continue;
      }
      const T* ck = gram_.col(k);
      if (!s_.strong) {
        vec::axpy_neg(pr_.g, ck, d, size_t(p_));  // active entries are restored below
      } else {
        for (int64_t j : cand_) {
          if (pr_.rank[j] < 0) {
            pr_.g[j] -= ck[j] * d;
          }
        }
      }
    }
    if (!s_.strong) {
      for (size_t l = 0; l < na; ++l) {
        pr_.g[active_[l]] = gA[l];
      }
    }
    return true;
  }

  Problem<T>& pr_;
  GramColumns<T>& gram_;
  int64_t p_;
  const Settings& s_;
  Outcome& out_;
  bool warm_;
  std::vector<int64_t> active_;  // in entry order
  std::vector<std::vector<T>> ca_;  // compact active columns (see activate)
  CandidateSet cand_;  // S, ascending
  std::vector<T> beta_ref_;  // beta at the last sync of non-candidates
};

} // namespace

namespace path {

// The common inputs (problem_view), then the Gram source: FullGramSource, LazyGramSource or SparseGramSource.
template <typename T>
void run_gram_batch(const PathArrays& a, const Settings& s, bool lazy, bool sparse) {
  const int64_t p = a.p(), L = a.L();
  path::run_problems<T>(a, [&](int64_t b, Outcome& out) {
    Problem<T> pr = path::problem_view<T>(a, b);
    auto solve = [&](GramColumns<T>& gram) {
      Solver<T> solver(pr, gram, p, s, out);
      path::solve_path(pr, solver, p, L, s, out);
    };
    if (!lazy) {
      const FullGramSource src(a);
      FullGram<T> gram(src.gram<T>(b, p), p);
      if (src.alpha) {  // this problem's own alpha (folds x alphas in one batch)
        Settings sb = s;
        sb.alpha = src.alpha_of(b);
        Solver<T> solver(pr, gram, p, sb, out);
        path::solve_path(pr, solver, p, L, sb, out);
        return;
      }
      solve(gram);
    } else if (sparse) {
      const SparseGramSource src(a);
      const int64_t n = src.weights.shape(1);
      const matrix::SparseColumns<T> X(src.indptr.data<int64_t>(), src.indices.data<int32_t>(), src.data.data<T>(),
                                       n, p);
      LazyGram<T, matrix::SparseColumns<T>> gram(X, src.weights.data<T>() + b * n, src.xm.data<T>() + b * p,
                                                 src.xs.data<T>() + b * p, pr.xv, pr.ju);
      solve(gram);
    } else {
      const LazyGramSource src(a);
      const int64_t n = src.X.shape(0);
      LazyGram<T> gram(matrix::DenseRows<T>(src.X.data<T>(), n, p), src.weights.data<T>() + b * n,
                       src.xm.data<T>() + b * p, src.xs.data<T>() + b * p, pr.xv, pr.ju);
      solve(gram);
    }
  });
}

template void run_gram_batch<double>(const PathArrays&, const Settings&, bool, bool);
template void run_gram_batch<float>(const PathArrays&, const Settings&, bool, bool);

} // namespace path



} // namespace glmlx
