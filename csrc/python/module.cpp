// Python bindings: glmlx._ext, one register_* per topic. The module shares
// MLX's nanobind domain, so mx.array, mx.Stream and mx.Device arguments cross
// without conversion.
#include <nanobind/nanobind.h>

namespace nb = nanobind;

void register_ops(nb::module_& m);        // bindings_ops.cpp: the MLX ops
void register_host(nb::module_& m);       // bindings_host.cpp: kernels on numpy buffers
void register_runtime(nb::module_& m);    // bindings_runtime.cpp: tracers, caches, Ctrl-C
void register_glm(nb::module_& m);        // bindings_glm.cpp: binomial, poisson, multinomial paths
void register_mgaussian(nb::module_& m);  // bindings_mgaussian.cpp: mgaussian paths

NB_MODULE(_ext, m) {
  m.doc() = "glmlx C++ primitives (use the wrappers in the glmlx package)";
  register_runtime(m);
  register_ops(m);
  register_host(m);
  register_glm(m);
  register_mgaussian(m);
}
