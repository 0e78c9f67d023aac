// The Metal backend's kernel libraries: glmlx's .metal sources, embedded as
// strings at build time (cmake/embed_device_source.py) and compiled at run
// time through MLX's Metal device, once each.
#pragma once

#include "mlx/backend/metal/device.h"

namespace glmlx::metal_sources {
extern const char* const kSoftThreshold;  // kernels/soft_threshold.metal
extern const char* const kGaussianCd;     // kernels/gaussian_cd.metal
}  // namespace glmlx::metal_sources

namespace glmlx::metal {

// The compiled library of one of the sources above ("soft_threshold",
// "gaussian_cd") on the stream's device, or null when it fails to compile:
// then one warning goes to stderr and the op runs its CPU path.
MTL::Library* library(const char* name, const mlx::core::Stream& s);

}  // namespace glmlx::metal
