r"""``glmlx.glmnet_many``: one gaussian lasso path per response, many responses over one X in one call.

Each column ``y_k`` of Y gets the path ``glmnet(X, y_k)`` would give: its own
lambda grid (from its own lambda_max), its own early stops and its own
standardization of y. What depends on X alone (its column moments and Gram
matrix, or its column-major copy) is formed once, the K gradients
X'W(y_k - ybar_k) come from one matrix product, and the K paths run as one
batch of problems on glmlx's threads. This is not ``family="mgaussian"``,
whose group penalty ties the responses' coefficients together.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from . import _sparse, gaussian
from ._frames import frame_to_numpy, response_to_numpy
from ._progress import solver_scope
from ._validation import as_array, device_stream, refuse_transforms
from .glmnet import (GlmnetFit, _NOT_TRACEABLE, _prepare_arrays, check_device_request, check_path_memory,
                     device_path_problem, fit_result)


def _responses(Y, n) -> np.ndarray:
    Yv = as_array(Y, "Y")
    if np.asarray(Yv).dtype.kind == "c":
        raise TypeError("Y must be real, got complex values")
    Yv = np.asarray(Yv, dtype=np.float64)
    if Yv.ndim == 1:
        Yv = Yv[:, None]
    if Yv.ndim != 2 or Yv.shape[0] != n or Yv.shape[1] < 1:
        raise ValueError(f"Y must have shape ({n}, K) with K >= 1 responses, to match X's {n} rows; "
                         f"got {Yv.shape}")
    bad = ~np.all(np.isfinite(Yv), axis=0)
    if bad.any():
        raise ValueError(f"Y contains NaN or infinite values (in column {int(np.flatnonzero(bad)[0])})")
    return Yv


def _rows(X) -> int:
    shape = getattr(X, "shape", None)
    if shape is None:
        shape = np.shape(X)
    if len(shape) != 2:
        raise ValueError(f"X must be a 2-D matrix (n, p), got shape {tuple(shape)}")
    return int(shape[0])


def glmnet_many(X, Y, alpha: float = 1.0, nlambda: int = 100, lambda_min_ratio: Optional[float] = None,
                lambdas=None, weights=None, penalty_factor=None, lower_limits=-np.inf, upper_limits=np.inf,
                standardize: bool = True, fit_intercept: bool = True, thresh: float = 1e-7, maxit: int = 100_000,
                dfmax: Optional[int] = None, pmax: Optional[int] = None, exclude=None, type_gaussian: str = "auto",
                dtype=None, stream=None, trace_it: int = 0) -> list[GlmnetFit]:
    r"""Fit one gaussian elastic-net path per column of Y, all sharing X: ``[glmnet(X, Y[:, k]) for k]`` in one call.

    For each response ``y_k`` (column k of Y) and each of its lambdas, with
    weights ``w`` normalized to sum to one,

    .. math::
        \min_{a_0, b}\ \frac12 \sum_i w_i (y_{ik} - a_0 - x_i^\top b)^2 + \lambda \sum_j v_j
        \Big(\frac{1-\alpha}{2}\frac{b_j^2 s_j^2}{s_{y_k}} + \alpha s_j |b_j|\Big)

    exactly as ``glmnet(X, Y[:, k], family="gaussian", ...)`` (same grid rule,
    early stops, warnings and answers, up to rounding in the last bits). The
    responses are independent: unlike ``family="mgaussian"`` there is no group
    penalty across them. Use it for thousands of responses over one design
    (genes, pixels, assets): X's Gram matrix or column-major copy is formed
    once and the paths run as one batch.

    Parameters
    ----------
    X : array_like (n, p), a pandas DataFrame, or a scipy.sparse matrix
        As ``glmnet``'s X.
    Y : array_like (n, K) or pandas DataFrame
        K responses (a 1-D y is one response). Each must vary.
    alpha, nlambda, lambda_min_ratio, lambdas, weights, penalty_factor, lower_limits, upper_limits, standardize, \
fit_intercept, thresh, maxit, dfmax, pmax, exclude, type_gaussian, dtype, trace_it
        As ``glmnet``, applied to every response. A user grid ``lambdas`` is
        the same for all; otherwise each response has its own grid.
    stream : None, or an mx.Stream / mx.Device
        As ``glmnet``: on a GPU (``mx.gpu``) in float32, X's Gram matrix formed there once and the K
        paths run as one batch of the covariance-scheme kernel, one threadgroup per response.

    Returns
    -------
    list of GlmnetFit
        K fits, in Y's column order; fit k is what ``glmnet(X, Y[:, k], ...)``
        returns (``npasses`` counts that response's passes).

    Raises
    ------
    ValueError, TypeError
        As ``glmnet``, naming ``Y`` and the column for a response that is
        constant or not finite.
    """
    refuse_transforms("glmnet_many", _NOT_TRACEABLE, X=X, Y=Y, weights=weights)
    gpu = device_stream(stream)
    if gpu is not None:
        dtype = check_device_request("gaussian", X, dtype)
    X, feature_names = frame_to_numpy(X, "X")
    Y, response_names = response_to_numpy(Y, "Y")
    Yv = _responses(Y, _rows(X))
    K = Yv.shape[1]
    prob = _prepare_arrays(X, Yv[:, 0], family="gaussian", alpha=alpha, nlambda=nlambda,
                           lambda_min_ratio=lambda_min_ratio, lambdas=lambdas, weights=weights,
                           penalty_factor=penalty_factor, lower_limits=lower_limits, upper_limits=upper_limits,
                           standardize=standardize, fit_intercept=fit_intercept, thresh=thresh, maxit=maxit,
                           dfmax=dfmax, pmax=pmax, exclude=exclude, type_gaussian=type_gaussian, dtype=dtype)
    prob.feature_names = feature_names
    p = prob.X.shape[1]
    if prob.user_lambdas is not None:
        check_path_memory(prob.user_lambdas.size, p, K, "lambdas")
    else:
        check_path_memory(prob.nlambda, p, K, "nlambda")
    if gpu is not None:
        device_path_problem(prob)
        stds = gaussian.standardize_on_device(prob.X, Yv, prob.weights[None], prob.excluded, prob.standardize,
                                              prob.fit_intercept, gpu, names=[f"Y[:, {k}]: " for k in range(K)])
    else:
        sparse_mode = gaussian.sparse_mode(prob.residual, prob.lazy) if _sparse.is_sparse(prob.X) else None
        stds = gaussian.standardize_many(prob.X, Yv, prob.weights, prob.excluded, prob.standardize,
                                         prob.fit_intercept, lazy=prob.lazy, residual=prob.residual,
                                         sparse_mode=sparse_mode)
    with solver_scope(trace_it, prob.path_points(), f"glmnet_many ({K} responses)"):
        results = gaussian.fit_paths(stds, **prob.path_options(gpu))
    names = response_names if response_names is not None else [f"Y[:, {k}]" for k in range(K)]
    for k, res in enumerate(results):
        gaussian.warn_path_errors(res, prob.maxit, prob.pmax, what=f"{names[k]}: ", stacklevel=3)
    return [fit_result(prob, res) for res in results]


__all__ = ["glmnet_many", "GlmnetFit"]
