"""Parity of the non-gaussian families with R glmnet 4.1-6 on committed fixtures.

tests/fixtures/glmnet_glm/*.npz are made by scripts/make_glm_fixtures.sh (R + glmnet);
these tests do not need R.
"""
import os
import warnings

import numpy as np
import pytest

import glmlx
from glmlx.gaussian import GlmnetWarning
from conftest import fixture_cases, load_fixture

FAMILIES = ("binomial", "poisson", "multinomial", "mgaussian")
CASES = fixture_cases("glmnet_glm", lambda stem: stem.split("_")[0] in FAMILIES)


def load(case):
    return load_fixture("glmnet_glm", case)


def response(d, prm):
    """y as a glmlx user passes it: labels for a vector, the count matrix as is."""
    y = d["y"]
    if prm["family"] in ("binomial", "multinomial") and y.ndim == 1:
        return np.asarray(prm["class_levels"])[y.astype(int)]
    return y


def fit_from_fixture(d, prm, **over):
    kw = dict(family=prm["family"], alpha=prm["alpha"], nlambda=prm["nlambda"],
              lambda_min_ratio=prm["lambda_min_ratio"], standardize=prm["standardize"],
              fit_intercept=prm["intercept"], thresh=prm["thresh"], maxit=prm["maxit"], dfmax=prm["dfmax"],
              pmax=prm["pmax"])
    if prm.get("user_weights"):
        kw["weights"] = d["weights"]
    for key, arg in (("penalty_factor", "penalty_factor"), ("lower_limits", "lower_limits"),
                     ("upper_limits", "upper_limits"), ("exclude", "exclude"), ("offset", "offset"),
                     ("lambda_in", "lambdas")):
        if key in d:
            kw[arg] = d[key]
    if prm["family"] in ("binomial", "multinomial"):
        kw["type_logistic"] = prm.get("type_logistic", "Newton")
    if prm["family"] == "multinomial":
        kw["type_multinomial"] = prm["type_multinomial"]
    if prm["family"] == "mgaussian":
        kw["standardize_response"] = prm["standardize_response"]
    kw.update(over)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = glmlx.glmnet(d["X"], response(d, prm), **kw)
    return fit, caught


def rel_coef_err(fit, d):
    ours = np.asarray(fit.coef())
    if d["beta"].ndim == 2:
        ref = np.vstack([d["a0"][None, :], d["beta"]])
    else:  # (K, p + 1, nlam)
        ref = np.concatenate([d["a0"][:, None, :], d["beta"]], axis=1)
    return np.max(np.abs(ours - ref)) / max(np.max(np.abs(ref)), 1e-12)


@pytest.mark.parametrize("case", CASES)
def test_path_matches_glmnet(case):
    d, prm = load(case)
    fit, caught = fit_from_fixture(d, prm)
    lam = np.asarray(fit.lambdas)
    assert lam.size == d["lambda"].size, "path length"
    np.testing.assert_allclose(lam, d["lambda"], rtol=1e-8)
    np.testing.assert_allclose(np.asarray(fit.dev_ratio), d["dev_ratio"], atol=1e-4)
    assert rel_coef_err(fit, d) < 2e-3
    np.testing.assert_allclose(fit.nulldev, float(d["nulldev"]), rtol=1e-8)
    np.testing.assert_array_equal(np.asarray(fit.df), d["df"])
    if "dfmat" in d:
        np.testing.assert_array_equal((np.asarray(fit.beta) != 0).sum(axis=1), d["dfmat"])
    # The same iterates as glmnet, not only the same solutions.
    assert fit.npasses == int(d["npasses"])
    assert fit.jerr == prm["jerr"]
    glmnet_warned = any("error code" in w and "lambda value" in w for w in prm["r_warnings"])
    assert glmnet_warned == any(issubclass(w.category, GlmnetWarning) and "lambda value" in str(w.message)
                                for w in caught)


