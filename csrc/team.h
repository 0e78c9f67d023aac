// Two threads sharing the O(n) loops of one GLM path.
//
// A path's coordinate updates are loops of a few microseconds each (a residual
// update over n rows), hundreds of thousands of them in sequence: too short
// for a thread pool that sleeps between tasks, and OpenBLAS's spinning pool
// was measured 3-8x slower on a loaded 2-core machine. PairTeam keeps one
// helper thread for the duration of a path and splits each loop in two fixed
// parts that either thread may claim: the caller starts claiming as soon as it
// posts, so when the helper is not running (descheduled, asleep) the caller
// simply does both parts and never waits for it. The caller only waits for a
// part the helper has already started. Both threads spin briefly with a pause
// instruction, then sleep on a futex (std::atomic::wait), so an idle or loaded
// team gives its core back.
//
// The parts are fixed (not "whoever is faster takes more"), so a reduction
// summed part 0 + part 1 gives the same bits however the parts were scheduled.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <thread>
#include <utility>

namespace glmlx::detail {

class PairTeam {
 public:
  PairTeam();  // starts the helper thread (std::system_error if it cannot)
  ~PairTeam();
  PairTeam(const PairTeam&) = delete;
  PairTeam& operator=(const PairTeam&) = delete;

  /**
   * Calls fn(0) and fn(1), possibly one of them on the helper thread, and
   * returns when both have returned; an exception from either is rethrown
   * here (the first part's first). Not reentrant: fn must not call run.
   */
  template <class F>
  void run(F&& fn) {
    using Fn = std::remove_reference_t<F>;
    dispatch([](void* ctx, int part) { (*static_cast<Fn*>(ctx))(part); }, &fn);
  }

 private:
  using Call = void (*)(void*, int);
  void dispatch(Call call, void* ctx);
  void helper_loop();
  void work(int part) noexcept;
  void finish_part();

  // The posted job: written by the caller before it publishes a generation,
  // read by a thread only after it claimed a part of that generation.
  Call call_ = nullptr;
  void* ctx_ = nullptr;
  std::exception_ptr errors_[2];
  // generation << 2 | parts claimed (0..2); the caller alone starts generations.
  alignas(64) std::atomic<uint32_t> state_{2};
  alignas(64) std::atomic<uint32_t> done_{0};  // parts finished in the current generation
  std::atomic<uint32_t> caller_asleep_{0}, helper_asleep_{0};
  std::atomic<bool> stop_{false};
  std::thread helper_;
};

/** Rows [lo, hi) of part ``part`` (0 or 1) of n rows, split at a multiple of 8 (whole SIMD blocks). */
inline std::pair<int64_t, int64_t> half_rows(int64_t n, int part) {
  const int64_t mid = std::min(n, (n / 2 + 7) / 8 * 8);
  return part == 0 ? std::pair<int64_t, int64_t>{0, mid} : std::pair<int64_t, int64_t>{mid, n};
}

} // namespace glmlx::detail

namespace glmlx::detail {

/**
 * The solvers' O(n) vector loops over n rows, split between a PairTeam's two
 * threads when there is one and n is large enough to pay for the hand-off
 * (about a microsecond's work per part); otherwise the plain vec:: kernel, bit
 * for bit. Split reductions add part 0's sum to part 1's.
 */
class RowOps {
 public:
  // Below this many rows a loop runs on the calling thread alone.
  static constexpr int64_t kMinSplitRows = 2048;

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
    });
  }

  /** The sum over rows of fn(lo, hi), a partial result per part. */
  template <class F>
  double sum_rows(F&& fn) const {
    double acc[2] = {0.0, 0.0};
    for_rows([&](int64_t lo, int64_t hi, int part) { acc[part] = fn(lo, hi); });
    return acc[0] + acc[1];
  }

  double dot(const double* a, const double* b) const;
  double sum(const double* x) const;
  double wsumsq(const double* w, const double* x) const;
  void axpy_neg(double* y, const double* x, double a) const;
  void axpy_wneg(double* r, const double* w, const double* x, double a) const;
  double axpy_wneg_dot(double* r, const double* w, const double* xa, double a, const double* xb) const;

 private:
  PairTeam* team_;
  int64_t n_;
};

} // namespace glmlx::detail
