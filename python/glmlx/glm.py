r"""GLM families (binomial, poisson, multinomial) with glmnet's semantics.

For each lambda glmnet (and this module) minimizes, with weights ``w``
normalized to sum to one,

.. math::
    -\sum_i w_i \,\ell(y_i, \eta_i) + \lambda \sum_j v_j
    \Big(\frac{1-\alpha}{2} b_j^2 s_j^2 + \alpha\, s_j |b_j|\Big),
    \qquad \eta_i = a_0 + x_i^\top b + o_i,

with ``ell`` the binomial (logit link) or poisson (log link) log-likelihood
(per class with a multinomial softmax, where the penalty applies to each
class's coefficients, or, ``grouped``, to their Euclidean norm across classes),
``o`` the offset, ``s_j`` the weighted standard deviation of column j (1 when
``standardize=False``) and ``v`` the penalty factors rescaled to sum to p.

The solver is C++ (``csrc/solver/irls.cpp``, ``csrc/solver/multinomial.cpp``): glmnet 4.1's IRLS around
coordinate descent with residual updates, on a standardized column-major copy
of X, with the sequential strong rule and KKT checks; it reproduces glmnet's
iterates. This module turns responses into glmnet's form and results into
arrays on the original scale.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Optional

import numpy as np

from . import _sparse
from ._frames import category_levels

from ._ext_loader import _ext
from ._control import BIG, DEVMAX, EPS, MNLAM
from .families import get_family
from .gaussian import GlmnetWarning, fix_first_lambda

TYPE_LOGISTIC = {"Newton": 0, "modified.Newton": 1}


@dataclass
class Response:
    """A response in glmnet's internal form: class proportions (or counts) and row weights."""

    y: np.ndarray  # (n,) binomial proportion of the second class / poisson counts; (K, n) multinomial
    weights: np.ndarray  # (n,) raw weights (binomial/multinomial: times the row totals of a count matrix)
    classes: Optional[np.ndarray]  # class labels, sorted (binomial, multinomial)
    nclass: int  # K coefficient sets (1 for binomial and poisson)


def _labels(y, n: int, name: str = "y"):
    levels = category_levels(y)
    if levels is not None:
        # a pandas categorical: its categories are the levels, in their order (R's factor levels)
        if levels[1].shape[0] != n:
            raise ValueError(f"{name} must have shape ({n},) to match X, got ({levels[1].shape[0]},)")
        return levels
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n},) to match X, got {arr.shape}")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if arr.dtype == object:
        arr = arr.astype(str)
    classes, codes = np.unique(arr, return_inverse=True)
    return classes, codes.reshape(-1)


def _count_matrix(y: np.ndarray, n: int, K: int, family: str) -> np.ndarray:
    if y.shape != (n, K):
        raise ValueError(f"y must be ({n},) labels or an ({n}, {K}) count matrix for family={family!r}, "
                         f"got shape {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or infinite values")
    if np.any(y < 0):
        raise ValueError("y: a count matrix must have non-negative entries")
    return y


def _check_classes(counts: np.ndarray, classes) -> None:
    # lognet.R: the smallest class decides between an error and a warning.
    smallest = int(counts.min())
    if smallest <= 1:
        raise ValueError(f"y: one {('binomial' if len(classes) == 2 else 'multinomial')} class has "
                         f"{smallest} observations (class {classes[int(counts.argmin())]!r}); glmnet needs at least 2")
    if smallest < 8:
        warnings.warn("one multinomial or binomial class has fewer than 8 observations; dangerous ground",
                      GlmnetWarning, stacklevel=4)


def prepare_response(family: str, y, n: int, weights: np.ndarray) -> Response:
    """glmnet's response handling (lognet.R / fishnet.R), with clear errors."""
    if np.asarray(y).dtype.kind == "c":
        # R stops on complex y; numpy would drop the imaginary part with only a warning.
        raise TypeError(f"y must be real, got complex values (dtype {np.asarray(y).dtype})")
    fam = get_family(family)
    if not fam.classifies:  # counts
        yv = np.asarray(y, dtype=np.float64) if not isinstance(y, np.ndarray) else y.astype(np.float64)
        if yv.ndim == 2 and yv.shape[1] == 1:
            yv = yv[:, 0]
        if yv.ndim != 1 or yv.shape[0] != n:
            raise ValueError(f"y must have shape ({n},) to match X, got {yv.shape}")
        if not np.all(np.isfinite(yv)):
            raise ValueError("y contains NaN or infinite values")
        if np.any(yv < 0):
            raise ValueError(f"y: negative counts are not allowed for family={family!r}")
        if not np.any(yv[weights > 0] > 0):  # R fails after maxit with NaN nulldev and Inf lambdas
            raise ValueError("y: every count with a positive weight is 0, so the poisson null model has no "
                             "finite intercept (the log of a zero mean)")
        return Response(np.ascontiguousarray(yv), weights, None, 1)
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] > 1:
        if arr.dtype.kind not in "fiub":
            raise TypeError(f"y: a count matrix must be numeric, got dtype {arr.dtype}")
        K = arr.shape[1]
        if fam.binary and K != 2:
            raise ValueError(f"y: a binomial count matrix has 2 columns, got {K}; use family='multinomial'")
        counts = _count_matrix(arr.astype(np.float64), n, K, family)
        classes = np.arange(K)
    else:
        classes, codes = _labels(y, n)  # y itself: a pandas categorical brings its level order
        K = classes.size
        fewest, most = fam.class_counts
        if most is not None and fewest == most and K != most:
            raise ValueError(f"y must have exactly {most} classes for family={family!r}, got {K}"
                             + ("; use family='multinomial'" if K > most else ""))
        if K < fewest:
            raise ValueError(f"y must have at least {fewest} classes for family={family!r}, got {K}")
        _check_classes(np.bincount(codes, minlength=K), classes)
        counts = np.zeros((n, K))
        counts[np.arange(n), codes] = 1.0
    # lognet.R: weights times the row totals; rows are then class proportions.
    totals = counts.sum(axis=1)
    w = weights * totals
    if not w.sum() > 0:
        raise ValueError("weights: the total weight of the observations is zero")
    props = counts / np.where(totals > 0, totals, 1.0)[:, None]
    if fam.binary:  # one coefficient set: the second class's proportion
        return Response(np.ascontiguousarray(props[:, 1]), w, classes, 1)
    return Response(np.ascontiguousarray(props.T), w, classes, K)


