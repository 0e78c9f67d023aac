// Two threads sharing the O(n) loops of one GLM path.
//
// A path's coordinate updates are loops of a few microseconds each (a residual
// update over n rows), hundreds of thousands of them in sequence: too short
// for a thread pool that sleeps between tasks, and OpenBLAS's spinning pool
// is slow on a loaded machine. PairTeam keeps one
// helper thread for the duration of a path and splits each loop in two fixed
// parts: the caller runs part 0 and the helper part 1, unless the helper has
// not started part 1 by the time the caller is done with part 0, in which case
// the caller takes it too. So when the helper is not running (descheduled,
// asleep) the caller never waits for it; it only waits for a part the helper
// is already running. Both threads spin briefly with a pause instruction,
// then sleep on a futex (std::atomic::wait), so an idle or loaded team gives
// its core back.
//
// On a loaded machine the helper is often not running: the caller then runs
// part 1 itself, or worse, waits for a helper descheduled in the middle of
// part 1. Either event makes the caller run the next loops alone (the helper
// goes back to sleep), for a stretch that doubles while they recur and halves
// again while the helper keeps up, so a team on a busy machine costs little
// more than one thread.
//
// In the common case a loop costs two cache-line transfers between the cores
// (the job to the helper, its result back): the claim word stays in the
// helper's cache, and each part's rows stay in the cache of the core that
// runs them. The parts are fixed, so a reduction (part 0's value plus part
// 1's) gives the same bits however the parts were scheduled.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "cpu/cores.h"

namespace glmlx::detail {

class PairTeam {
 public:
  using Clock = std::chrono::steady_clock;
  // Starts the helper thread (std::system_error if it cannot); without_helper:
  // none, the caller runs both parts of every loop (the same sums, bit for bit).
  explicit PairTeam(bool with_helper = true);
  ~PairTeam();
  PairTeam(const PairTeam&) = delete;
  PairTeam& operator=(const PairTeam&) = delete;

  struct Stats {
    int64_t jobs = 0;     // run() calls
    int64_t helped = 0;   // part 1 run by the helper
    int64_t stolen = 0;   // part 1 run by the caller while the helper was awake
    int64_t lagged = 0;   // the helper's part 1 took much longer than the caller's part 0
  };
  const Stats& stats() const { return stats_; }

  /**
   * fn(0) + fn(1), one of them possibly run on the helper thread; fn returns
   * a double (a part's partial sum, or 0). An exception from either part is
   * rethrown here once both have returned. Not reentrant: fn must not call run.
   */
  template <class F>
  double run(F&& fn) {
    using Fn = std::remove_reference_t<F>;
    return dispatch([](void* ctx, int part) -> double { return (*static_cast<Fn*>(ctx))(part); }, &fn);
  }

 private:
  using Call = double (*)(void*, int);
  double dispatch(Call call, void* ctx);
  void helper_loop();
  double work(int part) noexcept;
  bool await_reply(uint32_t gen, Clock::duration part0);
  void rethrow_error();

