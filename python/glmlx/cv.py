"""``glmlx.cv_glmnet``: K-fold cross-validation of the lambda path, as R's ``cv.glmnet``.

R refits every fold from scratch. Here every fold's training problem is
standardized from the full-data Gram matrix minus the held-out rows' Gram
(``gaussian.standardize_cv``), and the folds and the full data go through the
coordinate-descent primitive as one batch (threads across problems). As in R's
cv.glmnet 4.1, each fold fits its own lambda path and is evaluated at the
full-data lambdas by glmnet's interpolation; held-out losses come from a
per-family loss of the predictions (``LOSSES``).
"""
from __future__ import annotations

import warnings
from typing import Optional, Union

import mlx.core as mx
import numpy as np

from .families import FAMILIES, get_family
from . import _sparse, cv_glm, gaussian
from ._ext_loader import _ext
from ._progress import solver_scope
from ._validation import device_stream, refuse_transforms
from .glmnet import (_NOT_TRACEABLE, GlmnetFit, _data_frame, _fit, _MxPickle, _prepare, check_device_request,
                     device_path_problem, fit_result, interp_points,
                     interpolate_at)
from .primitives import host_matmul

MEASURES = {name: fam.cv_measures for name, fam in FAMILIES.items()}  # family -> cv.glmnet's type.measure values
MEASURE_NAMES = {"mse": "Mean-Squared Error", "deviance": "Mean-Squared Error", "mae": "Mean Absolute Error"}


class CVGlmnet(_MxPickle):
    """Result of ``cv_glmnet`` (R's ``cv.glmnet`` object).

    Attributes
    ----------
    lambdas, cvm, cvsd, cvup, cvlo, nzero : mx.array (nlam,)
    lambda_min, lambda_1se : float   lambda with the least mean CV error; the largest within one SE of it
    index_min, index_1se : int       their 0-based positions in ``lambdas``
    fit : GlmnetFit                  the full-data path
    fit_preval : mx.array (n, nlam) or None   out-of-fold predictions (keep=True)
    foldid : np.ndarray (n,)         fold labels as given (or drawn, 1..K)
    type_measure, name : str
    """

    def __init__(self, fit: GlmnetFit, cvm, cvsd, foldid, type_measure, preval):
        lam = fit._lam_np
        self.fit = fit
        self.lambdas = fit.lambdas
        self._cvm_np = np.asarray(cvm, dtype=np.float64)  # as computed, whatever the results' dtype
        self.cvm = mx.array(cvm, dtype=fit.dtype)
        self.cvsd = mx.array(cvsd, dtype=fit.dtype)
        self.cvup = mx.array(cvm + cvsd, dtype=fit.dtype)
        self.cvlo = mx.array(cvm - cvsd, dtype=fit.dtype)
        self.nzero = fit.df
        self.foldid = foldid
        self.type_measure = type_measure
        self.name = cv_glm.measure_name(fit.family, type_measure) if get_family(fit.family).solver != "gaussian" \
            else MEASURE_NAMES[type_measure]
        self.fit_preval = None if preval is None else mx.array(preval, dtype=fit.dtype)
        # getOptcv.glmnet: ties broken toward the larger lambda; AUC is maximized
        crit = -cvm if type_measure == "auc" else cvm
        self.index_min = int(np.flatnonzero(crit <= np.nanmin(crit))[0])
        self.lambda_min = float(lam[self.index_min])
        semin = crit[self.index_min] + cvsd[self.index_min]
        self.index_1se = int(np.flatnonzero(crit <= semin)[0])
        self.lambda_1se = float(lam[self.index_1se])

    def __repr__(self):
        return (f"CVGlmnet(measure={self.type_measure!r}, nfolds={np.unique(self.foldid).size}, "
                f"lambda_min={self.lambda_min:.6g}, lambda_1se={self.lambda_1se:.6g})")

    def __str__(self):
        """R's print.cv.glmnet: the measure and the lambda_min / lambda_1se rows."""
        from .printing import cv_table

        return cv_table(self)

    def summary(self):
        """print(cv)'s table as a pandas DataFrame: rows "min" and "1se"; Lambda, Index (1-based), Measure,
        SE, Nonzero."""
        from .printing import cv_columns

        return _data_frame(cv_columns(self), index=["min", "1se"])

    def _s(self, s):
        if isinstance(s, str):
            if s not in ("lambda_1se", "lambda_min"):
                raise ValueError(f"s must be 'lambda_1se', 'lambda_min' or numbers, got {s!r}")
            return getattr(self, s)
        return s

    def predict(self, Xnew=None, s="lambda_1se", type: str = "link", newoffset=None) -> Union[mx.array, np.ndarray, list]:
        """Predictions of the full-data fit at ``s`` (default lambda_1se, as R); see GlmnetFit.predict."""
        return self.fit.predict(Xnew, s=self._s(s), type=type, newoffset=newoffset)

    def coef(self, s="lambda_1se") -> mx.array:
        """Coefficients of the full-data fit at ``s`` (default lambda_1se, as R); see GlmnetFit.coef."""
        return self.fit.coef(s=self._s(s))

    def coef_table(self, s="lambda_1se"):
        """``coef`` as a pandas DataFrame with row names; see GlmnetFit.coef_table."""
        return self.fit.coef_table(s=self._s(s))

    def plot(self, path: Optional[str] = None, *, ax=None):
        """CV curve with error bars and the two chosen lambdas (matplotlib), as R's plot.cv.glmnet.

        ``ax``: Axes to draw on; ``path``: save the figure there. Returns the Axes.
        """
        from .plotting import plot_cv

        return plot_cv(self, path, ax=ax)


