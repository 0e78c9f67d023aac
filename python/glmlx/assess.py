"""Performance of a fit on new data: R glmnet's ``assess.glmnet``, ``roc.glmnet`` and ``confusion.glmnet``.

The losses are the ones cross-validation uses (``cv_glm.losses``, the gaussian
loss in ``cv``), averaged over the new rows with their weights, as R does with
one fold and ``grouped=FALSE``.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import NamedTuple, Optional, Union

import numpy as np

from . import cv_glm, glm
from .cv import CVGlmnet
from .families import FAMILIES
from .glmnet import GlmnetFit

# glmnet.measures(): what assess.glmnet reports, per family, in R's order
ASSESS_MEASURES = {name: fam.assess_measures for name, fam in FAMILIES.items()}


class RocCurve(NamedTuple):
    """One ROC curve: false and true positive rates, one point per distinct score (decreasing)."""

    fpr: np.ndarray
    tpr: np.ndarray


class ConfusionTable:
    """A confusion table (R's ``confusion.table``): counts, rows predicted, columns true.

    Attributes
    ----------
    counts : np.ndarray (len(predicted), len(true))
    predicted, true : np.ndarray     the row and column labels
    percent_correct : float          share of the (weighted) rows whose predicted label is the true one
    """

    def __init__(self, counts: np.ndarray, predicted: np.ndarray, true: np.ndarray):
        self.counts, self.predicted, self.true = counts, predicted, true
        hits = sum(counts[i, j] for i, a in enumerate(predicted) for j, b in enumerate(true) if a == b)
        self.percent_correct = float(hits / counts.sum()) if counts.sum() > 0 else float("nan")

    def __str__(self) -> str:
        rows = [str(r) for r in self.predicted] + ["Total"]
        cols = [str(c) for c in self.true] + ["Total"]
        body = np.zeros((len(rows), len(cols)))
        body[:-1, :-1] = self.counts
        body[:-1, -1] = self.counts.sum(axis=1)
        body[-1, :-1] = self.counts.sum(axis=0)
        body[-1, -1] = self.counts.sum()
        cells = [[f"{v:g}" for v in r] for r in body]
        head = "Predicted"
        w0 = max(len(head), *(len(r) for r in rows))
        widths = [max(len(c), *(len(r[j]) for r in cells)) for j, c in enumerate(cols)]
        lines = [" " * w0 + "  True", f"{head:<{w0}} " + " ".join(f"{c:>{w}}" for c, w in zip(cols, widths))]
        lines += [f"{r:<{w0}} " + " ".join(f"{v:>{w}}" for v, w in zip(cr, widths)) for r, cr in zip(rows, cells)]
        lines += ["", f" Percent Correct:  {round(self.percent_correct, 4):g}"]
        return "\n".join(lines)

    __repr__ = __str__


def _predictions(obj, newx, s, newoffset, family, what: str):
    """(family, link predictions (n, len(s)) or (n, K, len(s)), classes) of a fit, a CV result or a matrix."""
    if isinstance(obj, CVGlmnet):
        fit, s = obj.fit, obj._s("lambda_1se" if s is None else s)
    else:
        fit = obj
    if isinstance(fit, GlmnetFit):
        if family is not None and family != fit.family:
            raise ValueError(f"family={family!r} contradicts the fit's family {fit.family!r}")
        if newx is None:
            raise ValueError(f"newx is required to {what} a fitted model")
        pred = np.asarray(fit.predict(newx, s=s, newoffset=newoffset), dtype=np.float64)
        return fit.family, pred, fit.classes
    if family is None:
        raise ValueError("family is required when the first argument is a matrix of link predictions")
    if family not in ASSESS_MEASURES:
        raise ValueError(f"family must be one of {tuple(ASSESS_MEASURES)}, got {family!r}")
    pred = np.asarray(obj, dtype=np.float64)
    if pred.ndim == 1:
        pred = pred[:, None]
    want = 3 if FAMILIES[family].several_responses else 2
    if pred.ndim != want:
        raise ValueError(f"the link predictions must be {want}-D for family={family!r}, got shape {pred.shape}")
    return family, pred, None


def _response(family: str, newy, weights, n: int, classes):
    """The new response in the form the CV losses take (``cv_glm.losses``' problem fields)."""
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64).reshape(-1)
    if w.shape != (n,) or not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError(f"weights must be {n} non-negative finite numbers")
    fam = FAMILIES[family]
    if fam.gaussian_losses:
        y = np.asarray(newy, dtype=np.float64)
        y = y.reshape(n, -1) if fam.several_responses else y.reshape(-1)
        if y.shape[0] != n:
            raise ValueError(f"newy must have {n} rows to match the predictions, got {y.shape[0]}")
        return SimpleNamespace(family=family, y=y, weights=w, resp=None)
    resp = glm.prepare_response(family, newy, n, w)
    if classes is not None and resp.classes is not None and np.asarray(newy).ndim == 1:
        # labels: align the new response's classes with the fit's (R relies on both having all levels)
        unseen = np.setdiff1d(resp.classes, classes)
        if unseen.size:
            raise ValueError(f"newy has labels the fit never saw: {unseen[:5].tolist()}")
        K = len(classes)
        props = resp.y.T if resp.y.ndim == 2 else np.c_[1 - resp.y, resp.y]
        aligned = np.zeros((n, K))
        aligned[:, np.searchsorted(classes, resp.classes)] = props
        resp = glm.Response(aligned[:, 1] if K == 2 else np.ascontiguousarray(aligned.T), resp.weights,
                            np.asarray(classes), 1 if K == 2 else K)
    return SimpleNamespace(family=family, y=resp.y, weights=w, resp=resp)


def assess_glmnet(obj: Union[GlmnetFit, CVGlmnet, np.ndarray], newx=None, newy=None, weights=None, *,
                  s=None, family: Optional[str] = None, newoffset=None) -> dict:
    r"""Measures of fit on new data at each ``s``, as R's ``assess.glmnet``.

    For each measure (gaussian and mgaussian: "mse", "mae"; binomial:
    "deviance", "class", "auc", "mse", "mae"; poisson: "deviance", "mse",
    "mae"; multinomial: "deviance", "class", "mse", "mae") the weighted mean
    over the new rows :math:`\sum_i w_i \ell(y_i, \hat\eta_i) / \sum_i w_i`
    of the per-row loss cross-validation uses (AUC: the weighted AUC of all rows).

    Parameters
    ----------
    obj : GlmnetFit, CVGlmnet, or array_like
        A fit (predicted at ``s``, all path lambdas when None), a CV result
        (at ``s``, default "lambda_1se", as R) or link predictions
        (n, len(s)), or (n, K, len(s)) for multinomial and mgaussian, with ``family``.
    newx : array_like (n, p)     the new rows (not with a matrix of predictions)
    newy : array_like            the new response, in the form ``glmnet`` takes
    weights : array_like (n,), optional
    s : float, sequence or "lambda_1se"/"lambda_min" (CV), optional
    family : str, optional       required with a matrix of predictions
    newoffset : array_like, optional  for fits with an offset

    Returns
    -------
    dict
        measure name -> np.ndarray (len(s),).
    """
    family, pred, classes = _predictions(obj, newx, s, newoffset, family, "assess")
    n = pred.shape[0]
    if newy is None:
        raise ValueError("newy is required")
    prob = _response(family, newy, weights, n, classes)
    out = {}
    for m in ASSESS_MEASURES[family]:
        if m == "auc":
            auc, _ = cv_glm.fold_auc(prob, pred, np.zeros(n, dtype=np.int64), 1)
            out[m] = auc[0]
            continue
        if FAMILIES[family].solver == "gaussian":
            resid = prob.y[:, None] - pred
            raw, w = (np.abs(resid) if m == "mae" else resid * resid), prob.weights
        else:
            raw, w = cv_glm.losses(prob, pred, m)
        out[m] = _weighted_mean(raw, w)
    return out


def _weighted_mean(raw: np.ndarray, w: np.ndarray) -> np.ndarray:
    """R's apply(cvraw, 2, weighted.mean, w = weights, na.rm = TRUE)."""
    ok = ~np.isnan(raw)
    return (np.where(ok, raw, 0.0) * w[:, None]).sum(axis=0) / (ok * w[:, None]).sum(axis=0)


def _binary_truth(newy, n: int, classes) -> np.ndarray:
    arr = np.asarray(newy)
    if arr.ndim == 2 and arr.shape[1] == 2:  # a two-column count matrix: its second column, as R
        return arr[:, 1].astype(np.float64)
    arr = arr.reshape(-1)
    if arr.shape[0] != n:
        raise ValueError(f"newy must have {n} rows to match the predictions, got {arr.shape[0]}")
    levels = np.unique(arr) if classes is None else np.asarray(classes)
    if np.setdiff1d(np.unique(arr), levels).size or levels.size != 2:
        raise ValueError("newy should be binary, or labels with two levels")
    return (arr == levels[1]).astype(np.float64)


def roc_glmnet(obj, newx=None, newy=None, *, s=None, newoffset=None):
    """ROC curves of a binomial fit on new data, one per ``s``, as R's ``roc.glmnet``.

    Parameters are as :func:`assess_glmnet` (``obj`` may be a matrix of link
    predictions (n, len(s)) or scores). Returns one :class:`RocCurve` when
    there is one ``s``, else a list of them.
    """
    family = None if isinstance(obj, (GlmnetFit, CVGlmnet)) else "binomial"
    fam, pred, classes = _predictions(obj, newx, s, newoffset, family, "draw the ROC of")
    if fam != "binomial":
        raise ValueError(f"roc_glmnet is for the binomial family, not {fam!r}")
    y = _binary_truth(newy, pred.shape[0], classes)
    curves = []
    for j in range(pred.shape[1]):
        order = np.argsort(-pred[:, j], kind="stable")
        score, yy = pred[order, j], y[order]
        # tied scores form one step (R's tapply over the distinct predictions)
        _, first = np.unique(-score, return_index=True)
        pos, neg = np.add.reduceat(yy, first), np.add.reduceat(1 - yy, first)
        curves.append(RocCurve(np.cumsum(neg) / neg.sum(), np.cumsum(pos) / pos.sum()))
    return curves[0] if len(curves) == 1 else curves


def confusion_glmnet(obj, newx=None, newy=None, *, s=None, newoffset=None, family: Optional[str] = None):
    """Confusion tables of a binomial or multinomial fit on new data, one per ``s``, as R's ``confusion.glmnet``.

    Rows are the predicted classes that occur, columns the true classes; see
    :class:`ConfusionTable`. Returns one table when there is one ``s``, else a list.
    """
    fam, pred, classes = _predictions(obj, newx, s, newoffset, family, "tabulate")
    if not FAMILIES[fam].classifies:
        raise ValueError(f"confusion_glmnet is for the binomial and multinomial families, not {fam!r}")
    arr = np.asarray(newy)
    n = pred.shape[0]
    if classes is None:
        classes = np.arange(2 if FAMILIES[fam].binary else pred.shape[1])
    if arr.ndim == 2 and arr.shape[1] > 1:  # a count matrix: the class of each row's largest... R: y %*% 1:K
        arr = np.asarray(classes)[np.argmax(arr, axis=1)]
    arr = arr.reshape(-1)
    if arr.shape[0] != n:
        raise ValueError(f"newy must have {n} rows to match the predictions, got {arr.shape[0]}")
    idx = (pred > 0).astype(np.int64) if FAMILIES[fam].binary else np.argmax(pred, axis=1)
    labels = np.asarray(classes)[idx]  # (n, len(s))
    true_levels = np.unique(arr.astype(str) if arr.dtype == object else arr)
    tables = []
    for j in range(labels.shape[1]):
        got = labels[:, j]
        predicted = np.unique(got)
        counts = np.zeros((predicted.size, true_levels.size))
        np.add.at(counts, (np.searchsorted(predicted, got), np.searchsorted(true_levels, arr)), 1.0)
        tables.append(ConfusionTable(counts, predicted, true_levels))
    return tables[0] if len(tables) == 1 else tables
