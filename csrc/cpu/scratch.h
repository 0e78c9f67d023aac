// Host buffers kept between calls.
#pragma once

#include <cstddef>
#include <mutex>
#include <utility>
#include <vector>

namespace glmlx::detail {

/**
 * Freed buffers kept for the next call that asks for a size they can serve.
 * A fresh buffer of 64 KiB or more comes from the kernel page by page as it
 * is first written, and the allocator hands it back when it is freed; on
 * this project's VM the faults cost 1.5-5 us a page, more than filling the
 * page. take() hands out a kept buffer of at least `bytes` and at most twice
 * that, else a new one (2 MiB-aligned and advised onto huge pages from
 * 2 MiB); *allocated gets the size to give back. Buffers of `min_kept` to
 * `max_kept` bytes are kept, `max_count` and `max_held` bytes at most, the
 * oldest dropped first. release() frees them all (glmlx.clear_cache).
 */
class KeptBuffers {
 public:
  KeptBuffers(size_t min_kept, size_t max_kept, size_t max_held, size_t max_count)
      : min_kept_(min_kept), max_kept_(max_kept), max_held_(max_held), max_count_(max_count) {}
  KeptBuffers(const KeptBuffers&) = delete;
  KeptBuffers& operator=(const KeptBuffers&) = delete;

  void* take(size_t bytes, size_t* allocated);
  void give(void* p, size_t allocated) noexcept;
  void release() noexcept;

 private:
  const size_t min_kept_, max_kept_, max_held_, max_count_;
  std::mutex mu_;
  std::vector<std::pair<size_t, void*>> buffers_;  // (allocated bytes, buffer), most recently freed last
  size_t held_ = 0;
};

/**
 * The GLM paths' copies of X (ColumnBuffer): 1 MiB
 * and up, 4 buffers and 256 MiB at most. Never destroyed (a path may end
 * during static destruction).
 */
KeptBuffers& path_buffers();

void release_column_copy() noexcept;  // columns.cpp: the kept column-major copy of X

}  // namespace glmlx::detail

namespace glmlx::path {
void release_screen_buffer() noexcept;  // gaussian_residual.cpp: the kept screening copy
}  // namespace glmlx::path
