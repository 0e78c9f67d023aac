// Python bindings of the multi-response gaussian path solver (mgaussian.h), on numpy buffers.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <string>

#include "python/bindings_paths.h"
#include "glmlx/mgaussian.h"
#include "glmlx/ops.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace {

using namespace glmlx::bindings;

[[noreturn]] void bad(const std::string& msg) {
  throw nb::value_error(("[glmlx.mgaussian_paths] " + msg).c_str());
}

// The paths of one problem per row subset (all rows when none), over a dense X (hx) or a sparse one (sx).
nb::list mgaussian_paths(const glmlx::HostMatrix* hx, const glmlx::SparseHostMatrix* sx, size_t n, size_t p, Mat Y,
                         F64 weights, U8 include, F64 penalty, F64 lower, F64 upper, std::optional<F64> user_lambdas,
                         glmlx::MgaussianPathSettings settings, std::vector<Rows> subsets) {
  if (Y.shape(0) != n || Y.shape(1) == 0) {
    bad("Y must be (n, K) with K >= 1 and X's rows");
  }
  if (weights.size() != n) {
    bad("weights must have n values");
  }
  if (include.shape(0) != p || penalty.size() != p || lower.size() != p || upper.size() != p) {
    bad("include, penalty, lower and upper must have p values");
  }
  if (settings.flmin >= 1.0 && (!user_lambdas || user_lambdas->size() == 0)) {
    bad("flmin >= 1 needs user lambdas");
  }
  if (settings.flmin < 1.0 && settings.nlam < 1) {
    bad("nlam must be positive");
  }
  if (!rows_in_range(subsets, n)) {
    bad("rows must index rows of X");
  }
  const glmlx::HostMatrix hy = host(Y);
  const size_t B = std::max<size_t>(subsets.size(), 1);
  std::vector<glmlx::GlmPathResult> res(B);
  run_paths(B, paths_at_once(subsets, n, sx ? 1 : p), [&](size_t b, bool parallel) {
    glmlx::MgaussianPathSettings s = settings;
    s.one_blas_thread = parallel;
    glmlx::MgaussianPathInputs in;
    in.X = hx;
    in.X_sparse = sx;
    in.Y = &hy;
    in.weights = weights.data();
    in.rows = subsets.empty() ? nullptr : subsets[b].data();
    in.nrows = subsets.empty() ? int64_t(n) : int64_t(subsets[b].shape(0));
    in.include = include.data();
    in.penalty = penalty.data();
    in.lower = lower.data();
    in.upper = upper.data();
    in.user_lambdas = user_lambdas ? user_lambdas->data() : nullptr;
    in.n_user = user_lambdas ? int64_t(user_lambdas->size()) : 0;
    res[b] = glmlx::mgaussian_path_host(in, s);
  });
  nb::list out;
  for (auto& r : res) {
    out.append(result_dict(std::move(r), p));
  }
  return out;
}

} // namespace

void register_mgaussian(nb::module_& m) {
  nb::class_<glmlx::MgaussianPathSettings>(m, "MgaussianPathSettings")
      .def(nb::init<>())
      .def_rw("alpha", &glmlx::MgaussianPathSettings::alpha)
      .def_rw("thresh", &glmlx::MgaussianPathSettings::thresh)
      .def_rw("flmin", &glmlx::MgaussianPathSettings::flmin)
      .def_rw("sml", &glmlx::MgaussianPathSettings::sml)
      .def_rw("rsqmax", &glmlx::MgaussianPathSettings::rsqmax)
      .def_rw("big", &glmlx::MgaussianPathSettings::big)
      .def_rw("eps", &glmlx::MgaussianPathSettings::eps)
      .def_rw("bnorm_thr", &glmlx::MgaussianPathSettings::bnorm_thr)
      .def_rw("bnorm_maxit", &glmlx::MgaussianPathSettings::bnorm_maxit)
      .def_rw("nlam", &glmlx::MgaussianPathSettings::nlam)
      .def_rw("maxit", &glmlx::MgaussianPathSettings::maxit)
      .def_rw("pmax", &glmlx::MgaussianPathSettings::pmax)
      .def_rw("dfmax", &glmlx::MgaussianPathSettings::dfmax)
      .def_rw("mnlam", &glmlx::MgaussianPathSettings::mnlam)
      .def_rw("intercept", &glmlx::MgaussianPathSettings::intercept)
      .def_rw("standardize", &glmlx::MgaussianPathSettings::standardize)
      .def_rw("standardize_response", &glmlx::MgaussianPathSettings::standardize_response)
      .def_rw("one_blas_thread", &glmlx::MgaussianPathSettings::one_blas_thread);
  m.def(
      "mgaussian_paths",
      [](AnyMat X, Mat Y, F64 weights, U8 include, F64 penalty, F64 lower, F64 upper, std::optional<F64> user_lambdas,
         glmlx::MgaussianPathSettings settings, std::vector<Rows> subsets) {
        const glmlx::HostMatrix hx = host_any(X, "X");
        return mgaussian_paths(&hx, nullptr, X.shape(0), X.shape(1), Y, weights, include, penalty, lower, upper,
                               user_lambdas, settings, std::move(subsets));
      },
      "X"_a, "Y"_a, "weights"_a, "include"_a, "penalty"_a, "lower"_a, "upper"_a, "user_lambdas"_a.none(),
      "settings"_a, "subsets"_a,
      "glmnet mgaussian paths on numpy buffers, one per row subset (all rows when none), in threads (internal)");
  m.def(
      "mgaussian_paths_sparse",
      [](Indptr indptr, Indices indices, F64 data, int64_t n, Mat Y, F64 weights, U8 include, F64 penalty, F64 lower,
         F64 upper, std::optional<F64> user_lambdas, glmlx::MgaussianPathSettings settings,
         std::vector<Rows> subsets) {
        const glmlx::SparseHostMatrix sx = sparse_host(indptr, indices, data, n, "[glmlx.mgaussian_paths] ");
        return mgaussian_paths(nullptr, &sx, size_t(n), size_t(sx.cols), Y, weights, include, penalty, lower, upper,
                               user_lambdas, settings, std::move(subsets));
      },
      "indptr"_a, "indices"_a, "data"_a, "n"_a, "Y"_a, "weights"_a, "include"_a, "penalty"_a, "lower"_a, "upper"_a,
      "user_lambdas"_a.none(), "settings"_a, "subsets"_a,
      "mgaussian_paths over a CSC X, never densified (internal)");
}