@pytest.mark.parametrize("case", CASES)
def test_predictions_match_glmnet(case):
    d, prm = load(case)
    fit, _ = fit_from_fixture(d, prm)
    kw = {"newoffset": d["offset"]} if "offset" in d else {}
    s = d["pred_s"]
    if "pred_s" not in d:
        pytest.skip("fixture without predictions")
    scale = max(np.max(np.abs(d["pred_link"])), 1.0)
    np.testing.assert_allclose(np.asarray(fit.predict(d["X"], s=s, type="link", **kw)), d["pred_link"],
                               atol=2e-3 * scale)
    np.testing.assert_allclose(np.asarray(fit.predict(d["X"], s=s, type="response", **kw)), d["pred_response"],
                               rtol=2e-3, atol=1e-6)
    if prm["family"] in ("binomial", "multinomial"):
        # A count matrix has no column names here: its classes are the column indices.
        labels = np.asarray(prm["class_levels"]) if d["y"].ndim == 1 else np.arange(2)
        cls = fit.predict(d["X"], s=s, type="class", **kw)
        link = d["pred_link"]
        if link.ndim == 2:
            clear = np.abs(link) > 1e-6  # a tie at link 0 may go either way
        else:  # the two largest class links apart
            top2 = np.sort(link, axis=1)[:, -2:, :]
            clear = (top2[:, 1] - top2[:, 0]) > 1e-6
        np.testing.assert_array_equal(cls[clear], labels[d["pred_class"]][clear])


def kkt_violation(fit, X, y01, w, offset, lam_index, family):
    """max_j excess of |grad_j| over lambda * s_j (standardized penalty) for a lasso binomial/poisson fit."""
    coefs = np.asarray(fit.coef())[:, lam_index]
    lam = float(np.asarray(fit.lambdas)[lam_index])
    eta = coefs[0] + X @ coefs[1:] + offset
    mu = 1 / (1 + np.exp(-eta)) if family == "binomial" else np.exp(eta)
    wn = w / w.sum()
    grad = X.T @ (wn * (y01 - mu))
    sd = np.sqrt(wn @ (X - wn @ X) ** 2)
    b = coefs[1:]
    active = b != 0
    viol = np.zeros_like(b)
    viol[~active] = np.maximum(np.abs(grad[~active]) - lam * sd[~active], 0)
    viol[active] = np.abs(grad[active] - lam * sd[active] * np.sign(b[active]))
    return np.max(viol) / lam


@pytest.mark.parametrize("family", ("binomial", "poisson"))  # mgaussian's group KKT: tests/parity/test_mgaussian.py
def test_kkt_conditions_hold_along_the_path(family):
    rng = np.random.default_rng(3)
    n, p = 300, 40
    X = rng.normal(size=(n, p)) @ np.diag(rng.uniform(0.5, 3, p))
    eta = X[:, :5] @ np.array([0.8, -0.6, 0.5, 0.3, -0.4]) * 0.5
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float) if family == "binomial" else rng.poisson(np.exp(eta))
    w = rng.uniform(0.5, 2.0, n)
    offset = rng.normal(scale=0.2, size=n)
    fit = glmlx.glmnet(X, y, family=family, weights=w, offset=offset, thresh=1e-12)
    for m in range(1, np.asarray(fit.lambdas).size, 7):
        assert kkt_violation(fit, X, y, w, offset, m, family) < 1e-3


def test_binomial_label_forms_agree():
    d, prm = load("binomial_lasso")
    y01 = d["y"]
    ref = np.asarray(glmlx.glmnet(d["X"], y01, family="binomial").coef())
    for y in (y01.astype(bool), np.where(y01 > 0, "yes", "no"), y01.astype(int) + 5):
        np.testing.assert_allclose(np.asarray(glmlx.glmnet(d["X"], y, family="binomial").coef()), ref)
    fit = glmlx.glmnet(d["X"], np.where(y01 > 0, "yes", "no"), family="binomial")
    assert list(fit.classes) == ["no", "yes"]


def test_count_matrix_equals_weighted_labels():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(80, 6))
    counts = rng.integers(1, 6, size=(80, 2)).astype(float)
    lam = np.geomspace(0.1, 0.001, 20)
    fit = glmlx.glmnet(X, counts, family="binomial", lambdas=lam, thresh=1e-12)
    # Each row as two weighted observations (failures, successes): the same likelihood
    # (the null deviances differ by the saturated term, so compare on a fixed grid).
    Xd = np.vstack([X, X])
    yd = np.r_[np.zeros(80), np.ones(80)]
    wd = np.r_[counts[:, 0], counts[:, 1]]
    ref = glmlx.glmnet(Xd, yd, family="binomial", weights=wd, lambdas=lam, thresh=1e-12)
    np.testing.assert_allclose(np.asarray(fit.coef()), np.asarray(ref.coef()), atol=1e-6)


