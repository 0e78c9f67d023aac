// glmlx: glmnet's multi-response gaussian path (family = "mgaussian").
#pragma once

#include <cstdint>

#include "glmlx/glm.h"

namespace glmlx {

struct HostMatrix;

/** Settings of one mgaussian path (glmnet's names in comments; defaults are glmnet.control()'s). */
struct MgaussianPathSettings {
  double alpha = 1.0;       // parm: elastic-net mixing
  double thresh = 1e-7;     // thr, scaled inside by the response sum of squares over K
  double flmin = 1e-4;      // lambda.min.ratio; >= 1 means user lambdas
  double sml = 1e-5;        // fdev: stop when the residual sum of squares changes by less (relative)
  double rsqmax = 0.999;    // devmax: stop when the deviance ratio exceeds
  double big = 9.9e35;      // "infinity" (first lambda, absent limits)
  double eps = 1e-6;        // floor of lambda.min.ratio
  double bnorm_thr = 1e-10; // glmnet.control()$prec: Newton tolerance of the bounded group norm
  int bnorm_maxit = 100;    // glmnet.control()$mxit: its iteration limit
  int nlam = 100;
  int maxit = 100000;       // total coordinate-descent passes
  int pmax = 1 << 30;       // nx: most variables ever active
  int dfmax = 1 << 30;      // ne: stop once more than this many are nonzero (in the first response)
  int mnlam = 5;            // no early stop before this many lambdas
  bool intercept = true;
  bool standardize = true;
  bool standardize_response = false;  // jsd: scale each response to unit weighted variance
  bool one_blas_thread = false;       // set when several paths run in parallel threads
};

/**
 * glmnet 4.1's multi-response gaussian path (multelnet: glmnetpp's gaussian
 * "multi" point solver) on host buffers: the K responses share one group-lasso
 * penalty per variable,
 *
 *     1/2 sum_i w_i ||y_i - a0 - B' x_i||^2
 *       + lambda sum_j vp_j ((1 - alpha)/2 ||B_j||^2 + alpha ||B_j||_2),
 *
 * w normalized to sum 1, B_j the K coefficients of variable j (on the scale
 * of the standardized column with standardize, of the standardized responses
 * with standardize_response). X (n x p) and Y (n x K) are float64
 * with any strides; weights (n) raw (normalized inside). With ``rows``, only
 * those rows are used (CV folds). include (p) is 1 for usable variables;
 * penalty (p) rescaled factors; lower/upper (p) limits on the original scale
 * (+-big for none); user_lambdas (n_user) when settings.flmin >= 1.
 * The result holds lmu lambdas (the first is settings.big on glmnet's own
 * grid), a0 (lmu x K), beta (lmu x K x p) on the original scale, glmnet's
 * dev.ratio and nulldev, npasses and jerr (glmnet's codes).
 */
GlmPathResult mgaussian_path_host(const HostMatrix& X, const HostMatrix& Y, const double* weights,
                                  const int64_t* rows, int64_t nrows, const uint8_t* include, const double* penalty,
                                  const double* lower, const double* upper, const double* user_lambdas,
                                  int64_t n_user, const MgaussianPathSettings& settings);

/** mgaussian_path_host's inputs by name; null pointers where an input is absent. */
struct MgaussianPathInputs {
  const HostMatrix* X = nullptr;         // n x p
  const SparseHostMatrix* X_sparse = nullptr;  // instead of X (glm.h): never densified
  const HostMatrix* Y = nullptr;         // n x K responses
  const double* weights = nullptr;       // n, raw
  const int64_t* rows = nullptr;         // the rows used (CV folds), or null for all
  int64_t nrows = 0;
  const uint8_t* include = nullptr;      // p: 1 = usable
  const double* penalty = nullptr;       // p penalty factors
  const double* lower = nullptr;         // p limits, original scale
  const double* upper = nullptr;
  const double* user_lambdas = nullptr;  // n_user, when settings.flmin >= 1
  int64_t n_user = 0;
};

/** mgaussian_path_host with its inputs named. */
GlmPathResult mgaussian_path_host(const MgaussianPathInputs& in, const MgaussianPathSettings& settings);

} // namespace glmlx
