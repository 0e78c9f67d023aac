// One IRLS path's state as plain data, apart from the algorithm that moves it
// (solver/irls.cpp): what a batch of B paths, or a device, would hold per
// problem. Coefficients are on glmnet's standardized scale.
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/team.h"

namespace glmlx::state {

struct IrlsState {
  IrlsState(int64_t n, int64_t p)
      : beta(size_t(p), 0.0), beta_old(size_t(p), 0.0), xv(size_t(p), 0.0), ga(size_t(p), 0.0),
        strong(size_t(p), 0), active_pos(size_t(p), -1), r(size_t(n)), W(size_t(n)), eta(size_t(n)) {}

  std::vector<double> beta, beta_old;  // p coefficients, and at the IRLS step's start
  std::vector<double> xv;              // p coordinate curvatures x_k'W x_k
  std::vector<double> ga;              // p |x_k'r| as last computed (strong rule, KKT, lambda_max)
  std::vector<uint8_t> strong;         // p candidates: strong rule and KKT violators, never dropped
  std::vector<int64_t> active_pos;     // p entry position in the active set, -1 if never active
  std::vector<int64_t> active;         // the active set in order of entry
  double b0 = 0.0, b0_old = 0.0;       // intercept, and at the IRLS step's start
  detail::RowVector<double> r, W, eta; // n working residuals, working weights, linear predictor
  double wsum = 0.0;                   // sum of W: the intercept's curvature (glmnet's xmz / v0)
  double dlx = 0.0;                    // the pass's largest curvature-weighted squared change
  int64_t npasses = 0;                 // coordinate passes so far (glmnet's nlp)
  std::vector<double> beta_path;       // lmu x p: the path's coefficients so far
};

} // namespace glmlx::state
