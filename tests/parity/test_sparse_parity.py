"""Parity with R glmnet 4.1-6 for a sparse X (scipy.sparse CSC; R's Matrix dgCMatrix), every family.

tests/fixtures/glmnet_sparse/*.npz are made by scripts/make_sparse_fixtures.sh (R + Matrix + glmnet); X is stored
as R's CSC arrays (indptr, indices, data), so the matrix fitted here is bit for bit the one R fitted. The
comparisons with R are those of the dense parity tests (tests/parity/test_glmnet_parity.py for gaussian,
tests/parity/test_glmnet_families.py for the other families); a fit on ``X.toarray()`` must give the same path.
"""
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import glmlx
from glmlx.gaussian import GlmnetWarning
from conftest import fixture_cases, load_fixture

GROUP = "glmnet_sparse"
CASES = fixture_cases(GROUP)
FAMILIES = ("gaussian", "binomial", "poisson", "multinomial", "mgaussian")


def load(case):
    return load_fixture(GROUP, case)


def sparse_x(d, prm):
    return sp.csc_matrix((d["data"], d["indices"], d["indptr"]), shape=(prm["n"], prm["p"]))


def response(d, prm):
    """y as a glmlx user passes it: class labels for binomial / multinomial."""
    y = d["y"]
    if prm["family"] in ("binomial", "multinomial") and y.ndim == 1:
        return np.asarray(prm["class_levels"])[y.astype(int)]
    return y


