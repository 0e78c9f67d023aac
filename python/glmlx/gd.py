"""Gradient-based linear regression (MSE, MAE, Huber; L1 by a proximal step) and gradient checking."""
from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass, field
from typing import Callable, Optional, Union

import mlx.core as mx
import numpy as np

from ._validation import as_float_array, refuse_transforms, require_finite
from .primitives import soft_threshold

__all__ = ["fit_gd", "GDResult", "check_grad", "GradCheckResult"]

_LOSSES = ("mse", "mae", "huber")
_OPTIMIZERS = ("sgd", "momentum", "adam")


@dataclass
class GDResult:
    """Result of :func:`fit_gd`.

    Attributes
    ----------
    coef : mx.array, shape (p,)
    intercept : mx.array, shape ()
        Zero when ``fit_intercept=False``.
    loss_history : numpy.ndarray, shape (n_steps,)
        Objective (minibatch estimate for minibatches) at the parameters each
        step started from.
    n_steps : int
        Steps taken.
    converged : bool
        True when the ``tol`` criterion stopped the run.
    """

    coef: mx.array
    intercept: mx.array
    loss_history: np.ndarray
    n_steps: int
    converged: bool = False


def _real(v, name: str, lo: float = 0.0, positive: bool = False) -> float:
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(v).__name__}")
    v = float(v)
    if not math.isfinite(v) or v < lo or (positive and v <= 0):
        raise ValueError(f"{name} must be a finite number {'> 0' if positive else f'>= {lo:g}'}, got {v!r}")
    return v


def _int(v, name: str, lo: int) -> int:
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(v).__name__}")
    if v < lo:
        raise ValueError(f"{name} must be >= {lo}, got {v}")
    return int(v)


def _residual_loss(loss: str, delta: float) -> Callable[[mx.array], mx.array]:
    if loss == "mse":
        return lambda r: 0.5 * mx.square(r)
    if loss == "mae":
        # mx.abs differentiates to sign(r), and sign(0) = 0: the subgradient
        # that leaves an exactly fitted point alone.
        return mx.abs
    d = delta

    def huber(r):
        a = mx.abs(r)
        return mx.where(a <= d, 0.5 * mx.square(r), d * (a - 0.5 * d))

    return huber