def prepare_offset(offset, n: int, K: int, family: str) -> Optional[np.ndarray]:
    """The offset as glmnet takes it: (n,) or, multinomial, (K, n) class-major."""
    if offset is None:
        return None
    try:
        o = np.asarray(offset, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"offset must be numeric, got {type(offset).__name__}") from None
    want = (n,) if K == 1 else (n, K)
    if o.ndim == 2 and K == 1 and o.shape[1] == 1:
        o = o[:, 0]
    if o.shape != want:
        raise ValueError(f"offset must have shape {want} for family={family!r}, got {o.shape}")
    if not np.all(np.isfinite(o)):
        raise ValueError("offset contains NaN or infinite values")
    return np.ascontiguousarray(o if K == 1 else o.T)


@dataclass
class GlmPath:
    """One fitted path on the original scale."""

    lambdas: np.ndarray  # (nlam,)
    a0: np.ndarray  # (nlam,) or (K, nlam)
    beta: np.ndarray  # (p, nlam) or (K, p, nlam)
    dev_ratio: np.ndarray
    nulldev: float
    npasses: int
    jerr: int


# glmnet's jerr.R messages for fatal codes.
def _fatal_message(jerr: int) -> str:
    if jerr == 7777:
        return "X: all used predictors have zero variance (constant or excluded)"
    if 8000 < jerr < 9000:
        return f"null probability for class {jerr - 8000} is below 1e-5 (almost no observations in that class)"
    if 9000 < jerr < 10000:
        return f"null probability for class {jerr - 9000} is above 1 - 1e-5 (almost every observation in that class)"
    return f"glmnet error code {jerr}"


def glm_paths(family: str, X: np.ndarray, resp: Response, offset, *, include, penalty, lower, upper, alpha,
              nlambda, flmin, user_lambdas, thresh, maxit, dfmax, pmax, sml, standardize, fit_intercept, kopt,
              subsets=(), names=None) -> list:
    """glmnet's path for the whole data, or for each row subset (CV folds, solved in threads).

    ``names`` (one per subset) prefixes a subset's errors, e.g. "fold 3: " (CV's fold_paths names them).
    """
    s = _ext.GlmPathSettings()
    s.family = getattr(_ext.GlmFamily, get_family(family).cpp_family)
    s.kopt, s.alpha, s.thresh = int(kopt), float(alpha), float(thresh)
    s.flmin = 1.0 if user_lambdas is not None else float(flmin)
    s.sml, s.rsqmax, s.big, s.eps, s.mnlam = float(sml), DEVMAX, BIG, EPS, MNLAM
    s.nlam, s.maxit, s.pmax, s.dfmax = int(nlambda), int(maxit), int(pmax), int(dfmax)
    s.intercept, s.standardize = bool(fit_intercept), bool(standardize)
    ulam = None if user_lambdas is None else np.ascontiguousarray(user_lambdas, dtype=np.float64)
    rest = (resp.y.reshape(-1), np.ascontiguousarray(resp.weights, dtype=np.float64),
            None if offset is None else offset.reshape(-1), include.astype(np.uint8),
            np.ascontiguousarray(penalty, dtype=np.float64), np.ascontiguousarray(lower, dtype=np.float64),
            np.ascontiguousarray(upper, dtype=np.float64), ulam, s,
            [np.ascontiguousarray(r, dtype=np.int64) for r in subsets])
    if _sparse.is_sparse(X):  # a canonical CSC copy (glmnet._as_data_matrix): its entries, never densified
        raw = _ext.glm_paths_sparse(X.indptr, X.indices, np.ascontiguousarray(X.data, dtype=np.float64),
                                    X.shape[0], *rest)
    else:
        Xd = X if X.dtype in (np.float64, np.float32) else X.astype(np.float64)  # the C++ copy reads float32 too
        raw = _ext.glm_paths(Xd, *rest)
    out = []
    for k, r in enumerate(raw):
        jerr = int(r["jerr"])
        if jerr > 0:
            fold = names[k] if names is not None else ""
            raise ValueError(f"family={family!r}: {fold}{_fatal_message(jerr)}")
        lam = np.array(r["lambdas"])
        if user_lambdas is None:
            lam = fix_first_lambda(lam[None, :], np.array([lam.size]))[0]
        a0, beta = np.asarray(r["a0"]), np.asarray(r["beta"])  # (lmu, K), (lmu, K, p)
        if resp.nclass == 1:
            a0, beta = a0[:, 0].copy(), np.ascontiguousarray(beta[:, 0, :].T)
        else:
            a0, beta = np.ascontiguousarray(a0.T), np.ascontiguousarray(beta.transpose(1, 2, 0))
        out.append(GlmPath(lam, a0, beta, np.array(r["dev_ratio"]), float(r["nulldev"]), int(r["npasses"]), jerr))
    return out


def link_to_response(family: str, eta: np.ndarray) -> np.ndarray:
    """Mean response from the linear predictor (classes on axis 1 for multinomial)."""
    return get_family(family).link_inverse(eta)
