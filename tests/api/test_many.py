"""glmnet_many: K independent gaussian paths over one X equal K separate glmnet calls."""
import warnings

import mlx.core as mx
import numpy as np
import pytest

import glmlx


def _data(n=200, p=25, K=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    B = rng.standard_normal((p, K)) * (rng.random((p, K)) < 0.3)
    Y = X @ B + rng.standard_normal((n, K))
    return X, Y, rng


def _same(fm, fs, tol=1e-10):
    assert fm.npasses == fs.npasses
    assert fm.jerr == fs.jerr
    lm, ls = np.asarray(fm._lam_np), np.asarray(fs._lam_np)
    assert lm.shape == ls.shape
    np.testing.assert_allclose(lm, ls, rtol=tol)
    cm, cs = fm._coef_np(), fs._coef_np()
    assert np.max(np.abs(cm - cs)) <= tol * max(np.max(np.abs(cs)), 1e-300)
    np.testing.assert_allclose(np.asarray(fm.dev_ratio), np.asarray(fs.dev_ratio), rtol=1e-9, atol=1e-12)
    assert fm.nulldev == pytest.approx(fs.nulldev, rel=1e-12)


@pytest.mark.parametrize("kw", [
    {}, {"type_gaussian": "covariance"}, {"type_gaussian": "naive"}, {"fit_intercept": False},
    {"standardize": False}, {"alpha": 0.4}, {"lambdas": [1.0, 0.5, 0.2, 0.05, 0.01]}, {"nlambda": 1},
    {"lower_limits": -0.2, "upper_limits": 0.5}, {"exclude": [0, 3]}, {"dfmax": 4}, {"pmax": 6},
])
def test_each_response_equals_its_own_glmnet_call(kw):
    X, Y, rng = _data()
    w = rng.uniform(0.5, 2.0, X.shape[0])
    pf = np.ones(X.shape[1])
    pf[1] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", glmlx.gaussian.GlmnetWarning)
        fits = glmlx.glmnet_many(X, Y, weights=w, penalty_factor=pf, **kw)
        assert len(fits) == Y.shape[1]
        for k, fm in enumerate(fits):
            _same(fm, glmlx.glmnet(X, Y[:, k], weights=w, penalty_factor=pf, **kw))


@pytest.mark.parametrize("n,p", [(60, 120), (3000, 40)])  # residual updates (p > n); lazy Gram columns (n > 10 p)
def test_naive_schemes_on_wide_and_tall_x(n, p):
    X, Y, _ = _data(n=n, p=p, K=3, seed=1)
    fits = glmlx.glmnet_many(X, Y, type_gaussian="naive", nlambda=30)
    for k, fm in enumerate(fits):
        _same(fm, glmlx.glmnet(X, Y[:, k], type_gaussian="naive", nlambda=30))


def test_sparse_x():
    sp = pytest.importorskip("scipy.sparse")
    rng = np.random.default_rng(2)
    X = sp.random(300, 40, density=0.2, format="csc", random_state=2, data_rvs=rng.standard_normal)
    Y = np.column_stack([X @ rng.standard_normal(40) + rng.standard_normal(300) for _ in range(3)])
    for tg in ("covariance", "naive"):
        fits = glmlx.glmnet_many(X, Y, type_gaussian=tg, nlambda=40)
        for k, fm in enumerate(fits):
            _same(fm, glmlx.glmnet(X, Y[:, k], type_gaussian=tg, nlambda=40))


def test_float32_matches_float32_calls():
    X, Y, _ = _data(seed=3)
    X32 = X.astype(np.float32)
    fits = glmlx.glmnet_many(X32, Y)
    for k, fm in enumerate(fits):
        fs = glmlx.glmnet(X32, Y[:, k])
        assert fm.dtype == mx.float32 and fm.npasses == fs.npasses
        np.testing.assert_allclose(fm._coef_np(), fs._coef_np(), atol=1e-5 * np.abs(fs._coef_np()).max())


def test_one_dimensional_y_is_one_response_and_inputs_are_not_changed():
    X, Y, _ = _data(K=1)
    X0, y0 = X.copy(), Y[:, 0].copy()
    fits = glmlx.glmnet_many(X, Y[:, 0])
    assert len(fits) == 1
    _same(fits[0], glmlx.glmnet(X, Y[:, 0]))
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(Y[:, 0], y0)


def test_dataframes_name_features_and_warnings():
    pd = pytest.importorskip("pandas")
    X, Y, _ = _data(K=2)
    Xf = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    Yf = pd.DataFrame(Y, columns=["gene_a", "gene_b"])
    with pytest.warns(glmlx.gaussian.GlmnetWarning, match="gene_b: Convergence"):
        fits = glmlx.glmnet_many(Xf, Yf, maxit=5)
    assert list(fits[0].feature_names) == list(Xf.columns)


@pytest.mark.parametrize("Y,match", [
    (np.ones((199, 2)), r"Y must have shape \(200, K\)"),
    (np.zeros((200, 0)), r"K >= 1"),
    (np.ones((200, 2, 2)), r"Y must have shape"),
])
def test_bad_shapes(Y, match):
    X, _, _ = _data()
    with pytest.raises(ValueError, match=match):
        glmlx.glmnet_many(X, Y)


def test_bad_values_name_the_column():
    X, Y, _ = _data()
    Yn = Y.copy()
    Yn[5, 3] = np.nan
    with pytest.raises(ValueError, match=r"NaN or infinite values \(in column 3\)"):
        glmlx.glmnet_many(X, Yn)
    Yc = Y.copy()
    Yc[:, 2] = 4.0
    with pytest.raises(ValueError, match=r"Y\[:, 2\] is constant"):
        glmlx.glmnet_many(X, Yc)
    with pytest.raises(TypeError, match="Y must be real"):
        glmlx.glmnet_many(X, Y.astype(complex))
    with pytest.raises(ValueError, match="alpha"):
        glmlx.glmnet_many(X, Y, alpha=2.0)
