"""Parity with R glmnet 4.1-6 on committed fixtures (tests/fixtures/glmnet, made by scripts/make_fixtures.sh)."""
import warnings

import numpy as np
import pytest

import glmlx
from conftest import fixture_cases, load_fixture

CASES = fixture_cases("glmnet", lambda stem: not stem.startswith("cv_"))


def load(case):
    return load_fixture("glmnet", case)


def fit_from_fixture(d, prm, mode=None):
    kw = dict(alpha=prm["alpha"], nlambda=prm["nlambda"], standardize=prm["standardize"],
              fit_intercept=prm["intercept"], thresh=prm["thresh"], dfmax=prm["dfmax"], pmax=prm["pmax"],
              maxit=prm["maxit"], type_gaussian=mode or prm["type_gaussian"])
    if prm.get("user_lambda"):
        kw["lambdas"] = d["lambda_in"]
    else:
        kw["lambda_min_ratio"] = prm["lambda_min_ratio"]
    for key in ("weights", "penalty_factor", "lower_limits", "upper_limits", "exclude"):
        if key in d:
            kw[key] = d[key]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = glmlx.glmnet(d["X"], d["y"], **kw)
    return fit, caught


@pytest.mark.parametrize("case", CASES)
def test_path_matches_glmnet(case):
    """Each case in the mode glmnet used for it (type.gaussian covariance or naive)."""
    d, prm = load(case)
    fit, caught = fit_from_fixture(d, prm)
    lam = np.asarray(fit.lambdas)
    assert lam.shape == d["lambda"].shape, f"path length {lam.size} vs glmnet {d['lambda'].size}"
    np.testing.assert_allclose(lam, d["lambda"], rtol=1e-8)
    np.testing.assert_allclose(np.asarray(fit.dev_ratio), d["dev_ratio"], atol=1e-5)
    scale = np.max(np.abs(d["beta"])) if np.any(d["beta"]) else 1.0
    beta = np.asarray(fit.beta)
    assert np.max(np.abs(beta - d["beta"])) <= 1e-3 * scale
    a0_scale = max(np.max(np.abs(d["a0"])), scale)
    assert np.max(np.abs(np.asarray(fit.a0) - d["a0"])) <= 1e-3 * a0_scale
    assert fit.nulldev == pytest.approx(float(d["nulldev"]), rel=1e-10)
    np.testing.assert_array_equal(np.asarray(fit.df), np.count_nonzero(beta, axis=0))
    assert fit.jerr == prm["jerr"]
    assert (len(caught) > 0) == (prm["jerr"] != 0)
    # same scheme, same sweeps: glmnet's count of passes over the data is reproduced
    assert fit.npasses == int(d["npasses"])


@pytest.mark.parametrize("case", CASES)
def test_covariance_and_naive_modes_agree_on_every_option_set(case):
    """The strong-rule lazy-Gram solver ("naive") and the full-Gram one reach the same
    solutions (converged tightly, so iteration order does not matter) with every option."""
    d, prm = load(case)
    prm = dict(prm, thresh=1e-13, maxit=10**6)
    cov, _ = fit_from_fixture(d, prm, "covariance")
    naive, _ = fit_from_fixture(d, prm, "naive")
    m = min(np.asarray(cov.lambdas).size, np.asarray(naive.lambdas).size)
    assert m >= min(5, np.asarray(cov.lambdas).size)
    np.testing.assert_allclose(np.asarray(naive.lambdas)[:m], np.asarray(cov.lambdas)[:m], rtol=1e-10)
    bc, bn = np.asarray(cov.beta)[:, :m], np.asarray(naive.beta)[:, :m]
    assert np.max(np.abs(bc - bn)) <= 1e-6 * max(np.max(np.abs(bc)), 1e-12)


@pytest.mark.parametrize("case", CASES)
def test_lazy_gram_columns_match_full_gram_on_every_option_set(case):
    """glmnet's naive scheme gives the same path whether the Gram columns come from one
    BLAS pass or are formed on demand from X (weights, limits, exclusions, no intercept...)."""
    from dataclasses import replace

    from glmlx.glmnet import _fit, _prepare

    d, prm = load(case)
    kw = dict(family="gaussian", alpha=prm["alpha"], nlambda=prm["nlambda"], lambda_min_ratio=None,
              lambdas=d["lambda_in"] if prm.get("user_lambda") else None, weights=d.get("weights"),
              penalty_factor=d.get("penalty_factor"), lower_limits=d.get("lower_limits", -np.inf),
              upper_limits=d.get("upper_limits", np.inf), standardize=prm["standardize"],
              fit_intercept=prm["intercept"], thresh=1e-12, maxit=10**6, dfmax=prm["dfmax"], pmax=prm["pmax"],
              exclude=d.get("exclude"), type_gaussian="naive", dtype=None)
    if not prm.get("user_lambda"):
        kw["lambda_min_ratio"] = prm["lambda_min_ratio"]
    prob = _prepare(d["X"], d["y"], **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = _fit(replace(prob, lazy=False, residual=False))
        lazy = _fit(replace(prob, lazy=True, residual=False))
    np.testing.assert_allclose(np.asarray(lazy.lambdas), np.asarray(full.lambdas), rtol=1e-12)
    bf, bl = np.asarray(full.beta), np.asarray(lazy.beta)
    assert np.max(np.abs(bf - bl)) <= 1e-9 * max(np.max(np.abs(bf)), 1e-12)
    assert lazy.npasses == full.npasses
