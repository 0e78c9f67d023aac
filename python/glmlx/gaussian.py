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

import warnings
from dataclasses import dataclass
from typing import Optional

import mlx.core as mx
import numpy as np

from ._ext_loader import _ext
from .primitives import gram

BIG = 9.9e35  # glmnet.control()$big: stands for an infinite limit or lambda
EPS = 1e-6  # glmnet.control()$eps: floor of lambda.min.ratio
FDEV = 1e-5  # glmnet.control()$fdev: early stop on the change of R^2
DEVMAX = 0.999  # glmnet.control()$devmax
MNLAM = 5  # glmnet.control()$mnlam


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
    c = np.asarray(xty, dtype=np.float64) + xbar * float(w @ yc)  # X'W yc with X uncentered
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
    """(G, X'Wy, xbar, ybar) as float64 numpy arrays, from the gram kernel.

    numpy input goes to the kernel directly (no copy into MLX); an mx.array
    through the gram primitive. (CV folds: ``fold_moments``.)
    """
    if isinstance(X, np.ndarray):
        out = _ext.gram_numpy(X, y.astype(X.dtype, copy=False), w.astype(X.dtype, copy=False), center)
    else:
        out = gram(X, mx.array(y, dtype=X.dtype), mx.array(w, dtype=X.dtype), center=center, check_input=False)
        out = tuple(out) + (None,) * (4 - len(out))
    return tuple(None if a is None else np.asarray(a, dtype=np.float64) for a in out)


def normalize_moments(m, total_weight: float):
    """Raw-weight moments -> those with weights summing to one (means unchanged)."""
    G, c, xbar, ybar = m
    return G / total_weight, c / total_weight, xbar, ybar


def _column_stats(Xn: np.ndarray, w: np.ndarray, block: int = 256):
    """Weighted column means and centered variances, in row blocks (no n x p temporary)."""
    xbar = w @ Xn
    var = np.zeros(Xn.shape[1])
    for i in range(0, Xn.shape[0], block):
        d = Xn[i:i + block] - xbar
        var += w[i:i + block] @ (d * d)
    return xbar, var


def _drop_constant(Xn, var, xbar, excluded, rows=None):
    # glmnet drops exactly constant columns (chkvars); only near-zero-variance
    # columns can be constant, so only those are compared element by element.
    constant = np.zeros(Xn.shape[1], dtype=bool)
    cand = np.flatnonzero(var <= 1e-10 * xbar**2 + 1e-300)
    if cand.size:
        sub = Xn[:, cand] if rows is None else Xn[np.ix_(np.flatnonzero(rows), cand)]
        constant[cand] = np.all(sub == sub[:1], axis=0)
    inc = ~constant & ~excluded
    if not inc.any():
        raise ValueError("X: all used predictors have zero variance")
    return inc


def _finish(Xn, G, c, xbar, var, ym, ys, nulldev, excluded, standardize, fit_intercept, finite,
            rows=None) -> Standardized:
    """Common tail of glmnet's ``standard`` once the weighted moments are known.

    G and c are the (centered when fit_intercept) weighted Gram products with
    weights summing to one (G None in lazy mode); var the centered variances.
    """
    if not finite:
        if np.all(np.isfinite(Xn)):
            raise ValueError("X has values too large in magnitude: its Gram products overflow float "
                             f"(largest |x| = {np.max(np.abs(Xn)):.3g}); rescale X")
        raise ValueError("X contains NaN or infinite values")
    if nulldev == 0 or ys == 0:
        raise ValueError("y is constant; gaussian glmnet fails at standardization step")
    inc = _drop_constant(Xn, var, xbar, excluded, rows)
    p = Xn.shape[1]
    xs = np.ones(p)
    if standardize:
        xs[inc] = np.sqrt(var[inc])
    # glmnet's xv: the standardized diagonal (exactly 1 with intercept and scaling)
    if fit_intercept:
        xv = np.ones(p) if standardize else var.copy()
    else:
        xv = 1 + xbar**2 / np.where(inc, var, 1.0) if standardize else var + xbar**2
    xv[~inc] = 0.0
    g = np.where(inc, c / (xs * ys), 0.0)
    xm = xbar if fit_intercept else np.zeros(p)
    std = Standardized(g, xv, xm, xs, ym, ys, inc.astype(np.float64), nulldev)
    if G is not None:
        C = G / np.outer(xs, xs)
        C[~inc, :] = 0.0
        C[:, ~inc] = 0.0
        C[np.diag_indices(p)] = xv
        std.C = C
    return std


