"""``glmlx.glmnet``: elastic-net regularization paths with R glmnet's options and answers."""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Optional

import mlx.core as mx
import numpy as np

from . import gaussian
from ._validation import as_array

FAMILIES = ("gaussian",)
PREDICT_TYPES = ("link", "response", "coefficients", "nonzero")


def _as_data_matrix(X, dtype):
    """X as a float32/float64 numpy array (kept as is when it is one: no copy) or mx.array."""
    if dtype is not None and dtype not in (mx.float32, mx.float64):
        raise TypeError(f"dtype must be mx.float32 or mx.float64, got {dtype}")
    if isinstance(X, np.ndarray) and X.dtype in (np.float64, np.float32):
        Xm = X
    else:
        Xm = as_array(X, "X")
        if Xm.dtype in (mx.complex64,):
            raise TypeError("X must be real")
    if Xm.ndim != 2:
        raise ValueError(f"X must be a 2-D matrix (n, p), got shape {tuple(Xm.shape)}")
    if dtype is None:
        dtype = mx.float32 if Xm.dtype in (mx.float32, np.float32) else mx.float64
    want = np.float64 if dtype == mx.float64 else np.float32
    if isinstance(Xm, np.ndarray):
        Xm = Xm.astype(want, copy=False)
    else:
        Xm = np.asarray(Xm.astype(dtype, stream=mx.cpu))  # a view of the MLX buffer
    # NaN/Inf in X are caught from the Gram matrix (gaussian.standardize): no extra pass.
    return Xm, dtype


def _vector(v, p, name, default):
    if v is None:
        return np.full(p, default, dtype=np.float64)
    if isinstance(v, bool):
        raise TypeError(f"{name} must be a number or a length-{p} vector, got bool")
    try:
        arr = np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or a numeric vector of length {p}, got {type(v).__name__}") from None
    if arr.ndim == 0 or arr.size == 1:
        return np.full(p, float(arr.reshape(-1)[0]))
    if arr.ndim != 1 or arr.shape[0] != p:
        raise ValueError(f"{name} must be a scalar or a vector of length {p}, got shape {arr.shape}")
    return arr.copy()


def _check_scalar(v, name, lo=None, hi=None, integer=False):
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(v).__name__}")
    if integer and int(v) != v:
        raise ValueError(f"{name} must be an integer, got {v}")
    if not math.isfinite(v) or (lo is not None and v < lo) or (hi is not None and v > hi):
        rng = f"[{lo}, {hi}]" if hi is not None else f">= {lo}"
        raise ValueError(f"{name} must be finite and in {rng}, got {v}")


def lambda_interp(lam: np.ndarray, s):
    """glmnet's lambda.interp: left/right path points and the weight of the left one."""
    s = np.atleast_1d(np.asarray(s, dtype=np.float64))
    if s.ndim != 1 or not np.all(np.isfinite(s)) or np.any(s < 0):
        raise ValueError("s must be non-negative finite lambda values")
    if lam.size == 1:
        return np.zeros(s.size, int), np.zeros(s.size, int), np.ones(s.size)
    s = np.clip(s, lam.min(), lam.max())
    k = lam.size
    sfrac = (lam[0] - s) / (lam[0] - lam[k - 1])
    lam_n = (lam[0] - lam) / (lam[0] - lam[k - 1])
    coord = np.interp(sfrac, lam_n, np.arange(k, dtype=np.float64))
    left, right = np.floor(coord).astype(int), np.ceil(coord).astype(int)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = (sfrac - lam_n[right]) / (lam_n[left] - lam_n[right])
    frac[left == right] = 1.0
    frac[np.abs(lam_n[left] - lam_n[right]) < np.finfo(float).eps] = 1.0
    return left, right, frac


def interpolate_coef(lam: np.ndarray, full: np.ndarray, s) -> np.ndarray:
    """Columns of ``full`` (rows x nlam) at lambdas ``s``, linear in lambda as glmnet."""
    left, right, frac = lambda_interp(lam, s)
    return full[:, left] * frac + full[:, right] * (1 - frac)


