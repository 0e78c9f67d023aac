// glmlx: glmnet's paths for the non-gaussian families (IRLS + coordinate descent).
#pragma once

#include <cstdint>
#include <vector>

namespace glmlx {

struct HostMatrix;

/** Families solved by glm_path_host. */
enum class GlmFamily : int {
  binomial = 0,     // two classes: y is the proportion of the second class
  poisson = 1,      // counts, log link
  multinomial = 2,  // K classes: y (n x K) class proportions
};

/** Settings of one path (glmnet's names in comments; defaults are glmnet.control()'s). */
struct GlmPathSettings {
  GlmFamily family = GlmFamily::binomial;
  int kopt = 0;             // 0 Newton, 1 modified Newton (Hessian bound 1/4), 2 grouped multinomial
  double alpha = 1.0;       // parm: elastic-net mixing
  double thresh = 1e-7;     // thr, relative to the null deviance
  double flmin = 1e-4;      // lambda.min.ratio; >= 1 means user lambdas
  double sml = 1e-5;        // fdev
  double rsqmax = 0.999;    // devmax
  double pmin = 1e-9;       // probabilities kept in [pmin, 1 - pmin]
  double exmx = 250.0;      // multinomial: largest |linear predictor|
  double big = 9.9e35;      // "infinity" (first lambda, absent limits)
  double eps = 1e-6;        // floor of lambda.min.ratio
  int nlam = 100;
  int maxit = 100000;       // total coordinate-descent passes
  int pmax = 1 << 30;       // nx: most variables ever active
  int dfmax = 1 << 30;      // ne: stop once more than this many are nonzero
  int mnlam = 5;            // no early stop before this many lambdas
  bool intercept = true;
  bool standardize = true;
  // Threads sharing one binomial/poisson path's loops: 2, 1, or 0 to decide by
  // the problem's size. Callers already running paths in parallel pass 1.
  // Two threads change the last bits of the iterates (sums split in two).
  int path_threads = 0;
  // Coordinate sweeps prefetch the column after the next: 1 always, 0 never,
  // -1 when X is larger than the last-level cache (16 MB). The iterates are
  // the same bit for bit either way.
  int prefetch = -1;
};

/** A fitted path on the original scale of X. */
struct GlmPathResult {
  int64_t lmu = 0;                 // path points fitted
  int64_t nclass = 1;              // K for multinomial, else 1
  std::vector<double> lambdas;     // lmu (the first is glmnet's "infinity" on glmnet's own grid)
  std::vector<double> a0;          // lmu x K (multinomial: centred over the classes, as glmnet)
  std::vector<double> beta;        // lmu x K x p
  std::vector<double> dev_ratio;   // lmu
  double nulldev = 0.0;            // glmnet's nulldev (deviance of the null model)
  int64_t npasses = 0;
  int64_t jerr = 0;                // glmnet's error code (0; < 0 path cut short; > 0 fatal)
};

/**
 * glmnet's regularization path for a GLM family on host buffers (no copy of X
 * into MLX), as glmnet 4.1's lognet/fishnet: X is standardized into a
 * column-major copy, then each lambda runs IRLS with coordinate descent on the
 * weighted least-squares problem (residual updates, sequential strong rule,
 * KKT checks). X must be float64. y, weights (raw, normalized inside) and
 * offset are n x K column-major-by-class buffers: K = 1 for binomial and
 * poisson; for multinomial y holds K >= 2 columns of class indicators (or
 * counts/proportions), and as glmnet's lognet the weights multiply its rows,
 * the row totals become the observation weights (rows totalling 0 are
 * dropped) and the rows are normalized; its result has glmnet's intercepts,
 * centred over the classes. offset may be null. With ``rows``, only those
 * rows are used (CV folds). include (p) is 1 for usable variables; penalty
 * (p) rescaled factors; lower/upper (p) limits on the original scale;
 * user_lambdas (n_user) when settings.flmin >= 1.
 */
GlmPathResult glm_path_host(const HostMatrix& X, const double* y, int64_t K, const double* weights,
                            const double* offset, const int64_t* rows, int64_t nrows, const uint8_t* include,
                            const double* penalty, const double* lower, const double* upper,
                            const double* user_lambdas, int64_t n_user, const GlmPathSettings& settings);

/**
 * X (rows x cols) in compressed sparse column form, as scipy's CSC and R's
 * dgCMatrix: column j's values data[indptr[j] .. indptr[j+1]) in rows
 * indices[...], sorted within the column, each row once, 0 <= indices < rows.
 */
struct SparseHostMatrix {
  int64_t rows = 0, cols = 0;
  const int64_t* indptr = nullptr;  // cols + 1
  const int32_t* indices = nullptr;
  const double* data = nullptr;
};

/** glm_path_host's inputs by name (glmnetpp's FitPack); null pointers where an input is absent. */
struct GlmPathInputs {
  const HostMatrix* X = nullptr;         // n x p
  const SparseHostMatrix* X_sparse = nullptr;  // instead of X: never densified (binomial, poisson)
  const double* y = nullptr;             // n x K, column-major by class
  int64_t K = 1;
  const double* weights = nullptr;       // n, raw
  const double* offset = nullptr;        // n x K, or null
  const int64_t* rows = nullptr;         // the rows used (CV folds), or null for all
  int64_t nrows = 0;
  const uint8_t* include = nullptr;      // p: 1 = usable
  const double* penalty = nullptr;       // p penalty factors
  const double* lower = nullptr;         // p limits, original scale
  const double* upper = nullptr;
  const double* user_lambdas = nullptr;  // n_user, when settings.flmin >= 1
  int64_t n_user = 0;
};

/** glm_path_host with its inputs named. */
GlmPathResult glm_path_host(const GlmPathInputs& in, const GlmPathSettings& settings);

} // namespace glmlx