def fit_gd(
    X,
    y,
    loss: str = "mse",
    optimizer: str = "sgd",
    lr: Union[float, Callable[[int], float]] = 0.01,
    steps: int = 1000,
    batch_size: Optional[int] = None,
    tol: Optional[float] = None,
    fit_intercept: bool = True,
    l1: float = 0.0,
    l2: float = 0.0,
    seed: Optional[int] = None,
    callback: Optional[Callable] = None,
    *,
    delta: float = 1.35,
    momentum: float = 0.9,
    betas: tuple = (0.9, 0.999),
    eps: float = 1e-8,
    stream: Optional[mx.Stream] = None,
) -> GDResult:
    r"""Linear regression by (sub)gradient descent with a compiled update step.

    Minimizes

    .. math::

        \frac{1}{n}\sum_{i=1}^n \ell(y_i - x_i^\top w - b)
        \;+\; \mathrm{l1}\,\|w\|_1 \;+\; \frac{\mathrm{l2}}{2}\,\|w\|_2^2

    with :math:`\ell(r) = r^2/2` ("mse"), :math:`|r|` ("mae"; subgradient
    :math:`\operatorname{sign}(r)` with :math:`\operatorname{sign}(0) = 0`) or
    Huber's :math:`r^2/2` for :math:`|r| \le \delta`, else
    :math:`\delta(|r| - \delta/2)` ("huber"). The intercept :math:`b` is not
    penalized. The smooth part goes through ``mx.value_and_grad``; the L1 term
    is handled by a proximal step (:func:`glmlx.soft_threshold` after each
    update), so ``l1 > 0`` with ``loss="mse"`` is the lasso (ISTA with "sgd"
    on full batches; scikit-learn's ``Lasso(alpha=l1)`` objective).

    Parameters
    ----------
    X : array_like, shape (n, p)
    y : array_like, shape (n,)
    loss : {"mse", "mae", "huber"}
    optimizer : {"sgd", "momentum", "adam"}
        "sgd": ``w -= lr * g``. "momentum": heavy ball, ``v = momentum * v + g;
        w -= lr * v``. "adam": Adam with ``betas`` and ``eps`` (L1 then uses the
        per-coordinate step ``lr / (sqrt(v_hat) + eps)`` as its threshold scale).
    lr : float or callable
        Step size, or a schedule ``lr(step) -> float`` (step counts from 0).
    steps : int
        Maximum number of updates.
    batch_size : int, optional
        Rows per minibatch (rows are reshuffled every epoch, a last partial
        batch is dropped); None or ``>= n`` is full-batch gradient descent.
    tol : float, optional
        Stop when the objective changes by at most ``tol * max(1, |L|)``
        between steps (full batch) or between epoch means (minibatches).
    fit_intercept : bool
    l1, l2 : float
        Penalty strengths (see the objective above).
    seed : int, optional
        Seeds the minibatch shuffling (the start is always ``w = 0, b = 0``).
    callback : callable, optional
        ``callback(step, loss, coef, intercept)`` after every step; returning
        True stops the run.
    delta : float
        Huber threshold, in the units of the residuals (default 1.35, the
        95%-efficiency constant for unit-variance Gaussian noise). scikit-learn's
        ``HuberRegressor(epsilon=e)`` estimates a scale ``s`` as well; its
        coefficients minimize this objective with ``delta = e * s``.
    momentum : float
        Heavy-ball coefficient for ``optimizer="momentum"``.
    betas : tuple of two floats in [0, 1)
        Adam's decay rates (beta1, beta2).
    eps : float
        Adam's denominator guard.
    stream : mx.Stream or mx.Device, optional

    Returns
    -------
    GDResult
        ``.coef``, ``.intercept``, ``.loss_history``, ``.n_steps``, ``.converged``.

    Notes
    -----
    Not traceable: under ``mx.grad``, ``mx.vmap`` or ``mx.compile`` (a
    traced ``X`` or ``y``) it raises ValueError naming ``glmlx.fit_gd``. It
    evaluates every step (to read the objective back), which ``mx.compile``
    and ``mx.vmap`` forbid and which, after the inner ``mx.value_and_grad``,
    cuts ``mx.grad``'s graph (MLX 0.32 would return zero gradients).
    """
    refuse_transforms("fit_gd", "it evaluates every step to read the objective back", X=X, y=y)
    if loss not in _LOSSES:
        raise ValueError(f"loss must be one of {', '.join(map(repr, _LOSSES))}, got {loss!r}")
    if optimizer not in _OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(map(repr, _OPTIMIZERS))}, got {optimizer!r}")
    if not callable(lr):
        lr = _real(lr, "lr", positive=True)
    steps = _int(steps, "steps", 0)
    if batch_size is not None:
        batch_size = _int(batch_size, "batch_size", 1)
    if tol is not None:
        tol = _real(tol, "tol")
    l1 = _real(l1, "l1")
    l2 = _real(l2, "l2")
    delta = _real(delta, "delta", positive=True)
    momentum = _real(momentum, "momentum")
    if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__"):
        raise TypeError(f"betas must be a pair of numbers (beta1, beta2), e.g. (0.9, 0.999), "
                        f"got {type(betas).__name__} {betas!r}")
    if len(betas) != 2 or not all(0 <= _real(b, "betas") < 1 for b in betas):
        raise ValueError(f"betas must be two numbers in [0, 1), got {betas!r}")
    eps = _real(eps, "eps", positive=True)
    if callback is not None and not callable(callback):
        raise TypeError("callback must be callable")

    X = as_float_array(X, "X", allow_int=True)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n, p), got shape {tuple(X.shape)}")
    n, p = X.shape
    if n == 0:
        raise ValueError("X must have at least one row")
    y = as_float_array(y, "y", allow_int=True)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.reshape(-1)
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(f"y must have shape ({n},) to match X, got {tuple(y.shape)}")
    dtype = mx.float64 if mx.float64 in (X.dtype, y.dtype) else mx.float32
    X, y = X.astype(dtype), y.astype(dtype)
    require_finite(X, "X")
    require_finite(y, "y")

    ctx = mx.stream(stream) if stream is not None else None
    if ctx is not None:
        ctx.__enter__()
    try:
        return _run(X, y, dtype, loss, optimizer, lr, steps, batch_size, tol, bool(fit_intercept), l1, l2,
                    seed, callback, delta, momentum, betas, eps)
    finally:
        if ctx is not None:
            ctx.__exit__(None, None, None)


