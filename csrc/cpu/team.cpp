#include "cpu/team.h"

#include <chrono>

#include "cpu/vec.h"

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
// The caller's patience beyond part 0's own time for the helper's part 1
// (which starts a cache-line transfer or two later), then how long it yields
// its core before it sleeps.
constexpr auto kReplySlack = std::chrono::nanoseconds(1500);
constexpr auto kCallerYield = std::chrono::microseconds(20);

// Spins until pred() or the time limit; true if pred() held.
template <class Pred>
bool spin_until(Pred pred, PairTeam::Clock::duration limit) {
  const auto start = PairTeam::Clock::now();
  for (;;) {
    for (int i = 0; i < 16; ++i) {
      if (pred()) {
        return true;
      }
      cpu_relax();
    }
    if (PairTeam::Clock::now() - start > limit) {
      return pred();
    }
  }
}

} // namespace

PairTeam::PairTeam(bool with_helper) {
  if (with_helper) {
    helper_ = std::make_unique<Thread>([this] { helper_loop(); });
  }
}

PairTeam::~PairTeam() {
  if (!helper_) {
    return;
  }
  stop_.store(true, std::memory_order_seq_cst);
  gen_.fetch_add(1, std::memory_order_seq_cst);  // wakes the helper, which sees stop_ before claiming
  gen_.notify_one();
  helper_->join();
}

double PairTeam::work(int part) noexcept {
  try {
    return call_(ctx_, part);
  } catch (...) {
    errors_[part] = std::current_exception();  // rethrown by the caller in dispatch
    return 0.0;
  }
}

double PairTeam::dispatch(Call call, void* ctx) {
  ++stats_.jobs;
  call_ = call;
  ctx_ = ctx;
  if (!helper_ || solo_left_ > 0) {
    solo_left_ -= solo_left_ > 0;
    const double v0 = work(0), v1 = work(1);
    rethrow_error();
    return v0 + v1;
  }
  const uint32_t gen = gen_.load(std::memory_order_relaxed) + 1;
  gen_.store(gen, std::memory_order_seq_cst);  // publishes the job (release)
  // Seq_cst store then exchange, against the helper's store of helper_asleep_
  // then load of gen_: one of the two sees the other, so no wake-up is lost.
  // Clearing the flag here wakes the helper once, not on every job until it
  // gets a core again (a futex call each, on a loaded machine). A part stolen
  // from a helper still waking up is not lag: only one stolen from a helper
  // that was spinning for it starts a solo stretch.
  const bool helper_awake = helper_spinning_.load(std::memory_order_relaxed) != 0;
  if (helper_asleep_.exchange(0, std::memory_order_seq_cst)) {
    gen_.notify_one();
  }
  const auto start = Clock::now();
  const double v0 = work(0);
  double v1;
  bool lagging = false;  // the helper was awake but not there in time
  uint32_t prev = gen - 1;
  if (done_.load(std::memory_order_acquire) != gen &&
      claimed_.compare_exchange_strong(prev, gen, std::memory_order_acq_rel)) {
    v1 = work(1);  // the helper had not started part 1
    lagging = helper_awake;
    stats_.stolen += lagging;
  } else {
    lagging = !await_reply(gen, Clock::now() - start);
    v1 = value_;
    ++stats_.helped;
  }
  if (lagging) {
    solo_left_ = solo_stretch_;
    solo_stretch_ = std::min(2 * solo_stretch_, kMaxSolo);
    kept_up_ = 0;
  } else if (++kept_up_ == kKeptUp) {
    solo_stretch_ = std::max(solo_stretch_ / 2, kMinSolo);
    kept_up_ = 0;
  }
  rethrow_error();
  return v0 + v1;
}

