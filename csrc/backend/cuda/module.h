// The CUDA backend's kernels: kernels/*.cu compiled by nvcc into one fatbin
// (CMakeLists.txt), embedded in libglmlx, loaded once per device through the
// driver API and launched as CUfunctions through MLX's command encoder. (MLX
// links cudart statically: a kernel pointer from glmlx's own cudart would be
// unknown to it, a CUfunction is not.)
#pragma once

#include "mlx/backend/cuda/device.h"

namespace glmlx::cuda {

// Kernel ``name`` on the stream's device, or null when the fatbin does not load
// there (one warning on stderr; the op then runs its CPU path).
CUfunction kernel(const char* name, const mlx::core::Stream& s);

}  // namespace glmlx::cuda
