#include "scratch.h"

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <new>
#include <utility>
#include <vector>
#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace glmlx::detail::scratch_cache {

namespace {

constexpr size_t kHuge = size_t(2) << 20, kMinKept = size_t(1) << 20, kMaxHeld = size_t(256) << 20;
constexpr size_t kMaxKept = 4;

struct Kept {
  std::mutex mu;
  std::vector<std::pair<size_t, void*>> buffers;  // (allocated bytes, buffer), most recently freed last
  size_t held = 0;
};

Kept& kept() {
  static Kept* k = new Kept();  // never destroyed: a path may end during static destruction
  return *k;
}

}  // namespace

void* take(size_t bytes, size_t* allocated) {
  bytes = std::max<size_t>(bytes, 1);
  if (bytes >= kMinKept) {
    Kept& k = kept();
    std::lock_guard<std::mutex> lock(k.mu);
    for (size_t i = k.buffers.size(); i-- > 0;) {
      const auto [size, p] = k.buffers[i];
      if (size >= bytes && size <= 2 * bytes) {
        k.buffers.erase(k.buffers.begin() + std::ptrdiff_t(i));
        k.held -= size;
        *allocated = size;
        return p;
      }
    }
  }
  void* p;
  if (bytes >= kHuge) {
    const size_t rounded = (bytes + kHuge - 1) / kHuge * kHuge;
    p = std::aligned_alloc(kHuge, rounded);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (p) {
      madvise(p, rounded, MADV_HUGEPAGE);
    }
#endif
    bytes = rounded;
  } else {
    p = std::malloc(bytes);
  }
  if (!p) {
    throw std::bad_alloc();
  }
  *allocated = bytes;
  return p;
}

void give(void* p, size_t allocated) noexcept {
  if (!p) {
    return;
  }
  if (allocated >= kMinKept && allocated <= kMaxHeld) {
    Kept& k = kept();
    std::lock_guard<std::mutex> lock(k.mu);
    try {
      k.buffers.emplace_back(allocated, p);
      k.held += allocated;
      while (k.held > kMaxHeld || k.buffers.size() > kMaxKept) {
        k.held -= k.buffers.front().first;
        std::free(k.buffers.front().second);
        k.buffers.erase(k.buffers.begin());
      }
      return;
    } catch (...) {  // no room to remember it
    }
  }
  std::free(p);
}

void release() noexcept {
  Kept& k = kept();
  std::lock_guard<std::mutex> lock(k.mu);
  for (auto& b : k.buffers) {
    std::free(b.second);
  }
  k.buffers.clear();
  k.held = 0;
}

}  // namespace glmlx::detail::scratch_cache
