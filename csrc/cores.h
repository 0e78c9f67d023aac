// How many cores this process may use.
#pragma once

#include <algorithm>
#include <thread>

#if defined(__linux__)
#include <sched.h>
#endif

namespace glmlx::detail {

// The process's CPU affinity where the OS has one, else the machine's core
// count. A process can be pinned to fewer cores than the machine has (another
// library's OpenMP runtime does it on import, and so do taskset and cgroup
// cpusets); threads beyond the allowed cores only take turns on them, and a
// spinning hand-off between two threads on one core stalls both.
inline unsigned usable_cores() {
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    const int count = CPU_COUNT(&set);
    if (count > 0) {
      return unsigned(count);
    }
  }
#endif
  return std::max(1u, std::thread::hardware_concurrency());
}

} // namespace glmlx::detail