def test_modified_newton_reaches_the_same_solutions():
    d, prm = load("binomial_lasso")
    lam = np.asarray(glmlx.glmnet(d["X"], d["y"], family="binomial").lambdas)[1:40]
    a = glmlx.glmnet(d["X"], d["y"], family="binomial", thresh=1e-11, lambdas=lam)
    b = glmlx.glmnet(d["X"], d["y"], family="binomial", type_logistic="modified.Newton", thresh=1e-11, lambdas=lam)
    assert b.jerr == 0
    np.testing.assert_allclose(np.asarray(b.coef()), np.asarray(a.coef()), atol=1e-4)


def test_caller_arrays_are_not_modified():
    d, prm = load("poisson_offset")
    X, y, o = d["X"].copy(), d["y"].copy(), d["offset"].copy()
    glmlx.glmnet(X, y, family="poisson", offset=o, weights=np.ones(y.size))
    np.testing.assert_array_equal(X, d["X"])
    np.testing.assert_array_equal(y, d["y"])
    np.testing.assert_array_equal(o, d["offset"])


@pytest.mark.parametrize("y, family, msg", [
    (np.r_[np.zeros(10), np.ones(10), np.full(10, 2.0)], "binomial", "exactly 2 classes"),
    (np.zeros(30), "binomial", "exactly 2 classes"),
    (np.r_[np.zeros(29), 1.0], "binomial", "1 observations"),
    (np.r_[np.full(29, 2.0), -1.0], "poisson", "negative counts"),
    (np.r_[np.full(29, 2.0), np.nan], "poisson", "NaN"),
    (np.ones((30, 3)), "binomial", "2 columns"),
    (np.zeros(30), "multinomial", "at least 2 classes"),
    (np.r_[np.zeros(15), np.ones(14), 2.0], "multinomial", "1 observations"),
    (-np.ones((30, 2)), "binomial", "non-negative"),
])
def test_bad_responses_raise_clear_errors(y, family, msg):
    X = np.random.default_rng(0).normal(size=(30, 4))
    with pytest.raises(ValueError, match=msg):
        glmlx.glmnet(X, y, family=family)


