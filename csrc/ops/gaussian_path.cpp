// The gaussian path ops (gaussian_cov_path, gaussian_lazy_path,
// gaussian_sparse_path, gaussian_residual_path): argument checks, the primitive's inputs in their
// named order (path::PathArrays), and its evaluation, which hands B problems
// to the solvers (solver/gaussian_cov.cpp, solver/gaussian_naive.cpp).
// gaussian_cov_path runs on a GPU stream the caller names where the backend
// has its kernel (float32, glmnet's covariance scheme); the other modes, and
// every mode without a kernel, on the CPU (an optimizer's iterates have no
// MLX-op fallback).
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "mlx/ops.h"

#include "glmlx/ops.h"
#include "ops/primitives.h"
#include "ops/util.h"
#include "path/gaussian_path.h"

namespace glmlx {

namespace {

// The stream the path runs on: a GPU stream the caller names, where its backend
// has the kernel for this mode (glmnet's covariance scheme over a full float32
// Gram: backend/common/gaussian_cd.h); else the CPU's, as with no stream given.
mx::Stream path_stream(mx::StreamOrDevice s, const GaussianPathSettings& st, mx::Dtype dtype, int p) {
  const auto cpu = mx::default_stream(mx::Device::cpu);
  if (std::holds_alternative<std::monostate>(s)) {
    return cpu;
  }
  const auto stream = mx::to_stream(s);
  if (stream.device == mx::Device::cpu) {
    return stream;
  }
  const bool full_cov = !st.lazy && !st.sparse && !st.residual && !st.strong;
  const bool fits = int64_t(p) * p < (int64_t(1) << 31);  // the kernel indexes a Gram in int
  return full_cov && fits && dtype == mx::float32 && backend_has_kernel("gaussian_cov_path", stream) ? stream : cpu;
}

std::vector<mx::array> build(
    const char* op,
    std::vector<mx::array> common,
    std::vector<mx::array> source,
    const GaussianPathSettings& settings,
    size_t index_sources = 0,  // sparse X: indptr (int64), indices (int32) come first
    mx::StreamOrDevice s = {},
    size_t f64_tail = 0) {  // the last f64_tail sources are float64 on the CPU
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
  auto dtype = source[index_sources].dtype();
  if (dtype != mx::float32 && dtype != mx::float64) {
    const char* source_name = settings.sparse ? "data" : settings.residual ? "Xt" : settings.lazy ? "X" : "C";
    detail::fail(op, std::string(source_name) + " must be float32 or float64, got " + detail::dtype_str(dtype));
  }
  const int L = lam.shape(1);
  const auto stream = path_stream(s, settings, dtype, p);
  std::vector<mx::array> in;
  for (size_t i = 0; i < common.size(); ++i) {
    const bool is_int = i == 3 || i == 8;
    in.push_back(mx::contiguous(mx::astype(common[i], is_int ? mx::int32 : dtype, stream), false, stream));
  }
  for (size_t i = 0; i < source.size(); ++i) {
    mx::Dtype t = i < index_sources ? (i == 0 ? mx::int64 : mx::int32) : dtype;
    if (i >= source.size() - f64_tail && stream.device == mx::Device::cpu) {
      t = mx::float64;  // settings-like values (per-problem alphas) stay as exact as the settings' doubles
    }
    in.push_back(mx::contiguous(mx::astype(source[i], t, stream), false, stream));
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
    mx::StreamOrDevice s,
    const std::optional<mx::array>& alpha) {
  constexpr const char* op = "gaussian_cov_path";
  const int B = g.ndim() == 2 ? g.shape(0) : 0, p = g.ndim() == 2 ? g.shape(1) : 0;
  if (C.ndim() != 3 || C.shape(0) < 1 || B % C.shape(0) != 0 || C.shape(1) != p || C.shape(2) != p) {
    detail::fail(op, "C must be (G, p, p) with G dividing B = " + std::to_string(B) + " and p = " +
                         std::to_string(p) + ", got " + detail::shape_str(C.shape()));
  }
  if (alpha && alpha->shape() != mx::Shape{B}) {
    detail::fail(op, "alpha must have shape " + detail::shape_str({B}) + ", got " + detail::shape_str(alpha->shape()));
  }
  settings.lazy = false;  // strong (the rule-based candidate set) is the caller's choice
  settings.sparse = false;
  settings.residual = false;
  std::vector<mx::array> source = {C};
  if (alpha) {
    source.push_back(*alpha);
  }
  return build(op, {g, beta, rsq, rank, lambdas, penalty, limits, include, warm, xv, lambda_prev}, source, settings,
               0, s, alpha ? 1 : 0);
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
  settings.sparse = false;
  settings.residual = false;
  return build(op, {g, beta, rsq, rank, lambdas, penalty, limits, include, warm, xv, lambda_prev},
               {X, weights, xm, xs}, settings);
}

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
    mx::StreamOrDevice) {
  constexpr const char* op = "gaussian_sparse_path";
  const int B = g.ndim() == 2 ? g.shape(0) : 0, p = g.ndim() == 2 ? g.shape(1) : 0;
  if (indptr.ndim() != 1 || indptr.shape(0) != p + 1 || !mx::issubdtype(indptr.dtype(), mx::integer)) {
    detail::fail(op, "indptr must be an integer array of p + 1 = " + std::to_string(p + 1) + " offsets, got " +
                         detail::shape_str(indptr.shape()) + " " + detail::dtype_str(indptr.dtype()));
  }
  if (indices.ndim() != 1 || data.ndim() != 1 || indices.shape(0) != data.shape(0) ||
      !mx::issubdtype(indices.dtype(), mx::integer)) {
    detail::fail(op, "indices (integer) and data must be 1-D of the same length, got " +
                         detail::shape_str(indices.shape()) + " and " + detail::shape_str(data.shape()));
  }
  if (weights.ndim() != 2 || weights.shape(0) != B || y.shape() != weights.shape()) {
    detail::fail(op, "y and weights must be (B, n) with B = " + std::to_string(B) + ", got " +
                         detail::shape_str(y.shape()) + " and " + detail::shape_str(weights.shape()));
  }
  if (xm.shape() != mx::Shape{B, p} || xs.shape() != mx::Shape{B, p}) {
    detail::fail(op, "xm and xs must have shape " + detail::shape_str({B, p}));
  }
  // indptr and indices are read as given: the caller (glmlx.glmnet, or an embedding) checks that they
  // describe an n x p CSC matrix (0 = indptr[0] <= ... <= indptr[p] = nnz, 0 <= indices < n).
  // settings.residual is the caller's choice here: residual updates, else Gram columns on demand
  settings.lazy = !settings.residual;
  settings.strong = true;
  settings.sparse = true;
  return build(op, {g, beta, rsq, rank, lambdas, penalty, limits, include, warm, xv, lambda_prev},
               {indptr, indices, data, y, weights, xm, xs}, settings, 2);
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
  settings.sparse = false;
  settings.residual = true;
  settings.strong = true;
  return build(op, {g, beta, rsq, rank, lambdas, penalty, limits, include, warm, xv, lambda_prev},
               {Xt, center, scale, y, weights, xm, xs}, settings);
}

void GaussianPath::eval_cpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) {
  const auto& st = settings_;
  const path::Settings s = path::settings_of(st);
  const bool residual = st.residual, lazy = st.lazy, sparse = st.sparse;
  dispatch_cpu(stream(), inputs, outputs, [s, residual, lazy, sparse](std::vector<mx::array>& in,
                                                                      std::vector<mx::array>& out) {
    const path::PathArrays a{in, out};
    const bool f64 = a.g().dtype() == mx::float64;
    if (residual && sparse) {
      f64 ? path::run_sparse_residual_batch<double>(a, s) : path::run_sparse_residual_batch<float>(a, s);
    } else if (residual) {
      f64 ? path::run_residual_batch<double>(a, s) : path::run_residual_batch<float>(a, s);
    } else {
      f64 ? path::run_gram_batch<double>(a, s, lazy, sparse) : path::run_gram_batch<float>(a, s, lazy, sparse);
    }
  });
}

// GaussianPath::eval_gpu: backend/<backend>/ (the covariance scheme over a full float32 Gram).

bool GaussianPath::is_equivalent(const mx::Primitive& other) const {
  const auto& a = settings_;
  const auto& b = static_cast<const GaussianPath&>(other).settings_;
  return a.alpha == b.alpha && a.thresh == b.thresh && a.sml == b.sml && a.rsqmax == b.rsqmax &&
      a.maxit == b.maxit && a.pmax == b.pmax && a.dfmax == b.dfmax && a.mnl == b.mnl &&
      a.m_offset == b.m_offset && a.early_stop == b.early_stop &&
      a.strong == b.strong && a.lazy == b.lazy && a.residual == b.residual && a.screen == b.screen &&
      a.sparse == b.sparse;
}

} // namespace glmlx
