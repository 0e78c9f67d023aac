// One mgaussian path's state as plain data, apart from the algorithm that
// moves it (solver/mgaussian.cpp). Coefficients are on the solver's scale.
#pragma once

#include <cstdint>
#include <vector>

namespace glmlx::state {

struct MgaussianState {
  MgaussianState(int64_t p, int64_t K, std::vector<double>&& residuals)
      : a(size_t(p * K), 0.0), g(size_t(p), 0.0), strong(size_t(p), 0), active_pos(size_t(p), 0),
        R(std::move(residuals)) {}

  std::vector<double> a;            // K x p coefficients, variable-major (a variable's K together)
  std::vector<double> g;            // p: ||R' x_k|| as of its last evaluation
  std::vector<uint8_t> strong;      // p: candidates (glmnet's ix)
  std::vector<int64_t> active_pos;  // p: 1-based position in the active set, 0 never active (glmnet's mm)
  std::vector<int64_t> active;      // the active set in order of entry (glmnet's ia)
  std::vector<double> R;            // n x K column-major residuals
  double rsq = 0.0, rsq_prev = 0.0; // residual sum of squares, now and at the lambda's start
  double dlx = 0.0;                 // the pass's largest change
  bool warm = false;                // an active-set sweep happened before (glmnet's iz)
  int64_t npasses = 0;              // coordinate passes so far (glmnet's nlp)
  std::vector<double> beta_path;    // lmu x K x p: the path's coefficients so far
};

} // namespace glmlx::state
