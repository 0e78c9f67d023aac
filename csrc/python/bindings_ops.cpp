// glmlx._ext, the MLX ops (csrc/include/glmlx/ops.h): each with its MLX-op
// fallback beside it, and the gaussian path primitive's settings.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/variant.h>
#include <nanobind/stl/vector.h>

#include "glmlx/ops.h"

namespace nb = nanobind;
namespace mx = mlx::core;
using namespace nb::literals;

void register_ops(nb::module_& m) {
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
      .def_rw("screen", &glmlx::GaussianPathSettings::screen)
      .def_rw("residual", &glmlx::GaussianPathSettings::residual);  // read by gaussian_sparse_path only
  m.def("gaussian_cov_path", &glmlx::gaussian_cov_path, "C"_a, "g"_a, "beta"_a, "rsq"_a, "rank"_a, "lambdas"_a,
        "penalty"_a, "limits"_a, "include"_a, "warm"_a, "xv"_a, "lambda_prev"_a, "settings"_a, nb::kw_only(),
        "stream"_a = nb::none(), "alpha"_a = nb::none());
  m.def("gaussian_lazy_path", &glmlx::gaussian_lazy_path, "X"_a, "weights"_a, "xm"_a, "xs"_a, "g"_a, "beta"_a,
        "rsq"_a, "rank"_a, "lambdas"_a, "penalty"_a, "limits"_a, "include"_a, "warm"_a, "xv"_a, "lambda_prev"_a,
        "settings"_a,
        nb::kw_only(), "stream"_a = nb::none());
  m.def("gaussian_sparse_path", &glmlx::gaussian_sparse_path, "indptr"_a, "indices"_a, "data"_a, "y"_a, "weights"_a,
        "xm"_a, "xs"_a, "g"_a, "beta"_a, "rsq"_a, "rank"_a, "lambdas"_a, "penalty"_a, "limits"_a, "include"_a,
        "warm"_a, "xv"_a, "lambda_prev"_a, "settings"_a, nb::kw_only(), "stream"_a = nb::none());
  m.def("gaussian_residual_path", &glmlx::gaussian_residual_path, "Xt"_a, "center"_a, "scale"_a, "y"_a,
        "weights"_a, "xm"_a, "xs"_a, "g"_a, "beta"_a, "rsq"_a, "rank"_a, "lambdas"_a, "penalty"_a, "limits"_a,
        "include"_a, "warm"_a, "xv"_a, "lambda_prev"_a, "settings"_a, nb::kw_only(), "stream"_a = nb::none());
  m.def("lstsq", &glmlx::lstsq, "X"_a, "y"_a, "weights"_a = nb::none(), "method"_a = "auto",
        "fit_intercept"_a = false, "ridge"_a = 0.0, "rcond"_a = nb::none(), nb::kw_only(), "stream"_a = nb::none());
  m.def("lstsq_fallback", &glmlx::lstsq_fallback, "X"_a, "y"_a, "weights"_a = nb::none(), "method"_a = "auto",
        "fit_intercept"_a = false, "ridge"_a = 0.0, "rcond"_a = nb::none(), nb::kw_only(), "stream"_a = nb::none());
}
