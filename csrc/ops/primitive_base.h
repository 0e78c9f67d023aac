// Shared pieces of glmlx's primitives.
#pragma once

#include <functional>
#include <vector>

#include "mlx/allocator.h"
#include "mlx/backend/cpu/encoder.h"
#include "mlx/primitives.h"

namespace glmlx {

namespace mx = mlx::core;

// A primitive that keeps the plain-MLX computation it replaces (the MLX
// fast::Custom pattern). Its vjp, jvp and vmap differentiate / vectorize that
// fallback, so a kernel is always exactly as differentiable as its reference.
// Subclasses override a rule where a direct one is cheaper.
class FallbackPrimitive : public mx::Primitive {
 public:
  using Fallback = std::function<std::vector<mx::array>(const std::vector<mx::array>&)>;

  FallbackPrimitive(mx::Stream stream, Fallback fallback)
      : mx::Primitive(stream), fallback_(std::move(fallback)) {}

  std::vector<mx::array> vjp(
      const std::vector<mx::array>& primals,
      const std::vector<mx::array>& cotangents,
      const std::vector<int>& argnums,
      const std::vector<mx::array>& outputs) override;

  std::vector<mx::array> jvp(
      const std::vector<mx::array>& primals,
      const std::vector<mx::array>& tangents,
      const std::vector<int>& argnums) override;

  std::pair<std::vector<mx::array>, std::vector<int>> vmap(
      const std::vector<mx::array>& inputs,
      const std::vector<int>& axes) override;

 protected:
  Fallback fallback_;
};

// MLX's CPU pattern for a primitive's eval_cpu: allocate every output,
// register inputs and outputs with the stream's encoder, then run
// fn(inputs, outputs) (weak copies, valid while the task runs) on the
// stream's worker thread.
template <typename F>
void dispatch_cpu(
    const mx::Stream& stream,
    const std::vector<mx::array>& inputs,
    std::vector<mx::array>& outputs,
    F&& fn) {
  for (auto& o : outputs) {
    o.set_data(mx::allocator::malloc(o.nbytes()));
  }
  auto& enc = mx::cpu::get_command_encoder(stream);
  std::vector<mx::array> in, out;
  for (const auto& a : inputs) {
    enc.set_input_array(a);
    in.push_back(mx::array::unsafe_weak_copy(a));
  }
  for (auto& o : outputs) {
    enc.set_output_array(o);
    out.push_back(mx::array::unsafe_weak_copy(o));
  }
  enc.dispatch([in = std::move(in), out = std::move(out), fn = std::forward<F>(fn)]() mutable { fn(in, out); });
}

// Which ops have a dedicated kernel on a stream's device; answered by the
// backend source CMake compiled in (backend/none.cpp, metal.cpp, cuda.cpp).
// CPU streams always have one.
bool backend_has_kernel(const char* op, const mx::Stream& s);

} // namespace glmlx