def _y_moments(y, weights, fit_intercept):
    # as R's weighted.mean, so a constant y gives exactly zero deviance
    ybar = float(np.sum(weights * y) / np.sum(weights)) if fit_intercept else 0.0
    nulldev = float(np.sum(weights * (y - ybar) ** 2))
    w = weights / weights.sum()
    ys = float(np.sqrt(w @ (y - ybar) ** 2)) if fit_intercept else float(np.sqrt(w @ y**2))
    return ybar, ys, nulldev


def standardize(X: mx.array, y: np.ndarray, weights: np.ndarray, excluded: np.ndarray, standardize: bool,
                fit_intercept: bool, lazy: bool = False, rows: Optional[np.ndarray] = None,
                full_moments=None, residual: bool = False) -> Standardized:
    """glmnet's ``standard``: weights to sum 1, center, scale X and y.

    Full mode forms the standardized Gram matrix in one ``gram`` pass; lazy
    mode only the column statistics and X'Wy (the solver forms Gram columns);
    residual mode those and a column-major copy of X, from one pass.
    """
    w = weights / weights.sum()
    ybar, ys, nulldev = _y_moments(y, weights, fit_intercept)
    Xn = np.asarray(X)
    G = None
    residual = residual and full_moments is None  # a Gram matrix at hand (CV) serves as well
    if residual:
        columns, xbar, var, c = column_major(Xn, w, y - ybar)
        finite = np.all(np.isfinite(var)) and np.all(np.isfinite(c))
    elif lazy:
        xbar, var = _column_stats(Xn, w)
        c = Xn.T @ (w * (y - ybar))
        finite = np.all(np.isfinite(var)) and np.all(np.isfinite(c))
    elif fit_intercept:
        G, c, xbar, _ = full_moments or moments(X, y, w, center=True)
        var = np.diag(G).copy()
        finite = np.all(np.isfinite(G)) and np.all(np.isfinite(c))
    else:
        G, c, _, _ = full_moments or moments(X, y, w, center=False)
        xbar = w @ Xn
        var = np.diag(G) - xbar**2
        finite = np.all(np.isfinite(G)) and np.all(np.isfinite(c))
    # glmnet sees only a fold's training rows: constant columns are judged there
    std = _finish(Xn, G, c, xbar, var, ybar, ys, nulldev, excluded, standardize, fit_intercept, finite, rows)
    if residual:
        std.cols = columns
        std.w = w
        std.y = (y - ybar) / ys
    elif lazy:
        # the lazy solver reads X through MLX
        std.X = X if isinstance(X, mx.array) else mx.array(Xn, dtype=mx.float64 if Xn.dtype == np.float64
                                                             else mx.float32)
        std.w = w
    return std


def fold_moments(X, y: np.ndarray, weights: np.ndarray, fold: np.ndarray, nfolds: int, center: bool):
    """Gram moments of every fold's held-out rows, and the full data's pooled from them.

    The folds partition the rows, so the full-data Gram is the sum of the
    held-out Grams (moved to the common mean): one pass over X in all, with
    raw-weight sums. Returns (per-fold list of (G, c, xbar, ybar, weight sum),
    full (G, c, xbar, ybar)).
    """
    Xn = np.asarray(X)
    subsets = [np.flatnonzero(fold == k).astype(np.int64) for k in range(nfolds)]
    raw = _ext.gram_numpy_rows(Xn, y.astype(Xn.dtype, copy=False), weights.astype(Xn.dtype, copy=False), center,
                               subsets)
    per = []
    for rows, (Gk, ck, mk, yk) in zip(subsets, raw):
        Gk, ck = np.asarray(Gk, dtype=np.float64), np.asarray(ck, dtype=np.float64)
        mk = None if mk is None else np.asarray(mk, dtype=np.float64)
        per.append((Gk, ck, mk, None if yk is None else float(yk), float(weights[rows].sum())))
    S = sum(q[4] for q in per)
    G = sum(q[0] for q in per)
    c = sum(q[1] for q in per)
    if not center:
        return per, (G, c, None, None)
    m = sum(q[4] * q[2] for q in per) / S
    my = sum(q[4] * q[3] for q in per) / S
    for Gk, ck, mk, yk, sk in per:  # pooled scatter: within-fold plus between-fold parts
        d = mk - m
        G = G + sk * np.outer(d, d)
        c = c + sk * d * (yk - my)
    return per, (G, c, m, my)


