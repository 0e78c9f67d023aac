"""cva_glmnet: cross-validation over alphas, each alpha exactly cv_glmnet's on the same folds."""
import mlx.core as mx
import numpy as np
import pytest

import glmlx


def _data(n=300, p=20, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 0.3 * rng.standard_normal((n, 1))
    y = X[:, :4] @ np.array([1.0, -1.0, 0.5, 2.0]) + rng.standard_normal(n)
    return X, y, rng


def _same_cv(a, b):
    np.testing.assert_array_equal(np.asarray(a.cvm), np.asarray(b.cvm))
    np.testing.assert_array_equal(np.asarray(a.cvsd), np.asarray(b.cvsd))
    np.testing.assert_array_equal(np.asarray(a.fit.beta), np.asarray(b.fit.beta))
    np.testing.assert_array_equal(np.asarray(a.lambdas), np.asarray(b.lambdas))
    assert a.fit.npasses == b.fit.npasses
    assert (a.lambda_min, a.lambda_1se) == (b.lambda_min, b.lambda_1se)


@pytest.mark.parametrize("kw", [{}, {"type_gaussian": "naive"}, {"fit_intercept": False}, {"standardize": False},
                                {"lambdas": [1.0, 0.3, 0.1, 0.03, 0.01]}, {"type_measure": "mae"},
                                {"lower_limits": -0.5}])
def test_each_alpha_is_cv_glmnet_on_the_same_folds(kw):
    X, y, rng = _data()
    w = rng.uniform(0.5, 2.0, X.shape[0])
    cva = glmlx.cva_glmnet(X, y, alphas=[0.0, 0.25, 1.0], weights=w, seed=3, **kw)
    assert cva.alphas.tolist() == [0.0, 0.25, 1.0] and len(cva.cvs) == 3
    for a, cv in zip(cva.alphas, cva.cvs):
        _same_cv(cv, glmlx.cv_glmnet(X, y, foldid=cva.foldid, alpha=a, weights=w, **kw))


@pytest.mark.parametrize("case", ["binomial", "sparse", "wide"])
def test_other_cases_run_alpha_by_alpha_on_the_same_folds(case):
    X, y, rng = _data(n=120, p=20)
    kw = {}
    if case == "binomial":
        y, kw = y > 0, {"family": "binomial"}
    elif case == "sparse":
        sp = pytest.importorskip("scipy.sparse")
        X = sp.csr_matrix(np.where(np.abs(X) > 1.0, X, 0.0))
    else:
        X = rng.standard_normal((60, 600))  # p >= 500 and p > n: glmnet's naive scheme by residual updates
        y = X[:, :3].sum(axis=1) + rng.standard_normal(60)
    foldid = np.arange(X.shape[0]) % 4 + 1
    cva = glmlx.cva_glmnet(X, y, alphas=[0.5, 1.0], foldid=foldid, nlambda=20, **kw)
    for a, cv in zip(cva.alphas, cva.cvs):
        _same_cv(cv, glmlx.cv_glmnet(X, y, foldid=foldid, alpha=a, nlambda=20, **kw))


def test_alpha_min_and_its_fit():
    X, y, _ = _data()
    cva = glmlx.cva_glmnet(X, y, seed=0)
    np.testing.assert_allclose(cva.alphas, np.linspace(0, 1, 11) ** 3)  # glmnetUtils' default
    best = [float(np.asarray(cv.cvm)[cv.index_min]) for cv in cva.cvs]
    assert cva.index_min == int(np.argmin(best)) and cva.alpha_min == cva.alphas[cva.index_min]
    assert cva.cv_min is cva.cvs[cva.index_min]
    np.testing.assert_array_equal(np.asarray(cva.coef()), np.asarray(cva.cv_min.coef()))
    np.testing.assert_array_equal(np.asarray(cva.predict(X[:5], alpha=0.0, s="lambda_min")),
                                  np.asarray(cva.cvs[0].predict(X[:5], s="lambda_min")))
    with pytest.raises(ValueError, match="alpha must be one of the alphas cross-validated"):
        cva.coef(alpha=0.5)
    assert "alpha_min" in repr(cva)


def test_auc_picks_the_largest():
    X, y, _ = _data()
    cva = glmlx.cva_glmnet(X, y > 0, alphas=[0.2, 1.0], family="binomial", type_measure="auc", seed=0)
    best = [float(np.asarray(cv.cvm)[cv.index_min]) for cv in cva.cvs]
    assert cva.index_min == int(np.argmax(best))


def test_bad_arguments():
    X, y, _ = _data()
    with pytest.raises(TypeError, match="cva_glmnet takes alphas="):
        glmlx.cva_glmnet(X, y, alpha=0.5)
    for bad in ([], [0.5, 1.5], [np.nan]):
        with pytest.raises(ValueError, match="alphas must be a non-empty sequence of values in"):
            glmlx.cva_glmnet(X, y, alphas=bad)
    for bad in (["a", "b"], [0.5j]):
        with pytest.raises(TypeError, match="alphas must be a sequence of real numbers"):
            glmlx.cva_glmnet(X, y, alphas=bad)
    with pytest.raises(ValueError, match="type_measure"):
        glmlx.cva_glmnet(X, y, type_measure="auc")


def test_float32_batch_matches_float32_cv():
    X, y, _ = _data()
    X32 = X.astype(np.float32)
    cva = glmlx.cva_glmnet(X32, y, alphas=[0.3, 1.0], seed=2)  # 0.3: not a float32 number
    for a, cv in zip(cva.alphas, cva.cvs):
        ref = glmlx.cv_glmnet(X32, y, foldid=cva.foldid, alpha=a)
        assert cv.fit.dtype == mx.float32
        _same_cv(cv, ref)
