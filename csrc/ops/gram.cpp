// gram: X'WX (and X'Wy), optionally on weighted-mean-centered X and y, in one
// blocked pass over the rows of X through BLAS syrk/gemm.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "mlx/allocator.h"
#include "mlx/backend/cpu/encoder.h"
#include "mlx/ops.h"

#include "cpu/blas.h"
#include "glmlx/ops.h"
#include "ops/primitives.h"
#include "ops/util.h"

namespace glmlx {

namespace {

constexpr const char* kOp = "gram";

struct GramArgs {
  mx::array X;
  std::optional<mx::array> y;
  std::optional<mx::array> w;
};

GramArgs unpack(const std::vector<mx::array>& in, bool has_y, bool has_w) {
  size_t i = 1;
  GramArgs a{in[0], std::nullopt, std::nullopt};
  if (has_y) {
    a.y = in[i++];
  }
  if (has_w) {
    a.w = in[i++];
  }
  return a;
}

std::vector<mx::array> fallback_impl(
    const std::vector<mx::array>& in,
    bool has_y,
    bool has_w,
    bool center,
    mx::Stream s) {
  auto [X, y, w] = unpack(in, has_y, has_w);
  std::optional<mx::array> wcol, sw;
  if (w) {
    wcol = mx::expand_dims(*w, 1, s);
    sw = mx::sum(*w, s);
  }
  auto wmean = [&](const mx::array& a) {
    if (!w) {
      return mx::mean(a, 0, false, s);
    }
    auto wa = a.ndim() == 2 ? mx::multiply(a, *wcol, s) : mx::multiply(a, *w, s);
    return mx::divide(mx::sum(wa, 0, false, s), *sw, s);
  };
  std::vector<mx::array> outs;
  std::optional<mx::array> xbar, ybar;
  mx::array Xc = X;
  if (center) {
    xbar = wmean(X);
    Xc = mx::subtract(X, *xbar, s);
  }
  auto Xw = w ? mx::multiply(Xc, *wcol, s) : Xc;
  auto XwT = mx::transpose(Xw, s);
  outs.push_back(mx::matmul(XwT, Xc, s));
  if (y) {
    mx::array yc = *y;
    if (center) {
      ybar = wmean(*y);
      yc = mx::subtract(*y, *ybar, s);
    }
    if (yc.ndim() == 1) {
      outs.push_back(mx::squeeze(mx::matmul(XwT, mx::expand_dims(yc, 1, s), s), 1, s));
    } else {
      outs.push_back(mx::matmul(XwT, yc, s));
    }
  }
  if (center) {
    outs.push_back(*xbar);
    if (y) {
      outs.push_back(*ybar);
    }
  }
  return outs;
}

// Strided element access (strides in elements, as MLX keeps them).
template <typename T>
struct Mat {
  const T* p;
  int64_t s0, s1;
  const int64_t* rows = nullptr;  // optional row selection (host entry point)
  T operator()(int64_t i, int64_t j) const {
    return p[(rows ? rows[i] : i) * s0 + j * s1];
  }
};

template <typename T>
Mat<T> view(const mx::array& a) {
  return {a.data<T>(), a.strides()[0], a.ndim() > 1 ? a.strides()[1] : 0, nullptr};
}

// Column means of X (and y), weighted when w is given; double accumulators.
template <typename T>
void weighted_means(
    const Mat<T>& X, const Mat<T>* Y, const T* w, int64_t ws, int64_t n, int64_t p, int64_t k,
    std::vector<T>& xbar, std::vector<T>& ybar) {
  const int64_t* rows = X.rows;
  std::vector<double> sx(p, 0.0), sy(k, 0.0);
  double sw = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double wi = w ? double(w[(rows ? rows[i] : i) * ws]) : 1.0;
    sw += wi;
    for (int64_t j = 0; j < p; ++j) {
      sx[j] += wi * double(X(i, j));
    }
    for (int64_t c = 0; c < k; ++c) {
      sy[c] += wi * double((*Y)(i, c));
    }
  }
  xbar.resize(p);
  ybar.resize(k);
  for (int64_t j = 0; j < p; ++j) {
    xbar[j] = T(sx[j] / sw);
  }
  for (int64_t c = 0; c < k; ++c) {
    ybar[c] = T(sy[c] / sw);
  }
}

template <typename T>
void symmetrize_upper(T* G, int64_t p) {
  for (int64_t i = 0; i < p; ++i) {
    for (int64_t j = i + 1; j < p; ++j) {
      G[j * p + i] = G[i * p + j];
    }
  }
}

// Rows per BLAS call: about 8 MiB of X per block, so the packed copy of the
// weighted/centered path stays bounded whatever n is.
int64_t block_rows(int64_t n, int64_t p, size_t itemsize) {
  int64_t b = int64_t(8 << 20) / std::max<int64_t>(1, p * int64_t(itemsize));
  return std::clamp<int64_t>(b, 256, std::max<int64_t>(n, 1));
}

// The inputs of the kernel as raw strided views, so the MLX primitive and the
// host entry point (numpy buffers, no copy into MLX) share one kernel.
template <typename T>
struct GramData {
  Mat<T> X;
  int64_t n, p;
  bool x_rows, x_cols;  // row- or column-contiguous
  std::optional<Mat<T>> Y;
  int64_t k;  // columns of y (0 without y)
  const T* w;
  int64_t ws;
};

template <typename T>
bool uniform_weights(const GramData<T>& d) {
  if (!d.w) {
    return true;
  }
  for (int64_t i = 1; i < d.n; ++i) {
    if (d.w[i * d.ws] != d.w[0]) {
      return false;
    }
  }
  return true;
}

// Weight of (selected) row i.
template <typename T>
T row_weight(const GramData<T>& d, int64_t i) {
  return d.w[(d.X.rows ? d.X.rows[i] : i) * d.ws];
}

// Partial sums of the row parts past the first (blas::over_parts): part 0
// writes the outputs themselves, part q > 0 its own buffers, added to part
// 0's in part order once all are done.
template <typename T>
struct PartSums {
  std::vector<std::vector<T>> bufs;  // per part q > 0: G (p p), XtY (p k), column sums (p)
  int64_t p, k;
  PartSums(int64_t parts, int64_t p, int64_t k) : bufs(size_t(std::max<int64_t>(parts - 1, 0))), p(p), k(k) {}
  T* G(int64_t q, T* G0) { return q == 0 ? G0 : slot(q); }
  T* XtY(int64_t q, T* XtY0) { return q == 0 ? XtY0 : slot(q) + p * p; }
  T* sums(int64_t q, T* sums0) { return q == 0 ? sums0 : slot(q) + p * p + p * k; }
  // Adds the parts' upper triangles of G, their XtY and (with_sums) column sums to part 0's.
  void add(T* G0, T* XtY0, T* sums0, bool with_sums) {
    for (auto& b : bufs) {
      for (int64_t i = 0; i < p; ++i) {
        for (int64_t j = i; j < p; ++j) {
          G0[i * p + j] += b[i * p + j];
        }
      }
      for (int64_t c = 0; c < (XtY0 ? p * k : 0); ++c) {
        XtY0[c] += b[p * p + c];
      }
      for (int64_t j = 0; j < (with_sums ? p : 0); ++j) {
        sums0[j] += b[p * p + p * k + j];
      }
    }
  }

