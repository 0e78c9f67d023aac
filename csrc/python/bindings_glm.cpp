// Python bindings of the GLM path solvers (glm.h), on numpy buffers.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <exception>
#include <string>

#include "python/bindings_paths.h"
#include "glmlx/glm.h"
#include "glmlx/ops.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace {

using namespace glmlx::bindings;

[[noreturn]] void bad(const std::string& msg) {
  throw nb::value_error(("[glmlx.glm_path] " + msg).c_str());
}

// The paths of one GLM problem per row subset (all rows when none), over a dense X (hx) or a sparse one (sx).
nb::list glm_paths(const glmlx::HostMatrix* hx, const glmlx::SparseHostMatrix* sx, size_t n, size_t p, F64 y,
                   F64 weights, std::optional<F64> offset, U8 include, F64 penalty, F64 lower, F64 upper,
                   std::optional<F64> user_lambdas, glmlx::GlmPathSettings settings, std::vector<Rows> subsets) {
  const size_t K = y.size() / std::max<size_t>(n, 1);
  if (y.size() != n * K || K == 0) {
    bad("y must have n * K values (class-major)");
  }
  if ((settings.family == glmlx::GlmFamily::multinomial) != (K > 1)) {
    bad("y must have one column (binomial, poisson) or K >= 2 class columns (multinomial)");
  }
  if (weights.size() != n) {
    bad("weights must have n values");
  }
  if (offset && offset->size() != n * K) {
    bad("offset must have y's shape");
  }
  if (include.shape(0) != p || penalty.size() != p || lower.size() != p || upper.size() != p) {
    bad("include, penalty, lower and upper must have p values");
  }
  if (settings.flmin >= 1.0 && (!user_lambdas || user_lambdas->size() == 0)) {
    bad("flmin >= 1 needs user lambdas");
  }
  if (!rows_in_range(subsets, n)) {
    bad("rows must index rows of X");
  }
  const size_t B = std::max<size_t>(subsets.size(), 1);
  std::vector<glmlx::GlmPathResult> res(B);
  run_paths(B, paths_at_once(subsets, n, sx ? 1 : p), [&](size_t b, bool parallel) {
    glmlx::GlmPathSettings s = settings;
    if (parallel) {
      s.path_threads = 1;  // the cores are taken by the paths
    }
    glmlx::GlmPathInputs in;
    in.X = hx;
    in.X_sparse = sx;
    in.y = y.data();
    in.K = int64_t(K);
    in.weights = weights.data();
    in.offset = offset ? offset->data() : nullptr;
    in.rows = subsets.empty() ? nullptr : subsets[b].data();
    in.nrows = subsets.empty() ? int64_t(n) : int64_t(subsets[b].shape(0));
    in.include = include.data();
    in.penalty = penalty.data();
    in.lower = lower.data();
    in.upper = upper.data();
    in.user_lambdas = user_lambdas ? user_lambdas->data() : nullptr;
    in.n_user = user_lambdas ? int64_t(user_lambdas->size()) : 0;
    res[b] = glmlx::glm_path_host(in, s);
  });
  nb::list out;
  for (auto& r : res) {
    out.append(result_dict(std::move(r), p));
  }
  return out;
}

} // namespace

void register_glm(nb::module_& m) {
  nb::enum_<glmlx::GlmFamily>(m, "GlmFamily")
      .value("binomial", glmlx::GlmFamily::binomial)
      .value("poisson", glmlx::GlmFamily::poisson)
      .value("multinomial", glmlx::GlmFamily::multinomial);
  nb::class_<glmlx::GlmPathSettings>(m, "GlmPathSettings")
      .def(nb::init<>())
      .def_rw("family", &glmlx::GlmPathSettings::family)
      .def_rw("kopt", &glmlx::GlmPathSettings::kopt)
      .def_rw("alpha", &glmlx::GlmPathSettings::alpha)
      .def_rw("thresh", &glmlx::GlmPathSettings::thresh)
      .def_rw("flmin", &glmlx::GlmPathSettings::flmin)
      .def_rw("sml", &glmlx::GlmPathSettings::sml)
      .def_rw("rsqmax", &glmlx::GlmPathSettings::rsqmax)
      .def_rw("pmin", &glmlx::GlmPathSettings::pmin)
      .def_rw("exmx", &glmlx::GlmPathSettings::exmx)
      .def_rw("big", &glmlx::GlmPathSettings::big)
      .def_rw("eps", &glmlx::GlmPathSettings::eps)
      .def_rw("nlam", &glmlx::GlmPathSettings::nlam)
      .def_rw("maxit", &glmlx::GlmPathSettings::maxit)
      .def_rw("pmax", &glmlx::GlmPathSettings::pmax)
      .def_rw("dfmax", &glmlx::GlmPathSettings::dfmax)
      .def_rw("mnlam", &glmlx::GlmPathSettings::mnlam)
      .def_rw("intercept", &glmlx::GlmPathSettings::intercept)
      .def_rw("standardize", &glmlx::GlmPathSettings::standardize)
      .def_rw("path_threads", &glmlx::GlmPathSettings::path_threads)
      .def_rw("prefetch", &glmlx::GlmPathSettings::prefetch);
  m.def(
      "glm_paths",
      [](AnyMat X, F64 y, F64 weights, std::optional<F64> offset, U8 include, F64 penalty, F64 lower, F64 upper,
         std::optional<F64> user_lambdas, glmlx::GlmPathSettings settings, std::vector<Rows> subsets) {
        const glmlx::HostMatrix hx = host_any(X, "X");
        return glm_paths(&hx, nullptr, X.shape(0), X.shape(1), y, weights, offset, include, penalty, lower, upper,
                         user_lambdas, settings, std::move(subsets));
      },
      "X"_a, "y"_a, "weights"_a, "offset"_a.none(), "include"_a, "penalty"_a, "lower"_a, "upper"_a,
      "user_lambdas"_a.none(), "settings"_a, "subsets"_a,
      "glmnet paths of a GLM family on numpy buffers, one per row subset (all rows when none), in threads "
      "(internal)");
  m.def(
      "glm_paths_sparse",
      [](Indptr indptr, Indices indices, F64 data, int64_t n, F64 y, F64 weights, std::optional<F64> offset,
         U8 include, F64 penalty, F64 lower, F64 upper, std::optional<F64> user_lambdas,
         glmlx::GlmPathSettings settings, std::vector<Rows> subsets) {
        const glmlx::SparseHostMatrix sx = sparse_host(indptr, indices, data, n, "[glmlx.glm_path] ");
        const size_t p = size_t(sx.cols);
        return glm_paths(nullptr, &sx, size_t(n), p, y, weights, offset, include, penalty, lower, upper,
                         user_lambdas, settings, std::move(subsets));
      },
      "indptr"_a, "indices"_a, "data"_a, "n"_a, "y"_a, "weights"_a, "offset"_a.none(), "include"_a, "penalty"_a,
      "lower"_a, "upper"_a, "user_lambdas"_a.none(), "settings"_a, "subsets"_a,
      "glm_paths over a CSC X (binomial, poisson), never densified (internal)");
}
