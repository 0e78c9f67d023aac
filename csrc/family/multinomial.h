// The multinomial family (K classes, softmax link): glmnet 4.1's lognet for
// K > 2 (elnet_point/internal/binomial_base.hpp's multi-class bases,
// elnet_driver/binomial.hpp). It owns the fit's softmax state, q = exp(eta)
// per class (n x K, class-major) and its row sums, and supplies the null fit,
// each class's working weights and residuals, the clamped class update, and
// the deviance; the solver (solver/multinomial.cpp) runs the ungrouped and
// grouped coordinate descent over it.
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/team.h"
#include "family/binomial.h"
#include "glmlx/glm.h"

namespace glmlx::family {

class Multinomial {
 public:
  static constexpr const char* name = "multinomial";

  // y (K x n class proportions, class-major) and w (normalized to sum 1) on n rows.
  Multinomial(const double* y, const double* w, int64_t n, int64_t K, const GlmPathSettings& s);

  /**
   * The null (intercept-only or offset-only) fit: intercepts a0 (K) and the
   * softmax state at it. ``offset`` (K x n) is centred per row, or cleared
   * when it is all zero (glmnet takes the offset branch only for a nonzero
   * offset). Throws FatalError 8001 + c / 9001 + c where class c's null
   * probability is within pmin of 0 or 1.
   */
  void start(std::vector<double>& offset, std::vector<double>& a0);

  double dev0() const { return dev0_; }  // saturated-minus-null deviance, per unit weight, halved

  // Class ic's working weights v and residuals r = w (y - p) (rows within pmin of 0 or 1 get no weight);
  // returns their total weight.
  double working_weights(int64_t ic, double* v, double* r) const;
  // The total working weight is negligible (glmnet's vmin): the class is skipped this round.
  bool negligible(double total_weight) const { return total_weight <= vmin_; }
  // r = w (y_ic - p_ic) / scale.
  void residuals(int64_t ic, double scale, double* r) const;
  // Class ic's linear predictor eta (n) becomes its softmax state, clamped as glmnet
  // (|eta| <= exmx, probability ratios within [pmin/(1-pmin), (1-pmin)/pmin]).
  void update_class(int64_t ic, double* eta);
  // Every class's exp(eta) times d (n): a shift of eta common to the classes.
  void rescale(const double* d);
  // max_i p_ic (1 - p_ic).
  double max_prob_var(int64_t ic) const;
  // 1 - deviance / null deviance at the current fit.
  double deviance_ratio() const;
  // glmnet's early stop on the deviance gain: the last step's, against fdev.
  bool small_gain(const std::vector<double>& dev_ratio, int64_t m, int64_t, double fdev) const {
    const double gain = dev_ratio[size_t(m)] - (m == 0 ? 0.0 : dev_ratio[size_t(m - 1)]);
    return gain < fdev;
  }

 private:
  void offset_intercepts(const double* g, std::vector<double>& a0);
  void class_by_class_intercepts(const double* g, std::vector<double>& a0);

  const double *y_, *w_;
  int64_t n_, K_;
  const GlmPathSettings& s_;
  detail::RowVector<double> q_;  // n x K: exp(eta), unnormalized class probabilities
  std::vector<double> sxp_;      // n: sum of q over the classes
  double dev0_ = 0.0;            // saturated-minus-null deviance, per unit weight, halved (glmnet's dev0)
  double dev1_ = 0.0;            // the null model's -loglik (glmnet's dev)
  double pfm_, pfx_, vmin_, emin_, emax_;
};

} // namespace glmlx::family
