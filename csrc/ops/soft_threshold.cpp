// soft_threshold: out = sign(x) * max(|x| - t, 0) / scale.
#include <sstream>
#include <stdexcept>

#include "mlx/allocator.h"
#include "mlx/backend/common/utils.h"
#include "mlx/backend/cpu/encoder.h"
#include "mlx/ops.h"

#include "glmlx/kernels/device_math.h"
#include "glmlx/ops.h"
#include "ops/primitives.h"
#include "ops/util.h"

namespace glmlx {

namespace {

constexpr const char* kOp = "soft_threshold";

std::vector<mx::array> fallback_impl(const std::vector<mx::array>& in, bool has_scale, mx::Stream s) {
  const auto& x = in[0];
  auto mag = mx::maximum(mx::subtract(mx::abs(x, s), in[1], s), mx::array(0, x.dtype()), s);
  auto out = mx::multiply(mx::sign(x, s), mag, s);
  if (has_scale) {
    out = mx::divide(out, in[2], s);
  }
  return {out};
}

// Rows of the last axis with per-input strides: covers broadcast parameters
// (stride 0) and transposed or sliced x without a copy.
template <typename T, typename A>
void soft_threshold_strided(const mx::array& x, const mx::array& t, const mx::array* scale, mx::array& out) {
  const T* xp = x.data<T>();
  const T* tp = t.data<T>();
  const T* sp = scale ? scale->data<T>() : nullptr;
  T* op = out.data<T>();
  const size_t n = out.size();
  if (out.ndim() == 0) {
    op[0] = T(kernels::soft_threshold<A>(A(xp[0]), A(tp[0]), sp ? A(sp[0]) : A(1)));
    return;
  }
  const int64_t last = out.shape().back();
  const int64_t xs = x.strides().back(), ts = t.strides().back();
  const int64_t ss = scale ? scale->strides().back() : 0;
  const int64_t rows = static_cast<int64_t>(n) / last;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t e = r * last;
    const T* xr = xp + mx::elem_to_loc(e, x.shape(), x.strides());
    const T* tr = tp + mx::elem_to_loc(e, t.shape(), t.strides());
    const T* sr = sp ? sp + mx::elem_to_loc(e, scale->shape(), scale->strides()) : nullptr;
    T* orow = op + e;
    if (sr) {
      for (int64_t j = 0; j < last; ++j) {
        orow[j] = T(kernels::soft_threshold<A>(A(xr[j * xs]), A(tr[j * ts]), A(sr[j * ss])));
      }
    } else {
      for (int64_t j = 0; j < last; ++j) {
        orow[j] = T(kernels::soft_threshold<A>(A(xr[j * xs]), A(tr[j * ts])));
      }
    }
  }
}

template <typename T, typename A>
void soft_threshold_cpu(const mx::array& x, const mx::array& t, const mx::array* scale, mx::array& out) {
  const size_t n = out.size();
  if (n == 0) {
    return;
  }
  const T* xp = x.data<T>();
  T* op = out.data<T>();
  const bool x_dense = x.flags().row_contiguous;
  const bool scalar_params = t.data_size() == 1 && (!scale || scale->data_size() == 1);
  if (x_dense && scalar_params) {
    // The common case (one threshold for all): a single vectorized pass.
    const A tv = A(t.data<T>()[0]);
    if (scale) {
      const A sv = A(scale->data<T>()[0]);
      for (size_t i = 0; i < n; ++i) {
        op[i] = T(kernels::soft_threshold<A>(A(xp[i]), tv, sv));
      }
    } else {
      for (size_t i = 0; i < n; ++i) {
        op[i] = T(kernels::soft_threshold<A>(A(xp[i]), tv));
      }
    }
    return;
  }
  const bool all_dense = x_dense && t.flags().row_contiguous && (!scale || scale->flags().row_contiguous);
  if (all_dense) {
    const T* tp = t.data<T>();
    if (scale) {
      const T* sp = scale->data<T>();
      for (size_t i = 0; i < n; ++i) {
        op[i] = T(kernels::soft_threshold<A>(A(xp[i]), A(tp[i]), A(sp[i])));
      }
    } else {
      for (size_t i = 0; i < n; ++i) {
        op[i] = T(kernels::soft_threshold<A>(A(xp[i]), A(tp[i])));
      }
    }
    return;
  }
  soft_threshold_strided<T, A>(x, t, scale, out);
}

} // namespace

mx::array soft_threshold_fallback(
    const mx::array& x,
    const mx::array& t,
    const std::optional<mx::array>& scale,
    mx::StreamOrDevice s) {
  auto stream = mx::to_stream(s);
  std::vector<mx::array> in = {x, t};
  if (scale) {
    in.push_back(*scale);
  }
  auto dtype = detail::promote_floating(in, kOp, {"x", "t", "scale"});
  for (auto& a : in) {
    a = mx::astype(a, dtype, stream);
  }
  in = mx::broadcast_arrays(in, stream);
  return fallback_impl(in, scale.has_value(), stream)[0];
}

mx::array soft_threshold(
    const mx::array& x,
    const mx::array& t,
    const std::optional<mx::array>& scale,
    mx::StreamOrDevice s) {
  auto stream = mx::to_stream(s);
  detail::require_floating(x, kOp, "x");
  std::vector<mx::array> in = {x, t};
  if (scale) {
    in.push_back(*scale);
  }
  auto dtype = detail::promote_floating(in, kOp, {"x", "t", "scale"});
  detail::require_broadcastable(in, kOp, {"x", "t", "scale"});
  for (auto& a : in) {
    a = mx::astype(a, dtype, stream);
  }
  in = mx::broadcast_arrays(in, stream);
  const bool has_scale = scale.has_value();
  // The GPU kernels index at most 8 axes and 2^32 elements; beyond that the fallback runs there.
  const bool fits = stream.device == mx::Device::cpu || (in[0].ndim() <= 8 && in[0].size() < (size_t(1) << 32));
  if (!fits || !backend_has_kernel(kOp, stream)) {
    return fallback_impl(in, has_scale, stream)[0];
  }
  auto fallback = [has_scale, stream](const std::vector<mx::array>& a) {
    return fallback_impl(a, has_scale, stream);
  };
  auto shape = in[0].shape();
  return mx::array(
      std::move(shape), dtype, std::make_shared<SoftThreshold>(stream, fallback, has_scale), std::move(in));
}

