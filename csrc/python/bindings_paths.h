// Shared machinery of the GLM path bindings (bindings_glm.cpp, bindings_mgaussian.cpp):
// numpy buffers in and out, row-subset checks, and B paths run in parallel threads.
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <string>
#include <cmath>
#include <vector>

#include "cpu/interrupt.h"
#include "cpu/blas.h"
#include "cpu/cores.h"
#include "cpu/problems.h"
#include "glmlx/glm.h"
#include "glmlx/ops.h"

namespace glmlx::bindings {

namespace nb = nanobind;

using F64 = nb::ndarray<const double, nb::device::cpu, nb::c_contig>;
using Mat = nb::ndarray<const double, nb::ndim<2>, nb::device::cpu>;
using U8 = nb::ndarray<const uint8_t, nb::ndim<1>, nb::device::cpu, nb::c_contig>;
using Rows = nb::ndarray<const int64_t, nb::ndim<1>, nb::device::cpu, nb::c_contig>;

inline HostMatrix host(const Mat& a) {
  return {a.data(), int64_t(a.shape(0)), int64_t(a.shape(1)), int64_t(a.stride(0)), int64_t(a.stride(1))};
}

// A float32 or float64 matrix: the paths copy X into their own float64
// buffer anyway, so a float32 X is read as it is rather than converted first
// (a float64 copy of the whole X, twice X's bytes, on top of the path's).
using AnyMat = nb::ndarray<nb::ndim<2>, nb::device::cpu, nb::ro>;

inline HostMatrix host_any(const AnyMat& a, const char* name) {
  const bool f32 = a.dtype() == nb::dtype<float>();
  if (!f32 && a.dtype() != nb::dtype<double>()) {
    throw nb::type_error((std::string(name) + " must be float32 or float64").c_str());
  }
  return {a.data(), int64_t(a.shape(0)), int64_t(a.shape(1)), int64_t(a.stride(0)), int64_t(a.stride(1)), f32};
}

/** A numpy array owning the vector's buffer (no copy). */
template <typename T>
nb::ndarray<nb::numpy, T> to_numpy(std::vector<T>&& v, std::vector<size_t> shape) {
  auto* heap = new std::vector<T>(std::move(v));
  nb::capsule owner(heap, [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
  return nb::ndarray<nb::numpy, T>(heap->data(), shape.size(), shape.data(), owner);
}

/** A path as a dict of numpy arrays: lambdas (lmu), a0 (lmu, K), beta (lmu, K, p), dev_ratio, ... */
inline nb::dict result_dict(GlmPathResult&& r, size_t p) {
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

/** True when every subset indexes rows of an n-row X. */
using Indptr = nb::ndarray<const int64_t, nb::ndim<1>, nb::device::cpu, nb::c_contig>;
using Indices = nb::ndarray<const int32_t, nb::ndim<1>, nb::device::cpu, nb::c_contig>;

/** A CSC X (n rows) from numpy arrays, checked here: the solvers trust it. ValueError prefixed by ``op``. */
inline SparseHostMatrix sparse_host(const Indptr& indptr, const Indices& indices, const F64& data, int64_t n,
                                    const std::string& op) {
  auto bad = [&](const char* msg) { throw nb::value_error((op + msg).c_str()); };
  const size_t p = indptr.shape(0) > 0 ? indptr.shape(0) - 1 : 0;
  const int64_t* ip = indptr.data();
  const int32_t* ix = indices.data();
  if (indptr.shape(0) == 0 || ip[0] != 0 || ip[p] != int64_t(indices.shape(0)) || data.size() != indices.shape(0) ||
      n < 0) {
    bad("indptr, indices and data must describe a CSC matrix");
  }
  for (size_t j = 0; j < p; ++j) {
    if (ip[j + 1] < ip[j]) {
      bad("indptr must not decrease");
    }
    for (int64_t e = ip[j]; e < ip[j + 1]; ++e) {
      if (ix[e] < 0 || ix[e] >= n || (e > ip[j] && ix[e] <= ix[e - 1])) {
        bad("indices must be sorted row numbers in [0, n) within each column");
      }
    }
  }
  return SparseHostMatrix{n, int64_t(p), ip, ix, data.data()};
}

inline bool rows_in_range(const std::vector<Rows>& subsets, size_t n) {
  for (const auto& r : subsets) {
    for (size_t i = 0; i < r.shape(0); ++i) {
      if (r.data()[i] < 0 || size_t(r.data()[i]) >= n) {
        return false;
      }
    }
  }
  return true;
}

/**
 * How many of B paths may run at once when each keeps its own float64 copy
 * of `copy_bytes` (its rows of X, standardized) and a float64 copy of all of
 * X would take `x_bytes`: the copies in flight stay within one such copy, or
 * 512 MiB where that is more. On a large X, CV folds then run one after the
 * other (each path still shares its loops with a helper thread, team.h),
 * so a fit needs one working copy, not one per core; below that, memory is
 * cheap and the folds take the cores.
 */
inline size_t paths_at_once(size_t B, double copy_bytes, double x_bytes) {
  const double budget = std::max(double(size_t(512) << 20), x_bytes);
  const size_t fit = copy_bytes > 0 ? size_t(std::max(1.0, std::floor(budget / copy_bytes))) : B;
  return std::max<size_t>(1, std::min({B, size_t(glmlx::detail::usable_cores()), fit}));
}

/** paths_at_once for paths over `subsets` of an n x p X (all rows when there are none), float64 copies. */
inline size_t paths_at_once(const std::vector<Rows>& subsets, size_t n, size_t p) {
  size_t most_rows = subsets.empty() ? n : 0;
  for (const auto& r : subsets) {
    most_rows = std::max<size_t>(most_rows, r.shape(0));
  }
  return paths_at_once(std::max<size_t>(subsets.size(), 1), 8.0 * double(most_rows) * double(p),
                       8.0 * double(n) * double(p));
}

/** detail::run_problems without the GIL; Ctrl-C before a path starts raises. */
template <class Solve>
void run_paths(size_t B, size_t nthreads, Solve&& solve) {
  nb::gil_scoped_release release;
  glmlx::detail::run_problems(B, nthreads, solve, [](size_t) {
    throw std::runtime_error("interrupted");  // Ctrl-C: do not start another fold
  });
}

} // namespace glmlx::bindings
