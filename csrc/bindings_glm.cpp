// Python bindings of the GLM path solvers (glm.h), on numpy buffers.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <exception>
#include <string>
#include <thread>

#include "blas.h"
#include "glmlx/glm.h"
#include "glmlx/ops.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace {

using F64 = nb::ndarray<const double, nb::device::cpu, nb::c_contig>;
using Mat = nb::ndarray<const double, nb::ndim<2>, nb::device::cpu>;
using U8 = nb::ndarray<const uint8_t, nb::ndim<1>, nb::device::cpu, nb::c_contig>;
using Rows = nb::ndarray<const int64_t, nb::ndim<1>, nb::device::cpu, nb::c_contig>;

template <typename T>
nb::ndarray<nb::numpy, T> to_numpy(std::vector<T>&& v, std::vector<size_t> shape) {
  auto* heap = new std::vector<T>(std::move(v));
  nb::capsule owner(heap, [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
  return nb::ndarray<nb::numpy, T>(heap->data(), shape.size(), shape.data(), owner);
}

nb::dict result_dict(glmlx::GlmPathResult&& r, size_t p) {
  const size_t lmu = size_t(r.lmu), K = size_t(r.nclass);
  nb::dict out;
  out["lambdas"] = to_numpy(std::move(r.lambdas), {lmu});
  out["a0"] = to_numpy(std::move(r.a0), {lmu, K});
  out["beta"] = to_numpy(std::move(r.beta), {lmu, K, p});
  out["dev_ratio"] = to_numpy(std::move(r.dev_ratio), {lmu});
  out["nulldev"] = r.nulldev;
  out["npasses"] = r.npasses;
  out["jerr"] = r.jerr;
  return out;
}

[[noreturn]] void bad(const std::string& msg) {
  throw nb::value_error(("[glmlx.glm_path] " + msg).c_str());
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
      .def_rw("path_threads", &glmlx::GlmPathSettings::path_threads);
  m.def(
      "glm_paths",
      [](Mat X, F64 y, F64 weights, std::optional<F64> offset, U8 include, F64 penalty, F64 lower, F64 upper,
         std::optional<F64> user_lambdas, glmlx::GlmPathSettings settings, std::vector<Rows> subsets) {
        const size_t n = X.shape(0), p = X.shape(1);
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
        for (const auto& r : subsets) {
          for (size_t i = 0; i < r.shape(0); ++i) {
            if (r.data()[i] < 0 || size_t(r.data()[i]) >= n) {
              bad("rows must index rows of X");
            }
          }
        }
        const glmlx::HostMatrix hx{X.data(), int64_t(n), int64_t(p), int64_t(X.stride(0)), int64_t(X.stride(1))};
        const size_t B = std::max<size_t>(subsets.size(), 1);
        std::vector<glmlx::GlmPathResult> res(B);
        {
          nb::gil_scoped_release release;
          auto run_one = [&](size_t b, const glmlx::GlmPathSettings& s) {
            const int64_t* rows = subsets.empty() ? nullptr : subsets[b].data();
            const int64_t nrows = subsets.empty() ? int64_t(n) : int64_t(subsets[b].shape(0));
            res[b] = glmlx::glm_path_host(hx, y.data(), int64_t(K), weights.data(),
                                          offset ? offset->data() : nullptr, rows, nrows, include.data(),
                                          penalty.data(), lower.data(), upper.data(),
                                          user_lambdas ? user_lambdas->data() : nullptr,
                                          user_lambdas ? int64_t(user_lambdas->size()) : 0, s);
          };
          std::vector<std::exception_ptr> errors(B);
          auto one = [&](size_t b, glmlx::GlmPathSettings s) {
            try {
              run_one(b, s);
            } catch (...) {
              errors[b] = std::current_exception();  // rethrown on the calling thread
            }
          };
          const size_t nthreads = std::min<size_t>(B, std::max(1u, std::thread::hardware_concurrency()));
          if (nthreads <= 1) {
            for (size_t b = 0; b < B; ++b) {
              one(b, settings);
            }
          } else {
            // Paths in parallel threads, each with single-threaded BLAS (spinning pools fight otherwise)
            // and one thread per path: the cores are taken.
            glmlx::blas::ThreadScope one_blas_thread(0.0);
            glmlx::GlmPathSettings per_path = settings;
            per_path.path_threads = 1;
            std::vector<std::thread> pool;
            for (size_t t = 0; t < nthreads; ++t) {
              pool.emplace_back([&, t]() {
                for (size_t b = t; b < B; b += nthreads) {
                  one(b, per_path);
                }
              });
            }
            for (auto& th : pool) {
              th.join();
            }
          }
          for (auto& e : errors) {
            if (e) {
              std::rethrow_exception(e);
            }
          }
        }
        nb::list out;
        for (auto& r : res) {
          out.append(result_dict(std::move(r), p));
        }
        return out;
      },
      "X"_a, "y"_a, "weights"_a, "offset"_a.none(), "include"_a, "penalty"_a, "lower"_a, "upper"_a,
      "user_lambdas"_a.none(), "settings"_a, "subsets"_a,
      "glmnet paths of a GLM family on numpy buffers, one per row subset (all rows when none), in threads "
      "(internal)");
}
