#include "backend/cuda/module.h"

#include <dlfcn.h>

#include <cstdio>
#include <mutex>
#include <string>
#include <unordered_map>

#include "backend/cuda/fatbin.h"

namespace glmlx::cuda {

namespace {

namespace mx = mlx::core;

// Driver entry points by dlsym: libmlx.so has loaded libcuda.so.1 already, and
// linking glmlx against a libcuda stub is not needed.
template <typename F>
F driver(const char* name) {
  static void* lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL);
  return lib ? reinterpret_cast<F>(dlsym(lib, name)) : nullptr;
}

std::string driver_error(CUresult r) {
  const char* msg = nullptr;
  if (auto get = driver<CUresult (*)(CUresult, const char**)>("cuGetErrorString")) {
    get(r, &msg);
  }
  return msg ? msg : ("CUresult " + std::to_string(int(r)));
}

struct Module {
  CUmodule module = nullptr;
  std::unordered_map<std::string, CUfunction> functions;
  bool failed = false;
};

}  // namespace

CUfunction kernel(const char* name, const mx::Stream& s) {
  static std::mutex mutex;
  static std::unordered_map<int, Module> modules;  // by CUDA device
  std::lock_guard<std::mutex> lock(mutex);
  auto& dev = mx::cu::device(s.device);
  Module& m = modules[dev.cuda_device()];
  if (m.failed) {
    return nullptr;
  }
  if (auto it = m.functions.find(name); it != m.functions.end()) {
    return it->second;
  }
  auto fail = [&](const std::string& why) -> CUfunction {
    std::fprintf(stderr, "glmlx: warning: the CUDA kernels did not load (%s); their ops run on the CPU path\n",
                 why.c_str());
    m.failed = true;
    return nullptr;
  };
  if (m.module == nullptr) {
    auto load = driver<CUresult (*)(CUmodule*, const void*)>("cuModuleLoadData");
    if (!load) {
      return fail("no cuModuleLoadData in libcuda.so.1");
    }
    dev.make_current();
    if (CUresult r = load(&m.module, kGlmlxFatbin); r != CUDA_SUCCESS) {
      return fail("cuModuleLoadData: " + driver_error(r));
    }
  }
  auto get = driver<CUresult (*)(CUfunction*, CUmodule, const char*)>("cuModuleGetFunction");
  CUfunction fn = nullptr;
  if (!get) {
    return fail("no cuModuleGetFunction in libcuda.so.1");
  }
  if (CUresult r = get(&fn, m.module, name); r != CUDA_SUCCESS) {
    return fail(std::string("cuModuleGetFunction(") + name + "): " + driver_error(r));
  }
  m.functions[name] = fn;
  return fn;
}

}  // namespace glmlx::cuda
