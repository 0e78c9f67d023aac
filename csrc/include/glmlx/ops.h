// glmlx: regularized linear models as MLX primitives.
//
// Public C++ API. Every op validates its arguments, promotes dtypes and builds
// its output from a glmlx primitive; on a device without a dedicated kernel it
// returns the same computation built from plain MLX ops (its "fallback"), which
// is also the reference in tests and the rule for vjp/jvp/vmap.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mlx/array.h"
#include "mlx/utils.h"

#include "glmlx/glm.h"
#include "glmlx/mgaussian.h"

namespace glmlx {

namespace mx = mlx::core;

/**
 * Elementwise soft-thresholding with an optional denominator:
 *
 *     out = sign(x) * max(|x| - t, 0) / scale
 *
 * x, t and scale broadcast together (numpy rules). scale defaults to 1; in
 * coordinate descent it is the elastic-net denominator x_j'Wx_j + lambda(1-a).
 * Floating-point dtypes only (float16, bfloat16, float32, float64).
 */
mx::array soft_threshold(
    const mx::array& x,
    const mx::array& t,
    const std::optional<mx::array>& scale = std::nullopt,
    mx::StreamOrDevice s = {});

/**
 * Weighted Gram products in one pass over X (n x p):
 *
 *     outputs[0] = X'WX                  (p x p)
 *     outputs[1] = X'Wy                  (p x k, or p for 1-D y)   if y given
 *     then, with center = true, the weighted column means of X (p) and of y
 *     (k, or a scalar for 1-D y), and the products above use X - 1 xbar' and
 *     y - 1 ybar' without materializing a centered copy of X.
 *
 * W = diag(weights) (all ones when absent); means use weights / sum(weights).
 * float32 and float64.
 */
std::vector<mx::array> gram(
    const mx::array& X,
    const std::optional<mx::array>& y = std::nullopt,
    const std::optional<mx::array>& weights = std::nullopt,
    bool center = false,
    mx::StreamOrDevice s = {});

/** The plain-MLX reference for gram (same outputs, same order). */
std::vector<mx::array> gram_fallback(
    const mx::array& X,
    const std::optional<mx::array>& y,
    const std::optional<mx::array>& weights,
    bool center,
    mx::StreamOrDevice s = {});

/** The plain-MLX reference for soft_threshold. */
mx::array soft_threshold_fallback(
    const mx::array& x,
    const mx::array& t,
    const std::optional<mx::array>& scale = std::nullopt,
    mx::StreamOrDevice s = {});

/** Settings of one call of gaussian_cov_path (glmnet's names in comments). */
struct GaussianPathSettings {
  double alpha = 1.0;       // elastic-net mixing (glmnet's "beta"/parm)
  double thresh = 1e-7;     // thr: convergence on max_k C_kk dbeta_k^2
  double sml = 1e-5;        // fdev: stop when the R^2 gain ratio drops below
  double rsqmax = 0.999;    // devmax: stop when R^2 exceeds
  int maxit = 100000;       // total passes over the data
  int pmax = 1 << 30;       // nx: most variables ever active
  int dfmax = 1 << 30;      // ne: stop once more than this many are nonzero
  int mnl = 5;              // mnlam: no early stop before this many lambdas
  int m_offset = 0;         // index of this block's first lambda in the path
  bool early_stop = true;   // false for a user-given lambda sequence
  bool strong = false;      // glmnet's naive scheme: sequential strong rule + KKT checks
                            // (always on in gaussian_lazy_path)
  bool lazy = false;        // Gram columns computed from X (set by the op)
  bool residual = false;    // residual updates over X's columns (set by the op)
  bool sparse = false;      // lazy Gram columns from a CSC X (set by the op)
  int screen = -1;          // gaussian_residual_path: screen KKT passes in low precision (-1 when
                            // it pays, 0 never, 1 always, 2 always in float32; same decisions)
};

/**
 * Gaussian elastic-net path by coordinate descent for B independent problems
 * on glmnet's standardized scale (see solver/gaussian_cov.cpp), given the full
 * standardized Gram matrix.
 *
 * Inputs: C (1 or B, p, p) standardized Gram; g (B, p) gradient X'W(y - X beta)
 * at the warm start beta (B, p); rsq (B,) its R^2; rank (B, p) int entry order
 * of the active set (-1 never active); lambdas (B, L); penalty (B, p) factors;
 * limits (B, 2, p) lower/upper; include (B, p) 1/0; warm (B,) 1 if an
 * active-set fit happened before; xv (B, p) the diagonal C_kk; lambda_prev (B,)
 * the lambda before each problem's first in this block (sequential strong rule).
 * Outputs: beta path (B, L, p); R^2 (B, L + 1) (last column: carried state);
 * g (B, p); beta (B, p); rank (B, p); stats (B, 4) = npasses, lambdas fitted,
 * error (0 ok, 1 maxit, 2 pmax), warm.
 *
 * C may hold G Gram matrices for B = m G problems: problem b reads C[b mod G]
 * (CV folds repeated for several alphas share their folds' matrices). ``alpha``
 * (B,), optional: each problem's own elastic-net mixing (settings.alpha
 * otherwise), e.g. folds x alphas in one call.
 *
 * Evaluated on the CPU unless ``s`` names a GPU stream or device whose backend
 * has the kernel (Metal or CUDA builds; float32 C, settings.strong off: glmnet's
 * covariance scheme, one threadgroup per problem), which then runs it there.
 * Without ``s`` (or without a kernel) it runs on the CPU, in float32 or float64.
 */
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
    mx::StreamOrDevice s = {},
    const std::optional<mx::array>& alpha = std::nullopt);

