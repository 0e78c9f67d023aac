// How many cores this process may use, and threads started on them.
#pragma once

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <memory>
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
 * when the creator had done the whole job (perf sched: 11 CV paths of ~80 us,
 * all solved by the creator; the helper ran 20 us at the end). So the thread
 * starts with the creator's core masked out, then takes the creator's whole
 * CPU set back, free to move again.
 */
class Thread {
 public:
  explicit Thread(std::function<void()> fn) : start_(std::make_unique<Start>()) {
    start_->fn = std::move(fn);
#if defined(__linux__)
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    CPU_ZERO(&start_->allowed);
    start_->restore = false;
    if (pthread_getaffinity_np(pthread_self(), sizeof start_->allowed, &start_->allowed) == 0 &&
        CPU_COUNT(&start_->allowed) > 1) {
      const int here = sched_getcpu();
      cpu_set_t away = start_->allowed;
      if (here >= 0 && here < CPU_SETSIZE && CPU_ISSET(here, &away)) {
        CPU_CLR(here, &away);
        start_->restore = pthread_attr_setaffinity_np(&attr, sizeof away, &away) == 0;
      }
    }
    int rc = pthread_create(&id_, &attr, &Thread::run, start_.get());
    pthread_attr_destroy(&attr);
    if (rc != 0 && start_->restore) {  // the placement refused (a cpuset changed under us): start anywhere
      start_->restore = false;
      rc = pthread_create(&id_, nullptr, &Thread::run, start_.get());
    }
    if (rc != 0) {
      throw std::system_error(rc, std::generic_category(), "glmlx: could not start a thread");
    }
#else
    thread_ = std::thread(&Thread::run, start_.get());
#endif
    joinable_ = true;
  }

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

/**
 * body(t) for t = 0 .. nthreads - 1: t = 0 on the calling thread, the others
 * on new Threads; returns when all are done and rethrows the first exception.
 * Bodies that share work through a counter let the caller finish a share
 * whose thread starts late.
 */
template <class Body>
void fork_join(size_t nthreads, Body&& body) {
  std::vector<std::unique_ptr<Thread>> pool;
  pool.reserve(nthreads > 0 ? nthreads - 1 : 0);
  std::exception_ptr error;
  try {
    for (size_t t = 1; t < nthreads; ++t) {
      pool.push_back(std::make_unique<Thread>([&body, t]() { body(t); }));
    }
    body(size_t(0));
  } catch (...) {
    error = std::current_exception();
  }
  for (auto& th : pool) {
    try {
      th->join();
    } catch (...) {
      if (!error) {
        error = std::current_exception();
      }
    }
  }
  if (error) {
    std::rethrow_exception(error);
  }
}

/**
 * fn(i, t) for i = 0 .. count - 1 on nthreads threads (fork_join; t the
 * thread's index, for its scratch space, 0 the caller's). Each thread takes
 * the next unclaimed i: items differ in cost, and a thread that starts late
 * (on a busy machine a new thread can wait milliseconds for a core) leaves
 * its share to the others.
 */
template <class F>
void for_each_index(size_t count, size_t nthreads, F&& fn) {
  std::atomic<size_t> next{0};
  fork_join(std::max<size_t>(1, std::min(nthreads, count)), [&](size_t t) {
    for (size_t i = next++; i < count; i = next++) {
      fn(i, t);
    }
  });
}

} // namespace glmlx::detail
