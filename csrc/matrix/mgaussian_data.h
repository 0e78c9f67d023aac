// X and Y as the mgaussian solver holds them, after glmnet's MultStandardize1
// (matrix/mgaussian_data.cpp): column-major copies with rows multiplied by
// sqrt(w), so plain inner products are weighted ones.
#pragma once

#include <cstdint>
#include <vector>

#include "glmlx/mgaussian.h"
#include "glmlx/ops.h"

namespace glmlx::detail {

/** One path's data after glmnet's MultStandardize1. */
struct MultData {
  int64_t n = 0, p = 0, K = 0;
  std::vector<double> X;       // n x p column-major: sqrt(w) (x - xm) / xs
  std::vector<double> Y;       // n x K column-major: sqrt(w) (y - ym) / ys
  std::vector<uint8_t> ju;     // p: usable (included, not constant)
  std::vector<double> xm, xs, xv;  // p
  std::vector<double> ym, ys;  // K
  double ys0 = 0.0;            // total sum of squares of the standardized responses
  double nulldev = 0.0;        // R's nulldev (raw weights, centered responses)
};

/** glmnet's MultStandardize1 of the rows ``rows`` (all when null); ValueError-worthy overflow throws. */
MultData standardize_mgaussian(const HostMatrix& X, const HostMatrix& Y, const double* weights,
                               const int64_t* rows, int64_t nrows, const uint8_t* include,
                               const MgaussianPathSettings& s);

} // namespace glmlx::detail
