// THE lambda walk, for every family: glmnet 4.1's ElnetPathBase::fit and
// process_point_fit (glmnetpp elnet_path/base.hpp). Which lambda comes next
// (glmnet's grid: the first at "infinity", lambda_max from the null fit's
// gradients, then geometric; or given values), how a point fit's failure ends
// the path and with which glmnet error code, the non-finite guard, and the
// early stops (mnlam, then the family's rule on dfmax, deviance gain, devmax).
// A solver supplies only the point fit and what it records (binomial/poisson:
// solver/irls.cpp, multinomial, mgaussian; the gaussian primitive through
// GaussianPoint in path/gaussian_path.h).
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

/**
 * glmnet's lambda_max on the standardized scale: max_j ga_j / vp_j over the
 * usable (ju_j != 0) penalized (vp_j > 0) j, divided by max(alpha, 1e-3);
 * 0 where there is none. ga_j = |x_j'r| at the null fit ("infinity").
 */
template <typename G, typename U>
double lambda_max(const G* ga, const U* ju, const double* vp, int64_t p, double alpha) {
  double lmax = 0.0;
  for (int64_t j = 0; j < p; ++j) {
    if (ju[j] != U(0) && vp[j] > 0.0) {
      lmax = std::max(lmax, std::abs(double(ga[j])) / vp[j]);
    }
  }
  return lmax / std::max(alpha, 1e-3);
}

/** The ratio between neighbours of glmnet's grid of nlam values down to flmin * lambda_max. */
inline double grid_ratio(double flmin, double eps, int64_t nlam) {
  return std::pow(std::max(eps, flmin), 1.0 / (double(nlam) - 1.0));
}

/**
 * The grid after "infinity": out[k] = lambda_max alf^(k+1), k < count, by
 * repeated products as glmnet forms them (the same roundings as its loop).
 */
inline void geometric_grid(double lmax, double alf, int64_t count, double* out) {
  double alm = lmax;
  for (int64_t k = 0; k < count; ++k) {
    alm *= alf;
    out[k] = alm;
  }
}

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
    g.alf = user ? 1.0 : grid_ratio(s.flmin, s.eps, g.nlam);
    g.big = s.big;
    g.alpha = s.alpha;
    return g;
  }

  /**
   * The lambda of point m: a user value; else "infinity" (big) at m = 0,
   * lambda_max * alf at m = 1 (lambda_max above, from the point's gradients
   * at the null fit), and the previous times alf after. ``current`` carries
   * the last lambda between calls.
   */
  // The point supplies p(), usable(), penalty() and abs_gradient() (|x_j'r|
  // at the null fit, for lambda_max).
  template <class Point>
  PathLambda at(int64_t m, double& current, const Point& point) const {
    double alm0 = current, alm = alm0;
    if (user) {
      alm = user[m];
    } else if (m > 1) {
      alm *= alf;
    } else if (m == 0) {
      alm = big;
    } else {
      alm0 = lambda_max(point.abs_gradient(), point.usable(), point.penalty(), point.p(), alpha);
      alm = alm0 * alf;
    }
    current = alm;
    return {alm, alm0};
  }
};

// How a point fit ended.
enum class PointStatus { ok, maxit, pmax, below_min_variance, bnorm_maxit };

/** glmnet's jerr for a point fit at lambda m (0-based) that ended the path. */
inline int64_t point_error(PointStatus st, int64_t m) {
  switch (st) {
    case PointStatus::maxit: return -m - 1;
    case PointStatus::pmax: return -10001 - m;
    case PointStatus::below_min_variance: return -20001 - m;
    case PointStatus::bnorm_maxit: return kBnormMaxit;
    case PointStatus::ok: break;
  }
  return 0;
}

/**
 * A user's or a caller's lambda sequence, walked as given (the gaussian
 * primitive's blocks of a grid the Python layer computed): alm0 is the
 * previous lambda, ``first_prev`` before the first.
 */
template <typename T>
struct GivenLambdas {
  const T* lam;
  T first_prev;
  template <class Point>
  PathLambda at(int64_t m, double& current, const Point&) const {
    const double alm0 = m == 0 ? double(first_prev) : current;
    current = double(lam[m]);
    return {current, alm0};
  }
};

