// Column-major copies of X for gaussian_residual_path, and the statistics that
// glmnet's standardization needs, read from the same pass over the data.
#include <algorithm>
#include <mutex>
#include <optional>
#include <cstdint>
#include <vector>

#include "mlx/allocator.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "cpu/cores.h"
#include "cpu/scratch.h"
#include "path/gaussian_path.h"
#include "glmlx/ops.h"
#include "cpu/vec.h"

namespace glmlx {

namespace {

template <typename T>
constexpr mx::Dtype dtype_of() {
  return std::is_same_v<T, double> ? mx::float64 : mx::float32;
}

// f(j0, j1) over [0, p) in blocks of `block` columns; the cores claim blocks
// one at a time, so a core shared with another process takes fewer of them.
template <typename F>
void over_column_blocks(int64_t p, int64_t block, double work, F&& f) {
  const int64_t nblocks = (p + block - 1) / block;
  const int64_t nthreads =
      work < 1e6 ? 1 : std::min<int64_t>(nblocks, glmlx::detail::usable_cores());
  glmlx::detail::for_each_index(size_t(nblocks), size_t(nthreads), [&](size_t b, size_t) {
    f(int64_t(b) * block, std::min(p, int64_t(b + 1) * block));
  });
}

} // namespace

namespace path {

void advise_huge_pages(void* data, size_t bytes) {
#if defined(__linux__)
  constexpr uintptr_t huge = uintptr_t(2) << 20;
  const uintptr_t b = (reinterpret_cast<uintptr_t>(data) + huge - 1) & ~(huge - 1);
  const uintptr_t e = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(huge - 1);
  if (e > b) {
    madvise(reinterpret_cast<void*>(b), e - b, MADV_HUGEPAGE);
  }
#else
  (void)data;
  (void)bytes;
#endif
}

} // namespace path

// A (p, n) array for the copy. The previous copy is kept (up to 1 GiB) and
// handed out again once nothing else holds it (a repeated fit, CV's folds after
// the full fit): a fresh buffer this size costs a zeroed page per fault on first
// touch, more than the copy itself.
namespace {

std::mutex columns_mutex;
// never destroyed: at exit MLX's allocator may be gone before this library's statics
std::optional<mx::array>* const kept_columns = new std::optional<mx::array>();

mx::array columns_array(int64_t p, int64_t n, mx::Dtype dtype) {
  auto* kept = kept_columns;
  std::lock_guard<std::mutex> lock(columns_mutex);
  const mx::Shape shape{int(p), int(n)};
  if (*kept && (*kept)->shape() == shape && (*kept)->dtype() == dtype && (*kept)->is_donatable()) {
    return **kept;
  }
  const size_t bytes = size_t(std::max<int64_t>(n * p, 1)) * mx::size_of(dtype);
  mx::array a(mx::allocator::malloc(bytes), shape, dtype);
  path::advise_huge_pages(a.data<void>(), bytes);
  if (bytes <= (size_t(1) << 30)) {
    *kept = a;
  } else {
    kept->reset();
  }
  return a;
}

} // namespace

namespace detail {
void release_column_copy() noexcept {
  std::lock_guard<std::mutex> lock(columns_mutex);
  kept_columns->reset();  // its memory goes back once nothing else holds the array
}
} // namespace detail

template <typename T>
mx::array column_major_host(const HostMatrix& X, const T* w, const T* y, T* xbar, T* var, T* xty,
                            const int64_t* rows) {
  const int64_t n = X.rows, p = X.cols;
  mx::array Xt = columns_array(p, n, dtype_of<T>());
  T* out = Xt.data<T>();
  const T* src = static_cast<const T*>(X.data);
  // 64 columns at a time: each row of row-major X is read as a 512 B piece
  // (prefetchers follow them), and the block's columns are still in cache for
  // the statistics.
  over_column_blocks(p, 64, double(n) * double(p), [&](int64_t j0, int64_t j1) {
    for (int64_t i = 0; i < n; ++i) {
      const T* row = src + (rows ? rows[i] : i) * X.s0;
      for (int64_t j = j0; j < j1; ++j) {
        out[j * n + i] = row[j * X.s1];
      }
    }
    std::vector<T> wd(n);
    for (int64_t j = j0; j < j1; ++j) {
      T* x = out + j * n;
      const T m = vec::dot(w, x, size_t(n));
      for (int64_t i = 0; i < n; ++i) {
        x[i] -= m;
        wd[i] = w[i] * x[i];
      }
      xbar[j] = m;
      var[j] = vec::dot(wd.data(), x, size_t(n));
      xty[j] = vec::dot(wd.data(), y, size_t(n));
    }
  });
  return Xt;
}

template <typename T>
void column_moments_host(const mx::array& Xt, const T* W, const T* Y, int64_t B, T* s1, T* s2, T* sy) {
  const int64_t p = Xt.shape(0), n = Xt.shape(1);
  const T* Z = Xt.data<T>();
  over_column_blocks(p, 64, double(n) * double(p) * double(B), [&](int64_t j0, int64_t j1) {
    std::vector<T> wz(n);
    for (int64_t j = j0; j < j1; ++j) {
      const T* z = Z + j * n;
      for (int64_t b = 0; b < B; ++b) {
        const T* w = W + b * n;
        for (int64_t i = 0; i < n; ++i) {
          wz[i] = w[i] * z[i];
        }
        s1[b * p + j] = vec::dot(w, z, size_t(n));
        s2[b * p + j] = vec::dot(wz.data(), z, size_t(n));
        sy[b * p + j] = vec::dot(wz.data(), Y + b * n, size_t(n));
      }
    }
  });
}

template mx::array column_major_host<double>(const HostMatrix&, const double*, const double*, double*, double*,
                                             double*, const int64_t*);
template mx::array column_major_host<float>(const HostMatrix&, const float*, const float*, float*, float*, float*,
                                            const int64_t*);
template void column_moments_host<double>(const mx::array&, const double*, const double*, int64_t, double*,
                                          double*, double*);
template void column_moments_host<float>(const mx::array&, const float*, const float*, int64_t, float*, float*,
                                         float*);

} // namespace glmlx
