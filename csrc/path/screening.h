// glmnet's screening of variables for the host path solvers: the sequential
// strong rule before a lambda's fit (threshold alpha (2 lambda - lambda_prev))
// and the KKT check after it (threshold alpha lambda) both admit every usable
// non-candidate whose gradient magnitude exceeds the threshold times its
// penalty factor. Candidates are never dropped. (The gaussian primitive's
// solvers screen on their own scalar type: solver/gaussian_*.cpp.)
#pragma once

#include <cstdint>
#include <vector>

namespace glmlx::path {

/** glmnet's sequential strong rule threshold for lambda alm after alm0. */
inline double strong_rule_threshold(double alpha, double alm, double alm0) {
  return alpha * (2.0 * alm - alm0);
}

/**
 * Usable (ju) non-candidates k with ga[k] > threshold * vp[k] join the
 * candidates (strong); true if any did.
 */
inline bool admit_candidates(std::vector<uint8_t>& strong, const uint8_t* ju, const double* vp, const double* ga,
                             int64_t p, double threshold) {
  bool added = false;
  for (int64_t k = 0; k < p; ++k) {
    if (!strong[size_t(k)] && ju[k] && ga[k] > threshold * vp[k]) {
      strong[size_t(k)] = 1;
      added = true;
    }
  }
  return added;
}

} // namespace glmlx::path
