// What the GLM path solvers (irls.cpp, multinomial.cpp, mgaussian.cpp) share:
// the path's errors, X's dense copy (matrix/dense.h), the sweep
// (solver/sweep.h), the group penalty (solver/group_penalty.h), and the
// threads a path's row loops may use.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "glmlx/glm.h"
#include "glmlx/ops.h"
#include "path/lambda_walk.h"
#include "cpu/scratch.h"
#include "cpu/team.h"
#include "matrix/dense.h"
#include "solver/group_penalty.h"
#include "solver/sweep.h"

namespace glmlx::detail {

using path::BnormMaxitReached;
using path::FatalError;
using path::kNoUsablePredictor;
using path::MaxitReached;
using path::PmaxReached;

/**
 * A helper thread for one path's row loops (team.h), or null: when the caller
 * asks for two threads, or (path_threads 0) when the process may use a second
 * core and the loops are long enough to share: from about 4000 rows the
 * coordinate updates pay for the hand-off; on wide problems, whose KKT
 * gradients cover many columns, from RowOps::kMinSplitRows (where the fused
 * update-and-gradient kernel starts to gain from two threads). Null too when no
 * thread can be had.
 */
std::unique_ptr<PairTeam> path_team(const GlmPathSettings& s, int64_t n, int64_t p);

/** glmnet's multinomial path (solver/multinomial.cpp); y is n x K class indicators or proportions. */
GlmPathResult multinomial_path(const HostMatrix& X, const double* y, int64_t K, const double* weights,
                               const double* offset, const int64_t* rows, int64_t nrows, const uint8_t* include,
                               const double* penalty, const double* lower, const double* upper,
                               const double* user_lambdas, int64_t n_user, const GlmPathSettings& s);
GlmPathResult multinomial_path(const SparseHostMatrix& X, const double* y, int64_t K, const double* weights,
                               const double* offset, const int64_t* rows, int64_t nrows, const uint8_t* include,
                               const double* penalty, const double* lower, const double* upper,
                               const double* user_lambdas, int64_t n_user, const GlmPathSettings& s);

} // namespace glmlx::detail
