// The one runner of B independent problems (CV folds, responses, a batch of
// paths): spread over threads, each problem solved whole by one thread; and
// passes over the columns of a matrix in chunks on threads.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <vector>

#include "cpu/cores.h"
#include "cpu/interrupt.h"

namespace glmlx::detail {

/**
 * solve(b, parallel) for every b < B, on up to ``nthreads`` threads (inline
 * when nthreads <= 1; ``parallel`` says which). A problem not yet started
 * when Ctrl-C comes is handed to interrupted(b) instead. An exception from a
 * problem is caught on its thread; once all have run, the lowest b's is
 * rethrown on the caller's.
 */
template <class Solve, class Interrupted>
void run_problems(size_t B, size_t nthreads, Solve&& solve, Interrupted&& interrupted) {
  std::vector<std::exception_ptr> errors(B);
  auto one = [&](size_t b, bool parallel) {
    try {
      if (interrupt::requested()) {
        interrupted(b);
      } else {
        solve(b, parallel);
      }
    } catch (...) {
      errors[b] = std::current_exception();
    }
  };
  if (nthreads <= 1) {
    for (size_t b = 0; b < B; ++b) {
      one(b, false);
    }
  } else {
    for_each_index(B, nthreads, [&](size_t b, size_t) { one(b, true); });
  }
  for (auto& e : errors) {
    if (e) {
      std::rethrow_exception(e);
    }
  }
}

// Runs f(j0, j1) over [0, p) in chunks of at least 256 columns (the passes
// are bound by memory) on up to `threads` threads (at most 8). The threads
// claim chunks one at a time, four per thread: with fixed equal shares a
// thread whose core is shared with another process held up every lambda's
// pass. Each column's result is its own, so the split changes no bits.
template <typename F>
void for_column_chunks(int64_t p, int threads, F&& f) {
  threads = int(std::min<int64_t>({int64_t(threads), 8, std::max<int64_t>(1, p / 256)}));
  if (threads <= 1) {
    f(int64_t(0), p);
    return;
  }
  const int64_t chunks = std::min<int64_t>(4 * int64_t(threads), std::max<int64_t>(1, p / 256));
  const int64_t chunk = (p + chunks - 1) / chunks;
  glmlx::detail::for_each_index(size_t(chunks), size_t(threads), [&](size_t c, size_t) {
    f(std::min(p, int64_t(c) * chunk), std::min(p, int64_t(c + 1) * chunk));
  });
}

} // namespace glmlx::detail
