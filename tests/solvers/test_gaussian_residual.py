"""glmnet's naive scheme by residual updates (gaussian_residual_path): the same iterates as glmnet and as
the Gram-column solvers, with every option, batched over problems, with or without low-precision screening."""
import warnings
from dataclasses import replace

import mlx.core as mx
import numpy as np
import pytest

import glmlx
from glmlx import _ext, gaussian
from glmlx.glmnet import _fit, _prepare
from conftest import fixture_cases, load_fixture

CASES = fixture_cases("glmnet", lambda stem: not stem.startswith("cv_"))


def load(case):
    return load_fixture("glmnet", case)


def fixture_problem(d, prm, **over):
    kw = dict(family="gaussian", alpha=prm["alpha"], nlambda=prm["nlambda"], lambda_min_ratio=None,
              lambdas=d["lambda_in"] if prm.get("user_lambda") else None, weights=d.get("weights"),
              penalty_factor=d.get("penalty_factor"), lower_limits=d.get("lower_limits", -np.inf),
              upper_limits=d.get("upper_limits", np.inf), standardize=prm["standardize"],
              fit_intercept=prm["intercept"], thresh=prm["thresh"], maxit=prm["maxit"], dfmax=prm["dfmax"],
              pmax=prm["pmax"], exclude=d.get("exclude"), type_gaussian="naive", dtype=None)
    if not prm.get("user_lambda"):
        kw["lambda_min_ratio"] = prm["lambda_min_ratio"]
    kw.update(over)
    return _prepare(d["X"], d["y"], **kw)


def fit(prob, solver, screen=-1):
    """The naive scheme from the full Gram, lazy Gram columns or residual updates."""
    prob = replace(prob, lazy=solver == "lazy", residual=solver == "residual", screen=screen)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _fit(prob)


NAIVE_CASES = [c for c in CASES if load(c)[1]["type_gaussian"] == "naive"]


@pytest.mark.parametrize("screen", [0, 1, 2])
@pytest.mark.parametrize("case", NAIVE_CASES)
def test_residual_updates_reproduce_glmnet_naive_fixtures(case, screen):
    """Forced onto the fixtures glmnet fit with its naive scheme: glmnet's path and pass count."""
    d, prm = load(case)
    f = fit(fixture_problem(d, prm), "residual", screen)
    lam = np.asarray(f.lambdas)
    assert lam.shape == d["lambda"].shape
    np.testing.assert_allclose(lam, d["lambda"], rtol=1e-8)
    np.testing.assert_allclose(np.asarray(f.dev_ratio), d["dev_ratio"], atol=1e-5)
    scale = np.max(np.abs(d["beta"])) if np.any(d["beta"]) else 1.0
    assert np.max(np.abs(np.asarray(f.beta) - d["beta"])) <= 1e-3 * scale
    assert f.jerr == prm["jerr"]
    assert f.npasses == int(d["npasses"])


@pytest.mark.parametrize("case", CASES)
def test_residual_updates_match_full_gram_on_every_option_set(case):
    """Weights, limits, exclusions, penalty factors, no intercept, no standardization, user lambdas,
    pmax/dfmax: the naive scheme gives the same path and passes from residuals as from the full Gram."""
    d, prm = load(case)
    prob = fixture_problem(d, prm, thresh=1e-12, maxit=10**6)
    full = fit(prob, "full")
    for screen in (0, 1, 2):
        res = fit(prob, "residual", screen)
        np.testing.assert_allclose(np.asarray(res.lambdas), np.asarray(full.lambdas), rtol=1e-12)
        bf, br = np.asarray(full.beta), np.asarray(res.beta)
        assert np.max(np.abs(bf - br)) <= 1e-9 * max(np.max(np.abs(bf)), 1e-12)
        assert res.npasses == full.npasses
        assert res.jerr == full.jerr


def wide(seed, n=60, p=700, k=8, weights=False):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + rng.standard_normal(p) * 3  # columns with offsets
    X[:, :40] += 0.8 * X[:, 40:80]  # some correlation
    beta = np.zeros(p)
    beta[rng.choice(p, k, replace=False)] = rng.standard_normal(k) * 2
    y = X @ beta + rng.standard_normal(n)
    w = None
    if weights == "zeros":  # rows dropped by zero weights: a block (two runs) and scattered ones
        w = np.ones(n)
        w[10:25] = 0.0
        w[[3, 31, 47]] = 0.0
    elif weights == "block":
        w = np.ones(n)
        w[20:35] = 0.0
    elif weights:
        w = rng.uniform(0.2, 2.0, n)
    return X, y, w