def test_bad_offset_and_options_raise():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 4))
    y = rng.integers(0, 2, 40)
    with pytest.raises(ValueError, match="offset"):
        glmlx.glmnet(X, y, family="binomial", offset=np.zeros(39))
    with pytest.raises(ValueError, match="offset"):
        glmlx.glmnet(X, y, family="binomial", offset=np.r_[np.zeros(39), np.inf])
    with pytest.raises(ValueError, match="type_logistic"):
        glmlx.glmnet(X, y, family="binomial", type_logistic="newton")
    with pytest.raises(ValueError, match="family"):
        glmlx.glmnet(X, y, family="gamma")
    Xb = X.copy()
    Xb[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        glmlx.glmnet(Xb, y, family="binomial")
    fit = glmlx.glmnet(X, y, family="binomial", offset=np.zeros(40))
    with pytest.raises(ValueError, match="newoffset"):
        fit.predict(X)
    with pytest.raises(ValueError, match="class"):
        glmlx.glmnet(X, rng.poisson(2, 40), family="poisson").predict(X, type="class")


def test_mgaussian_offset_and_prediction_shapes():
    d, prm = load("mgaussian_lasso")
    X, Y = d["X"], d["y"]
    n, K = Y.shape
    off = np.random.default_rng(2).normal(size=(n, K))
    fit = glmlx.glmnet(X, Y + off, family="mgaussian", offset=off, lambdas=d["lambda"][1:10])
    ref = glmlx.glmnet(X, Y, family="mgaussian", lambdas=d["lambda"][1:10])
    np.testing.assert_allclose(np.asarray(fit.coef()), np.asarray(ref.coef()), atol=1e-10)
    link = np.asarray(fit.predict(X, s=d["lambda"][3], newoffset=off))
    assert link.shape == (n, K, 1)
    np.testing.assert_allclose(link[:, :, 0] - off, np.asarray(ref.predict(X, s=d["lambda"][3]))[:, :, 0])
    with pytest.raises(ValueError, match="y must have shape"):
        glmlx.glmnet(X, Y[:-1], family="mgaussian")


def test_separable_data_stop_without_nans():
    d, prm = load("binomial_separable")
    fit, _ = fit_from_fixture(d, prm)
    assert np.all(np.isfinite(np.asarray(fit.coef())))
    assert float(np.asarray(fit.dev_ratio)[-1]) > 0.999


CV_CASES = fixture_cases("glmnet_glm", lambda stem: stem.startswith("cv_") and stem.split("_")[1] in FAMILIES)


@pytest.mark.parametrize("case", CV_CASES)
def test_cv_matches_cv_glmnet(case):
    d, prm = load(case)
    kw = dict(family=prm["family"], alpha=prm["alpha"])
    if prm.get("user_weights"):
        kw["weights"] = d["weights"]
    if prm["family"] == "mgaussian":
        kw["standardize_response"] = prm.get("standardize_response", False)
    if prm["family"] == "multinomial":
        kw["type_multinomial"] = prm["type_multinomial"]
    cv = glmlx.cv_glmnet(d["X"], response(d, prm), foldid=d["foldid"], type_measure=prm["type_measure"],
                         grouped=prm["cv_grouped"], **kw)
    np.testing.assert_allclose(np.asarray(cv.lambdas), d["cv_lambda"], rtol=1e-8)
    np.testing.assert_allclose(np.asarray(cv.cvm), d["cvm"], rtol=1e-4, atol=1e-10)
    np.testing.assert_allclose(np.asarray(cv.cvsd), d["cvsd"], rtol=1e-4, atol=1e-10)
    np.testing.assert_array_equal(np.asarray(cv.nzero), d["nzero"])
    assert cv.lambda_min == pytest.approx(float(d["lambda_min"]), rel=1e-10)
    assert cv.lambda_1se == pytest.approx(float(d["lambda_1se"]), rel=1e-10)


def test_small_fold_fixtures_exercise_the_folds_own_ratio():
    """One small-fold fixture per family: n >= p overall, n < p in every fold, R's folds on their own default."""
    cases = [c for c in CV_CASES if load(c)[1].get("cv_lmr_default")]
    assert {load(c)[1]["family"] for c in cases} == {"binomial", "poisson", "multinomial", "mgaussian"}
    assert "grouped" in {load(c)[1]["type_multinomial"] for c in cases if "multinomial" in c}
    for case in cases:
        d, prm = load(case)
        n, p = d["X"].shape
        train = n - np.unique(d["foldid"], return_counts=True)[1]
        assert n >= p and np.all(train < p)


def test_weighted_auc_is_the_mann_whitney_statistic():
    from glmlx.cv_glm import weighted_auc

    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 60).astype(float)
    s = np.round(rng.normal(size=60), 1)  # ties
    w = rng.uniform(0.5, 2, 60)
    pos, neg = y == 1, y == 0
    diff = s[pos][:, None] - s[neg][None, :]
    ww = w[pos][:, None] * w[neg][None, :]
    ref = (ww * ((diff > 0) + 0.5 * (diff == 0))).sum() / ww.sum()
    assert weighted_auc(y, s, w) == pytest.approx(ref, rel=1e-12)
    assert weighted_auc(y, np.zeros(60), w) == pytest.approx(0.5)


def test_cv_family_arguments_and_errors():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(60, 5))
    y = rng.integers(0, 2, 60)
    with pytest.raises(ValueError, match="type_measure"):
        glmlx.cv_glmnet(X, rng.poisson(2, 60), family="poisson", type_measure="auc")
    with pytest.warns(UserWarning, match="Too few"):
        cv = glmlx.cv_glmnet(X, y, family="binomial", type_measure="auc", nfolds=10, seed=0)
    assert cv.type_measure == "deviance"
    cv = glmlx.cv_glmnet(X, y, family="binomial", type_measure="class", nfolds=3, seed=1, keep=True,
                         offset=np.zeros(60))
    assert cv.name == "Misclassification Error"
    assert np.asarray(cv.fit_preval).shape == (60, np.asarray(cv.lambdas).size)
    assert cv.predict(X[:4], type="class", newoffset=np.zeros(4)).shape == (4, 1)


