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
 * is first written, and the allocator hands it back when it is freed; the
 * faults cost more than filling the page. take() hands out a kept buffer of at least `bytes` and at most twice
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

/** A buffer of at least ``bytes`` from a pool, given back to it when this goes. Uninitialized. */
class KeptBuffer {
 public:
  KeptBuffer() = default;
  KeptBuffer(KeptBuffers& pool, size_t bytes) : pool_(&pool), data_(pool.take(bytes, &allocated_)) {}
  KeptBuffer(KeptBuffer&& o) noexcept : pool_(o.pool_), data_(o.data_), allocated_(o.allocated_) {
    o.data_ = nullptr;
    o.allocated_ = 0;
  }
  KeptBuffer& operator=(KeptBuffer&& o) noexcept {
    if (this != &o) {
      give_back();
      pool_ = o.pool_;
      data_ = o.data_;
      allocated_ = o.allocated_;
      o.data_ = nullptr;
      o.allocated_ = 0;
    }
    return *this;
  }
  KeptBuffer(const KeptBuffer&) = delete;
  KeptBuffer& operator=(const KeptBuffer&) = delete;
  ~KeptBuffer() { give_back(); }
  void* get() const { return data_; }

 private:
  void give_back() noexcept {
    if (pool_ && data_) {
      pool_->give(data_, allocated_);
    }
    data_ = nullptr;
  }
  KeptBuffers* pool_ = nullptr;
  void* data_ = nullptr;
  size_t allocated_ = 0;  // as allocated (the pool's key)
};

// The pools. Never destroyed (a path may end during static destruction).

/** The GLM paths' copies of X (ColumnBuffer): 1 MiB and up, 4 buffers and 256 MiB at most. */
KeptBuffers& path_buffers();

/**
 * The gaussian naive solver's screening copy of X: one buffer of up to 1 GiB,
 * so repeated fits (CV: the full fit, then the folds) reuse it.
 */
KeptBuffers& screen_buffers();

void release_column_copy() noexcept;  // matrix/columns.cpp: the kept column-major copy of X

}  // namespace glmlx::detail
