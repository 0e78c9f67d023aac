r"""Multi-response gaussian elastic-net path (glmnet's ``family="mgaussian"``).

The K responses share a group penalty per variable; the path is computed by
the C++ solver (``csrc/solver/mgaussian.cpp``), which reproduces glmnet 4.1's
iterates, so lambdas, coefficients, deviance ratios and pass counts agree with
R to rounding.
"""
from __future__ import annotations

import numbers
from typing import Optional

import numpy as np

from . import _sparse
from ._ext_loader import _ext

from ._control import BIG, FDEV

# glmnet's fatal error codes (elnet_driver; R stops with these).
_FATAL = {
    7777: "all usable predictors are excluded or have zero variance",
    10000: "all penalty factors are <= 0",
}
BNORM_MAXIT = 90000  # glmnet's code when the bounded group update's Newton solve fails


def fit_mgaussian(X, Y, *, weights=None, penalty=None, lower=None, upper=None, include=None, alpha=1.0,
                  nlambda=100, flmin=None, user_lambdas=None, thresh=1e-7, maxit=100000, dfmax=None, pmax=None,
                  standardize=True, fit_intercept=True, standardize_response=False, type_gaussian=None,
                  subsets=None, names=None):
    r"""glmnet's multi-response gaussian regularization path.

    For each lambda, with weights ``w`` normalized to sum to one, minimizes
    over the intercepts ``a0`` (K) and coefficients ``B`` (p x K)

    .. math::
        \frac12 \sum_{i=1}^n w_i \lVert \tilde y_i - a_0 - B^\top \tilde x_i \rVert_2^2
        + \lambda \sum_{j=1}^p v_j \Big( \frac{1-\alpha}{2} \lVert B_j \rVert_2^2
        + \alpha \lVert B_j \rVert_2 \Big)

    where ``B_j`` is row j of ``B`` (variable j's K coefficients, selected or
    dropped together), ``v_j`` the penalty factors, ``x~`` the columns of X
    scaled to unit weighted standard deviation (``standardize``; B is then on
    that scale inside the objective) and ``y~`` the responses, each scaled to
    unit weighted standard deviation when ``standardize_response``. Box limits
    ``lower_j <= B_jk <= upper_j`` hold on the original scale. Results are
    mapped back to the original scales of X and Y.

    Parameters
    ----------
    X : (n, p) array
        Design matrix, float64 or float32 (read as it is into the path's float64 copy; other types are
        converted to float64 first).
    Y : (n, K) array, or (n,) for K = 1
        Responses.
    weights : (n,) array, optional
        Observation weights (non-negative, positive sum); all ones by default.
    penalty : (p,) array, optional
        Penalty factors, already rescaled to sum to p (as glmnet does).
    lower, upper : (p,) arrays, optional
        Limits on the original scale, ``lower <= 0 <= upper``; +-9.9e35
        (glmnet's ``big``) for none, the default. A zero limit turns off the
        early stop on small changes, as in glmnet.
    include : (p,) 0/1 array, optional
        1 for the columns that may enter (0: glmnet's ``exclude``).
    alpha : float
        Elastic-net mixing in [0, 1] (1: group lasso).
    nlambda : int
        Length of glmnet's lambda grid (ignored with ``user_lambdas``).
    flmin : float, optional
        ``lambda.min.ratio`` in [0, 1) (floored at 1e-6, as glmnet); glmnet's default (0.01 if n < p,
        else 1e-4) when None.
    user_lambdas : array, optional
        A lambda sequence to use instead of the grid (sorted decreasing).
    thresh : float
        Convergence threshold (glmnet scales it by the responses' mean sum of
        squares).
    maxit : int
        Limit on the total number of coordinate-descent passes.
    dfmax, pmax : int, optional
        glmnet's limits: stop once more than ``dfmax`` variables are nonzero
        (counted on the first response, as glmnet does; default p + 1), error
        once more than ``pmax`` have entered (default min(2 dfmax + 20, p)).
    standardize : bool
        Scale the columns of X to unit weighted standard deviation.
    fit_intercept : bool
        Fit the K intercepts (unpenalized); without, nothing is centered.
    standardize_response : bool
        glmnet's ``standardize.response``.
    type_gaussian : {None, "auto", "covariance", "naive"}
        Accepted for symmetry with the gaussian family and ignored: glmnet has
        a single (residual-update) scheme for mgaussian.
    subsets : list of (m,) int arrays, optional
        Fit one path per row subset of X and Y instead (CV folds; solved in
        parallel threads, without copying the rows).
    names : list of str, optional
        With ``subsets``, each one's prefix in error messages (default
        "fold k: " for the k-th).

    Returns
    -------
    dict (a list of them, one per subset, with ``subsets``)
        ``lambdas`` (nlam,): glmnet's ``fit$lambda`` (on its own grid the first
        is extrapolated from the next two, as R's ``fix.lam``); ``a0``
        (K, nlam); ``beta`` (K, p, nlam) on the original scale; ``dev_ratio``
        (nlam,); ``nulldev`` (float); ``npasses`` (int); ``jerr`` (int):
        glmnet's code, 0, or negative when the path was cut short (-k: maxit
        reached at the k-th lambda; -10000 - k: more than pmax variables at
        the k-th), or 90000 when the Newton solve for a bounded group did
        not converge (R warns and, as glmnet, the coefficients of the
        returned lambdas then stay on glmnet's internal standardized scale
        with zero intercepts).

    Raises
    ------
    ValueError
        For inputs of the wrong shape or value (non-finite data, negative
        weights, limits of the wrong sign, ...), and where glmnet stops with
        an error (every variable excluded or constant, no positive penalty,
        a constant response; with ``standardize_response``, any constant
        response column).
    TypeError
        For complex responses.
    """
    # a scipy.sparse X: a canonical CSC copy, read by its entries (never densified)
    Xa = _sparse.as_csc(X, "X") if _sparse.is_sparse(X) else _matrix(X, "X", keep_float32=True)
    n, p = Xa.shape
    if n < 2 or p < 1:
        raise ValueError(f"X must have at least 2 rows and 1 column, got shape {Xa.shape}")
    if np.asarray(Y).dtype.kind == "c":
        raise TypeError("Y must be real, got complex values")  # numpy would drop the imaginary part
    Ya = np.asarray(Y, dtype=np.float64)
    if Ya.ndim == 1:
        Ya = Ya[:, None]
    if Ya.ndim != 2 or Ya.shape[0] != n or Ya.shape[1] < 1:
        raise ValueError(f"Y must have shape ({n}, K) to match X, got {np.shape(Y)}")
    if not _sparse.is_sparse(Xa) and not np.all(np.isfinite(Xa)):
        raise ValueError("X contains NaN or infinite values")
    if not np.all(np.isfinite(Ya)):
        raise ValueError("Y contains NaN or infinite values")

    w = _vector(weights, n, "weights", 1.0)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite and non-negative")
    if not w.sum() > 0:
        raise ValueError("weights must have a positive sum")
    vp = _vector(penalty, p, "penalty", 1.0)
    if not np.all(np.isfinite(vp)):
        raise ValueError("penalty must be finite (exclude variables with include)")
    lo = _vector(lower, p, "lower", -BIG)
    up = _vector(upper, p, "upper", BIG)
    if np.any(np.isnan(lo)) or np.any(lo > 0):
        raise ValueError("lower must be non-positive")
    if np.any(np.isnan(up)) or np.any(up < 0):
        raise ValueError("upper must be non-negative")
    # glmnet turns off its fdev stop when a limit is zero: the path may not move for a while.
    sml = 0.0 if (np.any(lo == 0) or np.any(up == 0)) else FDEV
    lo = np.maximum(lo, -BIG)
    up = np.minimum(up, BIG)
    inc = np.ones(p, dtype=np.uint8) if include is None else np.asarray(include).reshape(-1)
    if inc.shape != (p,):
        raise ValueError(f"include must have {p} values, got {inc.size}")
    inc = (inc != 0).astype(np.uint8)

    _check_real(alpha, "alpha", 0.0, 1.0)
    _check_real(thresh, "thresh", 0.0)
    if thresh <= 0:
        raise ValueError(f"thresh must be positive, got {thresh}")
    _check_int(maxit, "maxit", 1)
    dfmax = p + 1 if dfmax is None else dfmax
    _check_int(dfmax, "dfmax", 0)
    pmax = min(dfmax * 2 + 20, p) if pmax is None else pmax
    _check_int(pmax, "pmax", 0)
    if type_gaussian not in (None, "auto", "covariance", "naive"):
        raise ValueError(f"type_gaussian must be None, 'auto', 'covariance' or 'naive', got {type_gaussian!r}")

    s = _ext.MgaussianPathSettings()
    lam = None
    if user_lambdas is not None:
        lam = np.asarray(user_lambdas, dtype=np.float64).reshape(-1)
        if lam.size == 0 or not np.all(np.isfinite(lam)) or np.any(lam < 0):
            raise ValueError("user_lambdas must be a non-empty sequence of non-negative finite values")
        lam = np.ascontiguousarray(np.sort(lam)[::-1])  # glmnet fits a user sequence decreasing
        s.flmin = 1.0
    else:
        _check_int(nlambda, "nlambda", 2)
        s.nlam = int(nlambda)
        if flmin is None:
            flmin = 0.01 if n < p else 1e-4
        _check_real(flmin, "flmin", 0.0)
        if not 0 <= flmin < 1:
            # as R (all families): 0 is allowed and floored at glmnet.control()$eps = 1e-6 by the solver
            raise ValueError(f"flmin (lambda_min_ratio) must be in [0, 1), got {flmin}")
        s.flmin = float(flmin)
    s.alpha, s.thresh, s.sml = float(alpha), float(thresh), sml
    s.maxit = min(int(maxit), 2**31 - 1)
    s.dfmax, s.pmax = min(int(dfmax), 2**31 - 1), min(int(pmax), 2**31 - 1)
    s.intercept, s.standardize = bool(fit_intercept), bool(standardize)
    s.standardize_response = bool(standardize_response)

    rows = [] if subsets is None else [np.ascontiguousarray(r, dtype=np.int64) for r in subsets]
    if subsets is None:
        _check_responses(Ya, w, fit_intercept, standardize_response, "")
    for j, r in enumerate(rows):
        what = names[j] if names is not None else f"fold {j + 1}: "
        _check_responses(Ya[r], w[r], fit_intercept, standardize_response, what + "training rows: ")
    out = []
    if _sparse.is_sparse(Xa):
        raw = _ext.mgaussian_paths_sparse(Xa.indptr, Xa.indices, Xa.data, n, Ya, w, inc, vp, lo, up, lam, s, rows)
    else:
        raw = _ext.mgaussian_paths(Xa, Ya, w, inc, vp, lo, up, lam, s, rows)
    for res in raw:
        jerr = int(res["jerr"])
        if jerr in _FATAL:
            raise ValueError(f"glmnet error {jerr}: {_FATAL[jerr]}")
        lambdas = np.array(res["lambdas"])
        if lam is None and lambdas.size > 2:
            # R's fix.lam: the first lambda is glmnet's "infinity"; report the
            # grid's geometric extrapolation instead.
            lambdas[0] = np.exp(2 * np.log(lambdas[1]) - np.log(lambdas[2]))
        out.append({
            "lambdas": lambdas,
            "a0": np.ascontiguousarray(np.asarray(res["a0"]).T),
            "beta": np.ascontiguousarray(np.asarray(res["beta"]).transpose(1, 2, 0)),
            "dev_ratio": np.array(res["dev_ratio"]),
            "nulldev": float(res["nulldev"]),
            "npasses": int(res["npasses"]),
            "jerr": jerr,
        })
    return out[0] if subsets is None else out