def test_multinomial_labels_counts_and_grouping():
    d, prm = load("multinomial_lasso")
    X, codes = d["X"], d["y"].astype(int)
    labels = np.asarray(prm["class_levels"])[codes]
    fit = glmlx.glmnet(X, labels, family="multinomial")
    assert list(fit.classes) == prm["class_levels"]
    assert np.asarray(fit.beta).shape[0] == 3
    # A one-hot count matrix is the same response.
    onehot = np.eye(3)[codes]
    np.testing.assert_allclose(np.asarray(glmlx.glmnet(X, onehot, family="multinomial").coef()),
                               np.asarray(fit.coef()), atol=1e-12)
    probs = np.asarray(fit.predict(X[:5], s=0.01, type="response"))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="type_multinomial"):
        glmlx.glmnet(X, labels, family="multinomial", type_multinomial="group")
    with pytest.raises(ValueError, match="offset"):
        glmlx.glmnet(X, labels, family="multinomial", offset=np.zeros(X.shape[0]))


def _raw_path(family, X, y, w, offset=None, **settings):
    """The C++ path (glmlx._ext.glm_paths) with every variable usable, unit penalties, no limits, glmnet's grid."""
    from glmlx import _ext

    s = _ext.GlmPathSettings()
    s.family = getattr(_ext.GlmFamily, family)
    for name, value in settings.items():
        setattr(s, name, value)
    p = X.shape[1]
    ones = np.ones(p)
    (fit,) = _ext.glm_paths(X, y, w, offset, np.ones(p, np.uint8), ones, -1e35 * ones, 1e35 * ones, None, s, [])
    return fit


@pytest.mark.parametrize("family", ("binomial", "poisson"))
def test_two_thread_path_matches_one_thread(family):
    """The two-thread path (large n) splits its sums in two: same path to rounding, KKT conditions hold."""
    rng = np.random.default_rng(11)
    n, p = 6000, 60
    X = rng.normal(size=(n, p))
    eta = X[:, :6] @ np.array([0.8, -0.6, 0.5, 0.3, -0.4, 0.2])
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float) if family == "binomial" else rng.poisson(np.exp(0.5 * eta))
    y = y.astype(float)
    w = rng.uniform(0.5, 2.0, n)
    offset = rng.normal(scale=0.2, size=n)
    one, two = (_raw_path(family, X, y, w, offset, thresh=1e-12, nlam=60, path_threads=threads) for threads in (1, 2))
    assert two["jerr"] == one["jerr"] == 0
    assert two["lambdas"].size == one["lambdas"].size
    np.testing.assert_allclose(two["lambdas"], one["lambdas"], rtol=1e-10)
    np.testing.assert_allclose(two["beta"], one["beta"], rtol=0, atol=1e-10 * np.abs(one["beta"]).max())
    np.testing.assert_allclose(two["a0"], one["a0"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(two["dev_ratio"], one["dev_ratio"], rtol=0, atol=1e-10)
    lam = two["lambdas"]
    for m in range(1, lam.size, 9):
        b, a0 = two["beta"][m, 0], two["a0"][m, 0]
        fit_eta = a0 + X @ b + offset
        mu = 1 / (1 + np.exp(-fit_eta)) if family == "binomial" else np.exp(fit_eta)
        wn = w / w.sum()
        grad = X.T @ (wn * (y - mu))
        sd = np.sqrt(wn @ (X - wn @ X) ** 2)
        active = b != 0
        excess = np.abs(grad) - lam[m] * sd
        assert np.all(excess[~active] < 1e-3 * lam[m])
        assert np.all(np.abs(grad[active] - lam[m] * sd[active] * np.sign(b[active])) < 1e-3 * lam[m])


def test_multiclass_paths_plot_one_panel_per_class(tmp_path):
    plt = pytest.importorskip("matplotlib.pyplot")
    d, prm = load("multinomial_lasso")
    fit = glmlx.glmnet(d["X"], d["y"].astype(int), family="multinomial")
    axes = fit.plot(xvar="dev", path=tmp_path / "path.png")
    assert len(axes) == 3 and all(f"class {k}" in ax.get_title() for k, ax in zip(fit.classes, axes))
    assert (tmp_path / "path.png").stat().st_size > 1000
    plt.close("all")


def test_gaussian_offset_is_taken_from_y_in_fits_and_cv():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 10))
    y = X[:, 0] + rng.normal(size=200)
    off = rng.normal(size=200)
    a = glmlx.cv_glmnet(X, y + off, offset=off, nfolds=5, seed=1)
    b = glmlx.cv_glmnet(X, y, nfolds=5, seed=1)
    np.testing.assert_allclose(np.asarray(a.cvm), np.asarray(b.cvm), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(a.predict(X[:3], newoffset=off[:3])),
                               np.asarray(b.predict(X[:3])) + off[:3, None], rtol=1e-12)
    with pytest.raises(ValueError, match="newoffset"):
        a.predict(X[:3])


