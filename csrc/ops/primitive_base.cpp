#include "ops/primitive_base.h"

#include "mlx/ops.h"
#include "mlx/transforms.h"

namespace glmlx {

std::vector<mx::array> FallbackPrimitive::vjp(
    const std::vector<mx::array>& primals,
    const std::vector<mx::array>& cotangents,
    const std::vector<int>& argnums,
    const std::vector<mx::array>&) {
  auto [_, grads] = mx::vjp(fallback_, primals, cotangents);
  std::vector<mx::array> out;
  out.reserve(argnums.size());
  for (int a : argnums) {
    out.push_back(grads[a]);
  }
  return out;
}

std::vector<mx::array> FallbackPrimitive::jvp(
    const std::vector<mx::array>& primals,
    const std::vector<mx::array>& tangents,
    const std::vector<int>& argnums) {
  // Inputs not differentiated get zero tangents.
  std::vector<mx::array> all_tangents;
  all_tangents.reserve(primals.size());
  for (const auto& p : primals) {
    all_tangents.push_back(mx::zeros_like(p, stream()));
  }
  for (size_t i = 0; i < argnums.size(); ++i) {
    all_tangents[argnums[i]] = tangents[i];
  }
  auto [_, jvps] = mx::jvp(fallback_, primals, all_tangents);
  return jvps;
}

std::pair<std::vector<mx::array>, std::vector<int>> FallbackPrimitive::vmap(
    const std::vector<mx::array>& inputs,
    const std::vector<int>& axes) {
  auto fn = mx::vmap(fallback_, axes);
  auto outs = fn(inputs);
  return {outs, std::vector<int>(outs.size(), 0)};
}

} // namespace glmlx
