r"""Gaussian elastic-net path with glmnet's semantics.

On the original scale, with weights normalized to sum to one, glmnet (and this
module) minimizes, for each lambda,

.. math::
    \frac12 \sum_i w_i (y_i - a_0 - x_i^\top b)^2
    + \lambda \sum_j v_j \Big( \frac{1-\alpha}{2} \frac{b_j^2 s_j^2}{s_y}
    + \alpha\, s_j |b_j| \Big)

where ``s_j`` is the weighted standard deviation of column j (1 when
``standardize=False``), ``s_y`` that of y (glmnet scales y to unit variance
before fitting, so the ridge part is divided by ``s_y``), and ``v_j`` the
penalty factors rescaled to sum to p. The work happens on the standardized
scale: this module forms the standardized Gram matrix with the ``gram``
primitive, runs the coordinate-descent primitive over the lambda grid and
maps the path back.
"""
from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, replace
from typing import Optional

import mlx.core as mx
import numpy as np

from . import _sparse
from ._ext_loader import _ext
from .primitives import gram, host_matmul

from ._control import BIG, DEVMAX, EPS, FDEV, MNLAM  # noqa: F401  (FDEV: re-exported for older imports)


class GlmnetWarning(UserWarning):
    """A path that glmnet would also cut short (maxit, pmax)."""


@dataclass
class Standardized:
    """Data of one Gaussian problem on glmnet's standardized scale."""

    g: np.ndarray  # (p,) standardized X'W(y - ybar)
    xv: np.ndarray  # (p,) diagonal of the standardized Gram matrix
    xm: np.ndarray  # column means (0 without intercept)
    xs: np.ndarray  # column scales (1 without standardization)
    ym: float
    ys: float
    include: np.ndarray  # (p,) 1 where the variable may enter
    nulldev: float
    C: Optional[np.ndarray] = None  # (p, p) standardized Gram matrix (full mode)
    X: Optional[mx.array] = None  # raw X (lazy mode)
    w: Optional[np.ndarray] = None  # normalized weights (lazy and residual modes)
    cols: Optional["Columns"] = None  # X's columns stored contiguously (residual mode)
    y: Optional[np.ndarray] = None  # (n,) response on the standardized scale (residual mode)
    sparse: Optional[object] = None  # canonical scipy CSC X (sparse modes: Gram columns or residual updates)
    sparse_residual: bool = False  # sparse X by residual updates (else Gram columns from its entries)


@dataclass
class Columns:
    """X's columns, centered and scaled, stored contiguously: ``Xt[j] = (X[:, j] - center[j]) / scale[j]``.

    One copy serves every problem on the same rows (CV folds weight their
    held-out rows zero); the residual solver standardizes each problem's
    columns from it on the fly.
    """

    Xt: mx.array  # (p, n)
    center: np.ndarray
    scale: np.ndarray


def column_major(Xn: np.ndarray, w: np.ndarray, yc: np.ndarray, rows: Optional[np.ndarray] = None):
    """X's columns minus their weighted means, stored contiguously, and glmnet's statistics from the same pass.

    Returns (Columns, xbar, centered variances, X'W yc) for weights ``w``
    summing to one. Centering keeps the solver's dot products free of
    cancellation when the columns have large means; scaling is left to the
    solver (it is exact in floating point anyway). With ``rows``, the copy's
    rows are X's in that order (``w`` and ``yc`` are given in it too).
    """
    dt = Xn.dtype
    Xt, xbar, var, xty = _ext.column_major_numpy(Xn, np.ascontiguousarray(w, dtype=dt),
                                                 np.ascontiguousarray(yc, dtype=dt),
                                                 None if rows is None else np.ascontiguousarray(rows, dtype=np.int64))
    xbar = np.asarray(xbar, dtype=np.float64)
    c = np.asarray(xty, dtype=np.float64) + xbar * float(host_matmul(w, yc))  # X'W yc with X uncentered
    return Columns(Xt, xbar, np.ones(Xn.shape[1])), xbar, np.asarray(var, dtype=np.float64), c


def shared_column_stats(cols: Columns, y: np.ndarray, W: np.ndarray, ybar: np.ndarray):
    """Per-problem (xbar, var, X'W(y - ybar)) for the rows of W (each summing to one), from one shared copy."""
    dt = np.float64 if cols.Xt.dtype == mx.float64 else np.float32
    Yc = y[None, :] - ybar[:, None]
    s1, s2, sy = (np.asarray(a, dtype=np.float64) for a in
                  _ext.column_moments(cols.Xt, np.ascontiguousarray(W, dtype=dt), np.ascontiguousarray(Yc, dtype=dt)))
    # Xt holds x - center: the problems' means differ from center by s1
    xbar = cols.center[None, :] + s1
    var = s2 - s1 * s1
    c = sy + cols.center[None, :] * np.sum(W * Yc, axis=1)[:, None]
    return xbar, var, c


def moments(X, y: np.ndarray, w: np.ndarray, center: bool):
    """(G, X'Wy, xbar, ybar) as float64 numpy arrays of their own, from the gram kernel.

    numpy input goes to the kernel directly (no copy into MLX); an mx.array
    through the gram primitive. (CV folds: ``fold_moments``.)
    """
    if isinstance(X, np.ndarray):
        out = _ext.gram_numpy(X, y.astype(X.dtype, copy=False), w.astype(X.dtype, copy=False), center)
        return tuple(None if a is None else np.asarray(a, dtype=np.float64) for a in out)
    out = gram(X, mx.array(y, dtype=X.dtype), mx.array(w, dtype=X.dtype), center=center, check_input=False)
    out = tuple(out) + (None,) * (4 - len(out))
    # copies: numpy views of MLX buffers are not ours to overwrite (standardize does, in place)
    return tuple(None if a is None else np.array(a, dtype=np.float64) for a in out)


def _column_stats(Xn: np.ndarray, w: np.ndarray, block: int = 256):
    """Weighted column means and centered variances, in row blocks (no n x p temporary)."""
    xbar = host_matmul(w, Xn)
    var = np.zeros(Xn.shape[1])
    for i in range(0, Xn.shape[0], block):
        d = Xn[i:i + block] - xbar
        d *= d
        var += host_matmul(w[i:i + block], d)
    return xbar, var


