"""Closed-form least squares: QR, Cholesky of the normal equations, or SVD."""
from __future__ import annotations

import math
import numbers
import warnings
from typing import NamedTuple, Optional

import mlx.core as mx

from ._ext_loader import _ext
from ._validation import as_float_array, check_weights, is_tracing_error, require_finite, run_value_checks

__all__ = ["lstsq", "LstsqResult", "LstsqInfo", "ConditioningWarning"]

_METHODS = ("auto", "qr", "cholesky", "svd")
_PATHS = ("qr", "cholesky", "svd")


class ConditioningWarning(UserWarning):
    """A solver abandoned the requested method because the problem is ill-conditioned or rank-deficient."""


class LstsqInfo(NamedTuple):
    """How :func:`lstsq` produced its answer.

    Python values when :func:`lstsq` read the kernel's diagnostics back (the
    default, outside ``mx.compile``/``mx.vmap``); otherwise the same
    diagnostics as lazy ``mx.array`` objects: ``method`` an int32 code (0 "qr",
    1 "cholesky", 2 "svd"), ``rank`` int32, the two estimates float32, each of
    shape ``()`` (``(B,)`` under ``mx.vmap``, one entry per batch element).

    Attributes
    ----------
    method : str
        The path that produced the coefficients: "qr", "cholesky" or "svd".
    rank : int
        Numerical rank used (``p`` on the QR/Cholesky paths; -1 if the SVD did
        not converge, in which case the coefficients are NaN).
    rcond : float
        Reciprocal condition estimate of the path used (of ``R`` for QR, of
        ``X'WX + ridge I`` for Cholesky, ``s_min / s_max`` for SVD).
    cholesky_rcond : float
        Reciprocal condition estimate of ``X'WX + ridge I`` when Cholesky was
        tried (0 if the factorization failed), else NaN.
    """

    method: str
    rank: int
    rcond: float
    cholesky_rcond: float


class LstsqResult(NamedTuple):
    """What :func:`lstsq` returns: ``coef, intercept, info = glmlx.lstsq(X, y)``.

    A named tuple, so ``.coef`` works as well as unpacking; returned from
    inside ``mx.compile``/``mx.vmap`` it is a tree of arrays (``info`` then
    holds arrays, see :class:`LstsqInfo`).

    Attributes
    ----------
    coef : mx.array, shape (p,) or (p, k)
        Coefficients ((p,) for a 1-D ``y``).
    intercept : mx.array, shape () or (k,)
        Intercept; zeros when ``fit_intercept=False``.
    info : LstsqInfo
        Which path produced the answer and its condition estimates.
    """

    coef: mx.array
    intercept: mx.array
    info: LstsqInfo


def _lazy_info(info_arr: mx.array) -> LstsqInfo:
    # Left as arrays (not read back): mx.vmap returns only trees of arrays.
    return LstsqInfo(info_arr[..., 0].astype(mx.int32), info_arr[..., 1].astype(mx.int32), info_arr[..., 2],
                     info_arr[..., 3])


def _check_scalar(v, name: str, lo: float, hi: float = math.inf, hi_open: bool = False) -> float:
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(v).__name__}")
    v = float(v)
    if not math.isfinite(v) or v < lo or (v >= hi if hi_open else v > hi):
        rng = f"[{lo:g}, {hi:g})" if hi_open else f">= {lo:g}"
        raise ValueError(f"{name} must be a finite number {rng}, got {v!r}")
    return v


