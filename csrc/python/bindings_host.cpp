// glmlx._ext, the host entry points: the kernels the Python layer calls on
// numpy buffers (mx.array(numpy) always copies on Linux), for Grams, CV folds,
// products, held-out predictions and the residual solver's column copy; and
// glmlx.clear_cache, which frees the buffers they keep.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/variant.h>
#include <nanobind/stl/vector.h>

#include <algorithm>

#include "mlx/ops.h"
#include "mlx/transforms.h"

#include "cpu/blas.h"
#include "cpu/cores.h"
#include "cv/cv_gram.h"
#include "solver/glm_common.h"
#include "cpu/interrupt.h"
#include "cpu/scratch.h"
#include "glmlx/ops.h"
#include "path/lambda_walk.h"

namespace nb = nanobind;
namespace mx = mlx::core;
using namespace nb::literals;


namespace {

using HostArray = nb::ndarray<nb::device::cpu, nb::ro>;
using RowIndex = nb::ndarray<const int64_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
using HostMatrixArg = nb::ndarray<const double, nb::ndim<2>, nb::c_contig, nb::device::cpu>;
using HostVectorArg = nb::ndarray<const double, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
using IndexMatrix = nb::ndarray<const int64_t, nb::ndim<2>, nb::c_contig, nb::device::cpu>;
using HostContig = nb::ndarray<nb::device::cpu, nb::ro, nb::c_contig>;

glmlx::HostMatrix host_matrix(const HostArray& a) {
  const int64_t rows = a.ndim() > 0 ? int64_t(a.shape(0)) : 1;
  const int64_t cols = a.ndim() > 1 ? int64_t(a.shape(1)) : 1;
  return {a.data(), rows, cols, a.ndim() > 0 ? int64_t(a.stride(0)) : 1, a.ndim() > 1 ? int64_t(a.stride(1)) : 1};
}

/**
 * Freed numpy outputs of this module, kept for the next call (KeptBuffers):
 * 64 KiB to 4 MiB, 16 MiB at most: the CV outputs (fold Grams, held-out
 * links) are such buffers, freed every call, and fresh pages fault in one by
 * one (docs/PERFORMANCE.md, design measurements). Never destroyed: numpy
 * arrays can outlive static destructors at exit.
 */
glmlx::detail::KeptBuffers& numpy_outputs() {
  static auto* k = new glmlx::detail::KeptBuffers(size_t(64) << 10, size_t(4) << 20, size_t(16) << 20,
                                                  size_t(-1));
  return *k;
}

template <typename T>
nb::ndarray<nb::numpy, T> new_numpy(std::vector<size_t> shape) {
  size_t size = 1;
  for (size_t d : shape) {
    size *= d;
  }
  struct Block {
    size_t allocated;
  };
  // the allocated size rides in front of the data (64 bytes keep the data aligned as malloc's)
  size_t allocated = 0;
  auto* base = static_cast<char*>(numpy_outputs().take(64 + size * sizeof(T), &allocated));
  reinterpret_cast<Block*>(base)->allocated = allocated;
  T* data = reinterpret_cast<T*>(base + 64);
  nb::capsule owner(base, [](void* p) noexcept { numpy_outputs().give(p, static_cast<Block*>(p)->allocated); });
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
// the subsets spread over threads; returns gram_numpy's tuple with every output
// stacked over the subsets: (G (K + spare, p, p), XtY (K, p), xbar (K, p),
// ybar (K,)). G's spare slots come last, unset, for the caller's own matrices
// (the pooled full-data Gram), so all can go to the batched solver as one array.
template <typename T>
nb::tuple gram_numpy_rows(const HostArray& X, const HostArray& y, const HostArray& w, bool center,
                          const std::vector<RowIndex>& subsets, size_t spare) {
  const auto hx = host_matrix(X), hy = host_matrix(y), hw = host_matrix(w);
  const size_t p = size_t(hx.cols), K = subsets.size();
  auto G = new_numpy<T>({K + spare, p, p});
  // the spare slots are the caller's, but zeros rather than stale bits (a float32
  // NaN pattern there made numpy warn when the caller converted G to float64)
  std::fill(G.data() + K * p * p, G.data() + (K + spare) * p * p, T(0));
  auto c = new_numpy<T>({K, p});
  auto xb = new_numpy<T>({K, p});
  auto yb = new_numpy<T>({K});
  {
    nb::gil_scoped_release release;
    // Threads pay off only once the work dwarfs a thread's start-up.
    const double work = double(hx.rows) * double(p) * double(p);
    const size_t nthreads =
        work < 1e7 ? 1 : std::min<size_t>(K, glmlx::detail::usable_cores());
    glmlx::detail::for_each_index(K, nthreads, [&](size_t f, size_t) {
      glmlx::gram_host<T>(hx, &hy, &hw, center, G.data() + f * p * p, c.data() + f * p,
                          center ? xb.data() + f * p : nullptr, center ? yb.data() + f : nullptr,
                          subsets[f].data(), int64_t(subsets[f].shape(0)));
    });
  }
  if (!center) {
    return nb::make_tuple(G, c, nb::none(), nb::none());
  }
  return nb::make_tuple(G, c, xb, yb);
}

// A @ B for row-major float64 matrices, for the Python layer's products: through
// glmlx's BLAS, split into parts over the output's rows (or columns) on glmlx's
// threads from 5e7 flops (blas::over_parts). numpy's OpenBLAS goes
// multi-threaded on small products, and its pool then spins on a core that the
// batched solver's threads need.
nb::ndarray<nb::numpy, double> matmul_numpy(const HostMatrixArg& A, const HostMatrixArg& B) {
  const int64_t m = A.shape(0), k = A.shape(1), n = B.shape(1);
  auto C = new_numpy<double>({size_t(m), size_t(n)});
  if (m == 0 || n == 0) {
    return C;
  }
  if (k == 0) {
    std::fill(C.data(), C.data() + m * n, 0.0);
    return C;
  }
  {
    nb::gil_scoped_release release;
    namespace blas = glmlx::blas;
    const double flops = 2.0 * double(m) * double(n) * double(k);
    const double *a = A.data(), *b = B.data();
    double* c = C.data();
    if (m == 1) {  // a row vector times B: B'a, by column ranges of B
      blas::over_parts(n, blas::parts_for(flops, n), [&](int64_t, int64_t lo, int64_t hi) {
        blas::gemv(true, k, hi - lo, 1.0, b + lo, n, a, 1, 0.0, c + lo, 1);
      });
    } else if (n == 1) {
      blas::over_parts(m, blas::parts_for(flops, m), [&](int64_t, int64_t lo, int64_t hi) {
        blas::gemv(false, hi - lo, k, 1.0, a + lo * k, k, b, 1, 0.0, c + lo, 1);
      });
    } else if (m >= n) {
      blas::over_parts(m, blas::parts_for(flops, m), [&](int64_t, int64_t lo, int64_t hi) {
        blas::gemm(false, false, hi - lo, n, k, 1.0, a + lo * k, k, b, n, 0.0, c + lo * n, n);
      });
    } else {
      blas::over_parts(n, blas::parts_for(flops, n), [&](int64_t, int64_t lo, int64_t hi) {
        blas::gemm(false, false, m, hi - lo, k, 1.0, a, k, b + lo, n, 0.0, c + lo, n);
      });
    }
  }
  return C;
}

// Held-out linear predictors of K CV folds (n, L): the rows order[bounds[k]:bounds[k+1]]
// of X times fold k's path (betas[k] (L_k, p), a0s[k] (L_k,)) interpolated at the
// full-data lambdas by glmnet's rule (path points left/right, weight frac of the
// left one; all (K, L)). Only variables nonzero somewhere on the fold's path enter
// the product (lasso paths are sparse); the rest would add exact zeros. Rows come
// out in `order`. One call instead of ~15 numpy operations per fold.
template <typename T>
nb::ndarray<nb::numpy, double> cv_link_numpy(const HostArray& X, const RowIndex& order, const RowIndex& bounds,
                                             const std::vector<HostMatrixArg>& betas,
                                             const std::vector<HostVectorArg>& a0s, const IndexMatrix& left,
                                             const IndexMatrix& right, const HostMatrixArg& frac) {
  const auto hx = host_matrix(X);
  const T* xd = static_cast<const T*>(hx.data);
  const size_t p = size_t(hx.cols), K = betas.size(), L = size_t(frac.shape(1));
  auto out = new_numpy<double>({size_t(order.shape(0)), L});
  {
    nb::gil_scoped_release release;
    // Threads pay off only once the work dwarfs a thread's start-up.
    const double work = 2.0 * double(order.shape(0)) * double(p) * double(L);
    const size_t nthreads = work < 1e7 ? 1 : std::min<size_t>(K, glmlx::detail::usable_cores());
    struct Scratch {
      std::vector<int64_t> act;
      std::vector<double> B, Xs, a0;
    };
    std::vector<Scratch> scratch(nthreads);
    glmlx::detail::for_each_index(K, nthreads, [&](size_t k, size_t t) {
      Scratch& sc = scratch[t];
      auto& act = sc.act;
      auto& B = sc.B;
      auto& Xs = sc.Xs;
      auto& a0 = sc.a0;
      const double* bt = betas[k].data();
      const size_t Lk = betas[k].shape(0);
      act.clear();
      for (size_t j = 0; j < p; ++j) {
        for (size_t l = 0; l < Lk; ++l) {
          if (bt[l * p + j] != 0.0) {
            act.push_back(int64_t(j));
            break;
          }
        }
      }
      const size_t a = act.size();
      const int64_t* lk = left.data() + k * L;
      const int64_t* rk = right.data() + k * L;
      const double* fk = frac.data() + k * L;
      // the same two products and sum as numpy's b[:, left] * frac + b[:, right] * (1 - frac)
      B.resize(a * L);
      for (size_t i = 0; i < a; ++i) {
        for (size_t l = 0; l < L; ++l) {
          const double wl = bt[lk[l] * p + act[i]] * fk[l];
          const double wr = bt[rk[l] * p + act[i]] * (1.0 - fk[l]);
          B[i * L + l] = wl + wr;
        }
      }
      a0.resize(L);
      for (size_t l = 0; l < L; ++l) {
        const double wl = a0s[k].data()[lk[l]] * fk[l];
        const double wr = a0s[k].data()[rk[l]] * (1.0 - fk[l]);
        a0[l] = wl + wr;
      }
      const int64_t r0 = bounds.data()[k], nk = bounds.data()[k + 1] - r0;
      double* o = out.data() + r0 * L;
      if (a == 0) {
        std::fill(o, o + nk * L, 0.0);
      } else {
        Xs.resize(nk * a);
        for (int64_t r = 0; r < nk; ++r) {
          const T* xr = xd + order.data()[r0 + r] * hx.s0;
          for (size_t i = 0; i < a; ++i) {
            Xs[r * a + i] = double(xr[act[i] * hx.s1]);
          }
        }
        glmlx::blas::gemm(false, false, nk, L, a, 1.0, Xs.data(), a, B.data(), L, 0.0, o, L);
      }
      for (int64_t r = 0; r < nk; ++r) {
        for (size_t l = 0; l < L; ++l) {
          o[r * L + l] += a0[l];
        }
      }
    });
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

void register_host(nb::module_& m) {
  // The gaussian path's grid, from the rule every family's walk uses (path/lambda_walk.h): B problems'
  // lambda_max from their gradients at the null fit, then nlam - 1 values down to flmin[b] lambda_max.
  m.def(
      "lambda_grid",
      [](HostMatrixArg g, HostMatrixArg penalty, HostMatrixArg include, double alpha, HostVectorArg flmin,
         int64_t nlam, double eps) {
        const size_t B = g.shape(0), p = g.shape(1);
        if (penalty.shape(0) != B || penalty.shape(1) != p || include.shape(0) != B || include.shape(1) != p ||
            flmin.shape(0) != B || nlam < 1) {
          throw nb::value_error("[glmlx.lambda_grid] g, penalty, include (B, p), flmin (B,), nlam >= 1");
        }
        const size_t count = size_t(nlam - 1);
        auto lmax = new_numpy<double>({B});
        auto grid = new_numpy<double>({B, count});
        for (size_t b = 0; b < B; ++b) {
          lmax.data()[b] = glmlx::path::lambda_max(g.data() + b * p, include.data() + b * p,
                                                   penalty.data() + b * p, int64_t(p), alpha);
          if (count > 0) {
            glmlx::path::geometric_grid(lmax.data()[b], glmlx::path::grid_ratio(flmin.data()[b], eps, nlam),
                                        int64_t(count), grid.data() + b * count);
          }
        }
        return nb::make_tuple(lmax, grid);
      },
      "g"_a, "penalty"_a, "include"_a, "alpha"_a, "flmin"_a, "nlam"_a, "eps"_a);
  m.def(
      "clear_cache",
      []() {
        numpy_outputs().release();
        glmlx::detail::path_buffers().release();
        glmlx::detail::release_column_copy();
        glmlx::detail::screen_buffers().release();
      },
      "frees the host buffers kept for reuse between calls (glmlx.clear_cache)");
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
      [](HostArray X, HostArray y, HostArray w, bool center, std::vector<RowIndex> subsets, size_t spare) {
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
          return gram_numpy_rows<double>(X, y, w, center, subsets, spare);
        }
        if (X.dtype() == nb::dtype<float>()) {
          return gram_numpy_rows<float>(X, y, w, center, subsets, spare);
        }
        throw nb::type_error("[glmlx.gram] X must be float32 or float64");
      },
      "X"_a, "y"_a, "weights"_a, "center"_a, "subsets"_a, "spare"_a = 0,
      "gram_numpy on each row subset (CV folds), stacked over the subsets, which are spread over threads; "
      "G gets `spare` more slots at the end, unset (internal)");
  m.def(
      "cv_standardize_numpy",
      [](nb::ndarray<double, nb::ndim<3>, nb::c_contig, nb::device::cpu> H, HostMatrixArg h,
         std::optional<HostMatrixArg> m, std::optional<HostVectorArg> my, HostVectorArg s, HostVectorArg c,
         std::optional<HostVectorArg> mean, double ymean, double S, std::optional<HostMatrixArg> xbar,
         HostVectorArg ys, nb::ndarray<const uint8_t, nb::ndim<1>, nb::c_contig, nb::device::cpu> excluded,
         HostArray X, RowIndex fold, bool center, bool standardize) {
        const size_t K = h.shape(0), p = h.shape(1);
        auto bad = [](const char* what) { throw nb::value_error((std::string("[glmlx.cv_standardize] ") + what).c_str()); };
        if (H.shape(0) != K + 1 || H.shape(1) != p || H.shape(2) != p || s.shape(0) != K || c.shape(0) != p ||
            ys.shape(0) != K + 1 || excluded.shape(0) != p || X.ndim() != 2 || X.shape(1) != p ||
            fold.shape(0) != X.shape(0)) {
          bad("inconsistent shapes");
        }
        if (center ? !(m && my && mean && m->shape(0) == K && m->shape(1) == p && my->shape(0) == K &&
                       mean->shape(0) == p)
                   : !(xbar && xbar->shape(0) == K + 1 && xbar->shape(1) == p)) {
          bad("centered moments need m, my and mean; uncentered ones xbar (K + 1, p)");
        }
        if (X.dtype() != nb::dtype<double>() && X.dtype() != nb::dtype<float>()) {
          throw nb::type_error("[glmlx.cv_standardize] X must be float32 or float64");
        }
        for (size_t i = 0; i < fold.shape(0); ++i) {
          if (fold.data()[i] < 0 || fold.data()[i] >= int64_t(K)) {
            bad("fold labels must lie in [0, K)");
          }
        }
        auto g = new_numpy<double>({K + 1, p}), xv = new_numpy<double>({K + 1, p}),
             xm = new_numpy<double>({K + 1, p}), xs = new_numpy<double>({K + 1, p}),
             inc = new_numpy<double>({K + 1, p});
        auto finite = new_numpy<uint8_t>({K + 1});
        glmlx::cv::FoldGrams a;
        a.K = int64_t(K);
        a.p = int64_t(p);
        a.center = center;
        a.standardize = standardize;
        a.H = H.data();
        a.h = h.data();
        a.m = m ? m->data() : nullptr;
        a.my = my ? my->data() : nullptr;
        a.s = s.data();
        a.c = c.data();
        a.mean = mean ? mean->data() : nullptr;
        a.ymean = ymean;
        a.S = S;
        a.xbar = xbar ? xbar->data() : nullptr;
        a.ys = ys.data();
        a.excluded = excluded.data();
        a.X = host_matrix(X);
        a.x_is_double = X.dtype() == nb::dtype<double>();
        a.fold = fold.data();
        a.g = g.data();
        a.xv = xv.data();
        a.xm = xm.data();
        a.xs = xs.data();
        a.include = inc.data();
        a.finite = finite.data();
        {
          nb::gil_scoped_release release;
          glmlx::cv::fold_standardize(a);
        }
        return nb::make_tuple(g, xv, xm, xs, inc, finite);
      },
      "H"_a.noconvert(), "h"_a.noconvert(), "m"_a.noconvert().none(), "my"_a.noconvert().none(),
      "s"_a.noconvert(), "c"_a.noconvert(), "mean"_a.noconvert().none(), "ymean"_a, "S"_a,
      "xbar"_a.noconvert().none(), "ys"_a.noconvert(), "excluded"_a.noconvert(), "X"_a, "fold"_a.noconvert(),
      "center"_a, "standardize"_a,
      "standardized Grams of K CV folds' training problems and of the full data, H overwritten (internal)");
  m.def(
      "matmul_numpy",
      [](HostMatrixArg A, HostMatrixArg B) {
        if (A.shape(1) != B.shape(0)) {
          throw nb::value_error("[glmlx.matmul] A's columns must match B's rows");
        }
        return matmul_numpy(A, B);
      },
      "A"_a.noconvert(), "B"_a.noconvert(),
      "A @ B for C-contiguous float64 matrices through glmlx's BLAS, single-threaded when small (internal)");
  m.def(
      "cv_link_numpy",
      [](HostArray X, RowIndex order, RowIndex bounds, std::vector<HostMatrixArg> betas,
         std::vector<HostVectorArg> a0s, IndexMatrix left, IndexMatrix right, HostMatrixArg frac) {
        const size_t K = betas.size(), L = frac.shape(1);
        if (X.ndim() != 2 || a0s.size() != K || bounds.shape(0) != K + 1 || left.shape(0) != K ||
            right.shape(0) != K || frac.shape(0) != K || left.shape(1) != L || right.shape(1) != L) {
          throw nb::value_error("[glmlx.cv_link] inconsistent shapes");
        }
        const int64_t n = X.shape(0), p = X.shape(1);
        const int64_t* b = bounds.data();
        if (b[0] != 0 || b[K] != int64_t(order.shape(0))) {
          throw nb::value_error("[glmlx.cv_link] bounds must run from 0 to the number of rows");
        }
        for (size_t i = 0; i < order.shape(0); ++i) {
          if (order.data()[i] < 0 || order.data()[i] >= n) {
            throw nb::value_error("[glmlx.cv_link] rows must index rows of X");
          }
        }
        for (size_t k = 0; k < K; ++k) {
          const int64_t Lk = betas[k].shape(0);
          if (b[k + 1] < b[k] || betas[k].shape(1) != size_t(p) || int64_t(a0s[k].shape(0)) != Lk) {
            throw nb::value_error("[glmlx.cv_link] inconsistent shapes");
          }
          for (size_t l = 0; l < L; ++l) {
            const int64_t lo = left.data()[k * L + l], hi = right.data()[k * L + l];
            if (lo < 0 || lo >= Lk || hi < 0 || hi >= Lk) {
              throw nb::value_error("[glmlx.cv_link] interpolation points must index the fold's path");
            }
          }
        }
        if (X.dtype() == nb::dtype<double>()) {
          return cv_link_numpy<double>(X, order, bounds, betas, a0s, left, right, frac);
        }
        if (X.dtype() == nb::dtype<float>()) {
          return cv_link_numpy<float>(X, order, bounds, betas, a0s, left, right, frac);
        }
        throw nb::type_error("[glmlx.cv_link] X must be float32 or float64");
      },
      "X"_a, "order"_a.noconvert(), "bounds"_a.noconvert(), "betas"_a, "a0s"_a, "left"_a.noconvert(),
      "right"_a.noconvert(), "frac"_a.noconvert(),
      "held-out linear predictors of CV folds, paths interpolated at given points (internal)");
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
}