void SoftThreshold::eval_cpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) {
  auto& out = outputs[0];
  const auto& x = inputs[0];
  const bool scalar_params = inputs[1].data_size() == 1 && (!has_scale_ || inputs[2].data_size() == 1);
  // Reuse x's buffer when nothing else holds it: one read and one write stream.
  if (x.flags().row_contiguous && scalar_params && x.is_donatable() && x.data_size() == x.size()) {
    out.copy_shared_buffer(x);
  } else {
    out.set_data(mx::allocator::malloc(out.nbytes()));
  }
  auto& enc = mx::cpu::get_command_encoder(stream());
  for (const auto& a : inputs) {
    enc.set_input_array(a);
  }
  enc.set_output_array(out);
  enc.dispatch([x = mx::array::unsafe_weak_copy(x),
                t = mx::array::unsafe_weak_copy(inputs[1]),
                sc = mx::array::unsafe_weak_copy(has_scale_ ? inputs[2] : inputs[1]),
                out = mx::array::unsafe_weak_copy(out),
                has_scale = has_scale_]() mutable {
    const mx::array* scale = has_scale ? &sc : nullptr;
    switch (out.dtype()) {
      case mx::float32:
        soft_threshold_cpu<float, float>(x, t, scale, out);
        break;
      case mx::float64:
        soft_threshold_cpu<double, double>(x, t, scale, out);
        break;
      case mx::float16:
        soft_threshold_cpu<mx::float16_t, float>(x, t, scale, out);
        break;
      case mx::bfloat16:
        soft_threshold_cpu<mx::bfloat16_t, float>(x, t, scale, out);
        break;
      default:
        throw std::runtime_error("[glmlx.soft_threshold] unsupported dtype");
    }
  });
}

// SoftThreshold::eval_gpu: backend/<backend>/ (CMake compiles the one MLX was built for).

std::vector<mx::array> SoftThreshold::vjp(
    const std::vector<mx::array>& primals,
    const std::vector<mx::array>& cotangents,
    const std::vector<int>& argnums,
    const std::vector<mx::array>& outputs) {
  auto s = stream();
  const auto& x = primals[0];
  const auto& g = cotangents[0];
  // Active where |x| > t: there out = (x - sign(x) t) / scale.
  auto active = mx::astype(mx::greater(mx::abs(x, s), primals[1], s), g.dtype(), s);
  auto g_active = mx::multiply(g, active, s);
  if (has_scale_) {
    g_active = mx::divide(g_active, primals[2], s);
  }
  std::vector<mx::array> out;
  for (int a : argnums) {
    if (a == 0) {
      out.push_back(g_active);
    } else if (a == 1) {
      out.push_back(mx::negative(mx::multiply(g_active, mx::sign(x, s), s), s));
    } else {
      out.push_back(mx::negative(mx::divide(mx::multiply(g, outputs[0], s), primals[2], s), s));
    }
  }
  return out;
}

std::vector<mx::array> SoftThreshold::jvp(
    const std::vector<mx::array>& primals,
    const std::vector<mx::array>& tangents,
    const std::vector<int>& argnums) {
  auto s = stream();
  const auto& x = primals[0];
  auto active = mx::astype(mx::greater(mx::abs(x, s), primals[1], s), x.dtype(), s);
  std::optional<mx::array> acc;
  std::optional<mx::array> out;  // only needed for a scale tangent
  for (size_t i = 0; i < argnums.size(); ++i) {
    mx::array term = tangents[i];
    if (argnums[i] == 0) {
      term = mx::multiply(term, active, s);
    } else if (argnums[i] == 1) {
      term = mx::negative(mx::multiply(mx::multiply(term, mx::sign(x, s), s), active, s), s);
    } else {
      if (!out) {
        out = soft_threshold(x, primals[1], primals[2], s);
      }
      // d/dscale of (u / scale) is -out / scale; divided once more below.
      term = mx::negative(mx::multiply(term, *out, s), s);
    }
    acc = acc ? mx::add(*acc, term, s) : term;
  }
  if (has_scale_) {
    acc = mx::divide(*acc, primals[2], s);
  }
  return {*acc};
}

std::pair<std::vector<mx::array>, std::vector<int>> SoftThreshold::vmap(
    const std::vector<mx::array>& inputs,
    const std::vector<int>& axes) {
  // Elementwise: put every mapped axis first; unmapped inputs broadcast.
  std::vector<mx::array> in;
  for (size_t i = 0; i < inputs.size(); ++i) {
    in.push_back(axes[i] >= 0 ? mx::moveaxis(inputs[i], axes[i], 0, stream())
                              : mx::expand_dims(inputs[i], 0, stream()));
  }
  std::optional<mx::array> scale;
  if (has_scale_) {
    scale = in[2];
  }
  return {{soft_threshold(in[0], in[1], scale, stream())}, {0}};
}

bool SoftThreshold::is_equivalent(const mx::Primitive& other) const {
  return has_scale_ == static_cast<const SoftThreshold&>(other).has_scale_;
}

} // namespace glmlx