def fit_from_fixture(X, d, prm):
    """glmlx.glmnet with the R call's arguments (as the dense parity tests pass them)."""
    family = prm["family"]
    kw = dict(family=family, alpha=prm["alpha"], nlambda=prm["nlambda"], lambda_min_ratio=prm["lambda_min_ratio"],
              standardize=prm["standardize"], fit_intercept=prm["intercept"], thresh=prm["thresh"],
              maxit=prm["maxit"], dfmax=prm["dfmax"], pmax=prm["pmax"])
    if prm.get("user_weights"):
        kw["weights"] = d["weights"]
    if family == "gaussian":
        kw["type_gaussian"] = prm["type_gaussian"]
    if family in ("binomial", "multinomial"):
        kw["type_logistic"] = prm.get("type_logistic", "Newton")
    if family == "multinomial":
        kw["type_multinomial"] = prm["type_multinomial"]
    if family == "mgaussian":
        kw["standardize_response"] = prm["standardize_response"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = glmlx.glmnet(X, response(d, prm), **kw)
    return fit, caught


def reference_coef(d):
    """R's intercepts stacked over its coefficients: (p + 1, nlam) or (K, p + 1, nlam), as fit.coef()."""
    if d["beta"].ndim == 2:
        return np.vstack([d["a0"][None, :], d["beta"]])
    return np.concatenate([d["a0"][:, None, :], d["beta"]], axis=1)


def coef_err(fit, d):
    """(largest absolute error of the intercepts and coefficients against R, R's largest magnitude)."""
    ref = reference_coef(d)
    return float(np.max(np.abs(np.asarray(fit.coef()) - ref))), float(max(np.max(np.abs(ref)), 1e-12))


def test_every_family_has_sparse_fixtures():
    fams = {load(c)[1]["family"] for c in CASES}
    assert fams == set(FAMILIES)
    modes = {load(c)[1]["type_gaussian"] for c in CASES if load(c)[1]["family"] == "gaussian"}
    assert modes == {"covariance", "naive"}
    assert any(load(c)[1]["p"] >= 500 for c in CASES)  # naive as glmnet's own default


@pytest.mark.parametrize("case", CASES)
def test_fixture_x_is_the_matrix_r_fitted(case):
    """The stored CSC arrays rebuild R's predictions: X beta + a0 at the path lambdas."""
    d, prm = load(case)
    X = sparse_x(d, prm)
    assert X.has_canonical_format and X.nnz == prm["nnz"]
    for j, s in enumerate(d["pred_s"]):
        hits = np.flatnonzero(d["lambda"] == s)
        if hits.size == 0:
            continue
        m = hits[0]
        eta = X @ d["beta"][:, m] + d["a0"][m] if d["beta"].ndim == 2 else X @ d["beta"][:, :, m].T + d["a0"][:, m]
        np.testing.assert_allclose(d["pred_link"][..., j], eta, rtol=1e-12, atol=1e-12 * np.max(np.abs(eta)))


@pytest.mark.parametrize("case", CASES)
def test_path_matches_glmnet(case):
    d, prm = load(case)
    fit, caught = fit_from_fixture(sparse_x(d, prm), d, prm)
    lam = np.asarray(fit.lambdas)
    assert lam.shape == d["lambda"].shape, f"path length {lam.size} vs glmnet {d['lambda'].size}"
    np.testing.assert_allclose(lam, d["lambda"], rtol=1e-8)
    err, scale = coef_err(fit, d)
    if prm["family"] == "gaussian":  # tests/parity/test_glmnet_parity.py
        np.testing.assert_allclose(np.asarray(fit.dev_ratio), d["dev_ratio"], atol=1e-5)
        bscale = np.max(np.abs(d["beta"])) if np.any(d["beta"]) else 1.0
        assert np.max(np.abs(np.asarray(fit.beta) - d["beta"])) <= 1e-3 * bscale
        a0_scale = max(np.max(np.abs(d["a0"])), bscale)
        assert np.max(np.abs(np.asarray(fit.a0) - d["a0"])) <= 1e-3 * a0_scale
        assert fit.nulldev == pytest.approx(float(d["nulldev"]), rel=1e-10)
        assert (len(caught) > 0) == (prm["jerr"] != 0)
    else:  # tests/parity/test_glmnet_families.py
        np.testing.assert_allclose(np.asarray(fit.dev_ratio), d["dev_ratio"], atol=1e-4)
        assert err / scale < 2e-3
        np.testing.assert_allclose(fit.nulldev, float(d["nulldev"]), rtol=1e-8)
        glmnet_warned = any("error code" in w and "lambda value" in w for w in prm["r_warnings"])
        assert glmnet_warned == any(issubclass(w.category, GlmnetWarning) and "lambda value" in str(w.message)
                                    for w in caught)
    np.testing.assert_array_equal(np.asarray(fit.df), d["df"])
    if "dfmat" in d:
        np.testing.assert_array_equal((np.asarray(fit.beta) != 0).sum(axis=1), d["dfmat"])
    assert fit.jerr == prm["jerr"]
    # the same iterates as glmnet's sparse solvers, not only the same solutions
    assert fit.npasses == int(d["npasses"]), f"npasses {fit.npasses} vs glmnet {int(d['npasses'])}"


@pytest.mark.parametrize("case", CASES)
def test_predictions_on_sparse_newx_match_glmnet(case):
    d, prm = load(case)
    X = sparse_x(d, prm)
    fit, _ = fit_from_fixture(X, d, prm)
    s = d["pred_s"]
    scale = max(np.max(np.abs(d["pred_link"])), 1.0)
    np.testing.assert_allclose(np.asarray(fit.predict(X, s=s, type="link")), d["pred_link"], atol=2e-3 * scale)
    np.testing.assert_allclose(np.asarray(fit.predict(X, s=s, type="response")), d["pred_response"],
                               rtol=2e-3, atol=1e-6 * (scale if prm["family"] in ("gaussian", "mgaussian") else 1))
    if prm["family"] in ("binomial", "multinomial"):
        labels = np.asarray(prm["class_levels"])
        cls = np.asarray(fit.predict(X, s=s, type="class"))
        link = d["pred_link"]
        if link.ndim == 2:
            clear = np.abs(link) > 1e-6  # a tie at link 0 may go either way
        else:  # the two largest class links apart
            top2 = np.sort(link, axis=1)[:, -2:, :]
            clear = (top2[:, 1] - top2[:, 0]) > 1e-6
        np.testing.assert_array_equal(cls[clear], labels[d["pred_class"]][clear])


@pytest.mark.parametrize("case", CASES)
def test_sparse_and_dense_x_give_the_same_path(case):
    d, prm = load(case)
    X = sparse_x(d, prm)
    sparse_fit, _ = fit_from_fixture(X, d, prm)
    dense_fit, _ = fit_from_fixture(X.toarray(), d, prm)
    ls, ld = np.asarray(sparse_fit.lambdas), np.asarray(dense_fit.lambdas)
    assert ls.shape == ld.shape, f"path length {ls.size} sparse vs {ld.size} dense"
    np.testing.assert_allclose(ls, ld, rtol=1e-10)
    cs, cd = np.asarray(sparse_fit.coef()), np.asarray(dense_fit.coef())
    assert np.max(np.abs(cs - cd)) <= 1e-10 * max(np.max(np.abs(cd)), 1e-12)
    np.testing.assert_allclose(np.asarray(sparse_fit.dev_ratio), np.asarray(dense_fit.dev_ratio), rtol=1e-10)
    assert sparse_fit.nulldev == pytest.approx(dense_fit.nulldev, rel=1e-10)
    assert sparse_fit.npasses == dense_fit.npasses
    assert sparse_fit.jerr == dense_fit.jerr