@pytest.mark.parametrize("family", ("gaussian", "binomial"))
@pytest.mark.parametrize("maxit", (1, 4))
def test_paths_cut_short_at_their_first_lambdas_are_returned_with_a_warning(family, maxit):
    # glmnet's fix.lam needs three lambdas: one- and two-point paths keep theirs.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 5))
    y = rng.integers(0, 2, 60) if family == "binomial" else X[:, 0] + rng.normal(size=60)
    with pytest.warns(GlmnetWarning, match=f"maxit={maxit} "):
        fit = glmlx.glmnet(X, y, family=family, maxit=maxit)
    lam = np.asarray(fit.lambdas)
    assert fit.jerr == -(lam.size + 1) and lam.size == (1 if maxit == 1 else 2)
    assert np.all(np.isfinite(np.asarray(fit.coef())))
    if maxit == 4:  # folds cut as short, each with glmnet's warning
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cv = glmlx.cv_glmnet(X, y, family=family, maxit=maxit, nfolds=3, seed=0)
        assert any(str(w.message).startswith("fold 1: Convergence") for w in caught)
        assert np.all(np.isfinite(np.asarray(cv.cvm)))


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2,
                    reason="needs a CPU affinity mask of two or more CPUs")
def test_path_pinned_to_one_cpu_matches_two():
    """A process pinned to one CPU (as importing adelie does) fits the same path, on one thread."""
    rng = np.random.default_rng(5)
    n, p = 5000, 40
    X = rng.normal(size=(n, p))
    y = (rng.random(n) < 1 / (1 + np.exp(-X[:, :4] @ np.array([1.0, -0.8, 0.6, 0.4])))).astype(float)
    cpus = os.sched_getaffinity(0)
    free = glmlx.glmnet(X, y, family="binomial")
    try:
        os.sched_setaffinity(0, {min(cpus)})
        pinned = glmlx.glmnet(X, y, family="binomial")
    finally:
        os.sched_setaffinity(0, cpus)
    assert os.sched_getaffinity(0) == cpus
    assert pinned.npasses == free.npasses
    np.testing.assert_allclose(pinned.lambdas, free.lambdas, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(pinned.beta), np.asarray(free.beta), rtol=0,
                               atol=1e-10 * np.abs(np.asarray(free.beta)).max())


@pytest.mark.parametrize("family", ("binomial", "poisson", "multinomial"))
@pytest.mark.parametrize("threads", (1, 2))
def test_prefetching_sweeps_give_the_same_path_bit_for_bit(family, threads):
    """Sweeps that prefetch the next column (on by default only for X over 16 MB) change no bit of the path."""
    rng = np.random.default_rng(3)
    n, p = 3000, 40
    X = rng.normal(size=(n, p))
    eta = X[:, :5] @ np.array([0.9, -0.7, 0.5, 0.4, -0.3])
    if family == "binomial":
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    elif family == "poisson":
        y = rng.poisson(np.exp(0.5 * eta)).astype(float)
    else:  # three classes, class-major indicator columns
        labels = np.argmax(np.stack([eta, -eta, 0.5 * X[:, 5]]) + rng.gumbel(size=(3, n)), axis=0)
        y = np.concatenate([(labels == k).astype(float) for k in range(3)])
    w = rng.uniform(0.5, 2.0, n)
    off, on = (_raw_path(family, X, y, w, thresh=1e-10, nlam=50, path_threads=threads, prefetch=prefetch)
               for prefetch in (0, 1))
    assert on["jerr"] == off["jerr"] == 0
    assert on["npasses"] == off["npasses"] > 0
    np.testing.assert_array_equal(on["lambdas"], off["lambdas"])
    np.testing.assert_array_equal(on["beta"], off["beta"])
    np.testing.assert_array_equal(on["a0"], off["a0"])
    assert np.count_nonzero(on["beta"][-1]) >= 5


