// The one runner of B independent problems (CV folds, responses, a batch of
// paths): spread over threads, each problem solved whole by one thread.
#pragma once

#include <cstddef>
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

} // namespace glmlx::detail
