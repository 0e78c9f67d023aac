// The scalar soft-threshold used by every CPU kernel (the elementwise
// primitive and the coordinate-descent updates), so there is one definition.
#pragma once

#include <algorithm>
#include <cmath>

namespace glmlx::kernels {

// sign(z) * max(|z| - t, 0) / scale. Branch-free so loops vectorize; NaN in z
// propagates (std::max(NaN, 0) keeps its first argument).
template <typename T>
inline T soft_threshold(T z, T t, T scale) {
  T a = std::max(std::abs(z) - t, T(0));
  return std::copysign(a, z) / scale;
}

template <typename T>
inline T soft_threshold(T z, T t) {
  T a = std::max(std::abs(z) - t, T(0));
  return std::copysign(a, z);
}

} // namespace glmlx::kernels
