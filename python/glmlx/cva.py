r"""``glmlx.cva_glmnet``: cross-validation over alpha as well as lambda (the glmnetUtils package's ``cva.glmnet``).

Every alpha is cross-validated on the same folds, as ``cv_glmnet(X, y, foldid=..., alpha=a)``. For
``family="gaussian"`` with dense X, where the folds' Gram matrices fit in memory (and on a GPU), the folds'
standardization and Gram matrices are formed once for all alphas, and the paths of all folds x alphas (and the
full fits) run as one batch of the covariance solver: one call, each problem with its own alpha.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Optional, Union

import mlx.core as mx
import numpy as np

from . import gaussian
from ._progress import solver_scope
from ._validation import refuse_transforms
from .cv import (CVGlmnet, _cv_problem, _enforce_grouped, _gaussian_cv, cv_glmnet, fold_flmins, fold_grams_whole,
                 fold_problems)
from .families import get_family
from .glmnet import _NOT_TRACEABLE


class CVAGlmnet:
    """Cross-validation over alpha and lambda: one ``CVGlmnet`` per alpha, all on the same folds.

    Attributes
    ----------
    alphas : np.ndarray              the alphas cross-validated, in the order given
    cvs : list of CVGlmnet           one per alpha (glmnetUtils' ``modlist``)
    alpha_min : float                the alpha whose best CV error (at its lambda_min) is least (AUC: largest)
    index_min : int                  its position in ``alphas``
    cv_min : CVGlmnet                its cross-validation
    foldid : np.ndarray (n,)         the fold labels every alpha used
    type_measure : str
    """

    def __init__(self, alphas, cvs: list[CVGlmnet], foldid, type_measure: str):
        self.alphas = np.asarray(alphas, dtype=np.float64)
        self.cvs: list[CVGlmnet] = list(cvs)
        self.foldid = foldid
        self.type_measure = type_measure
        best = np.array([cv._cvm_np[cv.index_min] for cv in self.cvs])
        crit = -best if type_measure == "auc" else best
        self.index_min = int(np.flatnonzero(crit <= np.nanmin(crit))[0])
        self.alpha_min = float(self.alphas[self.index_min])
        self.cv_min: CVGlmnet = self.cvs[self.index_min]

    def __repr__(self):
        return (f"CVAGlmnet(measure={self.type_measure!r}, alphas={self.alphas.size}, alpha_min={self.alpha_min:.6g}, "
                f"lambda_min={self.cv_min.lambda_min:.6g})")

    def _cv(self, alpha) -> CVGlmnet:
        if alpha is None:
            return self.cv_min
        hit = np.flatnonzero(np.isclose(self.alphas, float(alpha), rtol=0, atol=1e-12))
        if hit.size == 0:
            raise ValueError(f"alpha must be one of the alphas cross-validated {self.alphas.tolist()}, got {alpha!r}")
        return self.cvs[int(hit[0])]

    def predict(self, Xnew=None, alpha: Optional[float] = None, s="lambda_1se", type: str = "link",
                newoffset=None) -> Union[mx.array, np.ndarray, list]:
        """Predictions of the full-data fit at ``alpha`` (default ``alpha_min``) and ``s``; see CVGlmnet.predict."""
        return self._cv(alpha).predict(Xnew, s=s, type=type, newoffset=newoffset)

    def coef(self, alpha: Optional[float] = None, s="lambda_1se") -> mx.array:
        """Coefficients of the full-data fit at ``alpha`` (default ``alpha_min``) and ``s``; see CVGlmnet.coef."""
        return self._cv(alpha).coef(s=s)


def _alphas(alphas) -> np.ndarray:
    if alphas is None:
        return np.linspace(0.0, 1.0, 11) ** 3  # glmnetUtils' default: seq(0, 1, len = 11)^3
    try:
        raw = np.asarray(alphas)
        if raw.dtype.kind == "c":
            raise TypeError
        a = raw.astype(np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise TypeError(f"alphas must be a sequence of real numbers in [0, 1], got {alphas!r}") from None
    if a.size == 0 or not np.all(np.isfinite(a)) or np.any((a < 0) | (a > 1)):
        raise ValueError(f"alphas must be a non-empty sequence of values in [0, 1], got {alphas!r}")
    return a


def cva_glmnet(X, y, alphas=None, nfolds: int = 10, foldid=None, type_measure: str = "default", keep: bool = False,
               seed=None, grouped: bool = True, trace_it: int = 0, **glmnet_kwargs) -> CVAGlmnet:
    r"""K-fold cross-validation of glmnet over a set of alphas, as glmnetUtils' ``cva.glmnet``.

    For each alpha, exactly ``cv_glmnet(X, y, foldid=foldid, alpha=alpha, ...)``: the same folds for every
    alpha (drawn once from ``seed`` when ``foldid`` is not given), glmnet's path for the full data and each
    fold, and cv.glmnet's statistics. The alpha chosen, ``alpha_min``, is the one whose CV error at its own
    lambda_min is least.

    Parameters
    ----------
    alphas : sequence of floats in [0, 1], optional
        default ``seq(0, 1, len = 11)^3`` (glmnetUtils'), which favours small alphas.
    nfolds, foldid, type_measure, keep, seed, grouped, trace_it, **glmnet_kwargs
        as ``cv_glmnet`` (``alpha`` is given by ``alphas``). ``stream=mx.gpu`` runs the gaussian family on a
        GPU: the folds' Gram matrices once, then all folds x alphas in one kernel call.

    Returns
    -------
    CVAGlmnet
    """
    refuse_transforms("cva_glmnet", _NOT_TRACEABLE, X=X, y=y, weights=glmnet_kwargs.get("weights"),
                      offset=glmnet_kwargs.get("offset"), foldid=foldid)
    if "alpha" in glmnet_kwargs:
        raise TypeError("cva_glmnet takes alphas= (a sequence), not alpha=")
    alphas = _alphas(alphas)
    prob, kw, labels, fold, k, type_measure, gpu = _cv_problem(X, y, nfolds, foldid, type_measure, seed,
                                                               dict(glmnet_kwargs, alpha=float(alphas[0])))
    n = prob.X.shape[0]
    shared = get_family(prob.family).solver == "gaussian" and fold_grams_whole(prob, k, gpu)
    if not shared:
        # every alpha on its own, on the same folds
        cvs = [cv_glmnet(X, y, foldid=labels, type_measure=type_measure, keep=keep, grouped=grouped,
                         trace_it=trace_it, alpha=float(a), **glmnet_kwargs) for a in alphas]
        return CVAGlmnet(alphas, cvs, labels, type_measure)
    prob.check_grid_memory(copies=(k + 1) * alphas.size)
    A = alphas.size
    with solver_scope(trace_it, prob.path_points() * (k + 1) * A, f"cva_glmnet ({A} alphas x ({k} folds + full))"):
        flmins = np.append(fold_flmins(prob, kw["lambda_min_ratio"], fold, k), prob.flmin)
        stds = fold_problems(prob, fold, k, gpu)
        # folds x alphas in one batch: the K + 1 problems repeated per alpha share their Gram matrices
        paths = gaussian.fit_paths(stds * A, **prob.path_options(gpu, alpha=np.repeat(alphas, k + 1),
                                                                 flmin=np.tile(flmins, A)))
        grouped = _enforce_grouped(grouped, n, k, stacklevel=2)
        cvs = []
        for i, a in enumerate(alphas):
            *folds, full = paths[i * (k + 1):(i + 1) * (k + 1)]
            cvs.append(_gaussian_cv(replace(prob, alpha=float(a)), labels, fold, k, full, folds, type_measure, keep,
                                    grouped))
    return CVAGlmnet(alphas, cvs, labels, type_measure)


__all__ = ["cva_glmnet", "CVAGlmnet"]