def _run(X, y, dtype, loss, optimizer, lr, steps, batch_size, tol, fit_intercept, l1, l2, seed, callback,
         delta, momentum, betas, eps) -> GDResult:
    n, p = X.shape
    rho = _residual_loss(loss, delta)
    b1, b2 = betas

    # Rows of X are columns of XT: MLX's CPU matmul is fast for a vector times a
    # row-major matrix (and for that product's vjp) but several times slower for
    # matrix @ vector (docs/PERFORMANCE.md), so predictions are w @ XT.
    def objective(w, b, XTb, yb):
        r = yb - w @ XTb
        if fit_intercept:
            r = r - b
        val = mx.mean(rho(r))
        if l2 > 0:
            val = val + 0.5 * l2 * mx.sum(mx.square(w))
        return val

    # Differentiating an unused intercept is not free (a broadcast cotangent).
    value_and_grad = mx.value_and_grad(objective, argnums=(0, 1) if fit_intercept else 0)

    def update(w, b, m_w, m_b, v_w, v_b, XTb, yb, lr_t, t):
        if fit_intercept:
            val, (g_w, g_b) = value_and_grad(w, b, XTb, yb)
        else:
            val, g_w = value_and_grad(w, b, XTb, yb)
            g_b = mx.zeros_like(b)
        if l1 > 0:
            val = val + l1 * mx.sum(mx.abs(w))
        if optimizer == "sgd":
            step_w, step_b, scale = g_w, g_b, lr_t
        elif optimizer == "momentum":
            m_w = momentum * m_w + g_w
            m_b = momentum * m_b + g_b
            step_w, step_b, scale = m_w, m_b, lr_t
        else:
            m_w = b1 * m_w + (1 - b1) * g_w
            m_b = b1 * m_b + (1 - b1) * g_b
            v_w = b2 * v_w + (1 - b2) * mx.square(g_w)
            v_b = b2 * v_b + (1 - b2) * mx.square(g_b)
            c1 = 1 - mx.power(mx.array(b1, dtype), t)
            c2 = 1 - mx.power(mx.array(b2, dtype), t)
            scale = lr_t / (mx.sqrt(v_w / c2) + eps)
            step_w = m_w / c1
            step_b = (m_b / c1) / (mx.sqrt(v_b / c2) + eps)
        w = w - scale * step_w
        if fit_intercept:
            b = b - lr_t * step_b
        if l1 > 0:
            # Proximal step for l1 * ||w||_1 with the step size just taken.
            w = soft_threshold(w, scale * l1)
        return w, b, m_w, m_b, v_w, v_b, val

    def step_full(w, b, m_w, m_b, v_w, v_b, XT, y, lr_t, t):
        return update(w, b, m_w, m_b, v_w, v_b, XT, y, lr_t, t)

    def step_batch(w, b, m_w, m_b, v_w, v_b, XT, y, idx, lr_t, t):
        return update(w, b, m_w, m_b, v_w, v_b, mx.take(XT, idx, axis=1), mx.take(y, idx, axis=0), lr_t, t)

    minibatch = batch_size is not None and batch_size < n
    XT = mx.contiguous(X.T)
    step = mx.compile(step_batch if minibatch else step_full)
    rng = np.random.default_rng(seed)
    per_epoch = n // batch_size if minibatch else 1

    zeros_w = mx.zeros((p,), dtype=dtype)
    zero_b = mx.zeros((), dtype=dtype)
    w, b = zeros_w, zero_b
    m_w, m_b, v_w, v_b = zeros_w, zero_b, zeros_w, zero_b
    history: list = []
    converged = False
    perm = None
    t = 0
    for t in range(steps):
        lr_t = mx.array(float(lr(t)) if callable(lr) else lr, dtype=dtype)
        t_arr = mx.array(t + 1, dtype=dtype)
        if minibatch:
            k = t % per_epoch
            if k == 0:
                perm = rng.permutation(n).astype(np.int32)
            idx = mx.array(perm[k * batch_size:(k + 1) * batch_size])
            w, b, m_w, m_b, v_w, v_b, val = step(w, b, m_w, m_b, v_w, v_b, XT, y, idx, lr_t, t_arr)
        else:
            w, b, m_w, m_b, v_w, v_b, val = step(w, b, m_w, m_b, v_w, v_b, XT, y, lr_t, t_arr)
        mx.eval(w, b, m_w, m_b, v_w, v_b, val)
        lv = val.item()
        history.append(lv)
        if not math.isfinite(lv):
            warnings.warn(f"fit_gd: the objective became {lv} at step {t}; lower lr", RuntimeWarning,
                          stacklevel=3)
            break
        if tol is not None and _tol_reached(history, tol, per_epoch if minibatch else 1):
            converged = True
            break
        if callback is not None and callback(t, lv, w, b) is True:
            break
    return GDResult(coef=w, intercept=b, loss_history=np.asarray(history, dtype=np.float64),
                    n_steps=len(history), converged=converged)


