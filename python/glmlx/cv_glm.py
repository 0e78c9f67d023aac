"""Cross-validation pieces for the non-gaussian families (R's cv.lognet, cv.fishnet, cv.multnet, cv.mrelnet).

Each fold is fit on its training rows as R's cv.glmnet 4.1 does (its own lambda
path), all folds in one C++ call on row subsets of the same X (threads across
folds); its held-out rows are predicted at the full-data lambdas by glmnet's
linear interpolation. The losses below are R's, observation by observation.
"""
from __future__ import annotations

import dataclasses
import warnings

import numpy as np

from .families import get_family
from . import _sparse
from .glmnet import glm_paths, interpolate_coef, mgaussian_paths

NAMES = {
    ("binomial", "deviance"): "Binomial Deviance",
    ("poisson", "deviance"): "Poisson Deviance",
    ("multinomial", "deviance"): "Multinomial Deviance",
    ("mgaussian", "deviance"): "Mean-Squared Error",
    "class": "Misclassification Error",
    "auc": "AUC",
    "mse": "Mean-Squared Error",
    "mae": "Mean Absolute Error",
}


def measure_name(family: str, type_measure: str) -> str:
    return NAMES.get((family, type_measure), NAMES.get(type_measure, type_measure))


def _check_fold_classes(prob, train: np.ndarray, j: int) -> None:
    # Each fold's fit repeats lognet.R's class checks on its training rows.
    if not get_family(prob.family).classifies:
        return
    y = prob.resp.y
    K = prob.resp.nclass
    props = np.vstack([1 - y, y]) if K == 1 else y
    counts = (props[:, train] > 0).sum(axis=1)
    if counts.min() <= 1:
        raise ValueError(f"fold {j + 1}: the training rows leave a class with {int(counts.min())} observations; "
                         "use fewer folds or stratified fold ids")


def fold_paths(prob, fold: np.ndarray, k: int, flmins=None) -> list:
    """Each fold's path fitted on its training rows (GlmPath list).

    ``flmins`` (k,): each fold's lambda_min_ratio (cv.fold_flmins; None: the
    full data's). The C++ call takes one ratio, so the folds sharing a ratio go
    in one call (threads across them).
    """
    subsets = [np.flatnonzero(fold != j) for j in range(k)]
    for j, rows in enumerate(subsets):
        _check_fold_classes(prob, rows, j)
    solve = mgaussian_paths if get_family(prob.family).solver == "mgaussian" else glm_paths
    if flmins is None:
        flmins = np.full(k, prob.flmin)
    out = [None] * k
    for f in np.unique(flmins):
        idx = np.flatnonzero(flmins == f)
        names = [f"fold {j + 1}: " for j in idx]  # errors name the fold, whichever call it went in
        for j, res in zip(idx, solve(dataclasses.replace(prob, flmin=float(f)), [subsets[j] for j in idx], names)):
            out[j] = res
    return out


def held_out_class_links(prob, paths: list, fold: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Out-of-fold linear predictors (n, K, nlam) of multi-class paths at the full-data lambdas.

    (Single-response paths go through the gaussian CV's C++ call, cv._held_out_link.)
    """
    X = prob.X  # float32 or float64; only a fold's held-out rows are converted (no float64 copy of all of X)
    K = paths[0].beta.shape[0]
    pre = np.empty((X.shape[0], K, lam.size))
    for j, res in enumerate(paths):
        rows = np.flatnonzero(fold == j)
        full = np.concatenate([res.a0[:, None, :], res.beta], axis=1)  # (K, p + 1, nlam_j)
        q = full.shape[1]
        coef = interpolate_coef(res.lambdas, full.reshape(K * q, -1), lam).reshape(K, q, -1)
        if _sparse.is_sparse(X):  # the held-out rows' products from their entries
            Xr = X[rows]
            eta = coef[:, 0, :][None] + np.stack([np.asarray(Xr @ c) for c in coef[:, 1:, :]], axis=1)
        else:
            eta = coef[:, 0, :][None] + np.einsum("np,kps->nks", X[rows].astype(np.float64), coef[:, 1:, :])
        # (mgaussian offsets were taken from y, so its links and y stay on that scale)
        if prob.offset is not None:
            eta = eta + prob.offset[:, rows].T[:, :, None]
        pre[rows] = eta
    return pre


def losses(prob, pre: np.ndarray, type_measure: str):
    """R's per-observation losses (n, nlam) and the weights they are averaged with (the family's ``cv_losses``)."""
    return get_family(prob.family).cv_losses(prob, pre, type_measure)


def weighted_auc(y01: np.ndarray, score: np.ndarray, w: np.ndarray) -> float:
    """R's auc.mat: the weighted concordance of scores with the class (ties count one half).

    ``y01`` is the proportion of the second class and ``w`` the row weights:
    each row counts ``w (1 - y)`` as a negative and ``w y`` as a positive.
    """
    wn, wp = w * (1 - y01), w * y01
    order = np.argsort(score, kind="mergesort")
    s, wn, wp = score[order], wn[order], wp[order]
    # Group tied scores: negatives strictly below, plus half of the tied ones.
    uniq, start = np.unique(s, return_index=True)
    tn = np.add.reduceat(wn, start)
    tp = np.add.reduceat(wp, start)
    below = np.concatenate([[0.0], np.cumsum(tn)[:-1]])
    num = np.sum(tp * (below + 0.5 * tn))
    den = wn.sum() * wp.sum()
    return float(num / den) if den > 0 else np.nan


def fold_auc(prob, pre: np.ndarray, fold: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-fold AUCs (k, nlam) and the folds' total weights (cv.lognet's type.measure='auc')."""
    yp, w = prob.resp.y, prob.resp.weights
    out = np.empty((k, pre.shape[1]))
    wsum = np.empty(k)
    for j in range(k):
        rows = fold == j
        wsum[j] = w[rows].sum()
        for m in range(pre.shape[1]):
            out[j, m] = weighted_auc(yp[rows], pre[rows, m], w[rows])
    return out, wsum


def auc_fallback(n: int, k: int) -> bool:
    """cv.lognet: AUC needs at least 10 observations per fold, else the deviance is used (with a warning)."""
    if n / k < 10:
        warnings.warn("Too few (< 10) observations per fold for type_measure='auc'; changed to "
                      "type_measure='deviance'. Alternatively, use a smaller nfolds", UserWarning, stacklevel=3)
        return True
    return False


def nzero(fit, family: str, grouped_multinomial: bool) -> np.ndarray:
    """cv.glmnet's nzero: nonzero variables; for ungrouped multinomial the median over classes (rounded up);
    for the grouped fits (mgaussian, grouped multinomial) predict.multnet's count of the first class's
    nonzero coefficients, its intercept included."""
    beta = fit._beta_np
    if beta.ndim == 2:
        return (beta != 0).sum(axis=0)
    if get_family(family).grouped_type and not grouped_multinomial:
        return np.ceil(np.median((beta != 0).sum(axis=1), axis=0)).astype(int)
    return (beta[0] != 0).sum(axis=0) + (fit._a0_np[0] != 0)