 private:
  T* slot(int64_t q) {
    auto& b = bufs[size_t(q - 1)];
    b.resize(size_t(p * p + p * k + p));
    return b.data();
  }
};

// Row parts of an n x p product with k right-hand sides (blas::parts_for).
template <typename T>
int64_t row_parts(int64_t n, int64_t p, int64_t k) {
  return blas::parts_for(double(n) * double(p) * double(p + k), n, 256, double(p * p + p * k + p) * sizeof(T));
}

// Centered products from one uncentered BLAS pass: G - n xbar xbar' (times the
// common weight). Returns false when a column's mean dominates its spread so
// much (mean^2 > 1e4 variance) that the subtraction would lose digits.
template <typename T>
bool gram_centered_direct(const GramData<T>& d, T* G, T* XtY, std::vector<T>& xbar, std::vector<T>& ybar) {
  const int64_t n = d.n, p = d.p, k = d.k;
  const T s = d.w ? d.w[0] : T(1);
  const T* X = d.X.p;
  if (k > 0) {
    ybar.assign(k, T(0));
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t c = 0; c < k; ++c) {
        ybar[c] += (*d.Y)(i, c);
      }
    }
    for (int64_t c = 0; c < k; ++c) {
      ybar[c] /= T(n);
    }
  }
  // Per row part: X'X, X'(y - ybar) (centering y alone is exact: X' 1 ybar'
  // is the rank-one term) and the column sums / n.
  const int64_t parts = row_parts<T>(n, p, k);
  PartSums<T> partial(parts, p, k);
  blas::ThreadScope wide(parts == 1 ? double(n) * double(p) * double(p + k) : 0.0);  // too wide for partial sums
  xbar.assign(p, T(0));
  blas::over_parts(n, parts, [&](int64_t q, int64_t lo, int64_t hi) {
    const int64_t m = hi - lo;
    T* Gq = partial.G(q, G);
    T* xq = partial.sums(q, xbar.data());
    const T* Xq = d.x_rows ? X + lo * p : X + lo;
    std::vector<T> ones(m, T(1) / T(n));
    if (d.x_rows) {
      blas::syrk_t(p, m, T(1), Xq, p, T(0), Gq, p);
      blas::gemv(true, m, p, T(1), Xq, p, ones.data(), 1, T(0), xq, 1);
    } else {
      blas::syrk_n(p, m, T(1), Xq, n, T(0), Gq, p);
      blas::gemv(false, p, m, T(1), Xq, n, ones.data(), 1, T(0), xq, 1);
    }
    if (k > 0) {
      std::vector<T> Yc(size_t(m) * k);
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t c = 0; c < k; ++c) {
          Yc[i * k + c] = (*d.Y)(lo + i, c) - ybar[c];
        }
      }
      if (d.x_rows) {
        blas::gemm(true, false, p, k, m, s, Xq, p, Yc.data(), k, T(0), partial.XtY(q, XtY), k);
      } else {
        blas::gemm(false, false, p, k, m, s, Xq, n, Yc.data(), k, T(0), partial.XtY(q, XtY), k);
      }
    }
  });
  partial.add(G, k > 0 ? XtY : nullptr, xbar.data(), true);
  for (int64_t j = 0; j < p; ++j) {
    const T raw = G[j * p + j] / T(n);
    if (!(raw - xbar[j] * xbar[j] > T(1e-4) * raw)) {
      return false;
    }
  }
  for (int64_t i = 0; i < p; ++i) {
    for (int64_t j = i; j < p; ++j) {
      G[i * p + j] = s * (G[i * p + j] - T(n) * xbar[i] * xbar[j]);
    }
  }
  return true;
}

