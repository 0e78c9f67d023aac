// GPU backend for MLX built with Metal: which ops have a Metal kernel. A
// kernel library that does not compile makes its ops take their CPU path (the
// MLX-op fallback for soft_threshold, the CPU solver for the gaussian path),
// with one warning.
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <string>
#include <unordered_map>

#include "backend/metal/kernels.h"
#include "glmlx/ops.h"
#include "ops/primitive_base.h"

namespace glmlx {

namespace metal {

MTL::Library* library(const char* name, const mx::Stream& s) {
  static std::mutex mutex;
  static std::unordered_map<std::string, MTL::Library*> built;  // null: failed once, not retried
  std::lock_guard<std::mutex> lock(mutex);
  const std::string key = std::string(name) + "@" + std::to_string(s.device.index);
  if (auto it = built.find(key); it != built.end()) {
    return it->second;
  }
  const char* source = std::strcmp(name, "soft_threshold") == 0 ? metal_sources::kSoftThreshold
                                                                  : metal_sources::kGaussianCd;
  MTL::Library* lib = nullptr;
  try {
    auto& d = mx::metal::device(s.device);
    lib = d.get_library(std::string("glmlx_") + name, [source]() { return std::string(source); });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "glmlx: warning: the Metal kernels '%s' did not compile (%s); their ops run on the CPU path\n",
                 name, e.what());
    lib = nullptr;
  }
  built[key] = lib;
  return lib;
}

}  // namespace metal

bool backend_has_kernel(const char* op, const mx::Stream& s) {
  if (s.device == mx::Device::cpu) {
    return true;
  }
  if (std::strcmp(op, "soft_threshold") == 0) {
    return metal::library("soft_threshold", s) != nullptr;
  }
  if (std::strcmp(op, "gaussian_cov_path") == 0) {
    return metal::library("gaussian_cd", s) != nullptr;
  }
  return false;
}

const char* gpu_backend() {
  return "metal";
}

} // namespace glmlx
