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
#include "mlx/allocator.h"
#include "mlx/backend/cpu/encoder.h"
#include "mlx/ops.h"

#include "cpu/blas.h"
#include "path/gaussian_path.h"
#include "glmlx/ops.h"
#include "ops/primitives.h"
#include "ops/util.h"
#include "cpu/vec.h"

namespace glmlx {

namespace {

using path::CandidateSet;
using path::kMaxit;
using path::kOk;
using path::kPmax;
using path::Outcome;
using path::Problem;
using path::Settings;

// Source of standardized Gram columns C[:, k] (length p).
template <typename T>
class GramColumns {
 public:
  virtual ~GramColumns() = default;
  virtual const T* col(int64_t k) = 0;
  virtual void prefetch(const std::vector<int64_t>&) {}
  virtual bool cached(int64_t) const {
    return true;
  }
  // acc += sum_k C[:, k] * d_k over (k, d_k) in changes.
  virtual void accumulate(const std::vector<std::pair<int64_t, T>>& changes, T* acc, int64_t p) {
    for (const auto& [k, d] : changes) {
      const T* ck = col(k);
      for (int64_t j = 0; j < p; ++j) {
        acc[j] += ck[j] * d;
      }
    }
  }
};

template <typename T>
class FullGram : public GramColumns<T> {
 public:
  FullGram(const T* C, int64_t p) : C_(C), p_(p) {}
  const T* col(int64_t k) override {
    return C_ + k * p_;  // row k = column k (symmetric)
  }

 private:
  const T* C_;
  int64_t p_;
};

// Columns C[:, k] = X' W (x_k - xm_k) / (xs xs_k), computed on demand and
// cached; requests are batched so X is read once per block of columns.
template <typename T>
class LazyGram : public GramColumns<T> {
 public:
  LazyGram(const T* X, int64_t n, int64_t p, const T* w, const T* xm, const T* xs, const T* xv, const T* ju)
      : X_(X), n_(n), p_(p), w_(w), xm_(xm), xs_(xs), xv_(xv), ju_(ju), slot_(p, -1) {}

  const T* col(int64_t k) override {
    if (slot_[k] < 0) {
      prefetch({k});
    }
    return slot_[k] >= 0 ? ptr_[slot_[k]] : nullptr;
  }

  bool cached(int64_t k) const override {
    return slot_[k] >= 0;
  }

  // One gemv per cached block (b columns stored contiguously): BLAS-speed
  // and multi-threaded, where a loop over columns would be scalar.
  void accumulate(const std::vector<std::pair<int64_t, T>>& changes, T* acc, int64_t p) override {
    std::vector<T> d(ptr_.size(), T(0));
    for (const auto& [k, dk] : changes) {
      d[slot_[k]] = dk;
    }
    blas::ThreadScope threads(2.0 * double(p) * double(changes.size()));
    size_t first = 0;
    for (size_t blk = 0; blk < block_size_.size(); ++blk) {
      const int64_t b = block_size_[blk];
      bool any = false;
      for (int64_t c = 0; c < b && !any; ++c) {
        any = d[first + c] != T(0);
      }
      if (any) {
        blas::gemv(true, b, p, T(1), ptr_[first], p, d.data() + first, 1, T(1), acc, 1);
      }
      first += b;
    }
  }

  void prefetch(const std::vector<int64_t>& ks) override {
    std::vector<int64_t> miss;
    for (int64_t k : ks) {
      if (slot_[k] < 0) {
        miss.push_back(k);
      }
    }
    if (miss.empty()) {
      return;
    }
    const int64_t b = int64_t(miss.size());
    // V = W (X[:, miss] - xm) (n x b); the block V'X (b x p, row-major) holds
    // the new columns contiguously, so each is stored where BLAS writes it.
    std::vector<T> V(size_t(n_) * b);
    for (int64_t i = 0; i < n_; ++i) {
      const T* xr = X_ + i * p_;
      T* vr = V.data() + i * b;
      for (int64_t c = 0; c < b; ++c) {
        vr[c] = w_[i] * (xr[miss[c]] - xm_[miss[c]]);
      }
    }
    blocks_.emplace_back(new T[size_t(b) * p_]);
    block_size_.push_back(b);
    T* out = blocks_.back().get();
    // by column ranges of X on glmlx's threads (blas.h, Threads)
    blas::over_parts(p_, blas::parts_for(2.0 * double(n_) * double(p_) * double(b), p_),
                     [&](int64_t, int64_t lo, int64_t hi) {
                       blas::gemm(true, false, b, hi - lo, n_, T(1), V.data(), b, X_ + lo, p_, T(0), out + lo, p_);
                     });
    for (int64_t c = 0; c < b; ++c) {
      const int64_t k = miss[c];
      T* dst = out + size_t(c) * p_;
      const T sk = xs_[k];
      for (int64_t j = 0; j < p_; ++j) {
        dst[j] = ju_[j] != T(0) ? dst[j] / (xs_[j] * sk) : T(0);
      }
      dst[k] = xv_[k];
      slot_[k] = int32_t(ptr_.size());
      ptr_.push_back(dst);
    }
  }

