// Python bindings: glmlx._ext. The module shares MLX's nanobind domain, so
// mx.array, mx.Stream and mx.Device arguments cross without conversion.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/variant.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <thread>

#include "mlx/ops.h"
#include "mlx/transforms.h"

#include "blas.h"
#include "glmlx/ops.h"

namespace nb = nanobind;
namespace mx = mlx::core;
using namespace nb::literals;

namespace {

using HostArray = nb::ndarray<nb::device::cpu, nb::ro>;
using RowIndex = nb::ndarray<const int64_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
using HostContig = nb::ndarray<nb::device::cpu, nb::ro, nb::c_contig>;

glmlx::HostMatrix host_matrix(const HostArray& a) {
  const int64_t rows = a.ndim() > 0 ? int64_t(a.shape(0)) : 1;
  const int64_t cols = a.ndim() > 1 ? int64_t(a.shape(1)) : 1;
  return {a.data(), rows, cols, a.ndim() > 0 ? int64_t(a.stride(0)) : 1, a.ndim() > 1 ? int64_t(a.stride(1)) : 1};
}

template <typename T>
nb::ndarray<nb::numpy, T> new_numpy(std::vector<size_t> shape) {
  size_t size = 1;
  for (size_t d : shape) {
    size *= d;
  }
  T* data = new T[std::max<size_t>(size, 1)];
  nb::capsule owner(data, [](void* p) noexcept { delete[] static_cast<T*>(p); });
  return nb::ndarray<nb::numpy, T>(data, shape.size(), shape.data(), owner);
}

// gram on numpy buffers (no copy into MLX); returns (G, XtY or None, xbar or None, ybar or None).
template <typename T>
nb::tuple gram_numpy(const HostArray& X, const std::optional<HostArray>& y, const std::optional<HostArray>& w,
                     bool center) {
  const auto hx = host_matrix(X);
  const size_t p = size_t(hx.cols);
  std::optional<glmlx::HostMatrix> hy, hw;
  if (y) {
    hy = host_matrix(*y);
  }
  if (w) {
    hw = host_matrix(*w);
  }
  auto G = new_numpy<T>({p, p});
  nb::object XtY = nb::none(), xbar = nb::none(), ybar = nb::none();
  T *pc = nullptr, *pxb = nullptr, *pyb = nullptr;
  if (y) {
    auto a = y->ndim() == 2 ? new_numpy<T>({p, size_t(hy->cols)}) : new_numpy<T>({p});
    pc = a.data();
    XtY = nb::cast(a);
  }
  if (center) {
    auto a = new_numpy<T>({p});
    pxb = a.data();
    xbar = nb::cast(a);
    if (y) {
      auto b = y->ndim() == 2 ? new_numpy<T>({size_t(hy->cols)}) : new_numpy<T>({});
      pyb = b.data();
      ybar = nb::cast(b);
    }
  }
  {
    nb::gil_scoped_release release;
    glmlx::gram_host<T>(hx, hy ? &*hy : nullptr, hw ? &*hw : nullptr, center, G.data(), pc, pxb, pyb);
  }
  return nb::make_tuple(G, XtY, xbar, ybar);
}

// gram on each of several row subsets of the same numpy buffers (CV folds),
// the subsets spread over threads; returns a list of gram_numpy's tuples.
template <typename T>
nb::list gram_numpy_rows(const HostArray& X, const HostArray& y, const HostArray& w, bool center,
                         const std::vector<RowIndex>& subsets) {
  const auto hx = host_matrix(X), hy = host_matrix(y), hw = host_matrix(w);
  const size_t p = size_t(hx.cols), K = subsets.size();
  std::vector<nb::ndarray<nb::numpy, T>> G, c, xb, yb;
  for (size_t f = 0; f < K; ++f) {
    G.push_back(new_numpy<T>({p, p}));
    c.push_back(new_numpy<T>({p}));
    xb.push_back(new_numpy<T>({p}));
    yb.push_back(new_numpy<T>({}));
  }
  {
    nb::gil_scoped_release release;
    glmlx::blas::ThreadScope one_blas_thread(0.0);  // the subsets take the cores instead
    // Threads pay off from ~1e7 flops of work in all (thread start-up is ~0.1 ms).
    const double work = double(hx.rows) * double(p) * double(p);
    const size_t nthreads =
        work < 1e7 ? 1 : std::min<size_t>(K, std::max(1u, std::thread::hardware_concurrency()));
    std::vector<std::thread> pool;
    for (size_t t = 0; t < nthreads; ++t) {
      pool.emplace_back([&, t]() {
        for (size_t f = t; f < K; f += nthreads) {
          glmlx::gram_host<T>(hx, &hy, &hw, center, G[f].data(), c[f].data(), center ? xb[f].data() : nullptr,
                              center ? yb[f].data() : nullptr, subsets[f].data(), int64_t(subsets[f].shape(0)));
        }
      });
    }
    for (auto& th : pool) {
      th.join();
    }
  }
  nb::list out;
  for (size_t f = 0; f < K; ++f) {
    out.append(nb::make_tuple(G[f], c[f], center ? nb::cast(xb[f]) : nb::none(),
                              center ? nb::cast(yb[f]) : nb::none()));
  }
  return out;
}

// column_major_host on numpy buffers; returns (Xt mx.array, xbar, var, xty).
template <typename T>
nb::tuple column_major_numpy(const HostArray& X, const HostContig& w, const HostContig& y,
                             const std::optional<RowIndex>& rows) {
  const auto hx = host_matrix(X);
  const size_t p = size_t(hx.cols);
  auto xbar = new_numpy<T>({p}), var = new_numpy<T>({p}), xty = new_numpy<T>({p});
  std::optional<mx::array> Xt;
  {
    nb::gil_scoped_release release;
    Xt = glmlx::column_major_host<T>(hx, static_cast<const T*>(w.data()), static_cast<const T*>(y.data()),
                                     xbar.data(), var.data(), xty.data(), rows ? rows->data() : nullptr);
  }
  return nb::make_tuple(*Xt, xbar, var, xty);
}

template <typename T>
nb::tuple column_moments(const mx::array& Xt, const HostContig& W, const HostContig& Y) {
  const size_t B = W.shape(0), p = size_t(Xt.shape(0));
  auto s1 = new_numpy<T>({B, p}), s2 = new_numpy<T>({B, p}), sy = new_numpy<T>({B, p});
  {
    nb::gil_scoped_release release;
    glmlx::column_moments_host<T>(Xt, static_cast<const T*>(W.data()), static_cast<const T*>(Y.data()),
                                  int64_t(B), s1.data(), s2.data(), sy.data());
  }
  return nb::make_tuple(s1, s2, sy);
}

} // namespace