WIDE_OPTIONS = {
    "lasso": {},
    "enet": dict(alpha=0.5),
    "weights": dict(weights=True),
    "zero_weights_scattered": dict(weights="zeros"),
    "zero_weights_block": dict(weights="block"),
    "penalty_factor": dict(penalty_factor=lambda p, rng: np.where(rng.uniform(size=p) < 0.05, 0.0,
                                                                  rng.uniform(0.5, 2, p))),
    "limits": dict(lower_limits=-0.4, upper_limits=lambda p, rng: rng.uniform(0.1, 1.0, p)),
    "no_intercept": dict(fit_intercept=False),
    "no_standardize": dict(standardize=False),
    "no_intercept_no_standardize_weights": dict(fit_intercept=False, standardize=False, weights=True),
    "exclude": dict(exclude=np.arange(0, 700, 7)),
    "pmax": dict(pmax=25),
    "dfmax": dict(dfmax=10),
    "user_lambda": dict(lambdas=np.geomspace(2.0, 0.02, 30)),
    "maxit": dict(maxit=120),
    "ridge": dict(alpha=0.0, nlambda=30),
}


@pytest.mark.parametrize("name", sorted(WIDE_OPTIONS))
def test_wide_residual_matches_lazy_gram(name):
    """Wide random problems (p >> n, offsets and correlation): residual updates, screened or not, and
    lazy Gram columns take the same path with the same number of passes."""
    opts = dict(WIDE_OPTIONS[name])
    rng = np.random.default_rng(7)
    X, y, w = wide(3, weights=opts.pop("weights", False))
    p = X.shape[1]
    opts = {k: (v(p, rng) if callable(v) else v) for k, v in opts.items()}
    kw = dict(family="gaussian", alpha=1.0, nlambda=100, lambda_min_ratio=0.01, lambdas=None, weights=w,
              penalty_factor=None, lower_limits=-np.inf, upper_limits=np.inf, standardize=True,
              fit_intercept=True, thresh=1e-10, maxit=10**6, dfmax=None, pmax=None, exclude=None,
              type_gaussian="auto", dtype=None)
    kw.update(opts)
    prob = _prepare(X, y, **kw)
    assert prob.residual  # p > n picks residual updates
    lazy = fit(prob, "lazy")
    plain = fit(prob, "residual", 0)
    for screen in (1, 2):  # float16 (where the CPU has F16C) and float32 copies
        screened = fit(prob, "residual", screen)
        # screening changes no decision: bit-identical iterates
        np.testing.assert_array_equal(np.asarray(screened.beta), np.asarray(plain.beta))
        np.testing.assert_array_equal(np.asarray(screened.lambdas), np.asarray(plain.lambdas))
        assert screened.npasses == plain.npasses
    np.testing.assert_allclose(np.asarray(plain.lambdas), np.asarray(lazy.lambdas), rtol=1e-12)
    bl, br = np.asarray(lazy.beta), np.asarray(plain.beta)
    assert np.max(np.abs(bl - br)) <= 1e-8 * max(np.max(np.abs(bl)), 1e-12)
    assert plain.npasses == lazy.npasses
    assert plain.jerr == lazy.jerr


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_batched_folds_share_one_copy_and_equal_separate_solves(fit_intercept):
    """CV folds as one batch over one column-major copy (held-out rows weighted zero): each fold's
    path equals its lazy-Gram path and its own single-problem residual solve."""
    X, y, _ = wide(11, n=80, p=600)
    n, p = X.shape
    rng = np.random.default_rng(2)
    weights = rng.uniform(0.5, 1.5, n)
    fold = rng.permutation(np.resize(np.arange(5), n))
    excluded = np.zeros(p, dtype=bool)
    kw = dict(alpha=0.9, penalty=np.ones(p), lower=np.full(p, -gaussian.BIG), upper=np.full(p, gaussian.BIG),
              nlambda=60, flmin=0.02, user_lambdas=None, thresh=1e-10, maxit=10**6, dfmax=p + 1, pmax=p, sml=1e-5,
              dtype=mx.float64, strong=True)
    res = gaussian.standardize_folds(X, y, weights, fold, 5, excluded, True, fit_intercept, residual=True)
    assert all(s.cols is res[0].cols for s in res)  # one copy for every fold
    lazy = gaussian.standardize_folds(X, y, weights, fold, 5, excluded, True, fit_intercept, residual=False)
    batched = gaussian.fit_paths(res, **kw)
    by_lazy = gaussian.fit_paths(lazy, **kw)
    for screen in (1, 2):  # one screened KKT pass serves every fold: the same decisions
        for a, b in zip(gaussian.fit_paths(res, **kw, screen=screen), batched):
            np.testing.assert_array_equal(a.beta, b.beta)
            assert a.npasses == b.npasses
    for k in range(5):
        np.testing.assert_allclose(res[k].g, lazy[k].g, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(res[k].xs, lazy[k].xs, rtol=1e-10)
        alone = gaussian.fit_paths([res[k]], **kw)[0]
        np.testing.assert_array_equal(batched[k].beta, alone.beta)
        assert batched[k].npasses == alone.npasses == by_lazy[k].npasses
        np.testing.assert_allclose(batched[k].lambdas, by_lazy[k].lambdas, rtol=1e-12)
        np.testing.assert_allclose(batched[k].beta, by_lazy[k].beta, rtol=1e-7,
                                   atol=1e-9 * np.max(np.abs(by_lazy[k].beta)))


def test_float32_problem_runs_in_float32():
    X, y, _ = wide(5, n=50, p=400)
    prob = _prepare(X.astype(np.float32), y, family="gaussian", alpha=1.0, nlambda=50, lambda_min_ratio=0.05,
                    lambdas=None, weights=None, penalty_factor=None, lower_limits=-np.inf, upper_limits=np.inf,
                    standardize=True, fit_intercept=True, thresh=1e-7, maxit=10**5, dfmax=None, pmax=None,
                    exclude=None, type_gaussian="naive", dtype=None)
    assert prob.residual and prob.dtype == mx.float32
    f32 = fit(prob, "residual")
    f64 = fit(replace(prob, X=X, dtype=mx.float64), "residual")
    m = min(np.asarray(f32.lambdas).size, np.asarray(f64.lambdas).size)
    b32, b64 = np.asarray(f32.beta)[:, :m], np.asarray(f64.beta)[:, :m]
    assert np.max(np.abs(b32 - b64)) <= 1e-3 * np.max(np.abs(b64))


def test_column_major_copy_and_statistics():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((37, 11)) * 3 + 100.0
    w = rng.uniform(0.1, 1, 37)
    w /= w.sum()
    y = rng.standard_normal(37)
    for Xin in (X, np.asfortranarray(X), X[:, ::-1]):
        cols, xbar, var, c = gaussian.column_major(Xin, w, y - w @ y)
        np.testing.assert_allclose(xbar, w @ Xin, rtol=1e-14)
        np.testing.assert_allclose(np.asarray(cols.Xt), (Xin - w @ Xin).T, atol=1e-12)
        np.testing.assert_allclose(var, w @ (Xin - w @ Xin) ** 2, rtol=1e-12)
        np.testing.assert_allclose(c, Xin.T @ (w * (y - w @ y)), rtol=1e-10, atol=1e-12)
    W = np.stack([w, np.where(np.arange(37) % 3 == 0, 0.0, w)])
    W /= W.sum(axis=1, keepdims=True)
    ybar = W @ y
    cols = gaussian.column_major(X, w, y * 0)[0]
    xbar, var, c = gaussian.shared_column_stats(cols, y, W, ybar)
    for b in range(2):
        np.testing.assert_allclose(xbar[b], W[b] @ X, rtol=1e-13)
        np.testing.assert_allclose(var[b], W[b] @ (X - W[b] @ X) ** 2, rtol=1e-10)
        np.testing.assert_allclose(c[b], X.T @ (W[b] * (y - ybar[b])), rtol=1e-9, atol=1e-11)


def test_op_rejects_mismatched_shapes():
    p, n = 3, 5
    z = mx.zeros((1, p), dtype=mx.float64)
    s = _ext.GaussianPathSettings()
    common = (z, z, mx.zeros((1,)), mx.zeros((1, p)), mx.ones((1, 4)), z, mx.zeros((1, 2, p)), z, mx.zeros((1,)), z,
              mx.zeros((1,)), s)
    Xt = mx.zeros((p, n), dtype=mx.float64)
    vec_p, rows = mx.zeros((p,)), mx.zeros((1, n))
    with pytest.raises(ValueError, match=r"Xt must be \(p, n\) with p = 3"):
        _ext.gaussian_residual_path(mx.zeros((n, p), dtype=mx.float64), vec_p, vec_p, rows, rows, z, z, *common)
    with pytest.raises(ValueError, match=r"y and weights must have shape \(1, 5\)"):
        _ext.gaussian_residual_path(Xt, vec_p, vec_p, mx.zeros((1, n + 1)), rows, z, z, *common)
    with pytest.raises(ValueError, match=r"center and scale must have shape \(3,\)"):
        _ext.gaussian_residual_path(Xt, mx.zeros((p + 1,)), vec_p, rows, rows, z, z, *common)
    with pytest.raises(ValueError, match=r"xm and xs must have shape \(1, 3\)"):
        _ext.gaussian_residual_path(Xt, vec_p, vec_p, rows, rows, mx.zeros((1, p + 1)), z, *common)


def test_clear_cache_frees_the_kept_copies_and_the_next_fit_is_the_same():
    """glmlx.clear_cache drops the kept column-major and screening copies of X; a fit after it is identical."""
    rng = np.random.default_rng(21)
    X = rng.standard_normal((200, 700))  # p > n: residual updates over a column-major copy
    y = X[:, :5] @ rng.standard_normal(5) + rng.standard_normal(200)
    first = glmlx.glmnet(X, y)
    glmlx.clear_cache()
    again = glmlx.glmnet(X, y)
    assert again.npasses == first.npasses
    np.testing.assert_array_equal(np.asarray(again.beta), np.asarray(first.beta))
