#include "cpu/scratch.h"

#include <algorithm>
#include <cstdlib>
#include <new>
#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace glmlx::detail {

void* KeptBuffers::take(size_t bytes, size_t* allocated) {
  bytes = std::max<size_t>(bytes, 1);
  if (bytes >= min_kept_ && bytes <= max_kept_) {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = buffers_.size(); i-- > 0;) {
      const auto [size, p] = buffers_[i];
      if (size >= bytes && size <= 2 * bytes) {
        buffers_.erase(buffers_.begin() + std::ptrdiff_t(i));
        held_ -= size;
        *allocated = size;
        return p;
      }
    }
  }
  constexpr size_t kHuge = size_t(2) << 20;
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

void KeptBuffers::give(void* p, size_t allocated) noexcept {
  if (!p) {
    return;
  }
  if (allocated >= min_kept_ && allocated <= max_kept_) {
    std::lock_guard<std::mutex> lock(mu_);
    try {
      buffers_.emplace_back(allocated, p);
      held_ += allocated;
      while (held_ > max_held_ || buffers_.size() > max_count_) {
        held_ -= buffers_.front().first;
        std::free(buffers_.front().second);
        buffers_.erase(buffers_.begin());
      }
      return;
    } catch (...) {  // no room to remember it
    }
  }
  std::free(p);
}

void KeptBuffers::release() noexcept {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& b : buffers_) {
    std::free(b.second);
  }
  buffers_.clear();
  held_ = 0;
}

KeptBuffers& path_buffers() {
  static KeptBuffers* k = new KeptBuffers(size_t(1) << 20, size_t(256) << 20, size_t(256) << 20, 4);
  return *k;
}

KeptBuffers& screen_buffers() {
  static KeptBuffers* k = new KeptBuffers(0, size_t(1) << 30, size_t(1) << 30, 1);
  return *k;
}

}  // namespace glmlx::detail