/**
 * THE path driver: walks one solver along its lambdas, one point at a time,
 * and ends where glmnet ends. ``next()`` gives the lambda to fit; after the
 * fit, ``finish(status)`` records the point or ends the path with glmnet's
 * error code, guards against a non-finite fit, and applies the early stops
 * (from point ``stops_from`` on, 1-based; never on a user's lambdas).
 * walk_lambdas() below is the plain loop; the gaussian naive batch drives
 * several walks in lockstep with next()/finish().
 *
 * The solver (``Point``) supplies:
 *   bool finite() const              -- the fit's coefficients are finite;
 *   void record(int64_t m, double alm)    -- keep point m (coefficients, deviance);
 *   bool stop(int64_t m, int64_t stops_from) const  -- glmnet's early stop after point m
 *                                       (dfmax, the deviance gain of its family, devmax).
 * ``Lambdas`` (LambdaGrid or GivenLambdas) gives PathLambda at(m, current, point).
 */
template <class Point, class Lambdas>
class LambdaWalk {
 public:
  LambdaWalk(Point& point, Lambdas lambdas, int64_t nlam, int64_t stops_from)
      : point_(point), lambdas_(lambdas), nlam_(nlam), stops_from_(stops_from), done_(nlam <= 0) {}

  bool done() const { return done_; }
  int64_t fitted() const { return fitted_; }  // points recorded
  int64_t jerr() const { return jerr_; }      // 0, or glmnet's code for the point that ended the path

  PathLambda next() { return lambdas_.at(m_, current_, point_); }

  void finish(PointStatus st) {
    if (st != PointStatus::ok) {
      jerr_ = point_error(st, m_);
      done_ = true;
      return;
    }
    // Not glmnet's: a fit that overflowed (extreme offsets or scales; an
    // unpenalized variable at a limit whose Newton steps blow up) stops the
    // path rather than returning NaN coefficients with no error.
    if (!point_.finite()) {
      jerr_ = kNonFiniteFit - m_;
      done_ = true;
      return;
    }
    point_.record(m_, current_);
    fitted_ = m_ + 1;
    interrupt::lambda_done();
    const int64_t m = m_++;
    done_ = m_ >= nlam_;
    if (!done_ && fitted_ >= stops_from_ && point_.stop(m, stops_from_)) {
      done_ = true;
    }
  }

 private:
  Point& point_;
  Lambdas lambdas_;
  int64_t nlam_, stops_from_;
  int64_t m_ = 0, fitted_ = 0, jerr_ = 0;
  double current_ = 0.0;
  bool done_;
};

/**
 * The loop form: Point also has fit(alm, alm0), which throws MaxitReached,
 * PmaxReached, BelowMinVariance or BnormMaxitReached to end the path.
 * Returns the walk (its jerr and the number of points fitted).
 */
template <class Point, class Lambdas>
LambdaWalk<Point, Lambdas> walk_lambdas(Point& point, Lambdas lambdas, int64_t nlam, int64_t stops_from) {
  LambdaWalk<Point, Lambdas> walk(point, lambdas, nlam, stops_from);
  while (!walk.done()) {
    const PathLambda lam = walk.next();
    PointStatus st = PointStatus::ok;
    try {
      point.fit(lam.alm, lam.alm0);
    } catch (const MaxitReached&) {
      st = PointStatus::maxit;
    } catch (const PmaxReached&) {
      st = PointStatus::pmax;
    } catch (const BelowMinVariance&) {
      st = PointStatus::below_min_variance;
    } catch (const BnormMaxitReached&) {
      st = PointStatus::bnorm_maxit;
    }
    walk.finish(st);
  }
  return walk;
}

/**
 * A host path's whole walk: glmnet's grid or the user's lambdas (settings:
 * GlmPathSettings or MgaussianPathSettings), early stops from point mnlam on
 * glmnet's own grid only; sets out.jerr and out.lmu.
 */
template <class Point, class Settings>
void walk_path(Point& point, const Settings& s, const double* user_lambdas, int64_t n_user, GlmPathResult& out) {
  const LambdaGrid grid = LambdaGrid::of(s, user_lambdas, n_user);
  const int64_t stops_from = grid.user ? std::numeric_limits<int64_t>::max() : std::min<int64_t>(s.mnlam, grid.nlam);
  const auto walk = walk_lambdas(point, grid, grid.nlam, stops_from);
  out.jerr = walk.jerr();
  out.lmu = walk.fitted();
}

/** Every value in [first, last) is finite. */
template <class It>
bool all_finite(It first, It last) {
  return std::all_of(first, last, [](double v) { return std::isfinite(v); });
}

} // namespace glmlx::path
