// glmlx: regularized linear models as MLX primitives.
//
// Public C++ API. Every op validates its arguments, promotes dtypes and builds
// its output from a glmlx primitive; on a device without a dedicated kernel it
// returns the same computation built from plain MLX ops (its "fallback"), which
// is also the reference in tests and the rule for vjp/jvp/vmap.
#pragma once

#include <optional>
#include <vector>

#include "mlx/array.h"
#include "mlx/utils.h"

namespace glmlx {

namespace mx = mlx::core;

/**
 * Elementwise soft-thresholding with an optional denominator:
 *
 *     out = sign(x) * max(|x| - t, 0) / scale
 *
 * x, t and scale broadcast together (numpy rules). scale defaults to 1; in
 * coordinate descent it is the elastic-net denominator x_j'Wx_j + lambda(1-a).
 * Floating-point dtypes only (float16, bfloat16, float32, float64).
 */
mx::array soft_threshold(
    const mx::array& x,
    const mx::array& t,
    const std::optional<mx::array>& scale = std::nullopt,
    mx::StreamOrDevice s = {});

/**
 * Weighted Gram products in one pass over X (n x p):
 *
 *     outputs[0] = X'WX                  (p x p)
 *     outputs[1] = X'Wy                  (p x k, or p for 1-D y)   if y given
 *     then, with center = true, the weighted column means of X (p) and of y
 *     (k, or a scalar for 1-D y), and the products above use X - 1 xbar' and
 *     y - 1 ybar' without materializing a centered copy of X.
 *
 * W = diag(weights) (all ones when absent); means use weights / sum(weights).
 * float32 and float64.
 */
std::vector<mx::array> gram(
    const mx::array& X,
    const std::optional<mx::array>& y = std::nullopt,
    const std::optional<mx::array>& weights = std::nullopt,
    bool center = false,
    mx::StreamOrDevice s = {});

/** The plain-MLX reference for gram (same outputs, same order). */
std::vector<mx::array> gram_fallback(
    const mx::array& X,
    const std::optional<mx::array>& y,
    const std::optional<mx::array>& weights,
    bool center,
    mx::StreamOrDevice s = {});

/** The plain-MLX reference for soft_threshold. */
mx::array soft_threshold_fallback(
    const mx::array& x,
    const mx::array& t,
    const std::optional<mx::array>& scale = std::nullopt,
    mx::StreamOrDevice s = {});

/** Name of the GPU backend this build was compiled with ("none", "metal", "cuda"). */
const char* gpu_backend();

} // namespace glmlx
