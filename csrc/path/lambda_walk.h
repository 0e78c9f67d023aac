// THE lambda walk of the host path solvers (binomial, poisson, multinomial,
// mgaussian): glmnet 4.1's ElnetPathBase::fit and process_point_fit
// (glmnetpp elnet_path/base.hpp). Which lambda comes next (the first at
// "infinity", lambda_max from the null fit's gradients, then the geometric
// grid, or the user's values), how a point fit's failure ends the path and
// with which glmnet error code, the non-finite guard, and glmnet's early stops
// (mnlam, dfmax, the deviance gain, devmax). A solver supplies only the point
// fit and what it records; its family supplies the gain rule.
//
// The gaussian path primitive walks its lambdas in path/gaussian_path.h
// (PathWalk): the same rules on its own scalar type, fed blocks of a grid the
// Python layer computed.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "cpu/interrupt.h"
#include "glmlx/glm.h"

namespace glmlx::path {

// A point fit ends the path by throwing one of these (caught by walk_lambdas).
struct MaxitReached {};        // glmnet's jerr -m-1 (maxit passes; also Ctrl-C)
struct PmaxReached {};         // glmnet's jerr -10001-m (more than pmax variables ever active)
struct BelowMinVariance {};    // glmnet's jerr -20001-m (grouped multinomial: max p(1-p) < eps)
struct BnormMaxitReached {};   // glmnet's jerr 90000 (bnorm's Newton iterations ran out)
// A fatal error before the path starts (glmnet's positive jerr).
struct FatalError {
  int64_t code;
};

// glmnet's jerr 7777: every predictor excluded or constant on the rows fitted.
constexpr int kNoUsablePredictor = 7777;
// glmnet's jerr 10000: every penalty factor <= 0.
constexpr int kNonPositivePenalty = 10000;
// glmnet's jerr 90000 (BnormMaxitReached).
constexpr int kBnormMaxit = 90000;
// glmlx's own path error: the fit at lambda m (0-based) was not finite; the
// path holds the m lambdas before it (jerr = kNonFiniteFit - m).
constexpr int kNonFiniteFit = -30001;

/** One path point's lambdas (glmnet's ElnetPathBase::initialize_point). */
struct PathLambda {
  double alm;   // this point's lambda
  double alm0;  // the previous one, for the sequential strong rule
};

/** glmnet's lambda sequence: the user's values, or its own geometric grid. */
struct LambdaGrid {
  const double* user = nullptr;  // the user's lambdas (flmin >= 1), else null
  int64_t nlam = 0;
  double alf = 1.0;  // the grid's ratio between neighbours
  double big = 9.9e35, alpha = 1.0;

  // Settings: GlmPathSettings or MgaussianPathSettings (glmnet's flmin, nlam, eps, big, alpha).
  template <class Settings>
  static LambdaGrid of(const Settings& s, const double* user_lambdas, int64_t n_user) {
    LambdaGrid g;
    const bool user = s.flmin >= 1.0;
    g.user = user ? user_lambdas : nullptr;
    g.nlam = user ? n_user : s.nlam;
    g.alf = user ? 1.0 : std::pow(std::max(s.eps, s.flmin), 1.0 / (double(g.nlam) - 1.0));
    g.big = s.big;
    g.alpha = s.alpha;
    return g;
  }

  /**
   * The lambda of point m: a user value; else "infinity" (big) at m = 0,
   * lambda_max * alf at m = 1 with lambda_max = max_j ga_j / vp_j over usable
   * penalized j, divided by max(alpha, 1e-3), and the previous times alf
   * after. ``current`` carries the last lambda between calls.
   */
  PathLambda at(int64_t m, double& current, int64_t p, const uint8_t* ju, const double* vp,
                const double* ga) const {
    double alm0 = current, alm = alm0;
    if (user) {
      alm = user[m];
    } else if (m > 1) {
      alm *= alf;
    } else if (m == 0) {
      alm = big;
    } else {
      alm0 = 0.0;
      for (int64_t j = 0; j < p; ++j) {
        if (ju[j] && vp[j] > 0.0) {
          alm0 = std::max(alm0, ga[j] / vp[j]);
        }
      }
      alm0 /= std::max(alpha, 1e-3);
      alm = alm0 * alf;
    }
    current = alm;
    return {alm, alm0};
  }
};

/**
 * Walks a solver along its lambdas, recording each point into ``out`` and
 * ending where glmnet ends. The solver (``Point``) supplies:
 *   int64_t p() const; const uint8_t* usable() const; const double* penalty() const;
 *   const double* abs_gradient() const   -- |x_j'r| at the null fit (lambda_max);
 *   void fit(double alm, double alm0)    -- the point fit; throws the errors above;
 *   bool finite() const                  -- the fit's coefficients are finite;
 *   void record(double alm, GlmPathResult& out)   -- lambda, intercepts, coefficients, dev ratio;
 *   bool stop(int64_t m, int64_t mnl, const GlmPathResult& out) const  -- glmnet's early stops;
 *   int64_t npasses() const.
 * Early stops apply from point mnlam on, on glmnet's own grid only.
 */
template <class Point>
void walk_lambdas(Point& point, const LambdaGrid& grid, int64_t mnlam, GlmPathResult& out) {
  const int64_t mnl = std::min<int64_t>(mnlam, grid.nlam);
  double current = 0.0;
  for (int64_t m = 0; m < grid.nlam; ++m) {
    const PathLambda lam = grid.at(m, current, point.p(), point.usable(), point.penalty(), point.abs_gradient());
    try {
      point.fit(lam.alm, lam.alm0);
    } catch (const MaxitReached&) {
      out.jerr = -m - 1;
      break;
    } catch (const PmaxReached&) {
      out.jerr = -10001 - m;
      break;
    } catch (const BelowMinVariance&) {
      out.jerr = -20001 - m;
      break;
    } catch (const BnormMaxitReached&) {
      out.jerr = kBnormMaxit;
      break;
    }
    // Not glmnet's: a fit that overflowed (extreme offsets or scales; an
    // unpenalized variable at a limit whose Newton steps blow up) stops the
    // path rather than returning NaN coefficients with no error.
    if (!point.finite()) {
      out.jerr = kNonFiniteFit - m;
      break;
    }
    point.record(lam.alm, out);
    out.lmu = m + 1;
    interrupt::lambda_done();
    if (out.lmu < mnl || grid.user) {
      continue;
    }
    if (point.stop(m, mnl, out)) {
      break;
    }
  }
  out.npasses = point.npasses();
}

/** Every value in [first, last) is finite. */
template <class It>
bool all_finite(It first, It last) {
  return std::all_of(first, last, [](double v) { return std::isfinite(v); });
}

} // namespace glmlx::path