def _check_responses(Y: np.ndarray, w: np.ndarray, fit_intercept: bool, standardize_response: bool,
                     what: str) -> None:
    """Responses the solver cannot fit: all constant, or one constant to be scaled to unit variance.

    The solver would return an empty path with a misleading maxit warning (or
    divide by a zero standard deviation); the gaussian family raises here too.
    """
    used = Y[w > 0]
    # with an intercept a constant column is centered to zero; without, only zeros carry nothing
    const = np.all(used == used[:1], axis=0) if fit_intercept else np.all(used == 0, axis=0)
    if const.all():
        raise ValueError(what + "y is constant" + (" in every column" if Y.shape[1] > 1 else "")
                         + "; mgaussian glmnet fails at standardization step")
    if standardize_response and const.any():
        k = int(np.flatnonzero(const)[0])
        raise ValueError(f"{what}y column {k} is constant: standardize_response=True cannot scale it to unit "
                         "variance (drop the column or use standardize_response=False)")


def _matrix(X, name: str, keep_float32: bool = False) -> np.ndarray:
    if keep_float32 and isinstance(X, np.ndarray) and X.dtype == np.float32:
        a = X  # the path's float64 copy reads float32 as it is: no converted copy of the whole X first
    else:
        try:
            a = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be a real numeric array: {exc}") from None
    if a.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got shape {a.shape}")
    return a


def _vector(v, size: int, name: str, default: float) -> np.ndarray:
    if v is None:
        return np.full(size, default)
    a = np.asarray(v, dtype=np.float64)
    if a.ndim == 0:
        return np.full(size, float(a))
    a = np.ascontiguousarray(a.reshape(-1))
    if a.size != size:
        raise ValueError(f"{name} must have {size} values, got {a.size}")
    return a


def _check_real(v, name: str, lo: float, hi: Optional[float] = None) -> None:
    if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(v):
        raise TypeError(f"{name} must be a finite real number, got {v!r}")
    if v < lo or (hi is not None and v > hi):
        rng = f"[{lo}, {hi}]" if hi is not None else f">= {lo}"
        raise ValueError(f"{name} must be {rng}, got {v}")


def _check_int(v, name: str, lo: int) -> None:
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {v!r}")
    if v < lo:
        raise ValueError(f"{name} must be >= {lo}, got {v}")