def standardize_folds(X: mx.array, y: np.ndarray, weights: np.ndarray, fold: np.ndarray, nfolds: int,
                      excluded: np.ndarray, scale: bool, fit_intercept: bool, lazy: bool, moments_by_fold=None,
                      residual: Optional[bool] = None):
    """Standardized training problems of every CV fold.

    Full Gram mode: each fold's training Gram is the full Gram minus its
    held-out rows' Gram, all taken about the full-data weighted means (so the
    rank-one corrections between means are small and nothing cancels badly);
    ``moments_by_fold`` is ``fold_moments``'s result (computed here if absent).
    Lazy mode: each fold is the full data with its held-out rows weighted zero, solved by
    residual updates over one shared column-major copy of X when ``residual`` (default:
    ``prefer_residual``), else from lazy Gram columns.
    """
    Xn = np.asarray(X)
    S = weights.sum()
    out = []
    if lazy and (prefer_residual(*Xn.shape) if residual is None else residual):
        return _residual_folds(Xn, y, weights, fold, nfolds, excluded, scale, fit_intercept)
    if lazy:
        # one MLX copy of X serves every fold (the solver reads X through MLX)
        Xmx = X if isinstance(X, mx.array) else mx.array(Xn, dtype=mx.float64 if Xn.dtype == np.float64
                                                         else mx.float32)
        for k in range(nfolds):
            wk = np.where(fold == k, 0.0, weights)
            out.append(standardize(Xmx, y, wk, excluded, scale, fit_intercept, lazy=True, rows=fold != k))
        return out
    per, (G, c, m, my) = moments_by_fold or fold_moments(Xn, y, weights, fold, nfolds, fit_intercept)
    if not fit_intercept:
        m, my = np.zeros(Xn.shape[1]), 0.0
    for k in range(nfolds):
        Hk, hk, mk, yk, sk = per[k]
        if fit_intercept:
            dk, dyk = mk - m, yk - my
            H = Hk + sk * np.outer(dk, dk)  # held-out Gram about the full-data means
            hy = hk + sk * dk * dyk
        else:
            H, hy = Hk, hk
        St = S - sk
        T, ty = G - H, c - hy
        wtr = np.where(fold == k, 0.0, weights)
        ybar, ys, nulldev = _y_moments(y, wtr, fit_intercept)
        if fit_intercept:
            delta = -(sk / St) * dk  # training mean minus full-data mean
            dy = -(sk / St) * dyk
            Gt = (T - St * np.outer(delta, delta)) / St
            ct = (ty - St * delta * dy) / St
            xbar = m + delta
            var = np.diag(Gt).copy()
        else:
            Gt, ct = T / St, ty / St
            xbar = (wtr @ Xn) / St
            var = np.diag(Gt) - xbar**2
        finite = np.all(np.isfinite(Gt)) and np.all(np.isfinite(ct))
        out.append(_finish(Xn, Gt, ct, xbar, var, ybar, ys, nulldev, excluded, scale, fit_intercept, finite,
                           fold != k))
    return out


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
    ym = [_y_moments(yo, W[k], fit_intercept) for k in range(nfolds)]
    W = W / W.sum(axis=1, keepdims=True)
    xbar, var, c = shared_column_stats(cols, yo, W, np.array([m[0] for m in ym]))
    out = []
    for k, (ybar, ys, nulldev) in enumerate(ym):
        finite = np.all(np.isfinite(var[k])) and np.all(np.isfinite(c[k]))
        std = _finish(Xn, None, c[k], xbar[k], var[k], ybar, ys, nulldev, excluded, scale, fit_intercept, finite,
                      fold != k)
        std.cols, std.w, std.y = cols, W[k], (yo - ybar) / ys
        out.append(std)
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
    with X (n, p) shared and per-problem weights, centers and scales, or
    ("residual", Columns, Y, W, XM, XS) with per-problem standardized responses.
    """

    def __init__(self, source, g, xv, penalty, limits, include, dtype):
        B, p = g.shape
        self.dtype = dtype
        if source[0] == "full":
            self.source = ("full", mx.array(source[1], dtype=dtype))
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
            outs = _ext.gaussian_cov_path(self.source[1], *common)
        elif self.source[0] == "residual":
            outs = _ext.gaussian_residual_path(*self.source[1:], *common)
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


def lambda_max(g: np.ndarray, penalty: np.ndarray, include: np.ndarray, alpha: float) -> float:
    """glmnet's rule on the standardized scale: max_j |g_j| / v_j / max(alpha, 1e-3)."""
    mask = (include > 0) & (penalty > 0)
    if not mask.any():
        return 0.0
    return float(np.max(np.abs(g[mask]) / penalty[mask]) / max(alpha, 1e-3))


