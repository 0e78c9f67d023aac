// What a family supplies to the IRLS solver (solver/irls.cpp): everything
// about the response distribution, nothing about X, the penalty or the
// lambda walk. One class per family (family/binomial.h, family/poisson.h),
// each following glmnet 4.1's elnet_point/internal/<family>_base.hpp.
//
// A family class holds its per-row state (binomial: the fitted means; poisson:
// w y) and provides:
//
//   Family(const GlmData& d, const GlmPathSettings& s)
//   NullFit start(double* W, double* r)
//       the intercept-only (or offset-only) fit: working weights W and
//       residuals r = w (y - mu) on every row, the intercept, the sum of W,
//       the null and the saturated-minus-null deviances; throws FatalError
//       where glmnet stops (binomial: a class below pmin).
//   bool curvature_per_step(int kopt) const
//       true: coordinate curvatures follow the current W (Newton); false:
//       modified Newton's fixed bound (modified_newton_curvature).
//   void modified_newton_curvature(double* xv) const
//   double residual_at_fit(int64_t i, const double* W) const
//       row i's residual at the fit the last IRLS step started from.
//   double reweight(int64_t lo, int64_t hi, const double* eta, double* W, double* r)
//       new working weights (and, where the family can, residuals) at eta on
//       rows [lo, hi); returns their sum of W.
//   bool collapsed(double wsum) const
//       the total working weight vanished (binomial: glmnet's vmin); the
//       lambda's fit ends there and, on the path, so does the walk.
//   void residuals(int64_t lo, int64_t hi, const double* W, double* r) const
//       the residuals after reweight, where reweight left them.
//   double deviance_ratio(const RowOps& rows, const double* eta, double wsum) const
//   static constexpr double kCurvatureBound; static constexpr bool kResidualsAfterReweight
//   bool small_gain(const std::vector<double>& dev_ratio, int64_t m, int64_t mnl, double fdev) const
//       glmnet's deviance-gain rule for the path's early stop.
#pragma once

#include "glmlx/glm.h"

namespace glmlx::family {

/** The intercept-only (or offset-only) fit a path starts from. */
struct NullFit {
  double b0 = 0.0;        // intercept
  double wsum = 0.0;      // sum of W: the intercept's curvature (glmnet's xmz / v0)
  double dev_null = 0.0;  // binomial: the null model's -loglik; poisson: glmnet's dv0
  double dev0 = 0.0;      // saturated-minus-null deviance, per unit weight, halved
};

} // namespace glmlx::family