template <typename T>
void gram_kernel(const GramData<T>& d, bool center, T* G, T* XtY, T* xbar_out, T* ybar_out) {
  const int64_t n = d.n, p = d.p, k = d.k;
  if (n == 0) {
    std::fill(G, G + p * p, T(0));
    if (XtY) {
      std::fill(XtY, XtY + p * k, T(0));
    }
    return;
  }
  const Mat<T>& Xm = d.X;
  const T* w = d.w;
  std::vector<T> xbar, ybar;
  if (center && p > 0 && !d.X.rows && (d.x_rows || d.x_cols) && uniform_weights(d) &&
      gram_centered_direct(d, G, XtY, xbar, ybar)) {
    symmetrize_upper(G, p);
    std::copy(xbar.begin(), xbar.end(), xbar_out);
    if (k > 0) {
      std::copy(ybar.begin(), ybar.end(), ybar_out);
    }
    return;
  }
  if (center) {
    weighted_means<T>(Xm, d.Y ? &*d.Y : nullptr, w, d.ws, n, p, k, xbar, ybar);
  }
  if (p == 0) {  // no products to form; the means of y above still are
    if (center && k > 0) {
      std::copy(ybar.begin(), ybar.end(), ybar_out);
    }
    return;
  }
  const bool direct = !center && !w && !d.X.rows && (d.x_rows || d.x_cols);
  const int64_t B = block_rows(n, p, sizeof(T));
  const int64_t parts = row_parts<T>(n, p, k);
  PartSums<T> partial(parts, p, k);
  blas::ThreadScope wide(parts == 1 ? double(n) * double(p) * double(p + k) : 0.0);  // too wide for partial sums
  // Each row part in blocks of B rows: the packed copy of the weighted or
  // centered block stays bounded whatever n is.
  blas::over_parts(n, parts, [&](int64_t q, int64_t lo, int64_t hi) {
    T* Gq = partial.G(q, G);
    T* XtYq = k > 0 ? partial.XtY(q, XtY) : nullptr;
    std::vector<T> Z;   // packed sqrt(w) (X - xbar) block, row-major B x p
    std::vector<T> Zy;  // packed sqrt(w) (y - ybar) block, row-major B x k
    if (!direct) {
      Z.resize(size_t(std::min(B, hi - lo)) * p);
    }
    if (k > 0) {
      Zy.resize(size_t(std::min(B, hi - lo)) * k);
    }
    for (int64_t i0 = lo; i0 < hi; i0 += B) {
      const int64_t nb = std::min(B, hi - i0);
      const T beta = i0 == lo ? T(0) : T(1);
      if (k > 0) {
        for (int64_t i = 0; i < nb; ++i) {
          const T sw = w ? std::sqrt(row_weight(d, i0 + i)) : T(1);
          for (int64_t c = 0; c < k; ++c) {
            Zy[i * k + c] = sw * ((*d.Y)(i0 + i, c) - (center ? ybar[c] : T(0)));
          }
        }
      }
      if (direct && d.x_rows) {
        const T* Xb = Xm.p + i0 * p;
        blas::syrk_t(p, nb, T(1), Xb, p, beta, Gq, p);
        if (k > 0) {
          blas::gemm(true, false, p, k, nb, T(1), Xb, p, Zy.data(), k, beta, XtYq, k);
        }
      } else if (direct) {
        // Column-major X: X' is row-major p x n with leading dimension n.
        const T* Xb = Xm.p + i0;
        blas::syrk_n(p, nb, T(1), Xb, n, beta, Gq, p);
        if (k > 0) {
          blas::gemm(false, false, p, k, nb, T(1), Xb, n, Zy.data(), k, beta, XtYq, k);
        }
      } else {
        for (int64_t i = 0; i < nb; ++i) {
          const T sw = w ? std::sqrt(row_weight(d, i0 + i)) : T(1);
          T* zr = Z.data() + i * p;
          for (int64_t j = 0; j < p; ++j) {
            zr[j] = sw * (Xm(i0 + i, j) - (center ? xbar[j] : T(0)));
          }
        }
        blas::syrk_t(p, nb, T(1), Z.data(), p, beta, Gq, p);
        if (k > 0) {
          blas::gemm(true, false, p, k, nb, T(1), Z.data(), p, Zy.data(), k, beta, XtYq, k);
        }
      }
    }
  });
  partial.add(G, XtY, nullptr, false);
  symmetrize_upper(G, p);
  if (center) {
    std::copy(xbar.begin(), xbar.end(), xbar_out);
    if (k > 0) {
      std::copy(ybar.begin(), ybar.end(), ybar_out);
    }
  }
}

