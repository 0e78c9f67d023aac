// Argument checks shared by the ops: each error names the op and the argument.
#pragma once

#include <initializer_list>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "mlx/array.h"
#include "mlx/ops.h"

namespace glmlx::detail {

namespace mx = mlx::core;

inline std::string shape_str(const mx::Shape& shape) {
  std::ostringstream os;
  os << "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    os << shape[i] << (shape.size() == 1 ? "," : (i + 1 < shape.size() ? ", " : ""));
  }
  os << ")";
  return os.str();
}

inline std::string dtype_str(mx::Dtype d) {
  std::ostringstream os;
  os << d;
  return os.str();
}

[[noreturn]] inline void fail(const char* op, const std::string& msg) {
  throw std::invalid_argument(std::string("[glmlx.") + op + "] " + msg);
}

inline void require_floating(const mx::array& a, const char* op, const char* name) {
  if (!mx::issubdtype(a.dtype(), mx::floating)) {
    fail(op, std::string(name) + " must be a real floating-point array (float16, bfloat16, float32 or float64), got " +
                 dtype_str(a.dtype()));
  }
}

// Result dtype of several arguments: floating, never complex.
inline mx::Dtype promote_floating(
    const std::vector<mx::array>& in,
    const char* op,
    std::initializer_list<const char*> names) {
  auto name = names.begin();
  mx::Dtype dtype = in[0].dtype();
  for (size_t i = 0; i < in.size(); ++i, ++name) {
    if (mx::issubdtype(in[i].dtype(), mx::complexfloating)) {
      fail(op, std::string(*name) + " must be real, got " + dtype_str(in[i].dtype()));
    }
    dtype = mx::promote_types(dtype, in[i].dtype());
  }
  if (!mx::issubdtype(dtype, mx::floating)) {
    dtype = mx::float32;
  }
  return dtype;
}

inline void require_broadcastable(
    const std::vector<mx::array>& in,
    const char* op,
    std::initializer_list<const char*> names) {
  try {
    mx::Shape shape = in[0].shape();
    for (size_t i = 1; i < in.size(); ++i) {
      shape = mx::broadcast_shapes(shape, in[i].shape());
    }
  } catch (const std::invalid_argument&) {
    std::ostringstream os;
    os << "shapes do not broadcast together:";
    auto name = names.begin();
    for (size_t i = 0; i < in.size(); ++i, ++name) {
      os << " " << *name << " " << shape_str(in[i].shape());
    }
    fail(op, os.str());
  }
}

} // namespace glmlx::detail