def _tol_reached(history: list, tol: float, window: int) -> bool:
    if len(history) < 2 * window or len(history) % window:
        return False
    if window == 1:
        prev, cur = history[-2], history[-1]
    else:
        prev = float(np.mean(history[-2 * window:-window]))
        cur = float(np.mean(history[-window:]))
    return abs(prev - cur) <= tol * max(1.0, abs(prev))


# ---------------------------------------------------------------------------
# Gradient checking
# ---------------------------------------------------------------------------
@dataclass
class GradCheckResult:
    """Result of :func:`check_grad`.

    Attributes
    ----------
    autodiff, finite_diff : numpy.ndarray
        ``mx.grad(f)(w)`` and the central differences (shape of ``w``).
    analytic : numpy.ndarray or None
        ``grad(w)`` when given.
    errors : dict of str to numpy.ndarray
        Per-coordinate relative errors: "autodiff" (autodiff vs finite
        differences), and "analytic" and "analytic_vs_autodiff" when ``grad``
        is given.
    max_rel_error : float
        The worst of all of them.
    worst : tuple
        ``(comparison, index)`` of the worst coordinate.
    rtol : float
        Tolerance ``passed`` uses.
    """

    autodiff: np.ndarray
    finite_diff: np.ndarray
    analytic: Optional[np.ndarray]
    errors: dict = field(default_factory=dict)
    max_rel_error: float = 0.0
    worst: tuple = ()
    rtol: float = 1e-5

    @property
    def passed(self) -> bool:
        """True when every relative error is at most ``rtol``."""
        return bool(self.max_rel_error <= self.rtol)


def _rel_error(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # Relative to the larger of the two, floored at 1e-3 of the gradient's
    # largest entry so that coordinates whose derivative is (nearly) zero are
    # judged on an absolute scale rather than on round-off.
    scale = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)), 1e-30)
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-3 * scale)