def test_two_thread_multinomial_path_matches_one_thread():
    """The multinomial path's sweeps and IRLS sums split over two threads: the same path to rounding."""
    rng = np.random.default_rng(17)
    n, p, K = 5000, 30, 3
    X = rng.normal(size=(n, p))
    scores = np.stack([X[:, :3] @ np.array([1.0, -0.5, 0.4]), X[:, 3:6] @ np.array([-0.8, 0.6, 0.3]), np.zeros(n)])
    labels = np.argmax(scores + rng.gumbel(size=(K, n)), axis=0)
    y = np.concatenate([(labels == k).astype(float) for k in range(K)])
    w = rng.uniform(0.5, 2.0, n)
    one, two = (_raw_path("multinomial", X, y, w, thresh=1e-12, nlam=40, path_threads=threads) for threads in (1, 2))
    assert two["jerr"] == one["jerr"] == 0
    assert two["lambdas"].size == one["lambdas"].size
    np.testing.assert_allclose(two["lambdas"], one["lambdas"], rtol=1e-10)
    np.testing.assert_allclose(two["beta"], one["beta"], rtol=0, atol=1e-9 * np.abs(one["beta"]).max())
    np.testing.assert_allclose(two["a0"], one["a0"], rtol=0, atol=1e-9)
    assert np.count_nonzero(one["beta"][-1]) >= 6


def test_reused_buffers_leave_no_trace_between_paths():
    """Paths reuse their column buffers (1 MiB and up): a path after a larger one, or after clear_cache,
    is the same bit for bit as the first."""
    rng = np.random.default_rng(11)
    X = rng.normal(size=(3000, 60))
    y = rng.poisson(np.exp(0.3 * X[:, :3].sum(axis=1)))
    big = rng.normal(size=(3000, 120))  # twice the buffers: not taken for the smaller path
    ybig = rng.poisson(np.exp(0.2 * big[:, :5].sum(axis=1)))
    first = glmlx.glmnet(X, y, family="poisson")
    glmlx.glmnet(big, ybig, family="poisson")
    again = glmlx.glmnet(X, y, family="poisson")  # on the buffers the first path left
    glmlx.clear_cache()
    fresh = glmlx.glmnet(X, y, family="poisson")
    for other in (again, fresh):
        assert other.npasses == first.npasses
        np.testing.assert_array_equal(np.asarray(other.beta), np.asarray(first.beta))
        np.testing.assert_array_equal(np.asarray(other.a0), np.asarray(first.a0))


def _deviance(family, y, mu, w):
    """Unit deviance summed with weights w, from scratch."""
    if family == "poisson":
        ylog = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0) / mu), 0.0)
        return 2.0 * np.sum(w * (ylog - (y - mu)))
    q = np.clip(mu, 1e-9, 1 - 1e-9)  # glmnet.control pmin
    return -2.0 * np.sum(w * (y * np.log(q) + (1 - y) * np.log(1 - q)))


@pytest.mark.parametrize("family", ("binomial", "poisson"))
def test_dev_ratio_agrees_with_the_coefficients_along_the_path(family):
    """The solver updates its linear predictor from the residuals, not from X b: along the whole path its
    deviance (dev_ratio) must still be the one of the coefficients it returns. Strong signal, flipped labels,
    zero weights and offsets put rows where W is tiny against the residual (the rows summed afresh)."""
    rng = np.random.default_rng(5)
    n, p = 3000, 40
    X = rng.normal(size=(n, p))
    eta = X[:, :5] @ np.array([3.0, -2.5, 2.0, 1.5, -1.0])
    offset = rng.normal(scale=0.3, size=n)
    if family == "binomial":
        y = (rng.random(n) < 1 / (1 + np.exp(-eta - offset))).astype(float)
        flip = rng.choice(n, 30, replace=False)
        y[flip] = 1 - y[flip]
    else:
        y = rng.poisson(np.exp(0.5 * eta + offset)).astype(float)
        y[rng.choice(n, 10, replace=False)] += 20.0  # counts far above their fitted means
    w = rng.uniform(0.5, 2.0, n)
    w[rng.choice(n, 50, replace=False)] = 0.0
    fit = glmlx.glmnet(X, y, family=family, weights=w, offset=offset, lambda_min_ratio=1e-4)
    assert fit.jerr == 0 and len(fit.lambdas) > 20
    link = np.asarray(fit.predict(X, type="link", newoffset=offset))
    mu = np.exp(link) if family == "poisson" else 1 / (1 + np.exp(-link))
    dev = np.array([_deviance(family, y, mu[:, m], w) for m in range(mu.shape[1])])
    np.testing.assert_allclose(1 - dev / fit.nulldev, np.asarray(fit.dev_ratio), rtol=0, atol=1e-9)
