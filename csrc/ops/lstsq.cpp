// lstsq: closed-form (weighted, ridge) least squares through LAPACK.
//
//   minimize_w,b  sum_i w_i (y_i - b - x_i'w)^2 + ridge * ||w||^2
//
// Three paths, all in one primitive so the safety fallbacks happen inside the
// kernel (and therefore also under mx.compile, where Python cannot look at
// data):
//   QR        Householder QR of sqrt(W)(X - 1 xbar') stacked on sqrt(ridge) I,
//             a block of rows at a time (tpqrt, with Q'y by tpmqrt), then a
//             triangular solve (trtrs). When R is numerically singular
//             (trcon) it switches to the SVD path.
//   Cholesky  X'WX + ridge I and X'Wy come from the gram primitive; potrf,
//             pocon, potrs. When the factorization fails or the condition
//             estimate is poor it switches to the QR path (and on to SVD).
//   SVD       gelsd with rcond: the minimum-norm solution, any rank.
// The third output, info, records which path produced the answer so the
// Python layer can warn (never a silently wrong answer).
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "mlx/allocator.h"
#include "mlx/backend/cpu/encoder.h"
#include "mlx/linalg.h"
#include "mlx/ops.h"

#include "cpu/blas.h"
#include "glmlx/ops.h"
#include "ops/primitives.h"
#include "ops/util.h"

namespace glmlx {

namespace {

constexpr const char* kOp = "lstsq";
using Int = blas::Int;

// ---------------------------------------------------------------------------
// LAPACK wrappers (Fortran, column-major). The OpenBLAS build passes the hidden
// string lengths; Accelerate's new-LAPACK prototypes have none.
// ---------------------------------------------------------------------------
#if defined(GLMLX_BLAS_ACCELERATE)
#define GLMLX_STRLEN(...)
#else
#define GLMLX_STRLEN(...) , __VA_ARGS__
#endif

namespace lapack {

inline void tpqrt(Int m, Int n, Int nb, double* a, Int lda, double* b, Int ldb, double* t, Int ldt, double* work,
                  Int* info) {
  const Int l = 0;
  GLMLX_LAPACK(dtpqrt)(&m, &n, &l, &nb, a, &lda, b, &ldb, t, &ldt, work, info);
}
inline void tpqrt(Int m, Int n, Int nb, float* a, Int lda, float* b, Int ldb, float* t, Int ldt, float* work,
                  Int* info) {
  const Int l = 0;
  GLMLX_LAPACK(stpqrt)(&m, &n, &l, &nb, a, &lda, b, &ldb, t, &ldt, work, info);
}
// Q' [A; B] for the Q of tpqrt (A: k x n on top, B: m x n below).
inline void tpmqrt_lt(Int m, Int n, Int k, Int nb, const double* v, Int ldv, const double* t, Int ldt, double* a,
                      Int lda, double* b, Int ldb, double* work, Int* info) {
  const Int l = 0;
  GLMLX_LAPACK(dtpmqrt)("L", "T", &m, &n, &k, &l, &nb, v, &ldv, t, &ldt, a, &lda, b, &ldb, work, info
                        GLMLX_STRLEN(1, 1));
}
inline void tpmqrt_lt(Int m, Int n, Int k, Int nb, const float* v, Int ldv, const float* t, Int ldt, float* a,
                      Int lda, float* b, Int ldb, float* work, Int* info) {
  const Int l = 0;
  GLMLX_LAPACK(stpmqrt)("L", "T", &m, &n, &k, &l, &nb, v, &ldv, t, &ldt, a, &lda, b, &ldb, work, info
                        GLMLX_STRLEN(1, 1));
}
inline void trtrs_un(Int n, Int nrhs, const double* a, Int lda, double* b, Int ldb, Int* info) {
  GLMLX_LAPACK(dtrtrs)("U", "N", "N", &n, &nrhs, a, &lda, b, &ldb, info GLMLX_STRLEN(1, 1, 1));
}
inline void trtrs_un(Int n, Int nrhs, const float* a, Int lda, float* b, Int ldb, Int* info) {
  GLMLX_LAPACK(strtrs)("U", "N", "N", &n, &nrhs, a, &lda, b, &ldb, info GLMLX_STRLEN(1, 1, 1));
}
inline void trcon_1u(Int n, const double* a, Int lda, double* rcond, double* work, Int* iwork, Int* info) {
  GLMLX_LAPACK(dtrcon)("1", "U", "N", &n, a, &lda, rcond, work, iwork, info GLMLX_STRLEN(1, 1, 1));
}
inline void trcon_1u(Int n, const float* a, Int lda, float* rcond, float* work, Int* iwork, Int* info) {
  GLMLX_LAPACK(strcon)("1", "U", "N", &n, a, &lda, rcond, work, iwork, info GLMLX_STRLEN(1, 1, 1));
}
inline void potrf_u(Int n, double* a, Int lda, Int* info) {
  GLMLX_LAPACK(dpotrf)("U", &n, a, &lda, info GLMLX_STRLEN(1));
}
inline void potrf_u(Int n, float* a, Int lda, Int* info) {
  GLMLX_LAPACK(spotrf)("U", &n, a, &lda, info GLMLX_STRLEN(1));
}
inline void pocon_u(Int n, const double* a, Int lda, double anorm, double* rcond, double* work, Int* iwork, Int* info) {
  GLMLX_LAPACK(dpocon)("U", &n, a, &lda, &anorm, rcond, work, iwork, info GLMLX_STRLEN(1));
}
inline void pocon_u(Int n, const float* a, Int lda, float anorm, float* rcond, float* work, Int* iwork, Int* info) {
  GLMLX_LAPACK(spocon)("U", &n, a, &lda, &anorm, rcond, work, iwork, info GLMLX_STRLEN(1));
}
inline void potrs_u(Int n, Int nrhs, const double* a, Int lda, double* b, Int ldb, Int* info) {
  GLMLX_LAPACK(dpotrs)("U", &n, &nrhs, a, &lda, b, &ldb, info GLMLX_STRLEN(1));
}
inline void potrs_u(Int n, Int nrhs, const float* a, Int lda, float* b, Int ldb, Int* info) {
  GLMLX_LAPACK(spotrs)("U", &n, &nrhs, a, &lda, b, &ldb, info GLMLX_STRLEN(1));
}
inline void gelsd(Int m, Int n, Int nrhs, double* a, Int lda, double* b, Int ldb, double* s, double rcond,
                  Int* rank, double* work, Int lwork, Int* iwork, Int* info) {
  GLMLX_LAPACK(dgelsd)(&m, &n, &nrhs, a, &lda, b, &ldb, s, &rcond, rank, work, &lwork, iwork, info);
}
inline void gelsd(Int m, Int n, Int nrhs, float* a, Int lda, float* b, Int ldb, float* s, float rcond,
                  Int* rank, float* work, Int lwork, Int* iwork, Int* info) {
  GLMLX_LAPACK(sgelsd)(&m, &n, &nrhs, a, &lda, b, &ldb, s, &rcond, rank, work, &lwork, iwork, info);
}

} // namespace lapack

// Scratch memory from MLX's allocator: its buffer cache makes repeated solves
// skip the page faults a fresh malloc of a large copy of X would pay.
template <typename T>
class Scratch {
 public:
  explicit Scratch(size_t count) : data_(mx::allocator::malloc(std::max<size_t>(count, 1) * sizeof(T))) {}
  T* get() {
    return static_cast<T*>(data_.buffer().raw_ptr());
  }