def lstsq(
    X,
    y,
    method: str = "auto",
    fit_intercept: bool = False,
    ridge: float = 0.0,
    weights=None,
    rcond: Optional[float] = None,
    *,
    check_input: bool = True,
    return_info: bool = False,
    stream: Optional[mx.Stream] = None,
) -> LstsqResult:
    r"""Closed-form (weighted, ridge) least squares.

    Solves

    .. math::

        \min_{w,\,b}\; \sum_i \omega_i\,(y_i - b - x_i^\top w)^2 + \mathrm{ridge}\,\|w\|_2^2

    that is :math:`(X^\top W X + \mathrm{ridge}\, I)\, w = X^\top W y` with
    :math:`W = \operatorname{diag}(\omega)`, on weighted-mean-centered ``X`` and
    ``y`` when ``fit_intercept`` (then :math:`b = \bar y - \bar x^\top w`; the
    intercept is not penalized) and with :math:`b = 0` otherwise.

    Parameters
    ----------
    X : array_like, shape (n, p)
        float32 or float64 (integers and half precision are solved in float32).
    y : array_like, shape (n,) or (n, k)
        One or several right-hand sides, solved together.
    method : {"auto", "qr", "cholesky", "svd"}
        ``"qr"``: Householder QR of the (weighted, centered, ridge-augmented)
        design through LAPACK, then a triangular solve; as accurate as
        ``numpy.linalg.lstsq``. ``"cholesky"``: the :func:`glmlx.gram` products,
        then a Cholesky solve of the normal equations; several times faster,
        for well-conditioned problems. ``"svd"``: LAPACK ``gelsd``, the
        minimum-norm solution for rank-deficient ``X``. ``"auto"``: ``"svd"``
        when ``n < p`` and ``ridge == 0``, else ``"cholesky"`` with a silent
        fallback to QR.
    fit_intercept : bool
        Fit an unpenalized intercept.
    ridge : float
        Non-negative L2 penalty (not scaled by ``n``; as scikit-learn's
        ``Ridge(alpha=ridge)``).
    weights : array_like, shape (n,), optional
        Non-negative observation weights (not normalized).
    rcond : float, optional
        Relative cut-off for small singular values (SVD) and for declaring
        ``R`` singular (QR), as in ``numpy.linalg.lstsq``; default
        ``eps * max(n, p)``.
    check_input : bool
        Check for NaN/Inf and bad weights (ValueError), read back which path
        was used and warn about it. This evaluates the inputs and the result
        (a synchronization); ``False`` only skips it, for speed: the result is
        then lazy and ``info`` holds arrays. Not needed under transforms:
        while ``mx.compile``/``mx.vmap`` trace, nothing is read back and the
        checks are skipped by themselves; the safe fallbacks below still
        happen inside the kernel there.
    return_info : bool
        Read ``info`` back as Python values even with ``check_input=False``
        (``info`` is always part of the result; this flag only decides
        whether it is evaluated).
    stream : mx.Stream or mx.Device, optional
        The Gram products run here; the factorizations always run on the CPU
        stream.

    Returns
    -------
    LstsqResult
        Named tuple ``(coef, intercept, info)``:

        coef : mx.array, shape (p,) or (p, k)
        intercept : mx.array, shape () or (k,)
            Zeros when ``fit_intercept`` is False.
        info : LstsqInfo
            Python values when read back, else arrays (see :class:`LstsqInfo`).

    Warns
    -----
    ConditioningWarning
        ``method="cholesky"`` when ``X'WX + ridge I`` is not numerically
        positive definite or its reciprocal condition estimate is below
        ``eps**(2/3)`` (3.7e-11 in float64, 2.4e-5 in float32): the answer then
        comes from QR. ``method="qr"`` or ``"cholesky"`` when ``X`` is
        numerically rank-deficient: the answer is then the SVD's minimum-norm
        solution (as numpy's). ``method="auto"`` falls back silently.

    Notes
    -----
    Works under ``mx.vmap`` (any ``in_axes``; the batch is solved one element
    at a time by the same kernel as a loop of calls, whose answers it matches
    up to the rounding of the Cholesky path's batched Gram products) and
    ``mx.compile``. While they
    trace, NaN/Inf in the inputs are not reported: they propagate into NaN
    coefficients, and negative weights likewise give NaN (through their square
    root) or a fallback path. Not differentiable: under ``mx.grad``/``mx.vjp``
    it raises ValueError naming ``glmlx.lstsq`` (its reference is built on
    ``mx.linalg`` factorizations, which MLX does not differentiate); use
    :func:`glmlx.fit_gd` for gradient-based fits.
    """
    if not isinstance(method, str) or method not in _METHODS:
        raise ValueError(f"method must be one of {', '.join(map(repr, _METHODS))}, got {method!r}")
    if not isinstance(fit_intercept, (bool, int)):
        raise TypeError(f"fit_intercept must be a bool, got {type(fit_intercept).__name__}")
    ridge = _check_scalar(ridge, "ridge", 0.0)
    if rcond is not None:
        rcond = _check_scalar(rcond, "rcond", 0.0, 1.0, hi_open=True)
    X = as_float_array(X, "X", allow_int=True)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n, p), got shape {tuple(X.shape)}")
    n = X.shape[0]
    y = as_float_array(y, "y", allow_int=True)
    if y.ndim not in (1, 2) or y.shape[0] != n:
        raise ValueError(f"y must have shape ({n},) or ({n}, k) to match X, got {tuple(y.shape)}")
    if weights is not None:
        weights = as_float_array(weights, "weights", allow_int=True)
        if weights.ndim != 1 or weights.shape[0] != n:
            raise ValueError(f"weights must have shape ({n},), got {tuple(weights.shape)}")
    if fit_intercept and n == 0:
        raise ValueError("X must have at least one row when fit_intercept=True")
    read_back = check_input or return_info
    if check_input:
        def checks():
            require_finite(X, "X")
            require_finite(y, "y")
            if weights is not None:
                check_weights(weights, n)

        read_back = run_value_checks(checks)
    coef, intercept, info_arr = _ext.lstsq(
        X, y, weights, method, bool(fit_intercept), ridge, rcond, stream=stream
    )
    info = None
    if read_back:
        try:
            vals = info_arr.tolist()
        except ValueError as exc:
            if not is_tracing_error(exc):
                raise
        else:
            info = LstsqInfo(_PATHS[int(vals[0])], int(vals[1]), float(vals[2]), float(vals[3]))
            if check_input:
                _warn(method, info, X.shape[1])
    return LstsqResult(coef, intercept, info if info is not None else _lazy_info(info_arr))


def _warn(method: str, info: LstsqInfo, p: int) -> None:
    if info.rank < 0:
        warnings.warn(
            "lstsq: the SVD did not converge; the coefficients are NaN", ConditioningWarning, stacklevel=3
        )
        return
    if method in ("auto", "svd") or info.method == method:
        return
    if method == "cholesky":
        why = (
            "X'WX + ridge*I is not numerically positive definite"
            if info.cholesky_rcond == 0
            else f"X'WX + ridge*I is ill-conditioned (reciprocal condition estimate {info.cholesky_rcond:.2e})"
        )
        if info.method == "qr":
            msg = f"lstsq(method='cholesky'): {why}; solved by QR instead"
        else:
            msg = (f"lstsq(method='cholesky'): {why} and X is numerically rank-deficient (rank {info.rank} of "
                   f"{p}); returning the SVD's minimum-norm solution")
    else:
        rank = f"rank {info.rank} < {p}" if info.rank < p else "R is numerically singular"
        msg = (f"lstsq(method='qr'): X is numerically rank-deficient ({rank}); "
               "returning the SVD's minimum-norm solution (as numpy.linalg.lstsq)")
    warnings.warn(msg, ConditioningWarning, stacklevel=3)