class GlmnetFit:
    """A fitted regularization path (R's ``glmnet`` object).

    Attributes
    ----------
    lambdas : mx.array (nlam,)
    a0 : mx.array (nlam,)         intercepts
    beta : mx.array (p, nlam)     coefficients on the original scale
    dev_ratio : mx.array (nlam,)  fraction of null deviance explained
    nulldev : float               null deviance, sum_i w_i (y_i - ybar)^2
    df : mx.array (nlam,)         number of nonzero coefficients
    npasses : int                 total coordinate-descent passes
    jerr : int                    glmnet's error code (0, or negative when the path was cut short)
    """

    def __init__(self, family, result: gaussian.PathResult, nobs: int, user_lambda: bool):
        self.family = family
        self.lambdas = mx.array(result.lambdas, dtype=mx.float64)
        self.a0 = mx.array(result.a0, dtype=mx.float64)
        self.beta = mx.array(result.beta, dtype=mx.float64)
        self.dev_ratio = mx.array(result.dev_ratio, dtype=mx.float64)
        self.nulldev = float(result.nulldev)
        self.df = mx.array(np.count_nonzero(result.beta, axis=0).astype(np.int32))
        self.npasses = int(result.npasses)
        self.jerr = int(result.jerr)
        self.nobs = nobs
        self.user_lambda = user_lambda
        self._beta_np, self._a0_np, self._lam_np = result.beta, result.a0, result.lambdas

    def __repr__(self):
        return (f"GlmnetFit(family={self.family!r}, nlambda={self._lam_np.size}, p={self._beta_np.shape[0]}, "
                f"dev_ratio_max={float(np.max(np.asarray(self.dev_ratio), initial=0)):.4f})")

    # -- coefficients ---------------------------------------------------------------------
    def _coef_np(self, s=None):
        full = np.vstack([self._a0_np[None, :], self._beta_np])
        if s is None:
            return full
        return interpolate_coef(self._lam_np, full, s)

    def coef(self, s=None) -> mx.array:
        """Coefficients (p + 1, len(s)), intercept first; linear in lambda between path points."""
        return mx.array(self._coef_np(s), dtype=mx.float64)

    def plot(self, xvar: str = "lambda", path: Optional[str] = None):
        """Coefficient paths against log(lambda), L1 norm or deviance ratio; saved when ``path`` is given."""
        from .plotting import plot_path

        return plot_path(self, xvar, path)

    def predict(self, Xnew=None, s=None, type: str = "link"):
        """Predictions (n, len(s)) for ``type`` link/response, or coefficients / nonzero indices."""
        if type not in PREDICT_TYPES:
            raise ValueError(f"type must be one of {PREDICT_TYPES}, got {type!r}")
        coefs = self._coef_np(s)
        if type == "coefficients":
            return mx.array(coefs, dtype=mx.float64)
        if type == "nonzero":
            return [np.flatnonzero(coefs[1:, j]) for j in range(coefs.shape[1])]
        if Xnew is None:
            raise ValueError("Xnew is required for type='link' or 'response'")
        Xn = np.asarray(as_array(Xnew, "Xnew"), dtype=np.float64)
        if Xn.ndim != 2 or Xn.shape[1] != self._beta_np.shape[0]:
            raise ValueError(f"Xnew must have shape (n, {self._beta_np.shape[0]}), got {Xn.shape}")
        return mx.array(coefs[0][None, :] + Xn @ coefs[1:], dtype=mx.float64)