def _batches(B: int, p: int, most: int = 1 << 16) -> list:
    """Slices of B problems whose p x p matrices hold at most ``most`` values together (one at least).

    Vectorized over problems where that is small, so that the temporaries of
    the in-place p x p updates stay small for large p.
    """
    step = max(1, most // (p * p))
    return [slice(i, min(i + step, B)) for i in range(0, B, step)]


def _drop_constant(Xn, var, xbar, excluded, rows=None):
    """Usable variables (B, p) of B problems; ``rows`` (B, n) masks their rows of X (None: all rows)."""
    # glmnet drops exactly constant columns (chkvars); only near-zero-variance
    # columns can be constant, so only those are compared element by element.
    constant = np.zeros(var.shape, dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):  # non-finite moments are reported by the caller
        cand = var <= 1e-10 * xbar**2 + 1e-300
    for b in np.flatnonzero(cand.any(axis=1)):
        cols = np.flatnonzero(cand[b])
        if _sparse.is_sparse(Xn):
            constant[b, cols] = _sparse.constant_columns(Xn, cols, None if rows is None else rows[b])
            continue
        sub = Xn[:, cols] if rows is None else Xn[np.ix_(np.flatnonzero(rows[b]), cols)]
        constant[b, cols] = np.all(sub == sub[:1], axis=0)
    return ~constant & ~excluded


def fold_names(K: int) -> list:
    """Prefixes of the errors of K CV folds' training problems."""
    return [f"fold {k + 1}: training rows: " for k in range(K)]


def _check_problems(Xn, finite, nulldev, ys, inc, names=None) -> None:
    """glmnet's checks of B standardized problems, problem by problem: finite moments, a varying y, a usable X.

    ``names`` (B,) prefixes each problem's message (CV: "fold k: " where only a fold's training rows fail).
    """
    for b in range(ys.shape[0]):
        what = names[b] if names is not None else ""
        if not finite[b]:
            values = Xn.data if _sparse.is_sparse(Xn) else Xn
            if np.all(np.isfinite(values)):
                raise ValueError("X has values too large in magnitude: its Gram products overflow float "
                                 f"(largest |x| = {np.max(np.abs(values)):.3g}); rescale X")
            raise ValueError("X contains NaN or infinite values")
        if not (np.isfinite(nulldev[b]) and np.isfinite(ys[b])):
            raise ValueError(what + "y has values too large in magnitude: its variance overflows float "
                             "(largest |y| is above ~1e150); rescale y")
        if nulldev[b] == 0 or ys[b] == 0:
            raise ValueError(what + "y is constant; gaussian glmnet fails at standardization step")
        if not inc[b].any():
            raise ValueError(what + "X: all used predictors have zero variance")


def _finish(Xn, G, c, xbar, var, ym, ys, nulldev, excluded, standardize, fit_intercept, finite,
            rows=None, names=None) -> list:
    """Common tail of glmnet's ``standard`` for B problems once their weighted moments are known.

    Arguments are stacked over the problems: G (B, p, p), c, xbar and var
    (B, p), ym, ys, nulldev and finite (B,), rows (B, n) training-row masks or
    None. G and c are the (centered when fit_intercept) weighted Gram products
    with weights summing to one (G None in lazy mode), var the centered
    variances. G is overwritten by the standardized Gram matrices. Returns B
    ``Standardized``, views into arrays stacked over the problems.
    """
    inc = _drop_constant(Xn, var, xbar, excluded, rows)
    _check_problems(Xn, finite, nulldev, ys, inc, names)
    xs = np.ones(var.shape)
    if standardize:
        xs[inc] = np.sqrt(var[inc])
    # glmnet's xv: the standardized diagonal (exactly 1 with intercept and scaling)
    if fit_intercept:
        xv = np.ones(var.shape) if standardize else var.copy()
    else:
        xv = 1 + xbar**2 / np.where(inc, var, 1.0) if standardize else var + xbar**2
    xv[~inc] = 0.0
    g = np.where(inc, c / (xs * ys[:, None]), 0.0)
    xm = xbar if fit_intercept else np.zeros(var.shape)
    include = inc.astype(np.float64)
    stds = [Standardized(g[b], xv[b], xm[b], xs[b], float(ym[b]), float(ys[b]), include[b], float(nulldev[b]))
            for b in range(ys.shape[0])]
    if G is not None:
        diag = np.arange(G.shape[1])
        for ch in _batches(len(stds), G.shape[1]):  # in place
            C, unused = G[ch], ~inc[ch]
            C /= xs[ch, :, None] * xs[ch, None, :]
            C[unused] = 0.0  # rows
            C.transpose(0, 2, 1)[unused] = 0.0  # columns
            C[:, diag, diag] = xv[ch]
        for b, std in enumerate(stds):
            std.C = G[b]
    return stds


def _y_moments(y, W, fit_intercept):
    """(ybar, ys, nulldev) (B,) of y under each row of weights W (B, n)."""
    total = W.sum(axis=1)
    # as R's weighted.mean, so a constant y gives exactly zero deviance
    ybar = np.sum(W * y, axis=1) / total if fit_intercept else np.zeros(W.shape[0])
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported by _check_problems
        dev = (y - ybar[:, None]) ** 2
        nulldev = np.sum(W * dev, axis=1)
    w = W / total[:, None]
    ys = np.sqrt([host_matmul(w[b], dev[b]) for b in range(W.shape[0])])  # not numpy's threaded ddot (Threads)
    return ybar, ys, nulldev


def standardize(X: mx.array, y: np.ndarray, weights: np.ndarray, excluded: np.ndarray, standardize: bool,
                fit_intercept: bool, lazy: bool = False, rows: Optional[np.ndarray] = None,
                residual: bool = False) -> Standardized:
    """glmnet's ``standard``: weights to sum 1, center, scale X and y.

    Full mode forms the standardized Gram matrix in one ``gram`` pass; lazy
    mode only the column statistics and X'Wy (the solver forms Gram columns);
    residual mode those and a column-major copy of X, from one pass.
    """
    w = weights / weights.sum()
    ybar, ys, nulldev = _y_moments(y, weights[None], fit_intercept)
    ybar = float(ybar[0])
    Xn = np.asarray(X)
    G = None
    if residual:
        columns, xbar, var, c = column_major(Xn, w, y - ybar)
        finite = np.all(np.isfinite(var)) and np.all(np.isfinite(c))
    elif lazy:
        xbar, var = _column_stats(Xn, w)
        c = host_matmul(w * (y - ybar), Xn)
        finite = np.all(np.isfinite(var)) and np.all(np.isfinite(c))
    elif fit_intercept:
        G, c, xbar, _ = moments(X, y, w, center=True)
        var = np.diag(G).copy()
        finite = np.all(np.isfinite(G)) and np.all(np.isfinite(c))
    else:
        G, c, _, _ = moments(X, y, w, center=False)
        xbar = host_matmul(w, Xn)
        var = np.diag(G) - xbar**2
        finite = np.all(np.isfinite(G)) and np.all(np.isfinite(c))
    # glmnet sees only a fold's training rows: constant columns are judged there
    std = _finish(Xn, None if G is None else G[None], c[None], xbar[None], var[None], np.array([ybar]), ys, nulldev,
                  excluded, standardize, fit_intercept, np.array([finite]), None if rows is None else rows[None])[0]
    if residual:
        std.cols = columns
        std.w = w
        std.y = (y - ybar) / ys[0]
    elif lazy:
        # the lazy solver reads X through MLX
        std.X = X if isinstance(X, mx.array) else mx.array(Xn, dtype=mx.float64 if Xn.dtype == np.float64
                                                             else mx.float32)
        std.w = w
    return std


def standardize_sparse(Xc, y: np.ndarray, weights: np.ndarray, excluded: np.ndarray, standardize: bool,
                       fit_intercept: bool, mode: str = "residual", rows: Optional[np.ndarray] = None) -> Standardized:
    """glmnet's sparse ``standard``: the column statistics and X'Wy from X's stored entries.

    ``Xc``: a canonical CSC matrix (``_sparse.as_csc``), never densified.
    ``mode``: "full" forms the p x p standardized Gram here from the entries
    (glmnet's covariance scheme, as for dense X); "lazy" has the solver form
    Gram columns as variables become candidates; "residual" has it update the
    residual from each column's entries (glmnet's naive scheme, ``spelnet2``).
    ``rows``: the training rows (CV folds: held-out rows weigh zero).
    """
    lazy = mode != "full"
    w = weights / weights.sum()
    ybar, ys, nulldev = _y_moments(y, weights[None], fit_intercept)
    ybar = float(ybar[0])
    xbar, var, c = _sparse.column_moments(Xc, w, w * (y - ybar))
    G = None
    if not lazy:
        G = _sparse.weighted_gram(Xc, w)  # X'WX (p, p), dense
        if fit_intercept:
            G -= np.outer(xbar, xbar)
    finite = np.all(np.isfinite(var)) and np.all(np.isfinite(c)) and (G is None or np.all(np.isfinite(G)))
    std = _finish(Xc, None if G is None else G[None], c[None], xbar[None], var[None], np.array([ybar]), ys, nulldev,
                  excluded, standardize, fit_intercept, np.array([finite]), None if rows is None else rows[None])[0]
    if lazy:
        std.sparse = Xc
        std.w = w
        std.sparse_residual = mode == "residual"
        std.y = (y - ybar) / ys[0]
    return std


_standardize_one = standardize  # standardize_many's argument of that name hides the function


def standardize_many(X, Y: np.ndarray, weights: np.ndarray, excluded: np.ndarray, standardize: bool,
                     fit_intercept: bool, lazy: bool = False, residual: bool = False,
                     sparse_mode: Optional[str] = None) -> list:
    """glmnet's ``standard`` for K responses (the columns of Y (n, K)) over one X and one set of weights.

    What depends on X alone (the column moments, the standardized Gram matrix,
    the column-major copy, the usable variables) is formed once, from the
    first response's pass (``standardize`` or ``standardize_sparse`` with
    ``sparse_mode``); each response adds its own mean, scale, null deviance
    and gradient X'W(y_k - ybar_k), all K in one product. The K
    ``Standardized`` share those arrays (one C, one copy of X).
    """
    n, K = Y.shape
    ybar, ys, nulldev = _y_moments(Y.T, np.broadcast_to(weights, (K, n)), fit_intercept)
    for k in range(K):
        if not (np.isfinite(nulldev[k]) and np.isfinite(ys[k])):
            raise ValueError(f"Y[:, {k}] has values too large in magnitude: its variance overflows float "
                             "(largest |y| is above ~1e150); rescale it")
        if nulldev[k] == 0 or ys[k] == 0:
            raise ValueError(f"Y[:, {k}] is constant; gaussian glmnet fails at standardization step")
    if sparse_mode is not None:
        first = standardize_sparse(X, Y[:, 0], weights, excluded, standardize, fit_intercept, mode=sparse_mode)
    else:
        first = _standardize_one(X, Y[:, 0], weights, excluded, standardize, fit_intercept, lazy=lazy,
                                 residual=residual)
    w = weights / weights.sum()
    Wyc = w[:, None] * (Y - ybar[None, :])  # (n, K)
    if _sparse.is_sparse(X):
        c = np.asarray((X.T @ Wyc).T, dtype=np.float64)
    else:
        c = host_matmul(Wyc.T, np.asarray(X))  # (K, p): X'W(y_k - ybar_k); the centering term is zero
    if not np.all(np.isfinite(c)):
        raise ValueError("X has values too large in magnitude: X'Wy overflows float; rescale X")
    inc = first.include > 0
    g = np.where(inc[None, :], c / (first.xs[None, :] * ys[:, None]), 0.0)
    stds = []
    for k in range(K):
        y = None
        if first.y is not None:  # residual updates and sparse Gram columns read the standardized response
            y = (Y[:, k] - ybar[k]) / ys[k]
        stds.append(replace(first, g=g[k], ym=float(ybar[k]), ys=float(ys[k]), nulldev=float(nulldev[k]), y=y))
    return stds


def _tf32_matmul(stream) -> bool:
    """MLX's CUDA matmul rounds float32 inputs to TF32 (10-bit mantissas) unless MLX_ENABLE_TF32=0."""
    return (stream.device.type == mx.gpu and _ext.gpu_backend() == "cuda"
            and os.environ.get("MLX_ENABLE_TF32", "1").strip() != "0")


def gram_float32(A: mx.array, stream) -> mx.array:
    """A'A in full float32 on ``stream``.

    Where the matmul would round its inputs to TF32 (about 1e-3 relative error
    in a Gram matrix, too much for glmnet's iterates), A is split into a part
    TF32 holds exactly and the rest, and the three products that matter are
    summed (the "3xTF32" scheme): float32 accuracy at three products' cost.
    """
    if not _tf32_matmul(stream):
        return mx.matmul(A.T, A, stream=stream)
    hi = mx.view(mx.bitwise_and(mx.view(A, mx.uint32), mx.array(0xFFFFE000, dtype=mx.uint32), stream=stream),
                 mx.float32)
    lo = mx.subtract(A, hi, stream=stream)
    cross = mx.add(mx.matmul(hi.T, lo, stream=stream), mx.matmul(lo.T, hi, stream=stream), stream=stream)
    return mx.add(mx.matmul(hi.T, hi, stream=stream), cross, stream=stream)


def standardize_on_device(X, Y: np.ndarray, W: np.ndarray, excluded: np.ndarray, standardize: bool,
                          fit_intercept: bool, stream, rows: Optional[np.ndarray] = None, names=None) -> list:
    """glmnet's ``standard`` for B problems on a device stream (a GPU's), in float32, the Gram matrices included.

    Problem b weighs the rows by ``W[b]`` (W (B, n); CV folds weigh their
    held-out rows zero, ``rows`` (B, n) marks the training rows) and fits the
    response ``Y[:, b]`` (Y (n, B)), or ``Y[:, 0]`` for all (Y (n, 1)); with one
    row of weights and K responses, the K problems share one Gram matrix. The
    column moments, the Gram matrices (``gram_float32``) and their
    standardization run on ``stream``; glmnet's checks and the small per-problem
    vectors on the host. Each ``Standardized.C`` is an mx.array on the device.
    """
    Xn = np.asarray(X)
    Xd = mx.array(Xn, dtype=mx.float32)
    B = max(W.shape[0], Y.shape[1])
    shared = W.shape[0] == 1  # one row of weights: one Gram matrix for every response
    W = np.broadcast_to(W, (B, W.shape[1]))
    Yb = np.broadcast_to(Y, (Y.shape[0], B)).T  # (B, n)
    ybar, ys, nulldev = _y_moments(Yb, W, fit_intercept)
    p = Xn.shape[1]
    Ws = W[:1] if shared else W
    grams, grams_finite, xbars, vars_ = [], [], [], []
    wd_all = mx.array((Ws / Ws.sum(axis=1, keepdims=True)).astype(np.float32))
    for i in range(Ws.shape[0]):
        wd = wd_all[i]
        xbar = mx.matmul(wd[None, :], Xd, stream=stream)[0]
        centered = mx.subtract(Xd, xbar, stream=stream)
        G = gram_float32(mx.multiply(centered if fit_intercept else Xd, mx.sqrt(wd, stream=stream)[:, None],
                                     stream=stream), stream)
        # the centered variances from the centered columns (not diag(G) - xbar^2 without an intercept): a
        # constant column must come out (nearly) zero for glmnet's check to drop it
        var = mx.matmul(wd[None, :], mx.square(centered, stream=stream), stream=stream)[0]
        G_finite = mx.all(mx.isfinite(G, stream=stream), stream=stream)
        mx.eval(G, var, xbar, G_finite)  # one problem's n x p temporaries at a time
        grams_finite.append(bool(G_finite.item()))
        grams.append(G)
        xbars.append(xbar)
        vars_.append(var)
    # X'W(y_b - ybar_b) for every problem: one product per weight row
    Wn = W / W.sum(axis=1, keepdims=True)
    Wyc = mx.array((Wn * (Yb - ybar[:, None])).astype(np.float32))  # (B, n)
    c = mx.matmul(Wyc, Xd, stream=stream)  # (B, p)
    xbar_all = mx.stack(xbars)
    var_all = mx.stack(vars_)
    mx.eval(c, xbar_all, var_all, *grams)
    xbar_np = np.broadcast_to(np.asarray(xbar_all, dtype=np.float64), (B, p))
    var_np = np.broadcast_to(np.asarray(var_all, dtype=np.float64), (B, p))
    c_np = np.asarray(c, dtype=np.float64)
    finite = (np.all(np.isfinite(c_np), axis=1) & np.all(np.isfinite(var_np), axis=1)
              & np.broadcast_to(np.array(grams_finite), (B,)))
    stds = _finish(Xn, None, c_np, xbar_np.copy(), var_np.copy(), ybar, ys, nulldev, excluded, standardize,
                   fit_intercept, finite, rows, names)
    eye = mx.eye(p, dtype=mx.float32, stream=stream)
    Cs = []
    for i, G in enumerate(grams):
        std = stds[i]
        inv = mx.array(np.where(std.include > 0, 1.0 / std.xs, 0.0).astype(np.float32))  # unused: rows/columns zero
        C = mx.multiply(G, mx.multiply(inv[:, None], inv[None, :], stream=stream), stream=stream)
        Cs.append(mx.add(mx.multiply(C, mx.subtract(1.0, eye, stream=stream), stream=stream),
                         mx.multiply(eye, mx.array(std.xv.astype(np.float32))[None, :], stream=stream),
                         stream=stream))
    for b, std in enumerate(stds):
        std.C = Cs[0 if shared else b]
    return stds



@dataclass
class FoldMoments:
    """Raw-weight Gram moments of every CV fold's held-out rows (stacked over the K folds) and of all rows."""

    H: np.ndarray  # (K + 1, p, p) held-out X'WX, about each fold's own means when centered; then full[0]
    h: np.ndarray  # (K, p) held-out X'Wy, likewise
    m: Optional[np.ndarray]  # (K, p) held-out weighted means of X (centered only)
    my: Optional[np.ndarray]  # (K,) held-out weighted means of y (centered only)
    s: np.ndarray  # (K,) held-out weight sums
    full: tuple  # (G, c, xbar, ybar) of all rows (xbar, ybar None when not centered)


def fold_moments(X, y: np.ndarray, weights: np.ndarray, rows: list, center: bool) -> FoldMoments:
    """Gram moments of every fold's held-out rows (``rows``: their indices), and the full data's pooled from them.

    The folds partition the rows, so the full-data Gram is the sum of the
    held-out Grams (moved to the common mean): one pass over X in all. It is
    stored after the folds' (``H[K]``).
    """
    Xn = np.asarray(X)
    H, h, m, my = (None if a is None else np.asarray(a, dtype=np.float64) for a in _ext.gram_numpy_rows(
        Xn, y.astype(Xn.dtype, copy=False), weights.astype(Xn.dtype, copy=False), center,
        [r.astype(np.int64, copy=False) for r in rows], spare=1))
    s = np.array([weights[r].sum() for r in rows])
    G, c = np.sum(H[:-1], axis=0, out=H[-1]), h.sum(axis=0)
    if not center:
        return FoldMoments(H, h, None, None, s, (G, c, None, None))
    S = sum(s.tolist())
    mean = (s[:, None] * m).sum(axis=0) / S
    ymean = sum((s * my).tolist()) / S
    # pooled scatter: within-fold plus between-fold parts, sum_k s_k d_k d_k' as one product
    D = m - mean
    sD = s[:, None] * D
    G += host_matmul(np.ascontiguousarray(sD.T), D)
    c += host_matmul((my - ymean)[None, :], sD)[0]
    return FoldMoments(H, h, m, my, s, (G, c, mean, ymean))


def standardize_folds(X: mx.array, y: np.ndarray, weights: np.ndarray, fold: np.ndarray, nfolds: int,
                      excluded: np.ndarray, scale: bool, fit_intercept: bool,
                      residual: Optional[bool] = None) -> list:
    """Standardized training problems of every CV fold without Gram matrices (``standardize_cv`` forms them).

    Each fold is the full data with its held-out rows weighted zero, solved by
    residual updates over one shared column-major copy of X when ``residual``
    (default: ``prefer_residual``), else from lazy Gram columns.
    """
    Xn = np.asarray(X)
    if prefer_residual(*Xn.shape) if residual is None else residual:
        return _residual_folds(Xn, y, weights, fold, nfolds, excluded, scale, fit_intercept)
    # one MLX copy of X serves every fold (the solver reads X through MLX)
    Xmx = X if isinstance(X, mx.array) else mx.array(Xn, dtype=mx.float64 if Xn.dtype == np.float64
                                                     else mx.float32)
    out = []
    for k, name in enumerate(fold_names(nfolds)):
        try:
            out.append(standardize(Xmx, y, np.where(fold == k, 0.0, weights), excluded, scale, fit_intercept,
                                   lazy=True, rows=fold != k))
        except ValueError as e:
            raise ValueError(name + str(e)) from None
    return out


def standardize_cv(X: mx.array, y: np.ndarray, weights: np.ndarray, fold: np.ndarray, rows: list,
                   excluded: np.ndarray, scale: bool, fit_intercept: bool) -> list:
    """Standardized training problems of the K CV folds, then of the full data, from one pass over X.

    Full Gram mode: each fold's training Gram is the full Gram minus its
    held-out rows' Gram, all taken about the full-data weighted means (so the
    rank-one corrections between means are small and nothing cancels badly);
    one C++ call does that and glmnet's standardization for all K + 1
    problems, in place in the array of Grams (``fold_moments``), whose
    consecutive slices ``fit_paths`` hands to the solver without a copy.
    """
    Xn = np.asarray(X)
    K = len(rows)
    fm = fold_moments(Xn, y, weights, rows, fit_intercept)
    _, c, mean, ymean = fm.full
    S = weights.sum()
    W = np.where(fold[None, :] != np.arange(K)[:, None], weights, 0.0)  # (K, n) training weights
    moments = _y_moments(y, W, fit_intercept), _y_moments(y, weights[None], fit_intercept)
    ybar, ys, nulldev = (np.concatenate(pair) for pair in zip(*moments))
    xbar = None
    if not fit_intercept:  # matrix-vector products, as glmnet's weighted means
        Xc = np.ascontiguousarray(Xn, dtype=np.float64)  # host_matmul's layout, converted once for all folds
        xbar = np.vstack([np.stack([host_matmul(wk, Xc) for wk in W]) / (S - fm.s)[:, None],
                          host_matmul(weights / S, Xc)])
    g, xv, xm, xs, include, finite = _ext.cv_standardize_numpy(
        fm.H, fm.h, fm.m, fm.my, fm.s, c, mean, float(ymean or 0.0), float(S), xbar, ys,
        excluded.astype(np.uint8), Xn, np.ascontiguousarray(fold, dtype=np.int64), fit_intercept, scale)
    # glmnet's checks, the full data's first; then each fold's training rows
    order = [K] + list(range(K))
    _check_problems(Xn, finite[order], nulldev[order], ys[order], include[order] > 0,
                    names=[""] + fold_names(K))
    return [Standardized(g[b], xv[b], xm[b], xs[b], float(ybar[b]), float(ys[b]), include[b], float(nulldev[b]),
                         C=fm.H[b]) for b in range(K + 1)]


def _residual_folds(Xn, y, weights, fold, nfolds, excluded, scale, fit_intercept):
    """Every fold's training problem over one column-major copy of X.

    The copy's rows are grouped by fold, so each fold's training rows (the
    others, weighted zero in the rest) are at most two contiguous runs the
    solver loops over; the folds' column statistics come from one pass over it.
    """
    order = np.argsort(fold, kind="stable")
    wo, yo, fo = weights[order], y[order], fold[order]
    cols = column_major(Xn, wo / wo.sum(), np.zeros_like(yo), rows=order)[0]
    W = np.stack([np.where(fo == k, 0.0, wo) for k in range(nfolds)])
    ybar, ys, nulldev = _y_moments(yo, W, fit_intercept)
    W = W / W.sum(axis=1, keepdims=True)
    xbar, var, c = shared_column_stats(cols, yo, W, ybar)
    finite = np.isfinite(var).all(axis=1) & np.isfinite(c).all(axis=1)
    train = fold[None, :] != np.arange(nfolds)[:, None]  # in X's row order: constant columns judged there
    out = _finish(Xn, None, c, xbar, var, ybar, ys, nulldev, excluded, scale, fit_intercept, finite, train,
                  names=fold_names(nfolds))
    for k, std in enumerate(out):
        std.cols, std.w, std.y = cols, W[k], (yo - ybar[k]) / ys[k]
    return out


@dataclass
class PathResult:
    lambdas: np.ndarray
    a0: np.ndarray
    beta: np.ndarray  # (p, nlam)
    dev_ratio: np.ndarray
    nulldev: float
    npasses: int
    jerr: int


def _settings(alpha, thresh, sml, maxit, pmax, dfmax, mnl, m_offset, early_stop, strong=False, screen=-1):
    s = _ext.GaussianPathSettings()
    s.strong = bool(strong)
    s.screen = int(screen)
    s.alpha, s.thresh, s.sml, s.rsqmax = float(alpha), float(thresh), float(sml), DEVMAX
    s.maxit, s.pmax, s.dfmax, s.mnl = int(maxit), int(pmax), int(dfmax), int(mnl)
    s.m_offset, s.early_stop = int(m_offset), bool(early_stop)
    return s


class _BatchState:
    """Warm-start state of B problems carried from one block call to the next.

    ``source`` is ("full", C) with C (1 or B, p, p), ("lazy", X, W, XM, XS)
    with X (n, p) shared and per-problem weights, centers and scales,
    ("sparse", Xc, residual, Y, W, XM, XS) likewise with a canonical scipy CSC X, or
    ("residual", Columns, Y, W, XM, XS) with per-problem standardized responses.
    """

    def __init__(self, source, g, xv, penalty, limits, include, dtype, stream=None, alpha=None):
        B, p = g.shape
        self.dtype = dtype
        self.stream = stream  # a device stream for the path kernel (full Gram, float32), else None: the CPU
        if alpha is not None and source[0] != "full":
            raise ValueError("per-problem alphas are taken by the covariance scheme over full Gram matrices only")
        # each problem's own alpha, else the settings' (float64 on the CPU, exact as the settings' double; a GPU
        # has no float64)
        on_cpu = stream is None or stream.device.type == mx.cpu
        self.alpha = None if alpha is None else mx.array(np.asarray(alpha, dtype=np.float64),
                                                         dtype=mx.float64 if on_cpu else mx.float32)
        if source[0] == "full":
            C = source[1]
            self.source = ("full", C.astype(dtype) if isinstance(C, mx.array) else mx.array(C, dtype=dtype))
        elif source[0] == "sparse":
            Xc, self.sparse_residual = source[1], source[2]
            self.source = ("sparse", *_sparse.mlx_arrays(Xc, dtype), *(mx.array(a, dtype=dtype) for a in source[3:]))
        elif source[0] == "residual":
            cols = source[1]
            self.source = ("residual", cols.Xt.astype(dtype), mx.array(cols.center, dtype=dtype),
                           mx.array(cols.scale, dtype=dtype), *(mx.array(a, dtype=dtype) for a in source[2:]))
        else:
            self.source = ("lazy", source[1].astype(dtype), *(mx.array(a, dtype=dtype) for a in source[2:]))
        self.g = mx.array(g, dtype=dtype)
        self.xv = mx.array(xv, dtype=dtype)
        self.beta = mx.zeros((B, p), dtype=dtype)
        self.rsq = mx.zeros((B,), dtype=dtype)
        self.rank = mx.full((B, p), -1, dtype=mx.int32)
        self.warm = mx.zeros((B,), dtype=mx.int32)
        self.penalty = mx.array(penalty, dtype=dtype)
        self.limits = mx.array(limits, dtype=dtype)
        self.include = mx.array(include, dtype=dtype)
        self.npasses = np.zeros(B, dtype=np.int64)

    def run(self, lambdas: np.ndarray, lambda_prev: np.ndarray, settings):
        common = (self.g, self.beta, self.rsq, self.rank, mx.array(lambdas, dtype=self.dtype), self.penalty,
                  self.limits, self.include, self.warm, self.xv, mx.array(lambda_prev, dtype=self.dtype), settings)
        if self.source[0] == "full":
            outs = _ext.gaussian_cov_path(self.source[1], *common, stream=self.stream, alpha=self.alpha)
        elif self.source[0] == "residual":
            outs = _ext.gaussian_residual_path(*self.source[1:], *common)
        elif self.source[0] == "sparse":
            settings.residual = self.sparse_residual
            outs = _ext.gaussian_sparse_path(*self.source[1:], *common)
        else:
            outs = _ext.gaussian_lazy_path(*self.source[1:], *common)
        beta_path, rsq, self.g, self.beta, self.rank, stats = outs
        mx.eval(outs)
        rsq_np = np.asarray(rsq, dtype=np.float64)
        self.rsq = rsq[:, -1]
        stats = np.asarray(stats)
        self.warm = mx.array(stats[:, 3])
        self.npasses += stats[:, 0]
        return np.asarray(beta_path, dtype=np.float64), rsq_np[:, :-1], stats[:, 1], stats[:, 2]


def lambda_grid(g: np.ndarray, penalty: np.ndarray, include: np.ndarray, alpha, flmin, nlam: int):
    """glmnet's grid for B problems, by the rule every family's walk uses (C++ path/lambda_walk.h).

    Returns lambda_max (B,), max_j |g_j| / v_j / max(alpha, 1e-3) over the
    usable penalized j (0 where there is none), and lambda_2..lambda_nlam
    (B, nlam - 1), lambda_max alf^m by repeated products down to ``flmin``
    (one ratio, or one per problem: CV folds whose own n sets R's default).
    ``alpha``: one, or one per problem (B,).
    """
    B, p = g.shape
    if np.ndim(alpha) == 1:
        lmax, grid = np.empty(B), np.empty((B, max(nlam - 1, 0)))
        flmin = np.broadcast_to(flmin, (B,))
        for a in np.unique(alpha):
            rows = np.flatnonzero(alpha == a)
            lmax[rows], grid[rows] = lambda_grid(g[rows], np.broadcast_to(penalty, (B, p))[rows],
                                                 np.broadcast_to(include, (B, p))[rows], float(a), flmin[rows], nlam)
        return lmax, grid
    return _ext.lambda_grid(np.ascontiguousarray(g, dtype=np.float64),
                            np.ascontiguousarray(np.broadcast_to(penalty, (B, p)), dtype=np.float64),
                            np.ascontiguousarray(np.broadcast_to(include, (B, p)), dtype=np.float64), float(alpha),
                            np.ascontiguousarray(np.broadcast_to(flmin, (B,)), dtype=np.float64), int(nlam),
                            float(EPS))


def fix_first_lambda(lam: np.ndarray, count: np.ndarray) -> np.ndarray:
    """glmnet's fix.lam: the first lambda (fitted as 'infinity') by log-linear extrapolation.

    ``lam`` (B, L) holds B paths of ``count`` (B,) points each; those of 3 or
    more points are fixed (in a copy).
    """
    lam = lam.copy()
    long = count > 2
    if long.any():  # (paths cut short after one or two points have no third lambda to read)
        lam[long, 0] = np.exp(2 * np.log(lam[long, 1]) - np.log(lam[long, 2]))
    return lam


def _stacked(arrays):
    """np.stack(arrays); without a copy when they are the consecutive slices of one array (CV folds' Grams)."""
    base = arrays[0].base
    if (isinstance(base, np.ndarray) and base.flags.c_contiguous and base.shape == (len(arrays),) + arrays[0].shape
            and all(a.base is base for a in arrays)):
        start, step = base.__array_interface__["data"][0], base.strides[0]
        if all(a.__array_interface__["data"][0] == start + i * step for i, a in enumerate(arrays)):
            return base
    return np.stack(arrays)


def _source(stds):
    if stds[0].sparse is not None:
        return ("sparse", stds[0].sparse, stds[0].sparse_residual, np.stack([s.y for s in stds]),
                np.stack([s.w for s in stds]), np.stack([s.xm for s in stds]), np.stack([s.xs for s in stds]))
    if stds[0].C is not None:
        # G distinct Gram matrices repeating with period G (one for all responses; CV folds repeated for several
        # alphas): the primitive reads problem b's as C[b mod G]
        G = next(G for G in range(1, len(stds) + 1)
                 if len(stds) % G == 0 and all(s.C is stds[i % G].C for i, s in enumerate(stds)))
        if G == 1:
            return ("full", stds[0].C[None])
        if isinstance(stds[0].C, mx.array):  # Gram matrices on a device (standardize_on_device)
            return ("full", mx.stack([s.C for s in stds[:G]]))
        return ("full", _stacked([s.C for s in stds[:G]]))
    if stds[0].cols is not None:
        return ("residual", stds[0].cols, np.stack([s.y for s in stds]), np.stack([s.w for s in stds]),
                np.stack([s.xm for s in stds]), np.stack([s.xs for s in stds]))
    return ("lazy", stds[0].X, np.stack([s.w for s in stds]), np.stack([s.xm for s in stds]),
            np.stack([s.xs for s in stds]))


def fit_paths(stds, *, alpha, penalty, lower, upper, nlambda, flmin, user_lambdas, thresh, maxit, dfmax, pmax,
              sml, dtype, strong=False, screen=-1, stream=None) -> list:
    """glmnet's path for B standardized problems (sharing X) in batched primitive calls.

    With glmnet's own grid, a first block fits lambda = "infinity" (only
    unpenalized variables move); each problem's lambda_max then comes from its
    gradient there, and a second block runs every problem's geometric grid with
    its own early stops. A user grid is one block without early stops.
    ``flmin`` is one lambda_min_ratio, or one per problem (CV folds on their
    own default).
    ``strong`` selects glmnet's naive scheme (strong rule + KKT checks) over its
    covariance scheme; it is implied when the Gram columns are lazy and with
    residual updates. ``screen``: the residual solver's low-precision screening of
    its KKT passes (-1 where it pays, 0 never, 1 always, 2 always in float32 rather
    than float16; the decisions are the same). ``stream``: a GPU stream for the
    covariance scheme's kernel (float32 Grams from ``standardize_on_device``).
    ``alpha``: one for all, or one per problem (B,) for the covariance scheme over
    full Gram matrices (CV folds x alphas in one batch: ``stds`` the folds'
    problems repeated once per alpha, sharing their Gram matrices).
    """
    per_problem = np.ndim(alpha) == 1
    alpha_all = np.asarray(alpha, dtype=np.float64) if per_problem else float(alpha)
    B = len(stds)
    ys = np.array([s.ys for s in stds])
    include = np.stack([s.include for s in stds])
    cl = np.vstack([lower, upper])[None] / ys[:, None, None] * np.stack([s.xs for s in stds])[:, None, :]
    state = _BatchState(_source(stds), np.stack([s.g for s in stds]), np.stack([s.xv for s in stds]),
                        np.tile(penalty, (B, 1)), cl, include, dtype, stream, alpha_all if per_problem else None)
    alpha = float(alpha_all[0]) if per_problem else alpha_all  # the settings' (the per-problem ones rule)
    # (lambdas (B, L), beta_std (B, L, p), rsq (B, L), points each problem keeps (B,)) per block, in path order
    blocks = []
    errs, first_failed = np.zeros(B, dtype=int), np.zeros(B, dtype=int)
    if user_lambdas is not None:
        mnl = min(MNLAM, len(user_lambdas))
        grid = np.asarray(user_lambdas, dtype=np.float64)[None, :] / ys[:, None]
        bp, rsq, nfit, err = state.run(grid, np.zeros(B), _settings(alpha, thresh, sml, maxit, pmax, dfmax, mnl, 0,
                                                                    False, strong, screen))
        blocks.append((grid, bp, rsq, nfit))
        errs[:], first_failed[:] = err, nfit
    else:
        mnl = min(MNLAM, nlambda)
        if np.all((penalty > 0) | (include <= 0)):
            # Every variable is penalized: at "infinite" lambda nothing moves and
            # glmnet's one confirming sweep is all there is to count.
            p = stds[0].g.shape[0]
            blocks.append((np.full((B, 1), BIG), np.zeros((B, 1, p)), np.zeros((B, 1)), np.ones(B, dtype=int)))
            state.npasses += 1
            err = np.zeros(B, dtype=int)
            first_failed[:] = 1
            g = np.stack([s.g for s in stds])
        else:
            bp, rsq, nfit, err = state.run(np.full((B, 1), BIG), np.zeros(B),
                                           _settings(alpha, thresh, sml, maxit, pmax, dfmax, mnl, 0, True, strong,
                                                     screen))
            blocks.append((np.full((B, 1), BIG), bp, rsq, nfit))
            errs[:], first_failed[:] = err, nfit
            g = np.asarray(state.g, dtype=np.float64)
        lmax, grid = lambda_grid(g, penalty, include, alpha_all, flmin, nlambda)
        if nlambda > 1 and np.any(err == 0):
            bp, rsq, nfit, err = state.run(grid, lmax, _settings(alpha, thresh, sml, maxit, pmax, dfmax, mnl, 1,
                                                                 True, strong, screen))
            ok = errs == 0  # only paths that fit "infinity" go on
            blocks.append((grid, bp, rsq, np.where(ok, nfit, 0)))
            errs[ok], first_failed[ok] = err[ok], 1 + nfit[ok]
    # A problem reaches a block only after fitting all of the previous one, so
    # its path is the first `count` points of the blocks laid end to end.
    count = sum(q[3] for q in blocks)
    lams, rsq = (np.concatenate([q[i] for q in blocks], axis=1) for i in (0, 2))
    scale = (ys[:, None] / np.stack([s.xs for s in stds]))[:, None, :]
    beta_t = np.empty(lams.shape + scale.shape[-1:])  # (B, L, p), original scale
    start = 0
    for q in blocks:
        np.multiply(q[1], scale, out=beta_t[:, start:start + q[1].shape[1]])
        start += q[1].shape[1]
    lam_out = lams * ys[:, None]
    if user_lambdas is None:
        lam_out = fix_first_lambda(lam_out, count)
        if nlambda == 1:
            # R reports its placeholder "infinity" (9.9e35) for the one point; the fit there (no penalized
            # variable in) is the fit at lambda_max, the lambda worth reporting.
            lam_out[:, 0] = np.where(lmax > 0, lmax * ys, lam_out[:, 0])
    results = []
    for b, s in enumerate(stds):
        jerr = 0
        if errs[b] == 1:
            jerr = -(first_failed[b] + 1)
        elif errs[b] == 2:
            jerr = -10000 - (first_failed[b] + 1)
        n = int(count[b])
        results.append(PathResult(lam_out[b, :n], s.ym - host_matmul(beta_t[b, :n], s.xm), beta_t[b, :n].T,
                                  rsq[b, :n], s.nulldev, int(state.npasses[b]), jerr))
    return results


def path_error_message(jerr: int, maxit: int, pmax: int) -> str:
    """glmnet's jerr.R text for a path cut short at lambda m (jerr < 0), and glmlx's own code -30000 - m."""
    if jerr > -10000:
        return (f"Convergence for {-jerr}th lambda value not reached after maxit={maxit} iterations; "
                "solutions for larger lambdas returned")
    if jerr > -20000:
        return (f"Number of nonzero coefficients along the path exceeds pmax={pmax} at {-jerr - 10000}th "
                "lambda value; solutions for larger lambdas returned")
    if jerr > -30000:
        return (f"Max(p(1-p)) below 1.0e-6 at {-jerr - 20000}th lambda value; solutions for larger lambdas "
                "returned")
    return (f"the fit at the {-jerr - 30000}th lambda value is not finite (overflow: an unpenalized variable at "
            "a limit, or extreme offsets or scales); solutions for larger lambdas returned")


def warn_path_errors(res: PathResult, maxit: int, pmax: int, what: str = "", stacklevel: int = 5) -> None:
    """glmnet's warnings for a path cut short (jerr < 0), attributed ``stacklevel`` frames up (as warnings.warn)."""
    if res.jerr == 0:
        return
    msg = path_error_message(res.jerr, maxit, pmax)
    warnings.warn(what + msg, GlmnetWarning, stacklevel=stacklevel)  # default: the caller of glmnet


def fit_path(std: Standardized, **kw) -> PathResult:
    """glmnet's path for one problem (see fit_paths), with glmnet's warnings."""
    res = fit_paths([std], **kw)[0]
    warn_path_errors(res, kw["maxit"], kw["pmax"])
    return res


def prefer_strong(n: int, p: int) -> bool:
    """glmnet's own type.gaussian rule (naive from p = 500): the same scheme, so the same iterates."""
    return p >= 500


def prefer_lazy(n: int, p: int, copies: int = 1) -> bool:
    """Gram columns on demand unless the full matrix is cheaper and fits.

    The full Gram costs one pass of n p^2 flops and p^2 memory per copy (one per
    CV fold); lazy columns cost 2 n p flops each, and a wide path (p > n) never
    needs more than about n of them.
    """
    return p > n or copies * p * p * 8 > 2**30


def sparse_mode(residual: bool, lazy: bool) -> str:
    """standardize_sparse's mode for a problem's scheme."""
    return "residual" if residual else "lazy" if lazy else "full"


def prefer_lazy_sparse(p: int, copies: int = 1) -> bool:
    """For sparse X, Gram columns on demand only where the p x p matrices would not fit.

    The full Gram of a sparse X costs sum_i nnz_i^2 (row by row), far less
    than a dense one; a Gram column on demand costs a pass over all of X's
    entries, which many candidates (a long path, CV folds) repeat.
    """
    return copies * p * p * 8 > 2**30


def prefer_residual(n: int, p: int) -> bool:
    """glmnet's naive scheme by residual updates rather than Gram columns.

    A coordinate visit costs O(n) and a KKT check one read of X, where the Gram
    matrix costs n p^2 up front (lazy columns O(n p) each, for the thousands of
    candidates of a wide path). Residual updates win for p > n and well into
    n > p; the threshold comes from timings in docs/PERFORMANCE.md, "Design
    measurements".
    """
    return p > n or n <= 10 * p