// The helper started part 1 after the caller started part 0, so it should
// finish within about part 0's time (part0), or twice that when its rows are
// still in the caller's cache (after loops the caller ran alone): a helper
// that is not done by then was preempted, or shares this core, so stop
// spinning, let it run, and sleep if that is not enough. A tighter limit
// mistook those cache misses for lag, and the doubling solo stretches then
// left the helper idle for whole paths. True if the reply came in time.
bool PairTeam::await_reply(uint32_t gen, Clock::duration part0) {
  auto replied = [&] { return done_.load(std::memory_order_acquire) == gen; };
  if (replied() || spin_until(replied, 2 * part0 + kReplySlack)) {
    return true;
  }
  ++stats_.lagged;
  for (const auto until = Clock::now() + kCallerYield; !replied() && Clock::now() < until;) {
    std::this_thread::yield();
  }
  if (!replied()) {
    caller_asleep_.store(1, std::memory_order_seq_cst);
    for (uint32_t d; (d = done_.load(std::memory_order_seq_cst)) != gen;) {
      done_.wait(d, std::memory_order_seq_cst);
    }
    caller_asleep_.store(0, std::memory_order_relaxed);
  }
  return false;
}

void PairTeam::rethrow_error() {
  for (auto& e : errors_) {
    if (e) {
      std::exception_ptr first = std::exchange(e, nullptr);
      errors_[0] = errors_[1] = nullptr;
      std::rethrow_exception(first);
    }
  }
}

void PairTeam::helper_loop() {
  uint32_t seen = gen_.load(std::memory_order_acquire);
  for (;;) {
    auto posted = [&] { return gen_.load(std::memory_order_acquire) != seen; };
    if (!spin_until(posted, kHelperSpin)) {
      helper_spinning_.store(0, std::memory_order_relaxed);
      helper_asleep_.store(1, std::memory_order_seq_cst);
      while (gen_.load(std::memory_order_seq_cst) == seen) {
        gen_.wait(seen, std::memory_order_seq_cst);
      }
      helper_asleep_.store(0, std::memory_order_relaxed);
      helper_spinning_.store(1, std::memory_order_relaxed);
    }
    if (stop_.load(std::memory_order_seq_cst)) {
      return;
    }
    // The caller posts a job only once part 1 of the previous one is claimed
    // and finished, so claimed_ holds gen - 1 until someone claims this part
    // 1 (the helper may have slept through earlier jobs: the caller ran them).
    const uint32_t gen = gen_.load(std::memory_order_acquire);
    seen = gen;
    uint32_t prev = gen - 1;
    if (!claimed_.compare_exchange_strong(prev, gen, std::memory_order_acq_rel)) {
      continue;  // the caller took part 1
    }
    value_ = work(1);
    done_.store(gen, std::memory_order_seq_cst);  // publishes value_ (release)
    if (caller_asleep_.load(std::memory_order_seq_cst)) {
      done_.notify_one();
    }
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

void RowOps::pair_step(double* r, const double* w, const double* x0, const double* x1, double a0, double a1,
                       const double* y0, const double* y1, const double* ahead0, const double* ahead1,
                       double* out) const {
  if (!team_) {
    vec::pair_step(r, w, x0, x1, a0, a1, y0, y1, std::size_t(n_), ahead0, ahead1, out);
    return;
  }
  // a cache line each: the helper writes its sums into the caller's frame
  struct alignas(64) Sums {
    double v[5];
  };
  Sums parts[2];
  auto at = [](const double* p, int64_t lo) { return p ? p + lo : nullptr; };
  team_->run([&](int part) {
    const auto [lo, hi] = half_rows(n_, part);
    vec::pair_step(r + lo, w + lo, at(x0, lo), at(x1, lo), a0, a1, at(y0, lo), at(y1, lo), std::size_t(hi - lo),
                   at(ahead0, lo), at(ahead1, lo), parts[part].v);
    return 0.0;
  });
  if (y0) {
    for (int q = 0; q < 5; ++q) {
      out[q] = parts[0].v[q] + parts[1].v[q];
    }
  }
}

namespace {

// Column pointers moved to row lo.
std::vector<const double*> rows_from(const double* const* cols, std::size_t m, int64_t lo) {
  std::vector<const double*> out(cols, cols + m);
  for (auto& c : out) {
    c += lo;
  }
  return out;
}

} // namespace

void RowOps::axpy_neg_cols(double* y, const double* const* cols, const double* a, std::size_t m) const {
  if (!team_) {
    vec::axpy_neg_cols(y, cols, a, m, std::size_t(n_));
    return;
  }
  for_rows([&](int64_t lo, int64_t hi, int) {
    vec::axpy_neg_cols(y + lo, rows_from(cols, m, lo).data(), a, m, std::size_t(hi - lo));
  });
}

} // namespace glmlx::detail