def _folds(n: int, nfolds: int, foldid, seed) -> tuple[np.ndarray, np.ndarray, int]:
    """(labels as given or drawn, 0-based fold index, K)."""
    if foldid is not None:
        labels = np.asarray(foldid).reshape(-1)
        if labels.shape[0] != n:
            raise ValueError(f"foldid must have length n={n}, got {labels.shape[0]}")
        if labels.dtype.kind not in "iu" and not (labels.dtype.kind == "f" and np.all(labels == np.round(labels))):
            raise ValueError("foldid must hold integer fold labels")
        values, index = np.unique(labels, return_inverse=True)
        k = values.size
    else:
        if isinstance(nfolds, bool) or not isinstance(nfolds, (int, np.integer)):
            raise TypeError(f"nfolds must be an integer, got {type(nfolds).__name__}")
        if nfolds > n:
            raise ValueError(f"nfolds={nfolds} is larger than the number of observations n={n}")
        rng = np.random.default_rng(seed)
        labels = rng.permutation(np.resize(np.arange(1, nfolds + 1), n))
        index, k = labels - 1, int(nfolds)
    if k < 3:
        raise ValueError(f"cross-validation needs at least 3 folds, got {k}; 10 is recommended")
    return labels, index, k


def _r_weighted_mean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """R's weighted.mean over axis 0: products in double, sums in long double (R's sum()).

    The same rounding as R matters where the CV curve has exact ties (AUC and
    misclassification rates are ratios of counts): lambda_min is the largest
    lambda among the tied minima.
    """
    ld = np.longdouble
    num = (x * w.reshape((-1,) + (1,) * (x.ndim - 1))).astype(ld).sum(axis=0).astype(np.float64)
    return num / float(w.astype(ld).sum())


