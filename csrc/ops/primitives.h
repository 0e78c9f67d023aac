// glmlx primitive classes (internal; the public API is glmlx/ops.h).
#pragma once

#include "glmlx/ops.h"
#include "ops/primitive_base.h"

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

// Coordinate-descent path, full or lazy Gram (not differentiable: its
// outputs are an optimizer's iterates; CPU only).
class GaussianPath : public mx::Primitive {
 public:
  GaussianPath(mx::Stream stream, GaussianPathSettings settings)
      : mx::Primitive(stream), settings_(settings) {}

  void eval_cpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) override;
  void eval_gpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) override;

  const char* name() const override {
    return "GlmlxGaussianPath";
  }
  bool is_equivalent(const mx::Primitive& other) const override;

 private:
  GaussianPathSettings settings_;
};

// Closed-form least squares; inputs X, Y (n x k)[, w][, G, C[, xbar, ybar]]
// (the last from gram, on the Cholesky path); outputs coef (p x k), intercept
// (k) and info (4, float32: path used, rank, rcond estimate, Cholesky rcond).
// CPU only; not differentiable (its reference is built on mx.linalg, which
// MLX does not differentiate); vmap solves the batch elements one by one.
class Lstsq : public FallbackPrimitive {
 public:
  Lstsq(mx::Stream stream, Fallback fallback, int method, bool has_w, bool center, double ridge, double rcond)
      : FallbackPrimitive(stream, std::move(fallback)),
        method_(method),
        has_w_(has_w),
        center_(center),
        ridge_(ridge),
        rcond_(rcond) {}

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
  // One solve per batch element (mx.linalg's LU/QR, which the fallback uses,
  // have no vmap); bit-for-bit a loop of single solves.
  std::pair<std::vector<mx::array>, std::vector<int>> vmap(
      const std::vector<mx::array>& inputs,
      const std::vector<int>& axes) override;

  const char* name() const override {
    return "GlmlxLstsq";
  }
  bool is_equivalent(const mx::Primitive& other) const override;

 private:
  int method_;
  bool has_w_;
  bool center_;
  double ridge_;
  double rcond_;
};

} // namespace glmlx
