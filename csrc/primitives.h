// glmlx primitive classes (internal; the public API is glmlx/ops.h).
#pragma once

#include "primitive_base.h"

namespace glmlx {

// out = sign(x) * max(|x| - t, 0) / scale on inputs already broadcast to one
// shape and cast to the output dtype. Inputs: x, t[, scale].
class SoftThreshold : public FallbackPrimitive {
 public:
  SoftThreshold(mx::Stream stream, Fallback fallback, bool has_scale)
      : FallbackPrimitive(stream, std::move(fallback)), has_scale_(has_scale) {}

  void eval_cpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) override;
  void eval_gpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) override;

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

  const char* name() const override {
    return "GlmlxSoftThreshold";
  }
  bool is_equivalent(const mx::Primitive& other) const override;
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& inputs) override {
    return {inputs[0].shape()};
  }

 private:
  bool has_scale_;
};

// Weighted Gram products; inputs X[, y][, w]; outputs X'WX[, X'Wy][, xbar[, ybar]].
class Gram : public FallbackPrimitive {
 public:
  Gram(mx::Stream stream, Fallback fallback, bool has_y, bool has_w, bool center)
      : FallbackPrimitive(stream, std::move(fallback)),
        has_y_(has_y),
        has_w_(has_w),
        center_(center) {}

  void eval_cpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) override;
  void eval_gpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) override;

  const char* name() const override {
    return "GlmlxGram";
  }
  bool is_equivalent(const mx::Primitive& other) const override;

 private:
  bool has_y_;
  bool has_w_;
  bool center_;
};

} // namespace glmlx