def check_grad(f: Callable[[mx.array], mx.array], w, eps: Optional[float] = None,
               grad: Optional[Callable] = None, rtol: Optional[float] = None) -> GradCheckResult:
    r"""Compare ``mx.grad(f)`` (and an analytic ``grad``) with central finite differences.

    For every coordinate :math:`j`,

    .. math::  \hat g_j = \frac{f(w + \varepsilon e_j) - f(w - \varepsilon e_j)}{2\varepsilon}

    and the relative error of a gradient :math:`g` is
    :math:`|g_j - \hat g_j| / \max(|g_j|, |\hat g_j|, 10^{-3} \max_k \max(|g_k|, |\hat g_k|))`.

    Parameters
    ----------
    f : callable
        Scalar function of one array.
    w : array_like
        Point to check at (float64 recommended: finite differences in float32
        are accurate to ~1e-3 at best).
    eps : float, optional
        Finite-difference step; default 1e-6 for float64, 1e-3 otherwise.
    grad : callable, optional
        Analytic gradient ``grad(w)`` to check as well.
    rtol : float, optional
        Tolerance for ``result.passed``; default 1e-5 (float64) or 1e-2.

    Returns
    -------
    GradCheckResult
        A wrong gradient shows as a large ``max_rel_error`` (and ``passed`` False).

    Notes
    -----
    Finite differences are meaningless at kinks (e.g. MAE with a zero
    residual); check such losses at generic points. MLX 0.32's CPU ``sin`` and
    ``exp`` are only float32-accurate even in float64, so for functions built on
    them use ``eps=1e-3`` and a looser ``rtol``. Its results are host (numpy)
    values: under ``mx.grad``, ``mx.vmap`` or ``mx.compile`` (a traced ``w``)
    it raises ValueError naming ``glmlx.check_grad``.
    """
    refuse_transforms("check_grad", "its results are host (numpy) values, read back point by point", w=w)
    if not callable(f):
        raise TypeError("f must be callable")
    if grad is not None and not callable(grad):
        raise TypeError("grad must be callable")
    w = as_float_array(w, "w", allow_int=True)
    if w.dtype not in (mx.float32, mx.float64):
        w = w.astype(mx.float32)
    f64 = w.dtype == mx.float64
    eps = _real(eps, "eps", positive=True) if eps is not None else (1e-6 if f64 else 1e-3)
    rtol = _real(rtol, "rtol", positive=True) if rtol is not None else (1e-5 if f64 else 1e-2)

    def value(x) -> float:
        v = f(x)
        if not isinstance(v, mx.array) or v.size != 1:
            raise ValueError("f must return a scalar mx.array")
        return float(v.item())

    value(w)
    ad = np.array(mx.grad(f)(w), dtype=np.float64).reshape(w.shape)
    base = np.array(w, dtype=np.float64).ravel()
    fd = np.empty(base.size, dtype=np.float64)
    for j in range(base.size):
        xp, xm = base.copy(), base.copy()
        xp[j] += eps
        xm[j] -= eps
        fp = value(mx.array(xp.reshape(w.shape), dtype=w.dtype))
        fm = value(mx.array(xm.reshape(w.shape), dtype=w.dtype))
        fd[j] = (fp - fm) / (2 * eps)
    fd = fd.reshape(w.shape)
    errors = {"autodiff": _rel_error(ad, fd)}
    an = None
    if grad is not None:
        an = np.array(grad(w), dtype=np.float64)
        if an.shape != tuple(w.shape):
            raise ValueError(f"grad(w) must have shape {tuple(w.shape)}, got {an.shape}")
        errors["analytic"] = _rel_error(an, fd)
        errors["analytic_vs_autodiff"] = _rel_error(an, ad)
    worst_name, worst_idx, worst_val = "autodiff", (), -1.0
    for name, e in errors.items():
        if e.size == 0:
            continue
        e = np.where(np.isfinite(e), e, np.inf)  # a NaN gradient is the worst error
        i = int(np.argmax(e))
        if float(e.flat[i]) > worst_val:
            worst_name, worst_idx, worst_val = name, np.unravel_index(i, e.shape), float(e.flat[i])
    worst_val = max(worst_val, 0.0)
    return GradCheckResult(autodiff=ad, finite_diff=fd, analytic=an, errors=errors, max_rel_error=worst_val,
                           worst=(worst_name, tuple(int(i) for i in worst_idx)), rtol=rtol)
