// glmnet's group-penalty pieces (solver/group_penalty.cpp).
#pragma once

#include <cstdint>

namespace glmlx::detail {

/**
 * glmnet's bnorm: Newton's method for the norm b of a group's free
 * coordinates, b (al1p + al2p / sqrt(b^2 + usq)) = g, from b0. Throws
 * BnormMaxitReached after maxit iterations without |residual| <= thr.
 */
double bnorm(double b0, double al1p, double al2p, double g, double usq, double thr, int maxit);

/**
 * glmnet's chkbnds: a group update a (K) outside its box lower[k * stride] <=
 * a_k <= upper[k * stride] gets its most violating coordinate clamped to the
 * bound, the norm of the free coordinates re-solved (bnorm) and them rescaled
 * along the gradient gk (norm gkn); repeated until inside. isc (K) is scratch.
 */
void chkbnds(int64_t K, const double* gk, double gkn, double xv, const double* lower, const double* upper,
             int64_t stride, double al1, double al2, double* a, uint8_t* isc, double thr, int maxit);

} // namespace glmlx::detail
