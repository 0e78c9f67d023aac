// Host scratch buffers kept between calls.
#pragma once

#include <cstddef>

namespace glmlx::detail::scratch_cache {

/**
 * Freed scratch buffers of 1 MiB and more (the GLM paths' copies of X and
 * of its active columns), kept for the next call: 4 buffers and 256 MiB at
 * most, the oldest dropped first. A fresh buffer of that size comes from
 * the kernel page by page as it is first written, and the allocator hands
 * it back when it is freed; on this project's VM the faults cost 1.5-5 us a
 * page. take() hands out a kept buffer of at least `bytes` and at most twice
 * that, else a new one (2 MiB-aligned and advised onto huge pages from
 * 2 MiB); *allocated gets the size to give back. release() frees them all
 * (glmlx.clear_cache).
 */
void* take(size_t bytes, size_t* allocated);
void give(void* p, size_t allocated) noexcept;
void release() noexcept;

}  // namespace glmlx::detail::scratch_cache

namespace glmlx::detail {
void release_column_copy() noexcept;  // columns.cpp: the kept column-major copy of X
}  // namespace glmlx::detail

namespace glmlx::path {
void release_screen_buffer() noexcept;  // gaussian_residual.cpp: the kept screening copy
}  // namespace glmlx::path