/**
 * As gaussian_cov_path, for wide problems: never forms the p x p matrix.
 * Columns C[:, k] = X'W_b (x_k - xm_bk) / (xs_b xs_bk) are computed from the
 * raw X (n, p) in blocks as variables become candidates under glmnet's
 * sequential strong rule, with a KKT check after each convergence. weights
 * (B, n) normalized per problem (zero rows drop out: CV folds share X), xm
 * and xs (B, p) the column centers and scales.
 */
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
    mx::StreamOrDevice s = {});

/**
 * The gaussian path with X (n, p) sparse in CSC form, never densified:
 * column j's values data[indptr[j] .. indptr[j+1]) in rows indices[...]
 * (sorted, no duplicates, 0 <= indices < n = weights.shape(1); the caller
 * checks this). Centering and scaling are applied on the fly, as glmnet's
 * sparse routines do. With settings.residual, glmnet's naive scheme by
 * residual updates (each visit reads column k's entries; y (B, n) is each
 * problem's response on its standardized scale, as gaussian_residual_path's);
 * else Gram columns X'W_b (x_k - xm_bk) / (xs_b xs_bk) formed from the entries
 * on demand, as gaussian_lazy_path (y unused). indptr is read as int64,
 * indices as int32.
 */
std::vector<mx::array> gaussian_sparse_path(
    const mx::array& indptr,
    const mx::array& indices,
    const mx::array& data,
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
    mx::StreamOrDevice s = {});

/**
 * As gaussian_lazy_path, by glmnet's own method: residual updates (x_k'W r
 * per coordinate visit, r -= dbeta_k x_k) over the columns of X stored
 * contiguously, and one pass of X'W r per KKT check. Never forms Gram columns.
 *
 * Xt (p, n): the columns of Z = (X - center) / scale, one per row (X's
 * transpose when center = 0 and scale = 1); center, scale (p,) say how it was
 * stored. Problem b standardizes column j as (x_j - xm_bj) / xs_bj with weights
 * weights[b] (normalized; zero rows drop out, so CV folds share Xt); y (B, n)
 * is each problem's response on its standardized scale. A float64 problem
 * screens its KKT passes with a float16 (x86-64 with F16C) or float32 copy of
 * Xt and a rigorous bound on the rounding, computing in float64 only the
 * gradients the bound leaves undecided: every decision is the float64 one.
 */
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
    mx::StreamOrDevice s = {});

/**
 * Least squares: coefficients W minimizing ||W^(1/2) (y - a - X w)||^2 + ridge ||w||^2
 * (intercept a unpenalized, only with fit_intercept). method: "qr", "cholesky",
 * "svd" or "auto". Outputs: coefficients (p, k) (p for 1-D y), intercept (k)
 * (scalar for 1-D y), info (4) float32 diagnostics. Factorizations run on the CPU.
 */
std::vector<mx::array> lstsq(
    const mx::array& X,
    const mx::array& y,
    const std::optional<mx::array>& weights = std::nullopt,
    const std::string& method = "auto",
    bool fit_intercept = false,
    double ridge = 0.0,
    std::optional<double> rcond = std::nullopt,
    mx::StreamOrDevice s = {});

/** The plain-MLX reference for lstsq (same outputs). */
std::vector<mx::array> lstsq_fallback(
    const mx::array& X,
    const mx::array& y,
    const std::optional<mx::array>& weights = std::nullopt,
    const std::string& method = "auto",
    bool fit_intercept = false,
    double ridge = 0.0,
    std::optional<double> rcond = std::nullopt,
    mx::StreamOrDevice s = {});

/** A strided host matrix (element strides): a buffer that is not an MLX array. */
struct HostMatrix {
  const void* data;
  int64_t rows, cols, s0, s1;  // strides in elements
  bool f32 = false;            // float elements (the GLM and mgaussian paths read either; gram_host reads T)
};

/**
 * gram's CPU kernel on host buffers (e.g. numpy arrays, without copying them
 * into MLX): G (p x p), XtY (p x k) when y, xbar (p) and ybar (k) when center.
 * T is float or double; y and w have X's type (w a column, stride s0). With
 * ``rows`` (nrows indices), only those rows of X, y and w are used, without
 * copying them (CV's held-out blocks).
 */
template <typename T>
void gram_host(const HostMatrix& X, const HostMatrix* y, const HostMatrix* w, bool center, T* G, T* XtY, T* xbar,
               T* ybar, const int64_t* rows = nullptr, int64_t nrows = 0);

/**
 * gaussian_residual_path's copy of X on a host buffer (n x p, any strides), in
 * one pass: returns Xt (p, n), Xt[j] = X[:, j] - xbar_j, and fills the
 * weighted column means xbar, the centered variances var_j = sum_i w_i (x_ij -
 * xbar_j)^2 and xty_j = sum_i w_i (x_ij - xbar_j) y_i (p each; w sums to one).
 * T is float or double; w and y are length-n arrays of T in the copy's row
 * order. With ``rows`` (n indices), row i of the copy is row rows[i] of X (CV
 * folds get their held-out rows contiguous).
 */
template <typename T>
mx::array column_major_host(const HostMatrix& X, const T* w, const T* y, T* xbar, T* var, T* xty,
                            const int64_t* rows = nullptr);

/**
 * Weighted moments of the columns of Xt (p, n) for B weight vectors W (B x n)
 * and responses Y (B x n), each (B x p): s1 = sum_i W_bi Xt_ji, s2 = sum_i
 * W_bi Xt_ji^2, sy = sum_i W_bi Xt_ji Y_bi (CV folds' statistics from one
 * shared copy).
 */
template <typename T>
void column_moments_host(const mx::array& Xt, const T* W, const T* Y, int64_t B, T* s1, T* s2, T* sy);

/** Name of the GPU backend this build was compiled with ("none", "metal", "cuda"). */
const char* gpu_backend();

} // namespace glmlx