 private:
  const T *X_;
  int64_t n_, p_;
  const T *w_, *xm_, *xs_, *xv_, *ju_;
  std::vector<int32_t> slot_;
  std::vector<std::unique_ptr<T[]>> blocks_;  // never moved once written
  std::vector<int64_t> block_size_;
  std::vector<T*> ptr_;
};

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
    if (++out_.npasses > s_.maxit || interrupt::requested()) {  // Ctrl-C: stop as at maxit
      out_.err = kMaxit;
      return false;
    }
    return true;
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
    pr_.rsq += d * (2 * pr_.g[k] - d * xv);
    const T* ck = gram_.col(k);
    if (!s_.strong) {
      vec::axpy_neg(pr_.g, ck, d, size_t(p_));
    } else {
      for (int64_t j : targets) {
        pr_.g[j] -= ck[j] * d;
      }
    }
    return xv * d * d;
  }

  // 1 converged, 0 not yet, -1 stop (maxit or pmax).
  int sweep_candidates(T ab, T dem) {
    if (!count_pass()) {
      return -1;
    }
    T dlx = 0;
    for (size_t i = 0; i < cand_.size(); ++i) {
      const int64_t k = cand_[i];
      const T b = new_beta(k, ab, dem);
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
      dlx = std::max(dlx, move(k, b, cand_));
    }
    return dlx < T(s_.thr) ? 1 : 0;
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
        pr_.rsq += d * (2 * gA[l] - d * xv);
        vec::axpy_neg(gA.data(), ca_[l].data(), d, na);
        dlx = std::max(dlx, xv * d * d);
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

// Common inputs (path::problem_view), then the Gram source:
// full: C (Bc,p,p); lazy: X (n,p) w (B,n) xm (B,p) xs (B,p).
template <typename T>
void run_batch(const std::vector<mx::array>& in, std::vector<mx::array>& outs, const Settings& s) {
  const int64_t p = in[0].shape(1), L = in[4].shape(1);
  path::run_problems<T>(in, outs, [&](int64_t b, Outcome& out) {
    Problem<T> pr = path::problem_view<T>(in, outs, b);
    auto solve = [&](GramColumns<T>& gram) {
      Solver<T> solver(pr, gram, p, s, out);
      path::solve_path(pr, solver, p, L, s, out);
    };
    if (in.size() == 12) {
      const auto& C = in[11];
      FullGram<T> gram(C.data<T>() + (C.shape(0) == 1 ? 0 : b * p * p), p);
      solve(gram);
    } else {
      const auto& X = in[11];
      const int64_t n = X.shape(0);
      LazyGram<T> gram(X.data<T>(), n, p, in[12].data<T>() + b * n, in[13].data<T>() + b * p,
                       in[14].data<T>() + b * p, pr.xv, pr.ju);
      solve(gram);
    }
  });
}

std::vector<mx::array> build(
    const char* op,
    std::vector<mx::array> common,
    std::vector<mx::array> source,
    const GaussianPathSettings& settings) {
  auto stream = mx::default_stream(mx::Device::cpu);
  static const char* names[] = {"g", "beta", "rsq", "rank", "lambdas", "penalty", "limits", "include", "warm",
                                "xv", "lambda_prev"};
  const auto& g = common[0];
  if (g.ndim() != 2) {
    detail::fail(op, "g must be (B, p), got " + detail::shape_str(g.shape()));
  }
  const int B = g.shape(0), p = g.shape(1);
  const auto& lam = common[4];
  if (lam.ndim() != 2 || lam.shape(0) != B || lam.shape(1) < 1) {
    detail::fail(op, "lambdas must be (B, L) with L >= 1, got " + detail::shape_str(lam.shape()));
  }
  const std::vector<mx::Shape> want = {{B, p}, {B, p}, {B}, {B, p}, lam.shape(), {B, p}, {B, 2, p}, {B, p},
                                       {B}, {B, p}, {B}};
  for (size_t i = 0; i < common.size(); ++i) {
    if (common[i].shape() != want[i]) {
      detail::fail(op, std::string(names[i]) + " must have shape " + detail::shape_str(want[i]) + ", got " +
                           detail::shape_str(common[i].shape()));
    }
  }
  auto dtype = source[0].dtype();
  if (dtype != mx::float32 && dtype != mx::float64) {
    const char* source_name = settings.residual ? "Xt" : settings.lazy ? "X" : "C";
    detail::fail(op, std::string(source_name) + " must be float32 or float64, got " + detail::dtype_str(dtype));
  }
  const int L = lam.shape(1);
  std::vector<mx::array> in;
  for (size_t i = 0; i < common.size(); ++i) {
    const bool is_int = i == 3 || i == 8;
    in.push_back(mx::contiguous(mx::astype(common[i], is_int ? mx::int32 : dtype, stream), false, stream));
  }
  for (auto& a : source) {
    in.push_back(mx::contiguous(mx::astype(a, dtype, stream), false, stream));
  }
  std::vector<mx::Shape> shapes = {{B, L, p}, {B, L + 1}, {B, p}, {B, p}, {B, p}, {B, 4}};
  std::vector<mx::Dtype> dtypes = {dtype, dtype, dtype, dtype, mx::int32, mx::int32};
  return mx::array::make_arrays(
      std::move(shapes), dtypes, std::make_shared<GaussianPath>(stream, settings), in);
}

} // namespace

std::vector<mx::array> gaussian_cov_path(
    const mx::array& C,
    const mx::array& g,
    const mx::array& beta,
    const mx::array& rsq,
    const mx::array& rank,
    const mx::array& lambdas,
    const mx::array& penalty,
    const mx::array& limits,
    const mx::array& include,
    const mx::array& warm,
    const mx::array& xv,
    const mx::array& lambda_prev,
    GaussianPathSettings settings,
    mx::StreamOrDevice) {
  constexpr const char* op = "gaussian_cov_path";
  const int B = g.ndim() == 2 ? g.shape(0) : 0, p = g.ndim() == 2 ? g.shape(1) : 0;
  if (C.ndim() != 3 || (C.shape(0) != 1 && C.shape(0) != B) || C.shape(1) != p || C.shape(2) != p) {
    detail::fail(op, "C must be (1 or B, p, p) with p = " + std::to_string(p) + ", got " +
                         detail::shape_str(C.shape()));
  }
  settings.lazy = false;  // strong (the rule-based candidate set) is the caller's choice
  return build(op, {g, beta, rsq, rank, lambdas, penalty, limits, include, warm, xv, lambda_prev}, {C}, settings);
}

std::vector<mx::array> gaussian_lazy_path(
    const mx::array& X,
    const mx::array& weights,
    const mx::array& xm,
    const mx::array& xs,
    const mx::array& g,
    const mx::array& beta,
    const mx::array& rsq,
    const mx::array& rank,
    const mx::array& lambdas,
    const mx::array& penalty,
    const mx::array& limits,
    const mx::array& include,
    const mx::array& warm,
    const mx::array& xv,
    const mx::array& lambda_prev,
    GaussianPathSettings settings,
    mx::StreamOrDevice) {
  constexpr const char* op = "gaussian_lazy_path";
  const int B = g.ndim() == 2 ? g.shape(0) : 0, p = g.ndim() == 2 ? g.shape(1) : 0;
  if (X.ndim() != 2 || X.shape(1) != p) {
    detail::fail(op, "X must be (n, p) with p = " + std::to_string(p) + ", got " + detail::shape_str(X.shape()));
  }
  const int n = X.shape(0);
  if (weights.shape() != mx::Shape{B, n}) {
    detail::fail(op, "weights must have shape " + detail::shape_str({B, n}) + ", got " +
                         detail::shape_str(weights.shape()));
  }
  if (xm.shape() != mx::Shape{B, p} || xs.shape() != mx::Shape{B, p}) {
    detail::fail(op, "xm and xs must have shape " + detail::shape_str({B, p}));
  }
  settings.lazy = true;
  settings.strong = true;
  return build(op, {g, beta, rsq, rank, lambdas, penalty, limits, include, warm, xv, lambda_prev},
               {X, weights, xm, xs}, settings);
}

std::vector<mx::array> gaussian_residual_path(
    const mx::array& Xt,
    const mx::array& center,
    const mx::array& scale,
    const mx::array& y,
    const mx::array& weights,
    const mx::array& xm,
    const mx::array& xs,
    const mx::array& g,
    const mx::array& beta,
    const mx::array& rsq,
    const mx::array& rank,
    const mx::array& lambdas,
    const mx::array& penalty,
    const mx::array& limits,
    const mx::array& include,
    const mx::array& warm,
    const mx::array& xv,
    const mx::array& lambda_prev,
    GaussianPathSettings settings,
    mx::StreamOrDevice) {
  constexpr const char* op = "gaussian_residual_path";
  const int B = g.ndim() == 2 ? g.shape(0) : 0, p = g.ndim() == 2 ? g.shape(1) : 0;
  if (Xt.ndim() != 2 || Xt.shape(0) != p) {
    detail::fail(op, "Xt must be (p, n) with p = " + std::to_string(p) + ", got " + detail::shape_str(Xt.shape()));
  }
  const int n = Xt.shape(1);
  if (center.shape() != mx::Shape{p} || scale.shape() != mx::Shape{p}) {
    detail::fail(op, "center and scale must have shape " + detail::shape_str({p}));
  }
  if (y.shape() != mx::Shape{B, n} || weights.shape() != mx::Shape{B, n}) {
    detail::fail(op, "y and weights must have shape " + detail::shape_str({B, n}) + ", got " +
                         detail::shape_str(y.shape()) + " and " + detail::shape_str(weights.shape()));
  }
  if (xm.shape() != mx::Shape{B, p} || xs.shape() != mx::Shape{B, p}) {
    detail::fail(op, "xm and xs must have shape " + detail::shape_str({B, p}));
  }
  settings.lazy = false;
  settings.residual = true;
  settings.strong = true;
  return build(op, {g, beta, rsq, rank, lambdas, penalty, limits, include, warm, xv, lambda_prev},
               {Xt, center, scale, y, weights, xm, xs}, settings);
}

void GaussianPath::eval_cpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) {
  const auto& st = settings_;
  const Settings s = path::settings_of(st);
  dispatch_cpu(stream(), inputs, outputs, [s](std::vector<mx::array>& in, std::vector<mx::array>& out) {
    const bool residual = in.size() == 18;
    if (in[0].dtype() == mx::float64) {
      residual ? path::run_residual_batch<double>(in, out, s) : run_batch<double>(in, out, s);
    } else {
      residual ? path::run_residual_batch<float>(in, out, s) : run_batch<float>(in, out, s);
    }
  });
}

void GaussianPath::eval_gpu(const std::vector<mx::array>&, std::vector<mx::array>&) {
  throw std::runtime_error("[glmlx.gaussian_path] runs on the CPU stream only");
}

bool GaussianPath::is_equivalent(const mx::Primitive& other) const {
  const auto& a = settings_;
  const auto& b = static_cast<const GaussianPath&>(other).settings_;
  return a.alpha == b.alpha && a.thresh == b.thresh && a.sml == b.sml && a.rsqmax == b.rsqmax &&
      a.maxit == b.maxit && a.pmax == b.pmax && a.dfmax == b.dfmax && a.mnl == b.mnl &&
      a.m_offset == b.m_offset && a.early_stop == b.early_stop &&
      a.strong == b.strong && a.lazy == b.lazy && a.residual == b.residual && a.screen == b.screen;
}

} // namespace glmlx
