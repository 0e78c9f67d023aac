"""Python entry points to glmlx's C++ primitives.

Both work under ``mx.grad``, ``mx.vmap`` and ``mx.compile`` with their default
arguments: checks that would read data (NaN/Inf, weights) are skipped while
``mx.compile``/``mx.vmap`` trace (see :func:`gram`); shape and dtype checks
always run. ``host_matmul`` is the Python layer's internal product of numpy arrays.
"""
from __future__ import annotations

from typing import Optional, Tuple, Union

import mlx.core as mx
import numpy as np

from ._ext_loader import _ext
from ._validation import as_float_array, as_param, check_weights, require_finite, run_value_checks


def soft_threshold(x, t, scale=None, *, stream=None) -> mx.array:
    r"""Elementwise soft-thresholding.

    .. math::  \mathrm{out} = \operatorname{sign}(x)\,\max(|x| - t, 0) / \mathrm{scale}

    Parameters
    ----------
    x : array_like
        Real floating-point values (float16, bfloat16, float32 or float64).
    t : float or array_like
        Threshold, broadcast against ``x``.
    scale : float or array_like, optional
        Denominator, broadcast against ``x`` (default 1). In coordinate descent
        it is the elastic-net denominator ``x_j'Wx_j + lambda * (1 - alpha)``.
    stream : mx.Stream or mx.Device, optional

    Returns
    -------
    mx.array
        Broadcast shape, promoted floating dtype. Differentiable in ``x``, ``t``
        and ``scale`` (derivative ``1/scale`` in x where ``|x| > t``, else 0).

    Notes
    -----
    Works under ``mx.grad``, ``mx.vmap`` (any ``in_axes``) and ``mx.compile``;
    it has no value checks to skip there.
    """
    x = as_float_array(x, "x")
    t = as_param(t, x.dtype, "t")
    scale = None if scale is None else as_param(scale, x.dtype, "scale")
    return _ext.soft_threshold(x, t, scale, stream=stream)


def gram(X, y=None, weights=None, center: bool = False, *, check_input: bool = True,
         stream: Optional[mx.Stream] = None) -> Union[mx.array, Tuple[mx.array, ...]]:
    r"""Weighted Gram products in one pass over ``X``.

    .. math::  G = X^\top W X, \qquad c = X^\top W y, \qquad W = \operatorname{diag}(w)

    With ``center=True``, ``X`` and ``y`` are replaced by ``X - 1\bar{x}^\top`` and
    ``y - 1\bar{y}^\top`` (means weighted by ``w / sum(w)``) without forming a
    centered copy of ``X``.

    Parameters
    ----------
    X : array_like, shape (n, p)
        float32 or float64 (integers and half precision are computed in float32).
    y : array_like, shape (n,) or (n, k), optional
    weights : array_like, shape (n,), optional
        Non-negative observation weights with a positive sum.
    center : bool
        Center by the weighted column means and return them.
    check_input : bool
        Check ``X``, ``y`` and ``weights`` for NaN/Inf and the weights for
        negative entries or a zero sum (raising ValueError). These checks
        evaluate the inputs; ``False`` only skips them to save that pass (a
        speed switch). Not needed under transforms: while ``mx.compile`` or
        ``mx.vmap`` trace, the checks are skipped by themselves.
    stream : mx.Stream or mx.Device, optional

    Returns
    -------
    ``G`` alone when ``y`` is None and ``center`` is False; otherwise a tuple
    ``(G, c)`` (y given), ``(G, xbar)`` (center) or ``(G, c, xbar, ybar)`` (both).

    Notes
    -----
    Works under ``mx.grad`` (differentiable in ``X``, ``y`` and ``weights``),
    ``mx.vmap`` and ``mx.compile``. When value checks are skipped (while
    tracing, or ``check_input=False``) the products are computed as given:
    NaN/Inf propagate into the outputs and negative weights are used as they
    are. Shape and dtype errors are raised in every case.
    """
    X = as_float_array(X, "X", allow_int=True)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n, p), got shape {tuple(X.shape)}")
    n = X.shape[0]
    if y is not None:
        y = as_float_array(y, "y", allow_int=True)
        if y.ndim not in (1, 2) or y.shape[0] != n:
            raise ValueError(f"y must have shape ({n},) or ({n}, k) to match X, got {tuple(y.shape)}")
    if weights is not None:
        weights = as_float_array(weights, "weights", allow_int=True)
    if weights is not None and (weights.ndim != 1 or weights.shape[0] != n):
        raise ValueError(f"weights must have shape ({n},), got {tuple(weights.shape)}")
    if check_input:
        def checks():
            require_finite(X, "X")
            if y is not None:
                require_finite(y, "y")
            if weights is not None:
                check_weights(weights, n)

        run_value_checks(checks)
    out = _ext.gram(X, y, weights, center, stream=stream)
    if y is None and not center:
        return out[0]
    return tuple(out)


def host_matmul(a, b) -> np.ndarray:
    """``a @ b`` in float64 for numpy vectors or matrices (internal), through glmlx's BLAS.

    Products under 5e7 flops run on the calling thread; larger ones are split
    over the output's rows or columns on glmlx's threads. numpy's OpenBLAS
    would go multi-threaded on small products, and its workers then spin on a
    core that the batched solver's threads need (docs/ARCHITECTURE.md,
    "Threads and memory"; thresholds measured in docs/PERFORMANCE.md).

    Parameters
    ----------
    a : array_like, shape (m, k) or (k,)
    b : array_like, shape (k, n) or (k,)

    Returns
    -------
    np.ndarray
        As numpy's ``a @ b``: shape (m, n), (m,), (n,) or ().
    """
    a, b = np.asarray(a), np.asarray(b)
    out = _ext.matmul_numpy(np.ascontiguousarray(a.reshape(1, -1) if a.ndim == 1 else a, dtype=np.float64),
                            np.ascontiguousarray(b.reshape(-1, 1) if b.ndim == 1 else b, dtype=np.float64))
    if a.ndim == 1:
        out = out[0]
    return out[..., 0] if b.ndim == 1 else out