def _fold_order(fold: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows sorted by fold (ascending within a fold) and the folds' bounds in that order (k + 1,)."""
    order = np.argsort(fold, kind="stable")
    return order, np.concatenate([[0], np.cumsum(np.bincount(fold, minlength=k))])


def fold_flmins(prob, lambda_min_ratio, fold: np.ndarray, k: int) -> np.ndarray:
    """Each fold's lambda_min_ratio (k,).

    R's cv.glmnet refits a fold with ``glmnet(x[!which, ], ...)``, whose default
    ``lambda.min.ratio = ifelse(nobs < nvars, 0.01, 1e-4)`` is evaluated with
    the fold's training rows (zero weights included), not the full data's.
    A ratio the user gave, or user lambdas, apply to every fold unchanged.

    Parameters
    ----------
    prob : _Problem
        The prepared full-data problem.
    lambda_min_ratio : float or None
        The user's ``lambda_min_ratio`` (None: glmnet's default).
    fold : (n,) ints
        0-based fold of every row.
    k : int
        Number of folds.

    Returns
    -------
    np.ndarray (k,)
        The ratio each fold's own lambda grid uses.
    """
    if lambda_min_ratio is not None or prob.user_lambdas is not None:
        return np.full(k, prob.flmin)
    n_train = prob.X.shape[0] - np.bincount(fold, minlength=k)
    return np.where(n_train < prob.X.shape[1], 0.01, 1e-4)


def fold_grams_whole(prob, k: int, stream=None) -> bool:
    """Whether the K folds' p x p Gram matrices are formed whole (``fold_problems``): dense X, and on a GPU
    (the covariance kernel) or where they fit in memory; else their columns are formed on demand."""
    if _sparse.is_sparse(prob.X):
        return False
    return stream is not None or not (prob.strong and gaussian.prefer_lazy(prob.y.shape[0], prob.X.shape[1],
                                                                          copies=k))


def fold_problems(prob, fold: np.ndarray, k: int, stream=None) -> list:
    """The K folds' standardized problems, then the full data's, with whole Gram matrices: one pass over X on
    the CPU (``standardize_cv``), or K + 1 Grams on a GPU ``stream`` (``standardize_on_device``)."""
    if stream is None:
        order, bounds = _fold_order(fold, k)
        return gaussian.standardize_cv(prob.X, prob.y, prob.weights, fold,
                                       [order[bounds[j]:bounds[j + 1]] for j in range(k)], prob.excluded,
                                       prob.standardize, prob.fit_intercept)
    device_path_problem(prob)
    W = np.vstack([np.where(fold == j, 0.0, prob.weights) for j in range(k)] + [prob.weights[None]])
    rows = np.vstack([fold != j for j in range(k)] + [np.ones((1, fold.size), dtype=bool)])
    return gaussian.standardize_on_device(prob.X, prob.y[:, None], W, prob.excluded, prob.standardize,
                                          prob.fit_intercept, stream, rows=rows, names=gaussian.fold_names(k) + [""])


def _gaussian_paths(prob, fold: np.ndarray, k: int, flmins: np.ndarray, stream=None):
    """Paths of the full data and of the K folds (gaussian): (full PathResult, list of the folds').

    Each fold fits its own path (the user's lambdas when given, else its own
    grid down to ``flmins[j]`` times its lambda_max), as R's cv.glmnet 4.1.
    Where the K Gram matrices are formed whole (``fold_grams_whole``: on a GPU
    ``stream`` too), the full data joins the folds' batch; otherwise (sparse
    X, Gram columns on demand) the full data is solved on its own.
    """
    if _sparse.is_sparse(prob.X):
        # the full fit as glmlx.glmnet fits it; the folds in one batch, each the shared CSC X with its held-out
        # rows weighted zero, by the same scheme (covariance: a Gram each from X's entries, or Gram columns on
        # demand where K p x p Grams would not fit)
        mode = gaussian.sparse_mode(prob.residual, gaussian.prefer_lazy_sparse(prob.X.shape[1], copies=k))
        full = gaussian.fit_paths([gaussian.standardize_sparse(
            prob.X, prob.y, prob.weights, prob.excluded, prob.standardize, prob.fit_intercept,
            mode=gaussian.sparse_mode(prob.residual, prob.lazy))], **prob.path_options())[0]
        stds = []
        for j, name in enumerate(gaussian.fold_names(k)):
            try:
                stds.append(gaussian.standardize_sparse(prob.X, prob.y, np.where(fold == j, 0.0, prob.weights),
                                                        prob.excluded, prob.standardize, prob.fit_intercept,
                                                        mode=mode, rows=fold != j))
            except ValueError as e:
                raise ValueError(name + str(e)) from None
        return full, gaussian.fit_paths(stds, **prob.path_options(flmin=flmins))
    if not fold_grams_whole(prob, k, stream):
        std = gaussian.standardize(prob.X, prob.y, prob.weights, prob.excluded, prob.standardize,
                                   prob.fit_intercept, lazy=prob.lazy, residual=prob.residual)
        full = gaussian.fit_paths([std], **prob.path_options())[0]
        stds = gaussian.standardize_folds(prob.X, prob.y, prob.weights, fold, k, prob.excluded, prob.standardize,
                                          prob.fit_intercept)
        return full, gaussian.fit_paths(stds, **prob.path_options(flmin=flmins))
    stds = fold_problems(prob, fold, k, stream)
    *folds, full = gaussian.fit_paths(stds, **prob.path_options(stream, flmin=np.append(flmins, prob.flmin)))
    return full, folds


def _gaussian_loss(y: np.ndarray, pred: np.ndarray, measure: str) -> np.ndarray:
    """Losses (rows, nlam) of predictions ``pred`` of ``y`` for a gaussian type_measure."""
    resid = y[:, None] - pred
    return np.abs(resid) if measure == "mae" else resid * resid


LOSSES = {"gaussian": _gaussian_loss}  # family -> loss(y, predictions, type_measure)


def _held_out_link(X: np.ndarray, order: np.ndarray, bounds: np.ndarray, paths: list, lam: np.ndarray):
    """Linear predictors (n, nlam) of the rows ``order`` (sorted by fold) by their own folds' paths.

    Each path is interpolated at the full-data lambdas ``lam`` (glmnet's
    linear interpolation in lambda); the products run in one C++ call.
    """
    left, right, frac = interp_points([r.lambdas for r in paths], lam)
    if _sparse.is_sparse(X):  # the held-out rows' products from X's stored entries
        out = np.empty((order.size, lam.size))
        for j, r in enumerate(paths):
            coef = interpolate_at(np.vstack([r.a0, r.beta]), left[j], right[j], frac[j])  # (p + 1, nlam)
            out[bounds[j]:bounds[j + 1]] = np.asarray(X[order[bounds[j]:bounds[j + 1]]] @ coef[1:]) + coef[0]
        return out
    return _ext.cv_link_numpy(X, order, bounds, [r.beta.T for r in paths], [r.a0 for r in paths], left, right,
                              frac)


def _enforce_grouped(grouped: bool, n: int, k: int, stacklevel: int) -> bool:
    """R's rule: grouped statistics need 3 or more observations per fold (else a warning)."""
    if grouped and n / k < 3:
        warnings.warn("Option grouped=False enforced in cv_glmnet, since < 3 observations per fold",
                      UserWarning, stacklevel=stacklevel + 1)
        return False
    return grouped


def _fold_means(w: np.ndarray, loss, bounds: np.ndarray):
    """Each fold's weighted mean loss (k, nlam) and total weight (k,).

    Rows are sorted by fold (``bounds`` as ``_fold_order``); ``loss(f)`` gives
    the losses (rows, nlam) of the row slice f. Fold by fold: (n, nlam)
    temporaries would cost more in page faults than the loop.
    """
    k = bounds.size - 1
    wsum = np.empty(k)
    rows = []
    for j in range(k):
        f = slice(bounds[j], bounds[j + 1])
        wsum[j] = w[f].sum()
        rows.append(host_matmul(w[f], loss(f)) / wsum[j])
    return np.stack(rows), wsum


def _why_empty(jerr: int, prob) -> str:
    """What stopped a path before its first lambda (glmnet's warning text, without its tail)."""
    return gaussian.path_error_message(jerr, prob.maxit, prob.pmax).split(";")[0] + f" (glmnet error code {jerr})"


def _check_full_fit(fit: GlmnetFit, prob) -> None:
    """A full-data path without a single lambda has nothing to cross-validate: say why (not a later
    complaint about interpolating at ``s``)."""
    if fit._lam_np.size == 0:
        raise ValueError(f"the path could not be fit on the full data: {_why_empty(fit.jerr, prob)}")


def _check_fold_paths(prob, paths: list, stacklevel: int) -> None:
    """Folds whose path could not start raise; glmnet's warnings for paths cut short."""
    for j, res in enumerate(paths):
        if res.lambdas.size == 0:
            raise ValueError(f"fold {j + 1}: the path could not be fit: {_why_empty(res.jerr, prob)}")
        gaussian.warn_path_errors(res, prob.maxit, prob.pmax, what=f"fold {j + 1}: ", stacklevel=stacklevel + 1)


def _grouped_stats(per_fold: np.ndarray, wsum: np.ndarray):
    """cvm and cvsd from per-fold mean losses, as R's cvcompute + cvstats (N = number of folds)."""
    cvm = _r_weighted_mean(per_fold, wsum)
    cvsd = np.sqrt(_r_weighted_mean((per_fold - cvm) ** 2, wsum) / (per_fold.shape[0] - 1))
    return cvm, cvsd


def _ungrouped_stats(err: np.ndarray, weights: np.ndarray):
    """cvm and cvsd over observations (grouped=False), as R's cvstats."""
    cvm = _r_weighted_mean(err, weights)
    cvsd = np.sqrt(_r_weighted_mean((err - cvm) ** 2, weights) / (err.shape[0] - 1))
    return cvm, cvsd


def cv_glmnet(X, y, nfolds: int = 10, foldid=None, type_measure: str = "default", keep: bool = False,
              seed=None, grouped: bool = True, trace_it: int = 0, **glmnet_kwargs) -> CVGlmnet:
    r"""K-fold cross-validation for ``glmnet``, with R ``cv.glmnet``'s definitions.

    Every fold is fit on its own path (as R's cv.glmnet 4.1; the user's lambdas
    when given, else a grid down to the fold's own default lambda_min_ratio,
    0.01 when its training rows are fewer than the columns) and predicted at
    the full-data lambdas by glmnet's linear interpolation in lambda; the error
    of fold j at lambda l is the weighted mean of its held-out losses; ``cvm``
    is their mean weighted by the folds' total weights, ``cvsd`` its standard error,

    .. math::  \mathrm{cvsd}_l = \sqrt{\frac{\sum_j W_j (e_{jl} - \mathrm{cvm}_l)^2}{(K - 1) \sum_j W_j}},

    ``lambda_min`` the lambda of least ``cvm`` and ``lambda_1se`` the largest
    lambda with ``cvm <= cvm_min + cvsd_min``.

    Parameters
    ----------
    nfolds : int           number of folds drawn at random (ignored when foldid is given)
    foldid : (n,) ints     fold labels, any integers; one fold per distinct value (R's 1..K works unchanged)
    type_measure : "default", "mse", "mae", "deviance", "class" or "auc"
        gaussian: mse/mae/deviance (default mse); binomial: deviance (default), class, auc, mse, mae;
        poisson: deviance (default), mse, mae; multinomial: deviance (default), class, mse, mae;
        mgaussian: mse (default), deviance, mae. As R's cv.glmnet, lambda_min maximizes the AUC.
    keep : bool            keep the out-of-fold predictions in ``fit_preval``
    trace_it : int         1: one progress bar over the lambdas of the full fit and every fold (R's
                           ``trace.it``); 0: quiet. Ctrl-C stops every fold's solver and raises KeyboardInterrupt.
    seed : int, optional   for the random folds
    grouped : bool         per-fold errors first (R's default), else per observation
    **glmnet_kwargs        passed to ``glmnet`` (alpha, weights, penalty_factor, ...; ``stream`` as glmnet:
                           on a GPU, gaussian in float32, the K folds and the full fit as one batch)

    Notes
    -----
    As :func:`glmnet`, it raises ValueError naming ``glmlx.cv_glmnet`` under ``mx.grad``, ``mx.vmap`` or
    ``mx.compile``.
    """
    refuse_transforms("cv_glmnet", _NOT_TRACEABLE, X=X, y=y, weights=glmnet_kwargs.get("weights"),
                      offset=glmnet_kwargs.get("offset"), foldid=foldid)
    prob, kw, labels, fold, k, type_measure, gpu = _cv_problem(X, y, nfolds, foldid, type_measure, seed, glmnet_kwargs)
    n = prob.X.shape[0]
    with solver_scope(trace_it, prob.path_points() * (k + 1), f"cv_glmnet ({k} folds + full fit)"):
        flmins = fold_flmins(prob, kw["lambda_min_ratio"], fold, k)
        if get_family(prob.family).solver != "gaussian":
            return _cv_family(prob, labels, fold, k, type_measure, keep, grouped, flmins)
        full, results = _gaussian_paths(prob, fold, k, flmins, gpu)
        return _gaussian_cv(prob, labels, fold, k, full, results, type_measure, keep,
                            _enforce_grouped(grouped, n, k, stacklevel=2))


def _cv_problem(X, y, nfolds, foldid, type_measure, seed, glmnet_kwargs: dict):
    """cv_glmnet's checks: (prob, glmnet's arguments, fold labels, fold index, K, type_measure, GPU stream)."""
    glmnet_kwargs = dict(glmnet_kwargs)
    family = glmnet_kwargs.get("family", "gaussian")
    allowed = MEASURES.get(family, ())
    if type_measure == "default":
        type_measure = FAMILIES[family].default_measure if family in FAMILIES else "mse"
    if type_measure not in allowed:
        raise ValueError(f"type_measure must be 'default' or one of {allowed} for family={family!r}, "
                         f"got {type_measure!r}")
    gpu = device_stream(glmnet_kwargs.pop("stream", None))  # as glmnet: gaussian on a GPU, in float32
    if gpu is not None:
        glmnet_kwargs["dtype"] = check_device_request(family, X, glmnet_kwargs.get("dtype"))
    if "lambdas" in glmnet_kwargs and glmnet_kwargs["lambdas"] is None:
        glmnet_kwargs.pop("lambdas")
    kw = dict(family="gaussian", alpha=1.0, nlambda=100, lambda_min_ratio=None, lambdas=None, weights=None,
              penalty_factor=None, lower_limits=-np.inf, upper_limits=np.inf, standardize=True,
              fit_intercept=True, thresh=1e-7, maxit=100_000, dfmax=None, pmax=None, exclude=None,
              type_gaussian="auto", offset=None, type_logistic="Newton", type_multinomial="ungrouped",
              standardize_response=False, dtype=None)
    unknown = set(glmnet_kwargs) - set(kw)
    if unknown:
        raise TypeError(f"unexpected glmnet arguments: {sorted(unknown)}")
    kw.update(glmnet_kwargs)
    prob = _prepare(X, y, **kw)
    n = prob.X.shape[0]
    labels, fold, k = _folds(n, nfolds, foldid, seed)
    # every fold's path is held beside the full one
    prob.check_grid_memory(copies=k + 1)
    empty = np.flatnonzero(np.bincount(fold, weights=prob.weights > 0, minlength=k) == 0)
    if empty.size:
        raise ValueError(f"fold {empty[0] + 1} has no observation with positive weight")
    return prob, kw, labels, fold, k, type_measure, gpu


def _gaussian_cv(prob, labels, fold: np.ndarray, k: int, full, results: list, type_measure: str, keep: bool,
                 grouped: bool) -> CVGlmnet:
    """cv.glmnet's statistics for a gaussian full-data path and its K folds' paths."""
    family = prob.family
    order, bounds = _fold_order(fold, k)
    gaussian.warn_path_errors(full, prob.maxit, prob.pmax, stacklevel=4)
    fit = fit_result(prob, full)
    _check_full_fit(fit, prob)
    lam = fit._lam_np
    _check_fold_paths(prob, results, stacklevel=4)
    link = _held_out_link(prob.X, order, bounds, results, lam)  # rows in fold order
    preval = None
    if keep or not grouped:
        preval = np.empty_like(link)
        preval[order] = link
    y = prob.y[order]
    per_fold, wsum = _fold_means(prob.weights[order], lambda f: LOSSES[family](y[f], link[f], type_measure), bounds)
    if grouped:
        cvm, cvsd = _grouped_stats(per_fold, wsum)
    else:
        cvm, cvsd = _ungrouped_stats(LOSSES[family](prob.y, preval, type_measure), prob.weights)
    return CVGlmnet(fit, cvm, cvsd, labels, type_measure, preval if keep else None)


def _cv_family(prob, labels, fold: np.ndarray, k: int, type_measure: str, keep: bool, grouped: bool,
               flmins: np.ndarray) -> CVGlmnet:
    """cv.glmnet for the non-gaussian families: folds in one threaded C++ call, R's losses (cv_glm)."""
    fit = _fit(prob)
    _check_full_fit(fit, prob)
    lam = fit._lam_np
    n = prob.X.shape[0]
    if type_measure == "auc" and cv_glm.auc_fallback(n, k):
        type_measure = "deviance"
    paths = cv_glm.fold_paths(prob, fold, k, flmins)
    _check_fold_paths(prob, paths, stacklevel=4)
    if paths[0].beta.ndim == 2:  # one response: the gaussian CV's C++ call
        order, bounds = _fold_order(fold, k)
        pre = np.empty((n, lam.size))
        pre[order] = _held_out_link(prob.X, order, bounds, paths, lam)  # float32 X is read as it is
        if prob.offset is not None:
            pre += prob.offset[:, None]
    else:
        pre = cv_glm.held_out_class_links(prob, paths, fold, lam)
    if type_measure == "auc":
        auc, wsum = cv_glm.fold_auc(prob, pre, fold, k)
        cvm, cvsd = _grouped_stats(auc, wsum)  # per-fold AUCs, as R (grouped=FALSE there, same statistics)
    else:
        raw, w = cv_glm.losses(prob, pre, type_measure)
        if _enforce_grouped(grouped, n, k, stacklevel=3):
            order, bounds = _fold_order(fold, k)
            raw_sorted = raw[order]
            cvm, cvsd = _grouped_stats(*_fold_means(w[order], lambda f: raw_sorted[f], bounds))
        else:
            cvm, cvsd = _ungrouped_stats(raw, w)
    out = CVGlmnet(fit, cvm, cvsd, labels, type_measure, pre if keep else None)
    out.nzero = mx.array(cv_glm.nzero(fit, prob.family, prob.kopt == 2).astype(np.int32))
    return out