template <typename T>
void gram_cpu(const GramArgs& a, bool center, std::vector<mx::array>& outs) {
  const auto& X = a.X;
  GramData<T> d{view<T>(X), X.shape(0), X.shape(1), bool(X.flags().row_contiguous),
                X.flags().col_contiguous && !X.flags().row_contiguous, std::nullopt, 0, nullptr, 0};
  if (a.y) {
    d.Y = view<T>(*a.y);
    d.k = a.y->ndim() == 2 ? a.y->shape(1) : 1;
  }
  if (a.w) {
    d.w = a.w->data<T>();
    d.ws = a.w->strides()[0];
  }
  const size_t o = a.y ? 2 : 1;
  gram_kernel<T>(d, center, outs[0].data<T>(), a.y ? outs[1].data<T>() : nullptr,
                 center ? outs[o].data<T>() : nullptr, center && a.y ? outs[o + 1].data<T>() : nullptr);
}

} // namespace

template <typename T>
void gram_host(const HostMatrix& X, const HostMatrix* y, const HostMatrix* w, bool center, T* G, T* XtY, T* xbar,
               T* ybar, const int64_t* rows, int64_t nrows) {
  const bool row_major = X.s1 == 1 && X.s0 == X.cols;
  const bool col_major = !row_major && X.s0 == 1 && X.s1 == X.rows;
  GramData<T> d{{static_cast<const T*>(X.data), X.s0, X.s1, rows}, rows ? nrows : X.rows, X.cols, row_major,
                col_major, std::nullopt, 0, nullptr, 0};
  if (y) {
    d.Y = Mat<T>{static_cast<const T*>(y->data), y->s0, y->s1, rows};
    d.k = y->cols;
  }
  if (w) {
    d.w = static_cast<const T*>(w->data);
    d.ws = w->s0;
  }
  gram_kernel<T>(d, center, G, XtY, xbar, ybar);
}