NB_MODULE(_ext, m) {
  m.doc() = "glmlx C++ primitives (use the wrappers in the glmlx package)";

  m.def("soft_threshold", &glmlx::soft_threshold, "x"_a, "t"_a, "scale"_a = nb::none(), nb::kw_only(),
        "stream"_a = nb::none());
  m.def("soft_threshold_fallback", &glmlx::soft_threshold_fallback, "x"_a, "t"_a, "scale"_a = nb::none(),
        nb::kw_only(), "stream"_a = nb::none());
  m.def("gram", &glmlx::gram, "X"_a, "y"_a = nb::none(), "weights"_a = nb::none(), "center"_a = false,
        nb::kw_only(), "stream"_a = nb::none());
  m.def("gram_fallback", &glmlx::gram_fallback, "X"_a, "y"_a = nb::none(), "weights"_a = nb::none(),
        "center"_a = false, nb::kw_only(), "stream"_a = nb::none());
  nb::class_<glmlx::GaussianPathSettings>(m, "GaussianPathSettings")
      .def(nb::init<>())
      .def_rw("alpha", &glmlx::GaussianPathSettings::alpha)
      .def_rw("thresh", &glmlx::GaussianPathSettings::thresh)
      .def_rw("sml", &glmlx::GaussianPathSettings::sml)
      .def_rw("rsqmax", &glmlx::GaussianPathSettings::rsqmax)
      .def_rw("maxit", &glmlx::GaussianPathSettings::maxit)
      .def_rw("pmax", &glmlx::GaussianPathSettings::pmax)
      .def_rw("dfmax", &glmlx::GaussianPathSettings::dfmax)
      .def_rw("mnl", &glmlx::GaussianPathSettings::mnl)
      .def_rw("m_offset", &glmlx::GaussianPathSettings::m_offset)
      .def_rw("early_stop", &glmlx::GaussianPathSettings::early_stop)
      .def_rw("strong", &glmlx::GaussianPathSettings::strong)
      .def_rw("screen", &glmlx::GaussianPathSettings::screen);
  m.def("gaussian_cov_path", &glmlx::gaussian_cov_path, "C"_a, "g"_a, "beta"_a, "rsq"_a, "rank"_a, "lambdas"_a,
        "penalty"_a, "limits"_a, "include"_a, "warm"_a, "xv"_a, "lambda_prev"_a, "settings"_a, nb::kw_only(),
        "stream"_a = nb::none());
  m.def("gaussian_lazy_path", &glmlx::gaussian_lazy_path, "X"_a, "weights"_a, "xm"_a, "xs"_a, "g"_a, "beta"_a,
        "rsq"_a, "rank"_a, "lambdas"_a, "penalty"_a, "limits"_a, "include"_a, "warm"_a, "xv"_a, "lambda_prev"_a,
        "settings"_a,
        nb::kw_only(), "stream"_a = nb::none());
  m.def("gaussian_residual_path", &glmlx::gaussian_residual_path, "Xt"_a, "center"_a, "scale"_a, "y"_a,
        "weights"_a, "xm"_a, "xs"_a, "g"_a, "beta"_a, "rsq"_a, "rank"_a, "lambdas"_a, "penalty"_a, "limits"_a,
        "include"_a, "warm"_a, "xv"_a, "lambda_prev"_a, "settings"_a, nb::kw_only(), "stream"_a = nb::none());
  m.def("lstsq", &glmlx::lstsq, "X"_a, "y"_a, "weights"_a = nb::none(), "method"_a = "auto",
        "fit_intercept"_a = false, "ridge"_a = 0.0, "rcond"_a = nb::none(), nb::kw_only(), "stream"_a = nb::none());
  m.def("lstsq_fallback", &glmlx::lstsq_fallback, "X"_a, "y"_a, "weights"_a = nb::none(), "method"_a = "auto",
        "fit_intercept"_a = false, "ridge"_a = 0.0, "rcond"_a = nb::none(), nb::kw_only(), "stream"_a = nb::none());
  m.def(
      "gram_numpy",
      [](HostArray X, std::optional<HostArray> y, std::optional<HostArray> w, bool center) {
        auto check = [&](const HostArray& a, const char* name, size_t max_ndim) {
          if (a.dtype() != X.dtype()) {
            throw nb::type_error((std::string(name) + " must have X's dtype").c_str());
          }
          if (a.ndim() == 0 || a.ndim() > max_ndim || a.shape(0) != X.shape(0)) {
            throw nb::value_error((std::string("[glmlx.gram] ") + name + " must have X's rows").c_str());
          }
        };
        if (X.ndim() != 2) {
          throw nb::value_error("[glmlx.gram] X must be 2-D");
        }
        if (y) {
          check(*y, "y", 2);
        }
        if (w) {
          check(*w, "weights", 1);
        }
        if (X.dtype() == nb::dtype<double>()) {
          return gram_numpy<double>(X, y, w, center);
        }
        if (X.dtype() == nb::dtype<float>()) {
          return gram_numpy<float>(X, y, w, center);
        }
        throw nb::type_error("[glmlx.gram] X must be float32 or float64");
      },
      "X"_a, "y"_a = nb::none(), "weights"_a = nb::none(), "center"_a = false,
      "gram's kernel on numpy buffers without copying them into MLX (internal)");
  m.def(
      "gram_numpy_rows",
      [](HostArray X, HostArray y, HostArray w, bool center, std::vector<RowIndex> subsets) {
        if (X.ndim() != 2 || y.ndim() != 1 || w.ndim() != 1 || y.shape(0) != X.shape(0) ||
            w.shape(0) != X.shape(0)) {
          throw nb::value_error("[glmlx.gram] X must be (n, p) with y and weights of length n");
        }
        if (y.dtype() != X.dtype() || w.dtype() != X.dtype()) {
          throw nb::type_error("[glmlx.gram] y and weights must have X's dtype");
        }
        for (const auto& r : subsets) {
          for (size_t i = 0; i < r.shape(0); ++i) {
            if (r.data()[i] < 0 || r.data()[i] >= int64_t(X.shape(0))) {
              throw nb::value_error("[glmlx.gram] rows must index rows of X");
            }
          }
        }
        if (X.dtype() == nb::dtype<double>()) {
          return gram_numpy_rows<double>(X, y, w, center, subsets);
        }
        if (X.dtype() == nb::dtype<float>()) {
          return gram_numpy_rows<float>(X, y, w, center, subsets);
        }
        throw nb::type_error("[glmlx.gram] X must be float32 or float64");
      },
      "X"_a, "y"_a, "weights"_a, "center"_a, "subsets"_a,
      "gram_numpy on each row subset (CV folds), subsets spread over threads (internal)");
  m.def(
      "column_major_numpy",
      [](HostArray X, HostContig w, HostContig y, std::optional<RowIndex> rows) {
        if (X.ndim() != 2 || w.ndim() != 1 || y.ndim() != 1 || w.shape(0) != X.shape(0) ||
            y.shape(0) != X.shape(0)) {
          throw nb::value_error("[glmlx.column_major] X must be (n, p) with w and y of length n");
        }
        if (rows) {
          if (rows->shape(0) != X.shape(0)) {
            throw nb::value_error("[glmlx.column_major] rows must have length n");
          }
          for (size_t i = 0; i < rows->shape(0); ++i) {
            if (rows->data()[i] < 0 || rows->data()[i] >= int64_t(X.shape(0))) {
              throw nb::value_error("[glmlx.column_major] rows must index rows of X");
            }
          }
        }
        if (w.dtype() != X.dtype() || y.dtype() != X.dtype()) {
          throw nb::type_error("[glmlx.column_major] w and y must have X's dtype");
        }
        if (X.dtype() == nb::dtype<double>()) {
          return column_major_numpy<double>(X, w, y, rows);
        }
        if (X.dtype() == nb::dtype<float>()) {
          return column_major_numpy<float>(X, w, y, rows);
        }
        throw nb::type_error("[glmlx.column_major] X must be float32 or float64");
      },
      "X"_a, "w"_a, "y"_a, "rows"_a = nb::none(),
      "X's columns minus their weighted means, stored contiguously (p, n), with the means, centered "
      "variances and X'Wy from the same pass; rows of X in the order `rows` when given (internal)");
  m.def(
      "column_moments",
      [](const mx::array& Xt, HostContig W, HostContig Y) {
        const bool f64 = Xt.dtype() == mx::float64;
        if (Xt.ndim() != 2 || W.ndim() != 2 || Y.ndim() != 2 || W.shape(1) != size_t(Xt.shape(1)) ||
            Y.shape(0) != W.shape(0) || Y.shape(1) != W.shape(1)) {
          throw nb::value_error("[glmlx.column_moments] Xt must be (p, n), W and Y (B, n)");
        }
        const auto want = f64 ? nb::dtype<double>() : nb::dtype<float>();
        if ((!f64 && Xt.dtype() != mx::float32) || W.dtype() != want || Y.dtype() != want ||
            !Xt.flags().row_contiguous) {
          throw nb::type_error("[glmlx.column_moments] row-contiguous Xt (float32/float64), W and Y of its dtype");
        }
        mx::eval(Xt);
        return f64 ? column_moments<double>(Xt, W, Y) : column_moments<float>(Xt, W, Y);
      },
      "Xt"_a, "W"_a, "Y"_a, "Weighted moments of Xt's columns for each row of W (internal)");
  m.def("gpu_backend", &glmlx::gpu_backend);
}
