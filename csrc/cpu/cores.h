// How many cores this process may use, and threads started on them.
#pragma once

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <type_traits>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <pthread.h>
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

/**
 * A thread that starts on another core than its creator's where one is
 * allowed; join() rethrows what its function threw.
 *
 * Linux places a new thread by the cores' recent load, which lags: on a
 * 2-core machine it often queued the thread behind its creator, on the
 * creator's core, while the other core sat idle, and the thread first ran
 * when the creator had done the whole job (seen with perf sched). So the thread
 * starts with the creator's core masked out, then takes the creator's whole
 * CPU set back, free to move again.
 */
class Thread {
 public:
  explicit Thread(std::function<void()> fn) : start_(std::make_unique<Start>()) {
    start_->fn = std::move(fn);
#if defined(__linux__)
    const int rc = create_off_this_core(&id_, /*detached=*/false, &Thread::run, start_.get(), &start_->allowed,
                                        &start_->restore);
    if (rc != 0) {
      throw std::system_error(rc, std::generic_category(), "glmlx: could not start a thread");
    }
#else
    thread_ = std::thread(&Thread::run, start_.get());
#endif
    joinable_ = true;
  }

#if defined(__linux__)
  // pthread_create with the creator's core masked out of the new thread's
  // affinity (*restore says whether to hand back *allowed once it runs);
  // where that placement is refused (a cpuset changed under us) it starts
  // anywhere. Returns pthread_create's code.
  static int create_off_this_core(pthread_t* id, bool detached, void* (*entry)(void*), void* arg,
                                  cpu_set_t* allowed, bool* restore) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    if (detached) {
      pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    }
    CPU_ZERO(allowed);
    *restore = false;
    if (pthread_getaffinity_np(pthread_self(), sizeof *allowed, allowed) == 0 && CPU_COUNT(allowed) > 1) {
      const int here = sched_getcpu();
      cpu_set_t away = *allowed;
      if (here >= 0 && here < CPU_SETSIZE && CPU_ISSET(here, &away)) {
        CPU_CLR(here, &away);
        *restore = pthread_attr_setaffinity_np(&attr, sizeof away, &away) == 0;
      }
    }
    int rc = pthread_create(id, &attr, entry, arg);
    if (rc != 0 && *restore) {
      *restore = false;
      pthread_attr_destroy(&attr);
      pthread_attr_init(&attr);
      if (detached) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
      }
      rc = pthread_create(id, &attr, entry, arg);
    }
    pthread_attr_destroy(&attr);
    return rc;
  }
#endif

  Thread(const Thread&) = delete;
  Thread& operator=(const Thread&) = delete;

  // Joins a thread still running (an exception unwinding past it must not
  // leave it reading freed state); what it threw is then dropped.
  ~Thread() {
    if (joinable_) {
      wait();
    }
  }

  void join() {
    wait();
    if (start_->error) {
      std::rethrow_exception(std::exchange(start_->error, nullptr));
    }
  }

 private:
  struct Start {
    std::function<void()> fn;
    std::exception_ptr error;
#if defined(__linux__)
    cpu_set_t allowed;
    bool restore;
#endif
  };

  static void* run(void* arg) {
    auto* s = static_cast<Start*>(arg);
#if defined(__linux__)
    if (s->restore) {
      pthread_setaffinity_np(pthread_self(), sizeof s->allowed, &s->allowed);
    }
#endif
    try {
      s->fn();
    } catch (...) {
      s->error = std::current_exception();
    }
    return nullptr;
  }

  void wait() {
    joinable_ = false;
#if defined(__linux__)
    pthread_join(id_, nullptr);
#else
    thread_.join();
#endif
  }

  std::unique_ptr<Start> start_;
  bool joinable_ = false;
#if defined(__linux__)
  pthread_t id_{};
#else
  std::thread thread_;
#endif
};

// Depth of for_each_index regions on this thread: a loop nested in another
// (a CV fold's Gram inside the loop over folds) runs on its caller's thread,
// since the outer loop has the cores already.
inline thread_local int parallel_depth = 0;

inline bool in_parallel_region() {
  return parallel_depth > 0;
}