 private:
  mx::allocator::Data data_;
};

// ---------------------------------------------------------------------------
// The problem as the kernel sees it.
// ---------------------------------------------------------------------------
enum Path : int { kQR = 0, kCholesky = 1, kSVD = 2 };

template <typename T>
struct Mat {
  const T* p;
  int64_t s0, s1;
  T operator()(int64_t i, int64_t j) const {
    return p[i * s0 + j * s1];
  }
};

template <typename T>
Mat<T> view(const mx::array& a) {
  return {a.data<T>(), a.strides()[0], a.ndim() > 1 ? a.strides()[1] : 0};
}

template <typename T>
struct Problem {
  Mat<T> X, Y;
  int64_t n = 0, p = 0, k = 0;
  std::vector<T> sw;          // sqrt(weights), empty when unweighted
  std::vector<T> xbar, ybar;  // weighted means, empty when not centering
  double ridge = 0.0;
};

// Rows of the stacked system [sqrt(W)(X - 1 xbar'); sqrt(ridge) I].
template <typename T>
int64_t system_rows(const Problem<T>& P) {
  return P.n + (P.ridge > 0 ? P.p : 0);
}

// Writes rows [r0, r1) of the stacked system into column-major A (lda) and
// right-hand sides B (ldb; rows past r1 - r0 zero). X is read a block of rows
// at a time so the transpose stays in cache.
template <typename T>
void fill_rows(const Problem<T>& P, int64_t r0, int64_t r1, T* A, int64_t lda, T* B, int64_t ldb) {
  const int64_t n = P.n, p = P.p, k = P.k;
  const int64_t d1 = std::min(r1, n);
  const bool weighted = !P.sw.empty(), centered = !P.xbar.empty();
  constexpr int64_t kBlock = 64;
  for (int64_t i0 = r0; i0 < d1; i0 += kBlock) {
    const int64_t i1 = std::min(d1, i0 + kBlock);
    for (int64_t j = 0; j < p; ++j) {
      T* col = A + j * lda - r0;
      const T xb = centered ? P.xbar[j] : T(0);
      if (weighted) {
        for (int64_t i = i0; i < i1; ++i) {
          col[i] = P.sw[i] * (P.X(i, j) - xb);
        }
      } else {
        for (int64_t i = i0; i < i1; ++i) {
          col[i] = P.X(i, j) - xb;
        }
      }
    }
  }
  for (int64_t c = 0; c < k; ++c) {
    T* col = B + c * ldb;
    const T yb = centered ? P.ybar[c] : T(0);
    for (int64_t i = r0; i < d1; ++i) {
      col[i - r0] = (weighted ? P.sw[i] : T(1)) * (P.Y(i, c) - yb);
    }
    std::fill(col + std::max<int64_t>(d1 - r0, 0), col + ldb, T(0));
  }
  // Ridge rows n + j: sqrt(ridge) e_j'.
  const T sr = P.ridge > 0 ? T(std::sqrt(P.ridge)) : T(0);
  for (int64_t r = std::max(r0, n); r < r1; ++r) {
    for (int64_t j = 0; j < p; ++j) {
      A[j * lda + (r - r0)] = (r - n == j) ? sr : T(0);
    }
  }
}

template <typename T>
void fill_system(const Problem<T>& P, T* A, int64_t lda, T* B, int64_t ldb) {
  fill_rows(P, 0, system_rows(P), A, lda, B, ldb);
}

struct Info {
  float path = -1, rank = -1, rcond = -1;
  float chol_rcond = std::numeric_limits<float>::quiet_NaN();
};

// Coefficients are written row-major p x k from the first p rows of B.
template <typename T>
void copy_coef(const T* B, int64_t ldb, int64_t p, int64_t k, T* coef) {
  for (int64_t c = 0; c < k; ++c) {
    for (int64_t j = 0; j < p; ++j) {
      coef[j * k + c] = B[c * ldb + j];
    }
  }
}

template <typename T>
void svd_solve(const Problem<T>& P, T tol, T* coef, Info& info) {
  const int64_t m = system_rows(P), p = P.p, k = P.k;
  const Int lda = Int(std::max<int64_t>(1, m)), ldb = Int(std::max<int64_t>({1, m, p}));
  Scratch<T> A(size_t(lda) * p), B(size_t(ldb) * k), S(std::min(m, p));
  fill_system(P, A.get(), lda, B.get(), ldb);
  Int rank = 0, lapack_info = 0, iwork_query = 0;
  T work_query = 0;
  lapack::gelsd(Int(m), Int(p), Int(k), A.get(), lda, B.get(), ldb, S.get(), tol, &rank, &work_query, -1,
                &iwork_query, &lapack_info);
  const Int lwork = std::max<Int>(1, Int(work_query));
  Scratch<T> work(lwork);
  std::vector<Int> iwork(std::max<Int>(1, iwork_query));
  lapack::gelsd(Int(m), Int(p), Int(k), A.get(), lda, B.get(), ldb, S.get(), tol, &rank, work.get(), lwork,
                iwork.data(), &lapack_info);
  info.path = kSVD;
  if (lapack_info != 0) {
    // The SVD did not converge: say so with NaNs rather than a partial answer.
    std::fill(coef, coef + p * k, std::numeric_limits<T>::quiet_NaN());
    info.rank = -1;
    return;
  }
  copy_coef(B.get(), ldb, p, k, coef);
  info.rank = float(rank);
  const int64_t ns = std::min(m, p);
  info.rcond = S.get()[0] > 0 ? float(S.get()[ns - 1] / S.get()[0]) : 0.f;
}

// Householder QR one block of rows at a time (LAPACK tpqrt: [R; X_block] ->
// R, the same R as geqrf of the whole system) with Q'y carried along
// (tpmqrt). No n x p copy of X: each block is transposed in cache, and the
// reflectors of a block are dropped once applied. Returns false (leaving coef
// alone) when R is numerically singular.
template <typename T>
bool qr_solve(const Problem<T>& P, T tol, T* coef, Info& info) {
  const int64_t m = system_rows(P), p = P.p, k = P.k;
  if (m < p) {
    return false; // fewer equations than unknowns: rank < p
  }
  // Reflector block size and rows per block (about 2 MiB, never fewer rows
  // than columns): the best of those timed (docs/PERFORMANCE.md, design measurements).
  const int64_t nb = std::min<int64_t>(p, 16);
  const int64_t rows = std::min<int64_t>(m, std::max<int64_t>(p, int64_t(2 << 20) / int64_t(sizeof(T) * p)));
  Scratch<T> R(size_t(p) * p), Z(size_t(p) * k), A(size_t(rows) * p), B(size_t(rows) * k), Tb(size_t(nb) * p),
      work(size_t(nb) * std::max(p, k));
  std::fill(R.get(), R.get() + p * p, T(0));
  std::fill(Z.get(), Z.get() + p * k, T(0));
  Int lapack_info = 0;
  for (int64_t r0 = 0; r0 < m; r0 += rows) {
    const int64_t mb = std::min(rows, m - r0);
    fill_rows(P, r0, r0 + mb, A.get(), mb, B.get(), mb);
    lapack::tpqrt(Int(mb), Int(p), Int(nb), R.get(), Int(p), A.get(), Int(mb), Tb.get(), Int(nb), work.get(),
                  &lapack_info);
    lapack::tpmqrt_lt(Int(mb), Int(k), Int(p), Int(nb), A.get(), Int(mb), Tb.get(), Int(nb), Z.get(), Int(p),
                      B.get(), Int(mb), work.get(), &lapack_info);
  }
  // R's 1-norm reciprocal condition estimate decides whether QR's answer is
  // trustworthy; a rank-deficient X gives a (numerically) singular R.
  for (int64_t j = 0; j < p; ++j) {
    const T d = R.get()[j * p + j];
    if (!std::isfinite(d) || d == T(0)) {
      info.rcond = 0;
      return false;
    }
  }
  T rc = 0;
  std::vector<Int> iwork(p);
  Scratch<T> cwork(3 * p);
  lapack::trcon_1u(Int(p), R.get(), Int(p), &rc, cwork.get(), iwork.data(), &lapack_info);
  info.rcond = float(rc);
  if (!(rc > tol)) {
    return false;
  }
  lapack::trtrs_un(Int(p), Int(k), R.get(), Int(p), Z.get(), Int(p), &lapack_info);
  if (lapack_info != 0) {
    return false;
  }
  copy_coef(Z.get(), p, p, k, coef);
  info.path = kQR;
  info.rank = float(p);
  return true;
}

// Solves (G + ridge I) coef = C; false when potrf fails or rcond < chol_tol.
template <typename T>
bool cholesky_solve(const Mat<T>& G, const Mat<T>& C, int64_t p, int64_t k, double ridge, T chol_tol, T* coef,
                    Info& info) {
  Scratch<T> M(size_t(p) * p), B(size_t(p) * k), work(3 * p);
  T* m = M.get();
  // G is symmetric, so its row-major and column-major copies coincide.
  for (int64_t i = 0; i < p; ++i) {
    for (int64_t j = 0; j < p; ++j) {
      m[j * p + i] = G(i, j);
    }
    m[i * p + i] += T(ridge);
  }
  T anorm = 0;
  for (int64_t j = 0; j < p; ++j) {
    T s = 0;
    for (int64_t i = 0; i < p; ++i) {
      s += std::abs(m[j * p + i]);
    }
    anorm = std::max(anorm, s);
  }
  Int lapack_info = 0;
  lapack::potrf_u(Int(p), m, Int(p), &lapack_info);
  if (lapack_info != 0 || !std::isfinite(anorm)) {
    info.chol_rcond = 0;
    return false;
  }
  T rc = 0;
  std::vector<Int> iwork(p);
  lapack::pocon_u(Int(p), m, Int(p), anorm, &rc, work.get(), iwork.data(), &lapack_info);
  info.chol_rcond = float(rc);
  if (lapack_info != 0 || !(rc >= chol_tol)) {
    return false;
  }
  T* b = B.get();
  for (int64_t c = 0; c < k; ++c) {
    for (int64_t j = 0; j < p; ++j) {
      b[c * p + j] = C(j, c);
    }
  }
  lapack::potrs_u(Int(p), Int(k), m, Int(p), b, Int(p), &lapack_info);
  if (lapack_info != 0) {
    return false;
  }
  copy_coef(b, p, p, k, coef);
  info.path = kCholesky;
  info.rank = float(p);
  info.rcond = float(rc);
  return true;
}

// Inputs: X, Y[, w][, G, C[, xbar, ybar]] (the bracketed G... only on the
// Cholesky path, where they come from gram).
struct Args {
  mx::array X, Y;
  std::optional<mx::array> w, G, C, xbar, ybar;
};

Args unpack(const std::vector<mx::array>& in, int method, bool has_w, bool center) {
  size_t i = 2;
  Args a{in[0], in[1], {}, {}, {}, {}, {}};
  if (has_w) {
    a.w = in[i++];
  }
  if (method == kCholesky) {
    a.G = in[i++];
    a.C = in[i++];
    if (center) {
      a.xbar = in[i++];
      a.ybar = in[i++];
    }
  }
  return a;
}

template <typename T>
void weighted_means(Problem<T>& P, const T* w, int64_t ws) {
  std::vector<double> sx(P.p, 0.0), sy(P.k, 0.0);
  double sw = 0.0;
  for (int64_t i = 0; i < P.n; ++i) {
    const double wi = w ? double(w[i * ws]) : 1.0;
    sw += wi;
    for (int64_t j = 0; j < P.p; ++j) {
      sx[j] += wi * double(P.X(i, j));
    }
    for (int64_t c = 0; c < P.k; ++c) {
      sy[c] += wi * double(P.Y(i, c));
    }
  }
  P.xbar.resize(P.p);
  P.ybar.resize(P.k);
  for (int64_t j = 0; j < P.p; ++j) {
    P.xbar[j] = T(sx[j] / sw);
  }
  for (int64_t c = 0; c < P.k; ++c) {
    P.ybar[c] = T(sy[c] / sw);
  }
}

// Default rank tolerance: numpy.linalg.lstsq's eps * max(n, p).
template <typename T>
T rank_tol(double rcond, int64_t n, int64_t p) {
  if (rcond > 0) {
    return T(rcond);
  }
  return std::numeric_limits<T>::epsilon() * T(std::max<int64_t>({n, p, 1}));
}

template <typename T>
T cholesky_tol() {
  // eps^(2/3): the normal equations would lose more than two thirds of the
  // digits below this (3.7e-11 in float64, 2.4e-5 in float32).
  return std::pow(std::numeric_limits<T>::epsilon(), T(2) / T(3));
}

template <typename T>
void lstsq_cpu(const Args& a, int method, bool center, double ridge, double rcond, std::vector<mx::array>& out) {
  Problem<T> P;
  P.X = view<T>(a.X);
  P.Y = view<T>(a.Y);
  P.n = a.X.shape(0);
  P.p = a.X.shape(1);
  P.k = a.Y.shape(1);
  P.ridge = ridge;
  T* coef = out[0].data<T>();
  T* icpt = out[1].data<T>();
  float* info_out = out[2].data<float>();
  Info info;
  const int64_t p = P.p, k = P.k;
  const T* w = a.w ? a.w->data<T>() : nullptr;
  const int64_t ws = a.w ? a.w->strides()[0] : 0;
  if (w) {
    P.sw.resize(P.n);
    for (int64_t i = 0; i < P.n; ++i) {
      P.sw[i] = std::sqrt(w[i * ws]);
    }
  }
  if (center) {
    // (gram skips its means when p == 0, so they are recomputed here then.)
    if (a.xbar && p > 0) {
      const T* xb = a.xbar->data<T>();
      const T* yb = a.ybar->data<T>();
      P.xbar.resize(p);
      P.ybar.resize(k);
      for (int64_t j = 0; j < p; ++j) {
        P.xbar[j] = xb[j * a.xbar->strides()[0]];
      }
      for (int64_t c = 0; c < k; ++c) {
        P.ybar[c] = yb[c * a.ybar->strides()[0]];
      }
    } else {
      weighted_means<T>(P, w, ws);
    }
  }
  const T tol = rank_tol<T>(rcond, P.n, p);
  // The factorizations are LAPACK's: OpenBLAS's threads for the cores free now (blas.h, Threads).
  blas::ThreadScope threads(2.0 * double(P.n) * double(p) * double(p + k));
  if (p == 0 || k == 0 || system_rows(P) == 0) {
    // Nothing to fit (or no equations): the minimum-norm solution is zero.
    std::fill(coef, coef + p * k, T(0));
    info.path = float(method == kSVD ? kSVD : kQR);
    info.rank = 0;
    info.rcond = 0;
  } else {
    bool done = false;
    if (method == kCholesky) {
      done = cholesky_solve<T>(view<T>(*a.G), view<T>(*a.C), p, k, ridge, cholesky_tol<T>(), coef, info);
    }
    if (!done && method != kSVD) {
      done = qr_solve<T>(P, tol, coef, info);
    }
    if (!done) {
      svd_solve<T>(P, tol, coef, info);
    }
  }
  for (int64_t c = 0; c < k; ++c) {
    double b = 0.0;
    if (center) {
      b = double(P.ybar[c]);
      for (int64_t j = 0; j < p; ++j) {
        b -= double(P.xbar[j]) * double(coef[j * k + c]);
      }
    }
    icpt[c] = T(b);
  }
  info_out[0] = info.path;
  info_out[1] = info.rank;
  info_out[2] = info.rcond;
  info_out[3] = info.chol_rcond;
}

// ---------------------------------------------------------------------------
// Plain-MLX reference (mx.linalg on the CPU stream).
// ---------------------------------------------------------------------------
std::vector<mx::array> fallback_impl(
    const std::vector<mx::array>& in,
    int method,
    bool has_w,
    bool center,
    double ridge,
    double rcond,
    mx::Stream s) {
  auto a = unpack(in, method, has_w, center);
  const int n = a.X.shape(0), p = a.X.shape(1), k = a.Y.shape(1);
  const auto dtype = a.X.dtype();
  std::optional<mx::array> coef, xbar = a.xbar, ybar = a.ybar;
  if (method == kCholesky) {
    auto M = mx::add(*a.G, mx::multiply(mx::array(ridge, dtype), mx::eye(p, dtype, s), s), s);
    coef = mx::linalg::solve(M, *a.C, s);
  } else {
    auto A = a.X, B = a.Y;
    if (center) {
      auto wmean = [&](const mx::array& v) {
        if (!a.w) {
          return mx::mean(v, 0, false, s);
        }
        auto wv = mx::multiply(v, mx::expand_dims(*a.w, 1, s), s);
        return mx::divide(mx::sum(wv, 0, false, s), mx::sum(*a.w, s), s);
      };
      xbar = wmean(A);
      ybar = wmean(B);
      A = mx::subtract(A, *xbar, s);
      B = mx::subtract(B, *ybar, s);
    }
    if (a.w) {
      auto sw = mx::expand_dims(mx::sqrt(*a.w, s), 1, s);
      A = mx::multiply(A, sw, s);
      B = mx::multiply(B, sw, s);
    }
    if (ridge > 0) {
      A = mx::concatenate({A, mx::multiply(mx::array(std::sqrt(ridge), dtype), mx::eye(p, dtype, s), s)}, 0, s);
      B = mx::concatenate({B, mx::zeros({p, k}, dtype, s)}, 0, s);
    }
    auto [Q, R] = mx::linalg::qr(A, s);
    auto QtB = mx::matmul(mx::transpose(Q, s), B, s);
    if (method == kQR) {
      coef = mx::linalg::solve_triangular(R, QtB, true, s);
    } else {
      // SVD of the small R: A = Q U S V' and singular values below
      // tol * s_max are dropped (the minimum-norm solution).
      auto usv = mx::linalg::svd(R, true, s);
      const int r = usv[1].shape(0);
      const double tol = rcond > 0 ? rcond
                                   : (dtype == mx::float64 ? std::numeric_limits<double>::epsilon()
                                                           : double(std::numeric_limits<float>::epsilon())) *
              std::max({n, p, 1});
      auto S = usv[1];
      auto keep = mx::greater(S, mx::multiply(mx::array(tol, dtype), mx::max(S, s), s), s);
      auto sinv = mx::where(keep, mx::divide(mx::array(1.0, dtype), S, s), mx::zeros_like(S, s), s);
      auto V = mx::transpose(mx::slice(usv[2], {0, 0}, {r, p}, s), s);
      auto UtB = mx::matmul(mx::transpose(usv[0], s), QtB, s);
      coef = mx::matmul(V, mx::multiply(mx::expand_dims(sinv, 1, s), UtB, s), s);
    }
  }
  mx::array icpt = mx::zeros({k}, dtype, s);
  if (center) {
    icpt = mx::subtract(*ybar, mx::reshape(mx::matmul(mx::reshape(*xbar, {1, p}, s), *coef, s), {k}, s), s);
  }
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto info = mx::array({float(method), float(p), nan, nan}, {4}, mx::float32);
  return {*coef, icpt, info};
}

int parse_method(const std::string& method, int64_t n, int64_t p, double ridge) {
  if (method == "qr") {
    return kQR;
  }
  if (method == "cholesky") {
    return kCholesky;
  }
  if (method == "svd") {
    return kSVD;
  }
  if (method == "auto") {
    // Underdetermined without a penalty: only the minimum-norm solution makes
    // sense. Otherwise the Gram route, which falls back to QR by itself.
    return (n < p && ridge == 0) ? kSVD : kCholesky;
  }
  detail::fail(kOp, "method must be one of 'auto', 'qr', 'cholesky', 'svd', got '" + method + "'");
}

// The factorizations run on the CPU whatever device the caller uses.
mx::Stream cpu_stream(const mx::Stream& s) {
  return s.device == mx::Device::cpu ? s : mx::default_stream(mx::Device::cpu);
}

struct Prepared {
  std::vector<mx::array> in;
  int method;
  bool one_d;
  mx::Stream stream;
};

Prepared prepare(
    const mx::array& X,
    const mx::array& y,
    const std::optional<mx::array>& weights,
    const std::string& method,
    bool fit_intercept,
    double ridge,
    std::optional<double> rcond,
    mx::StreamOrDevice s,
    bool use_fallback_gram) {
  auto user_stream = mx::to_stream(s);
  auto stream = cpu_stream(user_stream);
  if (X.ndim() != 2) {
    detail::fail(kOp, "X must be 2-D (n, p), got shape " + detail::shape_str(X.shape()));
  }
  const int n = X.shape(0), p = X.shape(1);
  if (y.ndim() != 1 && y.ndim() != 2) {
    detail::fail(kOp, "y must be 1-D (n,) or 2-D (n, k), got shape " + detail::shape_str(y.shape()));
  }
  if (y.shape(0) != n) {
    detail::fail(kOp, "y has " + std::to_string(y.shape(0)) + " rows but X has " + std::to_string(n));
  }
  if (weights && (weights->ndim() != 1 || weights->shape(0) != n)) {
    detail::fail(kOp, "weights must have shape (" + std::to_string(n) + ",) to match X, got " +
                          detail::shape_str(weights->shape()));
  }
  if (!std::isfinite(ridge) || ridge < 0) {
    detail::fail(kOp, "ridge must be a finite number >= 0, got " + std::to_string(ridge));
  }
  if (rcond && (!std::isfinite(*rcond) || *rcond < 0 || *rcond >= 1)) {
    detail::fail(kOp, "rcond must be in [0, 1), got " + std::to_string(*rcond));
  }
  if (fit_intercept && n == 0) {
    detail::fail(kOp, "fit_intercept=True needs at least one row in X");
  }
  const int m = parse_method(method, n, p, ridge);
  std::vector<mx::array> in = {X, y};
  if (weights) {
    in.push_back(*weights);
  }
  auto dtype = detail::promote_floating(in, kOp, {"X", "y", "weights"});
  // LAPACK has float32 and float64 only.
  if (dtype != mx::float64) {
    dtype = mx::float32;
  }
  for (auto& a : in) {
    a = mx::astype(a, dtype, stream);
  }
  const bool one_d = y.ndim() == 1;
  if (one_d) {
    in[1] = mx::reshape(in[1], {n, 1}, stream);
  }
  if (m == kCholesky) {
    std::optional<mx::array> w;
    if (weights) {
      w = in[2];
    }
    // The Gram products may run on the caller's device; only the
    // factorization is pinned to the CPU.
    auto g = use_fallback_gram ? gram_fallback(in[0], in[1], w, fit_intercept, stream)
                               : gram(in[0], in[1], w, fit_intercept, user_stream);
    for (auto& a : g) {
      in.push_back(mx::astype(a, dtype, stream));
    }
  }
  return {std::move(in), m, one_d, stream};
}

std::vector<mx::array> finish(std::vector<mx::array> outs, bool one_d, int p, mx::Stream s) {
  if (one_d) {
    outs[0] = mx::reshape(outs[0], {p}, s);
    outs[1] = mx::reshape(outs[1], {}, s);
  }
  return outs;
}

} // namespace

std::vector<mx::array> lstsq(
    const mx::array& X,
    const mx::array& y,
    const std::optional<mx::array>& weights,
    const std::string& method,
    bool fit_intercept,
    double ridge,
    std::optional<double> rcond,
    mx::StreamOrDevice s) {
  auto pr = prepare(X, y, weights, method, fit_intercept, ridge, rcond, s, false);
  const int p = X.shape(1), k = pr.in[1].shape(1);
  const bool has_w = weights.has_value();
  const double rc = rcond.value_or(-1.0);
  const int m = pr.method;
  auto stream = pr.stream;
  auto fallback = [m, has_w, fit_intercept, ridge, rc, stream](const std::vector<mx::array>& a) {
    return fallback_impl(a, m, has_w, fit_intercept, ridge, rc, stream);
  };
  if (!backend_has_kernel(kOp, stream)) {
    return finish(fallback(pr.in), pr.one_d, p, stream);
  }
  const auto dtype = pr.in[0].dtype();
  auto outs = mx::array::make_arrays(
      {{p, k}, {k}, {4}}, {dtype, dtype, mx::float32},
      std::make_shared<Lstsq>(stream, fallback, m, has_w, fit_intercept, ridge, rc), pr.in);
  return finish(std::move(outs), pr.one_d, p, stream);
}

std::vector<mx::array> lstsq_fallback(
    const mx::array& X,
    const mx::array& y,
    const std::optional<mx::array>& weights,
    const std::string& method,
    bool fit_intercept,
    double ridge,
    std::optional<double> rcond,
    mx::StreamOrDevice s) {
  auto pr = prepare(X, y, weights, method, fit_intercept, ridge, rcond, s, true);
  const int p = X.shape(1);
  auto outs = fallback_impl(pr.in, pr.method, weights.has_value(), fit_intercept, ridge, rcond.value_or(-1.0),
                            pr.stream);
  return finish(std::move(outs), pr.one_d, p, pr.stream);
}

void Lstsq::eval_cpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) {
  dispatch_cpu(stream(), inputs, outputs,
               [method = method_, has_w = has_w_, center = center_, ridge = ridge_, rcond = rcond_](
                   std::vector<mx::array>& in, std::vector<mx::array>& out) {
    auto args = unpack(in, method, has_w, center);
    if (in[0].dtype() == mx::float64) {
      lstsq_cpu<double>(args, method, center, ridge, rcond, out);
    } else {
      lstsq_cpu<float>(args, method, center, ridge, rcond, out);
    }
  });
}

