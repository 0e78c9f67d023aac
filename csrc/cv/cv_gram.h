// Standardized Gram matrices of K CV folds' training problems and of the full
// data, from the folds' held-out Gram moments (gaussian.standardize_cv).
#pragma once

#include <cstdint>

#include "glmlx/ops.h"

namespace glmlx::cv {

/**
 * Inputs and outputs of fold_standardize. Problem k < K is fold k's training
 * problem (every row whose fold is not k), problem K the full data. Arrays
 * are row-major float64 unless said otherwise.
 */
struct FoldGrams {
  int64_t K = 0, p = 0;
  bool center = true;       // fit_intercept: moments about weighted means
  bool standardize = true;  // scale columns to unit weighted variance
  // in: H[k] fold k's held-out X'WX (about its own held-out means when
  // centered), H[K] the full data's (about the full means); out: the K + 1
  // standardized Gram matrices, as the covariance solver takes them
  double* H = nullptr;           // (K + 1, p, p)
  const double* h = nullptr;     // (K, p) held-out X'Wy, likewise centered
  const double* m = nullptr;     // (K, p) held-out weighted means of X (center only)
  const double* my = nullptr;    // (K,) held-out weighted means of y (center only)
  const double* s = nullptr;     // (K,) held-out weight sums
  const double* c = nullptr;     // (p,) full X'Wy
  const double* mean = nullptr;  // (p,) full weighted means of X (center only)
  double ymean = 0.0;            // full weighted mean of y (center only)
  double S = 0.0;                // total weight
  const double* xbar = nullptr;  // (K + 1, p) weighted means of the training rows (without center only)
  const double* ys = nullptr;    // (K + 1,) weighted standard deviations of y
  const uint8_t* excluded = nullptr;  // (p,)
  // X for glmnet's test of constant columns, judged on each problem's rows
  HostMatrix X;
  bool x_is_double = true;
  const int64_t* fold = nullptr;  // (n,) 0-based fold of each row
  // out, (K + 1, p) each, and (K + 1,)
  double *g = nullptr, *xv = nullptr, *xm = nullptr, *xs = nullptr, *include = nullptr;
  uint8_t* finite = nullptr;
};

/**
 * glmnet's ``standard`` for the K + 1 problems: training Grams and X'Wy as
 * the full ones minus the held-out ones (moved to the training means), then
 * columns constant on a problem's rows dropped (chkvars), scaled to unit
 * variance, X'Wy divided by ys; the arithmetic of the numpy code it replaces
 * (gaussian.standardize_folds and _finish), without its p x p temporaries.
 */
void fold_standardize(const FoldGrams& a);

} // namespace glmlx::cv