struct ParallelRegion {
  ParallelRegion() { ++parallel_depth; }
  ~ParallelRegion() { --parallel_depth; }
  ParallelRegion(const ParallelRegion&) = delete;
  ParallelRegion& operator=(const ParallelRegion&) = delete;
};

/**
 * Starts fn on a detached thread, off the caller's core where another is
 * allowed (as Thread does); std::system_error if no thread can be started.
 * fn must not throw.
 */
inline void start_detached(std::function<void()> fn) {
#if defined(__linux__)
  struct Start {
    std::function<void()> fn;
    cpu_set_t allowed;
    bool restore;
  };
  auto start = std::make_unique<Start>();
  start->fn = std::move(fn);
  auto entry = [](void* arg) -> void* {
    std::unique_ptr<Start> s(static_cast<Start*>(arg));
    if (s->restore) {
      pthread_setaffinity_np(pthread_self(), sizeof s->allowed, &s->allowed);
    }
    s->fn();
    return nullptr;
  };
  pthread_t id;
  const int rc = Thread::create_off_this_core(&id, /*detached=*/true, entry, start.get(), &start->allowed,
                                              &start->restore);
  if (rc != 0) {
    throw std::system_error(rc, std::generic_category(), "glmlx: could not start a thread");
  }
  start.release();  // the thread owns it now
#else
  std::thread(std::move(fn)).detach();
#endif
}

/**
 * fn(i, t) for i = 0 .. count - 1 on up to nthreads threads: the caller (t = 0)
 * and helpers started for this call (t = 1 .. nthreads - 1, for per-thread
 * scratch). Each thread claims the next unclaimed i, so a thread that starts
 * late or shares its core with another process runs fewer items, and the
 * caller returns as soon as every item it did not run is finished: it never
 * waits for a helper that has not claimed one (under load a new thread can
 * wait milliseconds for a core; the helper then finds nothing left and exits
 * on its own, touching only the shared claim counter). Waits sleep on a
 * futex, never spin. Rethrows the first exception an item threw.
 *
 * Threads are started per call and detached rather than kept in a pool: a
 * pool's workers would not survive a fork (multiprocessing, a forked CV
 * runner), and a call worth threading costs far more than a thread's start.
 */
template <class F>
void for_each_index(size_t count, size_t nthreads, F&& fn) {
  nthreads = in_parallel_region() ? 1 : std::max<size_t>(1, std::min(nthreads, count));
  if (nthreads == 1) {
    for (size_t i = 0; i < count; ++i) {
      fn(i, size_t(0));
    }
    return;
  }
  // Outlives the call when a helper starts after the caller returned.
  struct Shared {
    std::atomic<size_t> next{0};
    std::atomic<size_t> finished{0};
    size_t count = 0;
    void* fn = nullptr;  // valid while an item is unfinished
    void (*call)(void*, size_t, size_t) = nullptr;
    std::mutex error_mutex;
    std::exception_ptr error;
    void run_items(size_t t) {
      ParallelRegion region;
      for (size_t i = next++; i < count; i = next++) {
        try {
          call(fn, i, t);
        } catch (...) {
          std::lock_guard<std::mutex> lock(error_mutex);
          if (!error) {
            error = std::current_exception();
          }
        }
        if (finished.fetch_add(1, std::memory_order_acq_rel) + 1 == count) {
          finished.notify_all();
        }
      }
    }
  };
  using Fn = std::remove_reference_t<F>;
  auto shared = std::make_shared<Shared>();
  shared->count = count;
  shared->fn = const_cast<void*>(static_cast<const void*>(&fn));
  shared->call = [](void* f, size_t i, size_t t) { (*static_cast<Fn*>(f))(i, t); };
  for (size_t t = 1; t < nthreads; ++t) {
    try {
      start_detached([shared, t] { shared->run_items(t); });
    } catch (...) {
      break;  // no thread to be had: the caller runs the items itself
    }
  }
  shared->run_items(0);
  for (size_t f; (f = shared->finished.load(std::memory_order_acquire)) != count;) {
    shared->finished.wait(f, std::memory_order_acquire);
  }
  if (shared->error) {
    std::rethrow_exception(shared->error);
  }
}

} // namespace glmlx::detail
