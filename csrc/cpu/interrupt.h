// Ctrl-C and progress for long solver calls.
//
// While a solver runs, Python cannot run its SIGINT handler (the calling thread
// is in C++). begin() chains a C handler in front of Python's: a signal sets
// requested() (polled by the solvers between coordinate-descent passes, on
// every thread) and still reaches Python's handler, which raises
// KeyboardInterrupt once the call returns. end() restores the handler.
// The solvers also count finished lambdas here, for progress bars.
#pragma once

#include <atomic>
#include <cstdint>

namespace glmlx::interrupt {

extern std::atomic<bool> g_requested;
extern std::atomic<int64_t> g_lambdas_done;

// A SIGINT arrived during the current interruptible scope: stop at the next pass.
inline bool requested() noexcept {
  return g_requested.load(std::memory_order_relaxed);
}

// One more lambda of some path finished (progress bars read the total).
inline void lambda_done() noexcept {
  g_lambdas_done.fetch_add(1, std::memory_order_relaxed);
}

// Enter / leave an interruptible scope (nesting counted; call with the GIL held).
// begin() clears the flag and the lambda count when no scope is open; end()
// returns whether a SIGINT arrived.
void begin();
bool end();

int64_t lambdas_done();

} // namespace glmlx::interrupt
