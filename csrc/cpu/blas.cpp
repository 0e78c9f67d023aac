// glmlx's OpenBLAS thread policy (blas.h, Threads).
#include "cpu/blas.h"

#include <chrono>
#include <cstdio>
#include <thread>

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

namespace {

// Runnable threads now, this one included (the R of "0.50 0.40 0.30 R/T
// last_pid" in /proc/loadavg); -1 where it cannot be read.
int running_threads() {
#if defined(__linux__)
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    double a, b, c;
    int running = 0, total = 0;
    const int got = std::fscanf(f, "%lf %lf %lf %d/%d", &a, &b, &c, &running, &total);
    std::fclose(f);
    if (got == 5 && running >= 1) {
      return running;
    }
  }
#endif
  return -1;
}

} // namespace

int free_cores() {
  const int cores = int(detail::usable_cores());
  // The fewest of three looks 0.1 ms apart: a thread that is runnable for a
  // moment (a helper of the previous loop on its way out, a kernel worker)
  // is not a busy process.
  int running = running_threads();
  for (int look = 1; look < 3 && running > 1; ++look) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
    const int now = running_threads();
    running = now < 0 ? running : std::min(running, now);
  }
  if (running < 1) {
    return cores;
  }
  return std::clamp(cores - (running - 1), 1, cores);
}

} // namespace glmlx::blas