def glmnet(X, y, family: str = "gaussian", alpha: float = 1.0, nlambda: int = 100,
           lambda_min_ratio: Optional[float] = None, lambdas=None, weights=None, penalty_factor=None,
           lower_limits=-np.inf, upper_limits=np.inf, standardize: bool = True, fit_intercept: bool = True,
           thresh: float = 1e-7, maxit: int = 100_000, dfmax: Optional[int] = None, pmax: Optional[int] = None,
           exclude=None, type_gaussian: str = "auto", dtype=None, stream=None) -> GlmnetFit:
    r"""Fit an elastic-net regularization path, as R's ``glmnet``.

    For ``family="gaussian"`` each path point minimizes, with weights ``w``
    normalized to sum to one,

    .. math::
        \frac12 \sum_i w_i (y_i - a_0 - x_i^\top b)^2 + \lambda \sum_j v_j
        \Big(\frac{1-\alpha}{2}\frac{b_j^2 s_j^2}{s_y} + \alpha s_j |b_j|\Big)

    with ``s_j`` the weighted standard deviation of column j (1 when
    ``standardize=False``), ``s_y`` that of y, and ``v`` the penalty factors
    rescaled to sum to p (glmnet's exact objective, quirks included).

    Parameters
    ----------
    X : array_like (n, p), p >= 2
    y : array_like (n,)
    alpha : float in [0, 1]            1 lasso, 0 ridge
    nlambda : int                       grid length when ``lambdas`` is None
    lambda_min_ratio : float, optional  smallest lambda / lambda_max (0.01 if n < p else 1e-4)
    lambdas : array_like, optional      a user grid (sorted decreasing, as glmnet)
    weights : array_like (n,), optional observation weights (>= 0, positive sum)
    penalty_factor : scalar or (p,)     per-variable penalty multipliers (0 = unpenalized, inf = excluded)
    lower_limits, upper_limits : scalar or (p,)  box constraints (lower <= 0 <= upper)
    standardize, fit_intercept : bool
    thresh : float                      convergence threshold relative to the null deviance
    maxit : int                         most coordinate-descent passes in total
    dfmax, pmax : int, optional         stop once more than dfmax variables are nonzero; at most pmax ever enter
    exclude : sequence of int, optional 0-based indices of variables left out
    type_gaussian : "auto", "covariance" or "naive"
        glmnet's two schemes, with the same iterates as glmnet: "covariance"
        sweeps all variables; "naive" sweeps the variables admitted by the
        sequential strong rule and checks KKT conditions. "auto" is glmnet's
        rule (naive from p = 500). "covariance" forms the Gram matrix in one
        BLAS pass; "naive" updates residuals over a column-major copy of X,
        as glmnet does (p > n, or n <= 10 p), else uses Gram columns (one BLAS
        pass when p^2 fits, otherwise formed for the candidate variables).
    dtype : mx.float64 (default for float64 input) or mx.float32

    Returns
    -------
    GlmnetFit
    """
    prob = _prepare(X, y, family=family, alpha=alpha, nlambda=nlambda, lambda_min_ratio=lambda_min_ratio,
                    lambdas=lambdas, weights=weights, penalty_factor=penalty_factor, lower_limits=lower_limits,
                    upper_limits=upper_limits, standardize=standardize, fit_intercept=fit_intercept,
                    thresh=thresh, maxit=maxit, dfmax=dfmax, pmax=pmax, exclude=exclude,
                    type_gaussian=type_gaussian, dtype=dtype)
    return _fit(prob)


@dataclass
class _Problem:
    """A glmnet call's arguments after checking and glmnet's preprocessing."""

    family: str
    X: mx.array
    dtype: object
    y: np.ndarray
    weights: np.ndarray
    penalty: np.ndarray  # rescaled to sum to p
    lower: np.ndarray  # +-BIG for infinite limits
    upper: np.ndarray
    excluded: np.ndarray
    alpha: float
    nlambda: int
    flmin: float
    user_lambdas: Optional[np.ndarray]
    thresh: float
    maxit: int
    dfmax: int
    pmax: int
    sml: float
    standardize: bool
    fit_intercept: bool
    strong: bool  # glmnet's naive scheme (strong rules + KKT), else its covariance scheme
    lazy: bool  # Gram columns computed on demand (needs strong)
    residual: bool = False  # the naive scheme by residual updates, no Gram columns (needs strong)
    screen: int = -1  # residual solver's screening of KKT passes (-1 where it pays; tests force 0/1/2)


