// Python bindings: glmlx._ext. The module shares MLX's nanobind domain, so
// mx.array, mx.Stream and mx.Device arguments cross without conversion.
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/variant.h>
#include <nanobind/stl/vector.h>

#include "glmlx/ops.h"

namespace nb = nanobind;
using namespace nb::literals;

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
  m.def("gpu_backend", &glmlx::gpu_backend);
}
