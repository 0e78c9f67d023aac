#include "cpu/interrupt.h"

#if !defined(_WIN32)
#include <csignal>
#endif

namespace glmlx::interrupt {

std::atomic<bool> g_requested{false};
std::atomic<int64_t> g_lambdas_done{0};

namespace {

int g_depth = 0;  // open scopes; begin/end run under the GIL, so no lock

#if !defined(_WIN32)
struct sigaction g_previous;
bool g_installed = false;

// Async-signal-safe: an atomic store, then the previous handler (Python's C
// handler only records the signal and writes its wakeup fd).
void on_sigint(int sig, siginfo_t* info, void* context) {
  g_requested.store(true, std::memory_order_relaxed);
  if (g_previous.sa_flags & SA_SIGINFO) {
    if (g_previous.sa_sigaction != nullptr) {
      g_previous.sa_sigaction(sig, info, context);
    }
  } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN) {
    g_previous.sa_handler(sig);
  }
}
#endif

} // namespace

void begin() {
  if (g_depth++ > 0) {
    return;
  }
  g_requested.store(false);
  g_lambdas_done.store(0);
#if !defined(_WIN32)
  g_installed = false;
  if (sigaction(SIGINT, nullptr, &g_previous) != 0) {
    return;
  }
  // SIG_IGN: the program asked to ignore Ctrl-C. SIG_DFL: no Python handler
  // (an embedding application); Ctrl-C then ends the process as before.
  if (!(g_previous.sa_flags & SA_SIGINFO) &&
      (g_previous.sa_handler == SIG_IGN || g_previous.sa_handler == SIG_DFL)) {
    return;
  }
  struct sigaction ours {};
  ours.sa_sigaction = on_sigint;
  ours.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&ours.sa_mask);
  g_installed = sigaction(SIGINT, &ours, nullptr) == 0;
#endif
}

bool end() {
  if (g_depth > 0 && --g_depth == 0) {
#if !defined(_WIN32)
    if (g_installed) {
      sigaction(SIGINT, &g_previous, nullptr);
      g_installed = false;
    }
#endif
  }
  return g_requested.load();
}

int64_t lambdas_done() {
  return g_lambdas_done.load(std::memory_order_relaxed);
}

} // namespace glmlx::interrupt