template void gram_host<double>(const HostMatrix&, const HostMatrix*, const HostMatrix*, bool, double*, double*,
                                double*, double*, const int64_t*, int64_t);
template void gram_host<float>(const HostMatrix&, const HostMatrix*, const HostMatrix*, bool, float*, float*,
                               float*, float*, const int64_t*, int64_t);

std::vector<mx::array> gram_fallback(
    const mx::array& X,
    const std::optional<mx::array>& y,
    const std::optional<mx::array>& weights,
    bool center,
    mx::StreamOrDevice s) {
  std::vector<mx::array> in = {X};
  if (y) {
    in.push_back(*y);
  }
  if (weights) {
    in.push_back(*weights);
  }
  return fallback_impl(in, y.has_value(), weights.has_value(), center, mx::to_stream(s));
}

std::vector<mx::array> gram(
    const mx::array& X,
    const std::optional<mx::array>& y,
    const std::optional<mx::array>& weights,
    bool center,
    mx::StreamOrDevice s) {
  auto stream = mx::to_stream(s);
  if (X.ndim() != 2) {
    detail::fail(kOp, "X must be 2-D (n, p), got shape " + detail::shape_str(X.shape()));
  }
  const int n = X.shape(0), p = X.shape(1);
  std::vector<mx::array> in = {X};
  if (y) {
    if (y->ndim() != 1 && y->ndim() != 2) {
      detail::fail(kOp, "y must be 1-D (n,) or 2-D (n, k), got shape " + detail::shape_str(y->shape()));
    }
    if (y->shape(0) != n) {
      detail::fail(kOp, "y has " + std::to_string(y->shape(0)) + " rows but X has " + std::to_string(n));
    }
    in.push_back(*y);
  }
  if (weights) {
    if (weights->ndim() != 1 || weights->shape(0) != n) {
      detail::fail(kOp, "weights must have shape (" + std::to_string(n) + ",) to match X, got " +
                            detail::shape_str(weights->shape()));
    }
    in.push_back(*weights);
  }
  if (center && n == 0) {
    detail::fail(kOp, "center=True needs at least one row in X");
  }
  auto dtype = detail::promote_floating(in, kOp, {"X", y ? "y" : "weights", "weights"});
  // Half precision is too coarse for sums of n products: compute in float32.
  if (dtype != mx::float64) {
    dtype = mx::float32;
  }
  for (auto& a : in) {
    a = mx::astype(a, dtype, stream);
  }
  const bool has_y = y.has_value(), has_w = weights.has_value();
  if (!backend_has_kernel(kOp, stream)) {
    return fallback_impl(in, has_y, has_w, center, stream);
  }
  std::vector<mx::Shape> shapes = {{p, p}};
  if (y) {
    shapes.push_back(y->ndim() == 2 ? mx::Shape{p, y->shape(1)} : mx::Shape{p});
  }
  if (center) {
    shapes.push_back({p});
    if (y) {
      shapes.push_back(y->ndim() == 2 ? mx::Shape{y->shape(1)} : mx::Shape{});
    }
  }
  std::vector<mx::Dtype> dtypes(shapes.size(), dtype);
  auto fallback = [has_y, has_w, center, stream](const std::vector<mx::array>& a) {
    return fallback_impl(a, has_y, has_w, center, stream);
  };
  return mx::array::make_arrays(
      std::move(shapes), dtypes, std::make_shared<Gram>(stream, fallback, has_y, has_w, center), in);
}

void Gram::eval_cpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) {
  dispatch_cpu(stream(), inputs, outputs, [has_y = has_y_, has_w = has_w_, center = center_](
                                              std::vector<mx::array>& in, std::vector<mx::array>& out) {
    auto args = unpack(in, has_y, has_w);
    if (in[0].dtype() == mx::float64) {
      gram_cpu<double>(args, center, out);
    } else {
      gram_cpu<float>(args, center, out);
    }
  });
}

void Gram::eval_gpu(const std::vector<mx::array>&, std::vector<mx::array>&) {
  throw std::runtime_error("[glmlx.gram] no GPU kernel in this build");
}

bool Gram::is_equivalent(const mx::Primitive& other) const {
  const auto& o = static_cast<const Gram&>(other);
  return has_y_ == o.has_y_ && has_w_ == o.has_w_ && center_ == o.center_;
}

} // namespace glmlx
