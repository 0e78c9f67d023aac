// One multinomial path's state as plain data, apart from the algorithm that
// moves it (solver/multinomial.cpp) and the softmax state its family holds
// (family/multinomial.h). Coefficients are on glmnet's standardized scale.
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/team.h"

namespace glmlx::state {

struct MultinomialState {
  MultinomialState(int64_t n, int64_t p, int64_t K, bool grouped)
      : a0(size_t(K), 0.0), a0_old(size_t(K), 0.0), beta(size_t(K * p), 0.0), beta_old(size_t(K * p), 0.0),
        r(size_t(n * K)), xv(size_t(grouped ? p : K * p), 0.0), ga(size_t(p), 0.0), strong(size_t(p), 0),
        active_pos(size_t(p), -1) {}

  std::vector<double> a0, a0_old;      // K intercepts (glmnet's b row 0), and at the IRLS step's start
  std::vector<double> beta, beta_old;  // K x p coefficients, class-major, and at the step's start
  detail::RowVector<double> r;         // n x K residuals (ungrouped: class 0's slot is the working one)
  std::vector<double> xv;              // ungrouped K x p curvatures; grouped p (MultLStandardize1's xv)
  std::vector<double> ga;              // p gradient magnitudes (strong rule, KKT, lambda_max)
  std::vector<uint8_t> strong;         // p candidates, never dropped
  std::vector<int64_t> active_pos;     // p entry position in the active set, -1 if never active
  std::vector<int64_t> active;         // the active set in order of entry
  double dlx = 0.0;                    // the pass's largest curvature-weighted squared change
  int64_t npasses = 0;                 // coordinate passes so far (glmnet's nlp)
  std::vector<double> beta_path;       // lmu x K x p: the path's coefficients so far
};

} // namespace glmlx::state
