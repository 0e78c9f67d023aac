"""A small program using glmlx's public API, type-checked by tests/api/test_typing.py.

Never run: mypy checks it (``mypy --strict``). The ``assert_type`` calls fail when
a glmlx type degrades to ``Any`` (``assert_type(x, T)`` is exact: ``Any`` is not
``T``), and ``--warn-return-any`` fails the typed helpers below if a glmlx call
they return becomes ``Any``.
"""
from __future__ import annotations

import sys

import mlx.core as mx
import numpy as np

import glmlx
from glmlx import CVAGlmnet, CVGlmnet, GDResult, GlmnetFit

if sys.version_info >= (3, 11):
    from typing import assert_type
else:
    from typing_extensions import assert_type


def lasso_path(X: mx.array, y: mx.array) -> GlmnetFit:
    return glmlx.glmnet(X, y, alpha=1.0, nlambda=50)


def coefficients(fit: GlmnetFit, lam: float) -> mx.array:
    return fit.coef(s=[lam])


def cross_validated(X: np.ndarray, y: np.ndarray) -> CVGlmnet:
    return glmlx.cv_glmnet(X, y, nfolds=5, family="gaussian", seed=0)


def shrink(x: mx.array, t: float) -> mx.array:
    return glmlx.soft_threshold(x, mx.array(t))


def main() -> None:
    X = mx.random.normal((100, 8))
    y = X @ mx.ones((8,)) + 0.1 * mx.random.normal((100,))

    fit = lasso_path(X, y)
    assert_type(glmlx.glmnet(X, y), GlmnetFit)
    assert_type(fit.lambdas, mx.array)
    assert_type(fit.beta, mx.array)
    assert_type(fit.nulldev, float)
    assert_type(fit.jerr, int)
    assert_type(fit.nclass, int)
    assert_type(fit.coef(), mx.array)
    eta = fit.predict(X, s=[0.1])
    print(np.asarray(eta).shape, coefficients(fit, 0.1).shape)

    fits = glmlx.glmnet_many(np.asarray(X), np.stack([np.asarray(y), np.asarray(y) + 1.0], axis=1))
    assert_type(fits, list[GlmnetFit])
    assert_type(fits[0].beta, mx.array)
    cva = glmlx.cva_glmnet(np.asarray(X), np.asarray(y), alphas=[0.5, 1.0], nfolds=5, seed=0)
    assert_type(cva, CVAGlmnet)
    assert_type(cva.alpha_min, float)
    assert_type(cva.cv_min, CVGlmnet)
    assert_type(cva.coef(), mx.array)

    cv = cross_validated(np.asarray(X), np.asarray(y))
    assert_type(cv.fit, GlmnetFit)
    assert_type(cv.lambda_min, float)
    assert_type(cv.index_1se, int)
    assert_type(cv.cvm, mx.array)
    assert_type(cv.coef(), mx.array)
    print(cv.predict(X, s="lambda_min"))

    G = glmlx.gram(X, y, center=True)
    print(G)
    assert_type(shrink(mx.array([-2.0, 0.5, 3.0]), 1.0), mx.array)
    assert_type(glmlx.soft_threshold(X, mx.array(0.5), stream=mx.cpu), mx.array)

    res = glmlx.fit_gd(X, y, loss="huber", optimizer="adam", lr=0.05, steps=200, l1=0.01)
    assert_type(res, GDResult)
    assert_type(res.coef, mx.array)
    assert_type(res.n_steps, int)
    assert_type(res.converged, bool)
    assert_type(res.loss_history, np.ndarray)

    coef_ls = glmlx.lstsq(X, y)  # its return type is being changed elsewhere: not asserted here
    print(coef_ls)

    assert_type(glmlx.cmake_dir(), str)
    assert_type(glmlx.gpu_backend(), str)
    assert_type(glmlx.clear_cache(), None)
    assert_type(glmlx.__version__, str)


if __name__ == "__main__":
    main()
