// kernels/*.cu as one fatbin (sm_80, sm_90, sm_100, sm_120 and PTX), generated
// at build time (CMakeLists.txt: nvcc -fatbin, then cmake/embed_binary.py).
#pragma once

namespace glmlx::cuda {
extern const unsigned char kGlmlxFatbin[];
}  // namespace glmlx::cuda