def geometric_grid(lmax: float, flmin: float, nlam: int) -> np.ndarray:
    """lambda_2..lambda_nlam: lmax * alf^m, by repeated products as glmnet forms them."""
    alf = max(EPS, flmin) ** (1.0 / (nlam - 1))
    out = np.empty(nlam - 1)
    alm = lmax * alf
    for m in range(nlam - 1):
        out[m] = alm
        alm *= alf
    return out


def fix_first_lambda(lam: np.ndarray) -> np.ndarray:
    """glmnet's fix.lam: the first lambda (fitted as 'infinity') by log-linear extrapolation."""
    lam = lam.copy()
    if lam.size > 2:
        lam[0] = np.exp(2 * np.log(lam[1]) - np.log(lam[2]))
    return lam


def _source(stds):
    if stds[0].C is not None:
        return ("full", np.stack([s.C for s in stds]))
    if stds[0].cols is not None:
        return ("residual", stds[0].cols, np.stack([s.y for s in stds]), np.stack([s.w for s in stds]),
                np.stack([s.xm for s in stds]), np.stack([s.xs for s in stds]))
    return ("lazy", stds[0].X, np.stack([s.w for s in stds]), np.stack([s.xm for s in stds]),
            np.stack([s.xs for s in stds]))


def fit_paths(stds, *, alpha, penalty, lower, upper, nlambda, flmin, user_lambdas, thresh, maxit, dfmax, pmax,
              sml, dtype, strong=False, screen=-1) -> list:
    """glmnet's path for B standardized problems (sharing X) in batched primitive calls.

    With glmnet's own grid, a first block fits lambda = "infinity" (only
    unpenalized variables move); each problem's lambda_max then comes from its
    gradient there, and a second block runs every problem's geometric grid with
    its own early stops. A user grid is one block without early stops.
    ``strong`` selects glmnet's naive scheme (strong rule + KKT checks) over its
    covariance scheme; it is implied when the Gram columns are lazy and with
    residual updates. ``screen``: the residual solver's low-precision screening of
    its KKT passes (-1 where it pays, 0 never, 1 always, 2 always in float32 rather
    than float16; the decisions are the same).
    """
    B = len(stds)
    cl = np.stack([np.vstack([lower, upper]) / s.ys * s.xs for s in stds])
    state = _BatchState(_source(stds), np.stack([s.g for s in stds]), np.stack([s.xv for s in stds]),
                        np.tile(penalty, (B, 1)), cl, np.stack([s.include for s in stds]), dtype)
    ys = np.array([s.ys for s in stds])
    parts = [[] for _ in range(B)]  # (lambdas, beta_std rows, rsq) per block
    errs, first_failed = np.zeros(B, dtype=int), np.zeros(B, dtype=int)
    if user_lambdas is not None:
        mnl = min(MNLAM, len(user_lambdas))
        grid = np.asarray(user_lambdas, dtype=np.float64)[None, :] / ys[:, None]
        bp, rsq, nfit, err = state.run(grid, np.zeros(B), _settings(alpha, thresh, sml, maxit, pmax, dfmax, mnl, 0,
                                                                    False, strong, screen))
        for b in range(B):
            n = int(nfit[b])
            parts[b].append((grid[b, :n], bp[b, :n], rsq[b, :n]))
        errs[:], first_failed[:] = err, nfit
    else:
        mnl = min(MNLAM, nlambda)
        if all(np.all(penalty[s.include > 0] > 0) for s in stds):
            # Every variable is penalized: at "infinite" lambda nothing moves and
            # glmnet's one confirming sweep is all there is to count.
            p = stds[0].g.shape[0]
            for b in range(B):
                parts[b].append((np.array([BIG]), np.zeros((1, p)), np.zeros(1)))
            state.npasses += 1
            err = np.zeros(B, dtype=int)
            first_failed[:] = 1
            g = np.stack([s.g for s in stds])
        else:
            bp, rsq, nfit, err = state.run(np.full((B, 1), BIG), np.zeros(B),
                                           _settings(alpha, thresh, sml, maxit, pmax, dfmax, mnl, 0, True, strong,
                                                     screen))
            for b in range(B):
                n = int(nfit[b])
                parts[b].append((np.full(n, BIG), bp[b, :n], rsq[b, :n]))
            errs[:], first_failed[:] = err, nfit
            g = np.asarray(state.g, dtype=np.float64)
        if nlambda > 1 and np.any(err == 0):
            lmax = np.array([lambda_max(g[b], penalty, stds[b].include, alpha) for b in range(B)])
            grid = np.stack([geometric_grid(lmax[b], flmin, nlambda) for b in range(B)])
            bp, rsq, nfit, err = state.run(grid, lmax, _settings(alpha, thresh, sml, maxit, pmax, dfmax, mnl, 1,
                                                                 True, strong, screen))
            for b in np.flatnonzero(errs == 0):
                n = int(nfit[b])
                parts[b].append((grid[b, :n], bp[b, :n], rsq[b, :n]))
                errs[b], first_failed[b] = err[b], 1 + n
    results = []
    for b, s in enumerate(stds):
        lams = np.concatenate([q[0] for q in parts[b]])
        beta_std = np.concatenate([q[1] for q in parts[b]], axis=0)
        rsq_b = np.concatenate([q[2] for q in parts[b]])
        jerr = 0
        if errs[b] == 1:
            jerr = -(first_failed[b] + 1)
        elif errs[b] == 2:
            jerr = -10000 - (first_failed[b] + 1)
        beta = (beta_std * (s.ys / s.xs)).T  # (p, nlam), original scale
        lam_out = lams * s.ys
        if user_lambdas is None:
            lam_out = fix_first_lambda(lam_out)
        # a0 = ym - xm'beta without BLAS: numpy's OpenBLAS would wake its threads, which then spin
        # beside the solver's (about 10% of the CPU at 2000 x 10000)
        a0 = s.ym - np.einsum("j,jl->l", s.xm, beta)
        results.append(PathResult(lam_out, a0, beta, rsq_b, s.nulldev, int(state.npasses[b]),
                                  jerr))
    return results


def warn_path_errors(res: PathResult, maxit: int, pmax: int, what: str = "") -> None:
    """glmnet's warnings for a path cut short (jerr < 0)."""
    if res.jerr == 0:
        return
    if res.jerr > -10000:
        msg = (f"Convergence for {-res.jerr}th lambda value not reached after maxit={maxit} iterations; "
               "solutions for larger lambdas returned")
    else:
        msg = (f"Number of nonzero coefficients along the path exceeds pmax={pmax} at {-res.jerr - 10000}th "
               "lambda value; solutions for larger lambdas returned")
    warnings.warn(what + msg, GlmnetWarning, stacklevel=5)  # the caller of glmnet / cv_glmnet


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


def prefer_residual(n: int, p: int) -> bool:
    """glmnet's naive scheme by residual updates rather than Gram columns.

    A coordinate visit costs O(n) and a KKT check one read of X, where the Gram
    matrix costs n p^2 up front (lazy columns O(n p) each, for the thousands of
    candidates of a wide path). Measured on 2 cores: residual updates win by 2-5x
    for p > n and up to n = 5 p, tie at n = 20 p (20000 x 1000).
    """
    return p > n or n <= 10 * p
