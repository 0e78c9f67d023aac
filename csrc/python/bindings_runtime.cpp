// glmlx._ext, the runtime: tracer checks, the GPU backend's name, the kept
// and Ctrl-C scopes.
#include <nanobind/nanobind.h>

#include "mlx/array.h"

#include "cpu/interrupt.h"
#include "glmlx/ops.h"

namespace nb = nanobind;
namespace mx = mlx::core;
using namespace nb::literals;

void register_runtime(nb::module_& m) {
  // MLX 0.32's Python API cannot tell a traced array (mx.grad, mx.vmap,
  // mx.compile) from a concrete one; the host-loop drivers (glmnet, fit_gd,
  // ...) ask here so that they can refuse with a clear error.
  m.def("is_tracer", [](const mx::array& a) { return a.is_tracer(); }, "a"_a);
  m.def("gpu_backend", &glmlx::gpu_backend);
  m.def("interrupt_begin", &glmlx::interrupt::begin,
        "Enter an interruptible scope: Ctrl-C stops the solvers at their next pass (internal)");
  m.def(
      "interrupt_end",
      []() {
        if (!glmlx::interrupt::end()) {
          return;
        }
        // Python's handler saw the signal too (chained): run it now, so KeyboardInterrupt (or the
        // user's handler) comes from here; a handler that does not raise still gets one, since the
        // solvers stopped and their results are incomplete.
        if (PyErr_CheckSignals() != 0) {
          throw nb::python_error();
        }
        PyErr_SetNone(PyExc_KeyboardInterrupt);
        throw nb::python_error();
      },
      "Leave the scope; raise KeyboardInterrupt if Ctrl-C arrived during it (internal)");
  m.def("lambdas_done", &glmlx::interrupt::lambdas_done,
        "Lambdas finished by path solvers since the outermost interruptible scope began (internal)");
}
