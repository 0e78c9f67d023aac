#include "team.h"

#include <chrono>

#include "vec.h"

namespace glmlx::detail {

namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// How long a thread spins before it sleeps. The helper's spin bridges the
// caller's serial stretches between loops (a coordinate's soft-thresholding,
// an IRLS step's bookkeeping); the caller only waits for a part the helper is
// already running, so its spin covers a part's length. Beyond these a futex
// wait gives the core to whoever else wants it.
constexpr auto kHelperSpin = std::chrono::microseconds(50);
constexpr auto kCallerSpin = std::chrono::microseconds(20);

// Spins until pred() or the time limit; true if pred() held.
template <class Pred>
bool spin_until(Pred pred, std::chrono::microseconds limit) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (pred()) {
        return true;
      }
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() - start > limit) {
      return pred();
    }
  }
}

} // namespace

PairTeam::PairTeam() : helper_([this] { helper_loop(); }) {}

PairTeam::~PairTeam() {
  // A new generation with no part left to claim wakes the helper, which then sees stop_.
  stop_.store(true, std::memory_order_seq_cst);
  state_.store(((state_.load(std::memory_order_relaxed) >> 2) + 1) << 2 | 2, std::memory_order_seq_cst);
  state_.notify_one();
  helper_.join();
}

void PairTeam::work(int part) noexcept {
  try {
    call_(ctx_, part);
  } catch (...) {
    errors_[part] = std::current_exception();  // rethrown by the caller in dispatch
  }
}

void PairTeam::finish_part() {
  done_.fetch_add(1, std::memory_order_seq_cst);
  // Seq_cst store then load, against the caller's store of caller_asleep_ then
  // load of done_: one of the two sees the other, so no wake-up is lost.
  if (caller_asleep_.load(std::memory_order_seq_cst)) {
    done_.notify_one();
  }
}

void PairTeam::dispatch(Call call, void* ctx) {
  call_ = call;
  ctx_ = ctx;
  done_.store(0, std::memory_order_relaxed);
  const uint32_t gen = (state_.load(std::memory_order_relaxed) >> 2) + 1;
  uint32_t s = gen << 2;
  state_.store(s, std::memory_order_seq_cst);  // publishes the job (release)
  if (helper_asleep_.load(std::memory_order_seq_cst)) {
    state_.notify_one();
  }
  // Claim parts until none is left; the helper may take one meanwhile.
  while ((s & 3) < 2) {
    if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
      work(int(s & 3));
      done_.fetch_add(1, std::memory_order_relaxed);  // our own count; read only by us
      ++s;
    }
  }
  auto both_done = [this] { return done_.load(std::memory_order_acquire) == 2; };
  if (!spin_until(both_done, kCallerSpin)) {
    caller_asleep_.store(1, std::memory_order_seq_cst);
    for (uint32_t d; (d = done_.load(std::memory_order_seq_cst)) != 2;) {
      done_.wait(d, std::memory_order_seq_cst);
    }
    caller_asleep_.store(0, std::memory_order_relaxed);
  }
  for (auto& e : errors_) {
    if (e) {
      std::exception_ptr first = std::exchange(e, nullptr);
      errors_[0] = errors_[1] = nullptr;
      std::rethrow_exception(first);
    }
  }
}

void PairTeam::helper_loop() {
  uint32_t seen = state_.load(std::memory_order_acquire);
  for (;;) {
    if (stop_.load(std::memory_order_seq_cst)) {
      return;
    }
    auto posted = [&] { return state_.load(std::memory_order_acquire) != seen; };
    if (!spin_until(posted, kHelperSpin)) {
      helper_asleep_.store(1, std::memory_order_seq_cst);
      while (state_.load(std::memory_order_seq_cst) == seen) {
        state_.wait(seen, std::memory_order_seq_cst);
      }
      helper_asleep_.store(0, std::memory_order_relaxed);
    }
    uint32_t s = state_.load(std::memory_order_acquire);
    while ((s & 3) < 2) {
      // A failed exchange reloads s: a part claimed by the caller, or a newer generation.
      if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
        work(int(s & 3));
        finish_part();
        ++s;
      }
    }
    seen = s;
  }
}

} // namespace glmlx::detail

namespace glmlx::detail {

double RowOps::dot(const double* a, const double* b) const {
  if (!team_) {
    return vec::dot(a, b, n_);
  }
  return sum_rows([&](int64_t lo, int64_t hi) { return vec::dot(a + lo, b + lo, hi - lo); });
}

double RowOps::sum(const double* x) const {
  if (!team_) {
    return vec::sum(x, n_);
  }
  return sum_rows([&](int64_t lo, int64_t hi) { return vec::sum(x + lo, hi - lo); });
}

double RowOps::wsumsq(const double* w, const double* x) const {
  if (!team_) {
    return vec::wsumsq(w, x, n_);
  }
  return sum_rows([&](int64_t lo, int64_t hi) { return vec::wsumsq(w + lo, x + lo, hi - lo); });
}

void RowOps::axpy_neg(double* y, const double* x, double a) const {
  for_rows([&](int64_t lo, int64_t hi, int) { vec::axpy_neg(y + lo, x + lo, a, hi - lo); });
}

void RowOps::axpy_wneg(double* r, const double* w, const double* x, double a) const {
  for_rows([&](int64_t lo, int64_t hi, int) { vec::axpy_wneg(r + lo, w + lo, x + lo, a, hi - lo); });
}

double RowOps::axpy_wneg_dot(double* r, const double* w, const double* xa, double a, const double* xb) const {
  if (!team_) {
    return vec::axpy_wneg_dot(r, w, xa, a, xb, n_);
  }
  return sum_rows(
      [&](int64_t lo, int64_t hi) { return vec::axpy_wneg_dot(r + lo, w + lo, xa + lo, a, xb + lo, hi - lo); });
}

} // namespace glmlx::detail
