// Python bindings of the multi-response gaussian path solver (mgaussian.h), on numpy buffers.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <string>
#include <thread>

#include "glmlx/mgaussian.h"
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
  throw nb::value_error(("[glmlx.mgaussian_paths] " + msg).c_str());
}

glmlx::HostMatrix host(const Mat& a) {
  return {a.data(), int64_t(a.shape(0)), int64_t(a.shape(1)), int64_t(a.stride(0)), int64_t(a.stride(1))};
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
      [](Mat X, Mat Y, F64 weights, U8 include, F64 penalty, F64 lower, F64 upper, std::optional<F64> user_lambdas,
         glmlx::MgaussianPathSettings settings, std::vector<Rows> subsets) {
        const size_t n = X.shape(0), p = X.shape(1);
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
        for (const auto& r : subsets) {
          for (size_t i = 0; i < r.shape(0); ++i) {
            if (r.data()[i] < 0 || size_t(r.data()[i]) >= n) {
              bad("rows must index rows of X");
            }
          }
        }
        const glmlx::HostMatrix hx = host(X), hy = host(Y);
        const size_t B = std::max<size_t>(subsets.size(), 1);
        std::vector<glmlx::GlmPathResult> res(B);
        {
          nb::gil_scoped_release release;
          auto one = [&](size_t b, const glmlx::MgaussianPathSettings& s) {
            const int64_t* rows = subsets.empty() ? nullptr : subsets[b].data();
            const int64_t nrows = subsets.empty() ? int64_t(n) : int64_t(subsets[b].shape(0));
            res[b] = glmlx::mgaussian_path_host(hx, hy, weights.data(), rows, nrows, include.data(), penalty.data(),
                                                lower.data(), upper.data(),
                                                user_lambdas ? user_lambdas->data() : nullptr,
                                                user_lambdas ? int64_t(user_lambdas->size()) : 0, s);
          };
          const size_t nthreads = std::min<size_t>(B, std::max(1u, std::thread::hardware_concurrency()));
          if (nthreads <= 1) {
            for (size_t b = 0; b < B; ++b) {
              one(b, settings);
            }
          } else {
            // Paths in parallel threads, each with single-threaded BLAS (spinning pools fight otherwise).
            glmlx::MgaussianPathSettings s1 = settings;
            s1.one_blas_thread = true;
            std::vector<std::thread> pool;
            for (size_t t = 0; t < nthreads; ++t) {
              pool.emplace_back([&, t]() {
                for (size_t b = t; b < B; b += nthreads) {
                  one(b, s1);
                }
              });
            }
            for (auto& th : pool) {
              th.join();
            }
          }
        }
        nb::list out;
        for (auto& r : res) {
          out.append(result_dict(std::move(r), p));
        }
        return out;
      },
      "X"_a, "Y"_a, "weights"_a, "include"_a, "penalty"_a, "lower"_a, "upper"_a, "user_lambdas"_a.none(),
      "settings"_a, "subsets"_a,
      "glmnet mgaussian paths on numpy buffers, one per row subset (all rows when none), in threads (internal)");
}