void Lstsq::eval_gpu(const std::vector<mx::array>&, std::vector<mx::array>&) {
  throw std::runtime_error("[glmlx.lstsq] runs on the CPU stream only");
}

std::vector<mx::array> Lstsq::vjp(
    const std::vector<mx::array>&,
    const std::vector<mx::array>&,
    const std::vector<int>&,
    const std::vector<mx::array>&) {
  // The reference is built on mx.linalg, which MLX does not differentiate.
  throw std::invalid_argument("[glmlx.lstsq] is not differentiable (use glmlx.fit_gd for gradient-based fits)");
}

std::vector<mx::array> Lstsq::jvp(
    const std::vector<mx::array>&,
    const std::vector<mx::array>&,
    const std::vector<int>&) {
  throw std::invalid_argument("[glmlx.lstsq] is not differentiable (use glmlx.fit_gd for gradient-based fits)");
}

std::pair<std::vector<mx::array>, std::vector<int>> Lstsq::vmap(
    const std::vector<mx::array>& inputs,
    const std::vector<int>& axes) {
  int batch = -1;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (axes[i] >= 0) {
      batch = inputs[i].shape(axes[i]);
      break;
    }
  }
  if (batch < 0) {
    throw std::invalid_argument("[glmlx.lstsq] vmap called with no mapped input");
  }
  const auto s = stream();
  // Per-element dimension d of input i (its mapped axis removed).
  auto dim = [&](int i, int d) { return inputs[i].shape(axes[i] >= 0 && axes[i] <= d ? d + 1 : d); };
  const int p = dim(0, 1), k = dim(1, 1);
  const auto dtype = inputs[0].dtype();
  std::vector<std::vector<mx::array>> per_output(3);
  for (int b = 0; b < batch; ++b) {
    std::vector<mx::array> in;
    in.reserve(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
      in.push_back(axes[i] >= 0 ? mx::take(inputs[i], b, axes[i], s) : inputs[i]);
    }
    auto outs = mx::array::make_arrays(
        {{p, k}, {k}, {4}}, {dtype, dtype, mx::float32},
        std::make_shared<Lstsq>(s, fallback_, method_, has_w_, center_, ridge_, rcond_), in);
    for (int o = 0; o < 3; ++o) {
      per_output[o].push_back(outs[o]);
    }
  }
  if (batch == 0) {
    return {{mx::zeros({0, p, k}, dtype, s), mx::zeros({0, k}, dtype, s), mx::zeros({0, 4}, mx::float32, s)},
            {0, 0, 0}};
  }
  std::vector<mx::array> out;
  for (auto& v : per_output) {
    out.push_back(mx::stack(v, 0, s));
  }
  return {out, {0, 0, 0}};
}

bool Lstsq::is_equivalent(const mx::Primitive& other) const {
  const auto& o = static_cast<const Lstsq&>(other);
  return method_ == o.method_ && has_w_ == o.has_w_ && center_ == o.center_ && ridge_ == o.ridge_ &&
      rcond_ == o.rcond_;
}

} // namespace glmlx
