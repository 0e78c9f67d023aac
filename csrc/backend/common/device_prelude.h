// What lets one kernel source compile as Metal Shading Language (Metal's
// runtime compiler, __METAL_VERSION__), as CUDA (nvcc, __CUDACC__), and as
// plain C++ under the emulator in tests/metal_shim (which defines
// __METAL_VERSION__ and emulates Metal's built-ins): address spaces, the
// group barrier and the device-function qualifier.
#pragma once

#if defined(__METAL_VERSION__)
#include <metal_stdlib>
#define GLMLX_GLOBAL device     // arrays in device memory
#if defined(GLMLX_METAL_SHIM)
#define GLMLX_SHARED  // the emulator's group memory is ordinary memory
#else
#define GLMLX_SHARED threadgroup  // memory shared by a threadgroup
#endif
#define GLMLX_PRIVATE thread    // a thread's own variables, by reference
#define GLMLX_DEVICE_FN inline
// g and beta live in device memory and are written and read by different
// threads of the group across a barrier, so both memories are fenced.
#define GLMLX_SYNC() metal::threadgroup_barrier(metal::mem_flags::mem_device | metal::mem_flags::mem_threadgroup)
#elif defined(__CUDACC__)
#define GLMLX_GLOBAL
#define GLMLX_SHARED
#define GLMLX_PRIVATE
#define GLMLX_DEVICE_FN __device__ inline
#define GLMLX_SYNC() __syncthreads()
#else
#error "device sources compile as Metal or CUDA only (tests compile them as Metal through tests/metal_shim)"
#endif

// Group memory a kernel declares (threadgroup / __shared__): the reductions'
// buffer, one int per thread.
#define GLMLX_MAX_GROUP_THREADS 1024

#include "glmlx/kernels/device_math.h"