  // The job, written by the caller before it publishes generation gen_, read
  // by the helper after it saw that generation.
  alignas(64) std::atomic<uint32_t> gen_{0};
  Call call_ = nullptr;
  void* ctx_ = nullptr;
  std::atomic<uint32_t> helper_asleep_{0};
  // 1 while the helper is awake and spinning for jobs; 0 from just before it
  // sleeps until it runs again. Unlike helper_asleep_ (which the caller clears
  // when it sends a wake-up) this says whether the helper could have claimed
  // a job in time, so only then does a stolen part count as the helper lagging.
  std::atomic<uint32_t> helper_spinning_{1};
  std::atomic<bool> stop_{false};
  // The generation whose part 1 was claimed last, by either thread (one
  // compare-exchange from gen - 1 to gen wins).
  alignas(64) std::atomic<uint32_t> claimed_{0};
  // The helper's reply: part 1's value, then the generation it finished.
  alignas(64) std::atomic<uint32_t> done_{0};
  double value_ = 0.0;
  std::atomic<uint32_t> caller_asleep_{0};
  std::exception_ptr errors_[2];
  // The caller's side: loops left to run alone, the next stretch's length,
  // loops the helper kept up with since the stretch last changed.
  int64_t solo_left_ = 0, solo_stretch_ = kMinSolo, kept_up_ = 0;
  static constexpr int64_t kMinSolo = 16, kMaxSolo = 16384, kKeptUp = 64;
  Stats stats_;
  std::unique_ptr<Thread> helper_;  // started off the caller's core (cores.h); null: none
};

/**
 * Allocator of arrays whose rows a team's two threads write (residuals,
 * weights, linear predictors): 64-byte aligned, so half_rows' split at a
 * multiple of 8 doubles is a cache-line boundary. On malloc's 16-byte
 * alignment the line across the split was written by both threads in every
 * loop, and the pair ran slower than one thread in the processes where that
 * happened.
 */
template <class T>
struct LineAligned {
  using value_type = T;
  static constexpr std::align_val_t kAlign{64};
  LineAligned() = default;
  template <class U>
  LineAligned(const LineAligned<U>&) noexcept {}
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlign)); }
  void deallocate(T* p, size_t) noexcept { ::operator delete(p, kAlign); }
  template <class U>
  bool operator==(const LineAligned<U>&) const noexcept { return true; }
  template <class U>
  bool operator!=(const LineAligned<U>&) const noexcept { return false; }
};
template <class T>
using RowVector = std::vector<T, LineAligned<T>>;

/** Rows [lo, hi) of part ``part`` (0 or 1) of n rows, split at a multiple of 8 (whole SIMD blocks). */
inline std::pair<int64_t, int64_t> half_rows(int64_t n, int part) {
  const int64_t mid = std::min(n, (n / 2 + 7) / 8 * 8);
  return part == 0 ? std::pair<int64_t, int64_t>{0, mid} : std::pair<int64_t, int64_t>{mid, n};
}

} // namespace glmlx::detail

namespace glmlx::detail {

/**
 * The solvers' O(n) vector loops over n rows, split between a PairTeam's two
 * threads when there is one and n is large enough to pay for the hand-off;
 * otherwise
 * the plain vec:: kernel, bit for bit. Split reductions add part 0's sum to
 * part 1's.
 */
class RowOps {
 public:
  // Below this many rows a loop runs on the calling thread alone.
  static constexpr int64_t kMinSplitRows = 1536;

  RowOps(PairTeam* team, int64_t n) : team_(n >= kMinSplitRows ? team : nullptr), n_(n) {}

  bool split() const { return team_ != nullptr; }

  /** fn(lo, hi, part) over rows [lo, hi): once over all rows (part 0), or on both halves. */
  template <class F>
  void for_rows(F&& fn) const {
    if (!team_) {
      fn(int64_t(0), n_, 0);
      return;
    }
    team_->run([&](int part) {
      const auto [lo, hi] = half_rows(n_, part);
      fn(lo, hi, part);
      return 0.0;
    });
  }

  /** fn(0, n), or fn over the first half plus fn over the second. */
  template <class F>
  double sum_rows(F&& fn) const {
    if (!team_) {
      return fn(int64_t(0), n_);
    }
    return team_->run([&](int part) {
      const auto [lo, hi] = half_rows(n_, part);
      return fn(lo, hi);
    });
  }

  double dot(const double* a, const double* b) const;
  double sum(const double* x) const;
  double wsumsq(const double* w, const double* x) const;
  void axpy_neg(double* y, const double* x, double a) const;
  void axpy_wneg(double* r, const double* w, const double* x, double a) const;
  // vec::axpy_neg_cols over m columns, bit for bit
  void axpy_neg_cols(double* y, const double* const* cols, const double* a, std::size_t m) const;
  // vec::pair_step; split: each of out's five sums is part 0's plus part 1's.
  void pair_step(double* r, const double* w, const double* x0, const double* x1, double a0, double a1,
                 const double* y0, const double* y1, const double* ahead0, const double* ahead1,
                 double* out) const;

 private:
  PairTeam* team_;
  int64_t n_;
};

} // namespace glmlx::detail