def _prepare(X, y, *, family, alpha, nlambda, lambda_min_ratio, lambdas, weights, penalty_factor, lower_limits,
             upper_limits, standardize, fit_intercept, thresh, maxit, dfmax, pmax, exclude, type_gaussian,
             dtype) -> _Problem:
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES} in this release, got {family!r}")
    if type_gaussian not in ("auto", "covariance", "naive"):
        raise ValueError(f"type_gaussian must be 'auto', 'covariance' or 'naive', got {type_gaussian!r}")
    Xm, dtype = _as_data_matrix(X, dtype)
    n, p = Xm.shape
    if p < 2:
        raise ValueError(f"X must have 2 or more columns (as glmnet), got {p}")
    if n < 2:
        raise ValueError(f"X must have at least 2 rows, got {n}")
    yv = np.asarray(as_array(y, "y"), dtype=np.float64)
    if yv.ndim == 2 and yv.shape[1] == 1:
        yv = yv[:, 0]
    if yv.ndim != 1 or yv.shape[0] != n:
        raise ValueError(f"y must have shape ({n},) to match X, got {yv.shape}")
    if not np.all(np.isfinite(yv)):
        raise ValueError("y contains NaN or infinite values")
    _check_scalar(alpha, "alpha", 0.0, 1.0)
    _check_scalar(thresh, "thresh", 0.0)
    if thresh <= 0:
        raise ValueError(f"thresh must be positive, got {thresh}")
    _check_scalar(maxit, "maxit", 1, integer=True)
    w = _vector(weights, n, "weights", 1.0)
    if not np.all(np.isfinite(w)):
        raise ValueError("weights contains NaN or infinite values")
    if np.any(w < 0):
        raise ValueError("weights must be non-negative")
    if not w.sum() > 0:
        raise ValueError("weights must have a positive sum (all weights are zero)")
    pf = _vector(penalty_factor, p, "penalty_factor", 1.0)
    if np.any(np.isnan(pf)):
        raise ValueError("penalty_factor contains NaN")
    excl = np.zeros(p, dtype=bool)
    if exclude is not None:
        idx = np.asarray(exclude).reshape(-1)
        if idx.size and (not np.issubdtype(idx.dtype, np.integer) or idx.min() < 0 or idx.max() >= p):
            raise ValueError(f"exclude must hold 0-based column indices in [0, {p - 1}], got {exclude!r}")
        excl[idx] = True
    excl |= np.isinf(pf)
    pf[excl] = 1.0  # glmnet gives excluded variables unit penalties before rescaling
    vp = np.maximum(pf, 0.0)
    if vp.max() <= 0:
        raise ValueError("penalty_factor: all penalty factors are <= 0")
    vp = vp * p / vp.sum()
    lower = _vector(lower_limits, p, "lower_limits", -np.inf)
    upper = _vector(upper_limits, p, "upper_limits", np.inf)
    if np.any(np.isnan(lower)) or np.any(lower > 0):
        raise ValueError("lower_limits must be non-positive")
    if np.any(np.isnan(upper)) or np.any(upper < 0):
        raise ValueError("upper_limits must be non-negative")
    sml = 0.0 if (np.any(lower == 0) or np.any(upper == 0)) else gaussian.FDEV
    lower = np.where(np.isinf(lower), -gaussian.BIG, lower)
    upper = np.where(np.isinf(upper), gaussian.BIG, upper)
    if dfmax is None:
        dfmax = p + 1
    _check_scalar(dfmax, "dfmax", 0, integer=True)
    if pmax is None:
        pmax = min(dfmax * 2 + 20, p)
    _check_scalar(pmax, "pmax", 0, integer=True)
    user = None
    if lambdas is not None:
        user = np.asarray(lambdas, dtype=np.float64).reshape(-1)
        if user.size == 0 or not np.all(np.isfinite(user)) or np.any(user < 0):
            raise ValueError("lambdas must be a non-empty sequence of non-negative finite values")
        user = np.sort(user)[::-1]  # glmnet sorts a user grid decreasing
        flmin = 1.0
    else:
        _check_scalar(nlambda, "nlambda", 2, integer=True)
        if lambda_min_ratio is None:
            lambda_min_ratio = 0.01 if n < p else 1e-4
        _check_scalar(lambda_min_ratio, "lambda_min_ratio", 0.0)
        if lambda_min_ratio >= 1:
            raise ValueError(f"lambda_min_ratio must be less than 1, got {lambda_min_ratio}")
        flmin = float(lambda_min_ratio)
    strong = type_gaussian == "naive" or (type_gaussian == "auto" and gaussian.prefer_strong(n, p))
    residual = strong and gaussian.prefer_residual(n, p)
    lazy = strong and not residual and gaussian.prefer_lazy(n, p)
    if not (lazy or residual) and p * p * 8 > 4 * 2**30:
        raise ValueError(f"type_gaussian={type_gaussian!r} would form a {p} x {p} Gram matrix "
                         f"({p * p * 8 / 2**30:.0f} GiB); use type_gaussian='naive' or 'auto'")
    return _Problem(family, Xm, dtype, yv, w, vp, lower, upper, excl, float(alpha), int(nlambda), flmin, user,
                    float(thresh), int(maxit), int(dfmax), int(pmax), sml, bool(standardize), bool(fit_intercept),
                    strong, lazy, residual)


def _fit(prob: _Problem, full_moments=None) -> GlmnetFit:
    std = gaussian.standardize(prob.X, prob.y, prob.weights, prob.excluded, prob.standardize, prob.fit_intercept,
                               lazy=prob.lazy, full_moments=full_moments, residual=prob.residual)
    res = gaussian.fit_path(std, alpha=prob.alpha, penalty=prob.penalty, lower=prob.lower, upper=prob.upper,
                            nlambda=prob.nlambda, flmin=prob.flmin, user_lambdas=prob.user_lambdas,
                            thresh=prob.thresh, maxit=prob.maxit, dfmax=prob.dfmax, pmax=prob.pmax, sml=prob.sml,
                            dtype=prob.dtype, strong=prob.strong, screen=prob.screen)
    return GlmnetFit(prob.family, res, prob.X.shape[0], prob.user_lambdas is not None)
