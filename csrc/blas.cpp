// glmlx's OpenBLAS thread policy (blas.h, Threads).
#include "blas.h"

#include <cstdio>

namespace glmlx::blas {

#if !defined(GLMLX_BLAS_ACCELERATE)
#define GLMLX_OPENBLAS(name) GLMLX_CAT(GLMLX_BLAS_PREFIX, name)

namespace {

// Runs when libglmlx loads, after OpenBLAS's own start-up (a library it
// depends on): from here on glmlx's OpenBLAS uses one thread unless a
// ThreadScope asks for more. numpy's OpenBLAS is another copy and is left
// alone.
const int kInitialThreads = [] {
  const int threads = GLMLX_OPENBLAS(openblas_get_num_threads)();
  if (threads > 1) {
    GLMLX_OPENBLAS(openblas_set_num_threads)(1);
  }
  return std::max(threads, 1);
}();

} // namespace

int initial_threads() {
  return kInitialThreads;
}

ThreadScope::ThreadScope(double flops) {
  if (flops >= kSplitFlops && kInitialThreads > 1 && !detail::in_parallel_region()) {
    set_ = std::min(kInitialThreads, free_cores());
    if (set_ > 1) {
      GLMLX_OPENBLAS(openblas_set_num_threads)(set_);
    }
  }
}

ThreadScope::~ThreadScope() {
  if (set_ > 1) {
    GLMLX_OPENBLAS(openblas_set_num_threads)(1);
  }
}

#else

int initial_threads() {
  return 1;
}
ThreadScope::ThreadScope(double) {}
ThreadScope::~ThreadScope() {}

#endif

int free_cores() {
  const int cores = int(detail::usable_cores());
#if defined(__linux__)
  // "0.50 0.40 0.30 R/T last_pid": R counts the runnable threads now, this one included.
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    double a, b, c;
    int running = 0, total = 0;
    const int got = std::fscanf(f, "%lf %lf %lf %d/%d", &a, &b, &c, &running, &total);
    std::fclose(f);
    if (got == 5 && running >= 1) {
      return std::clamp(cores - (running - 1), 1, cores);
    }
  }
#endif
  return cores;
}

} // namespace glmlx::blas
