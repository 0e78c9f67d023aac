// One gaussian path problem's state as plain data: views of its rows of the
// batch arrays (coefficients, gradient, entry order, path outputs), its
// settings and its outcome, with nothing of the algorithm. B problems are B
// such views into the same (B, ...) arrays (state/gaussian_batch.h), which is
// what a device kernel takes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "glmlx/ops.h"

namespace glmlx::path {

// The naive scheme's candidates S (variables admitted by the sequential strong
// rule or a KKT check), never dropped; swept in ascending variable order, as
// glmnet sweeps them.
class CandidateSet {
 public:
  explicit CandidateSet(int64_t p) : in_(size_t(p), 0) {}
  bool contains(int64_t j) const { return in_[size_t(j)] != 0; }
  // j joins S (not yet in order: call sort() after a batch).
  void add(int64_t j) {
    if (!in_[size_t(j)]) {
      in_[size_t(j)] = 1;
      list_.push_back(j);
    }
  }
  void sort() { std::sort(list_.begin(), list_.end()); }
  // Adds a batch and restores the order; false when the batch is empty.
  bool add_all(const std::vector<int64_t>& added) {
    if (added.empty()) {
      return false;
    }
    for (int64_t j : added) {
      add(j);
    }
    sort();
    return true;
  }
  const std::vector<int64_t>& list() const { return list_; }
  size_t size() const { return list_.size(); }
  int64_t operator[](size_t i) const { return list_[i]; }
  std::vector<int64_t>::const_iterator begin() const { return list_.begin(); }
  std::vector<int64_t>::const_iterator end() const { return list_.end(); }

 private:
  std::vector<int64_t> list_;
  std::vector<char> in_;
};

enum PathError : int32_t { kOk = 0, kMaxit = 1, kPmax = 2 };

template <typename T>
struct Problem {
  T* g;          // p gradient, updated in place
  T* beta;       // p coefficients, updated in place
  int32_t* rank; // p: entry order in the active set, -1 if never active
  const T* lam;  // L lambdas
  const T* vp;   // p penalty factors
  const T* lo;   // p lower limits
  const T* hi;   // p upper limits
  const T* ju;   // p: 1 = variable may enter, 0 = excluded or constant
  const T* xv;   // p: C_kk
  T* beta_path;  // L x p
  T* rsq_path;   // L + 1
  T rsq;         // in/out
  T lam_prev = 0;  // lambda before this block's first (strong rule)
};

struct Settings {
  double alpha, thr, sml, rsqmax;
  int32_t maxit, nx, ne, mnl, m_offset;
  bool early_stop, strong;
  int32_t screen;  // residual solver: float32 screening of gradient passes (-1 auto, 0 off, 1 on)
};

inline Settings settings_of(const GaussianPathSettings& st) {
  return Settings{st.alpha, st.thresh, st.sml,      st.rsqmax,     st.maxit,  st.pmax,
                  st.dfmax, st.mnl,    st.m_offset, st.early_stop, st.strong, st.screen};
}

struct Outcome {
  int32_t npasses = 0, nfit = 0, err = kOk;
  bool warm = false;
};

} // namespace glmlx::path
