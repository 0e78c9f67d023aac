"""cv_glmnet: parity with R's cv.glmnet on committed fixtures, batched folds, options and bad input."""

import numpy as np
import pytest

import glmlx
from conftest import fixture_cases, load_fixture

CV_CASES = fixture_cases("glmnet", lambda stem: stem.startswith("cv_"))


def load(case):
    return load_fixture("glmnet", case)


def _modes(case):
    # Where the folds have fewer rows than columns (R's folds on their own default
    # lambda_min_ratio) R's two schemes differ by ~1e-4, so each has its own fixture.
    prm = load(case)[1]
    return [prm["type_gaussian"]] if prm.get("cv_lmr_default") else ["covariance", "naive"]


@pytest.mark.parametrize("case, mode", [(c, m) for c in CV_CASES for m in _modes(c)])
def test_matches_cv_glmnet(case, mode):
    d, prm = load(case)
    kw = {"weights": d["weights"]} if "weights" in d else {}
    cv = glmlx.cv_glmnet(d["X"], d["y"], foldid=d["foldid"], type_measure=prm["type_measure"],
                         type_gaussian=mode, **kw)
    np.testing.assert_allclose(np.asarray(cv.lambdas), d["lambda"], rtol=1e-8)
    np.testing.assert_allclose(np.asarray(cv.cvm), d["cvm"], rtol=1e-4)
    np.testing.assert_allclose(np.asarray(cv.cvsd), d["cvsd"], rtol=1e-4)
    np.testing.assert_allclose(np.asarray(cv.cvup), d["cvup"], rtol=1e-4)
    np.testing.assert_allclose(np.asarray(cv.cvlo), d["cvlo"], rtol=1e-4)
    np.testing.assert_array_equal(np.asarray(cv.nzero), d["nzero"])
    # the chosen lambdas are the same path points
    assert cv.index_min == int(np.argmin(np.abs(d["lambda"] - d["lambda_min"])))
    assert cv.index_1se == int(np.argmin(np.abs(d["lambda"] - d["lambda_1se"])))
    assert cv.lambda_min == pytest.approx(float(d["lambda_min"]), rel=1e-8)
    assert cv.lambda_1se == pytest.approx(float(d["lambda_1se"]), rel=1e-8)


def _data(n=120, p=15, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X[:, :4] @ np.array([2.0, -1.5, 1.0, 0.5]) + rng.standard_normal(n)
    return X, y


def test_batched_folds_equal_separate_glmnet_fits():
    X, y = _data()
    foldid = np.resize(np.arange(1, 6), 120)
    cv = glmlx.cv_glmnet(X, y, foldid=foldid, keep=True)
    lam = np.asarray(cv.lambdas)
    for k in range(1, 6):
        tr = foldid != k
        fit = glmlx.glmnet(X[tr], y[tr])
        np.testing.assert_allclose(np.asarray(cv.fit_preval)[~tr], np.asarray(fit.predict(X[~tr], s=lam)),
                                   rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("family", ["gaussian", "binomial", "poisson"])
@pytest.mark.parametrize("lambda_min_ratio", [None, 1e-4])
@pytest.mark.parametrize("mode", ["covariance", "naive"])
def test_folds_with_fewer_rows_than_columns_are_glmnet_fits_of_their_rows(family, lambda_min_ratio, mode):
    """Each fold is glmnet() on its training rows: its own default ratio (0.01 at 20 x 25), else the user's."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((30, 25))
    eta = 0.5 * (X[:, 0] - 0.7 * X[:, 1] + 0.4 * X[:, 2])
    y = {"gaussian": eta + 0.3 * rng.standard_normal(30), "binomial": (eta + 0.5 * rng.standard_normal(30) > 0) * 1.0,
         "poisson": rng.poisson(np.exp(eta)).astype(float)}[family]
    foldid = np.resize([1, 2, 3], 30)
    cv = glmlx.cv_glmnet(X, y, family=family, foldid=foldid, keep=True, lambda_min_ratio=lambda_min_ratio,
                         type_gaussian=mode)
    lam = np.asarray(cv.lambdas)
    for k in (1, 2, 3):
        tr = foldid != k
        fit = glmlx.glmnet(X[tr], y[tr], family=family, lambda_min_ratio=lambda_min_ratio, type_gaussian=mode)
        np.testing.assert_allclose(np.asarray(cv.fit_preval)[~tr], np.asarray(fit.predict(X[~tr], s=lam)),
                                   rtol=1e-9, atol=1e-12)


def test_small_fold_fixtures_exercise_the_folds_own_ratio():
    """The small-fold fixtures: n >= p overall, n < p in every fold, and R left lambda.min.ratio to glmnet."""
    cases = [c for c in CV_CASES if load(c)[1].get("cv_lmr_default")]
    assert sorted(cases) == ["cv_small_folds_mse", "cv_small_folds_naive_mse"]
    for case in cases:
        d, prm = load(case)
        n, p = d["X"].shape
        train = n - np.unique(d["foldid"], return_counts=True)[1]
        assert n >= p and np.all(train < p)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("scale", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fold_standardization_is_each_folds_own(fit_intercept, scale, dtype):
    """standardize_cv's folds (full Gram minus held-out Grams, in C++) equal standardize() on the training rows."""
    import warnings

    from glmlx import gaussian

    X, y = _data(n=90, p=8, seed=3)
    X[:, 2] = 1.5  # constant everywhere: dropped in every problem
    X[:30, 5] = -2.0  # constant on fold 3's training rows only (the other folds see rows 30+)
    X = X.astype(dtype)
    fold = np.where(np.arange(90) < 30, np.arange(90) % 2, 2)
    weights = np.linspace(0.5, 1.5, 90)
    excluded = np.zeros(8, dtype=bool)
    excluded[6] = True
    rows = [np.flatnonzero(fold == k) for k in range(3)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no stray casts of unset memory
        stds = gaussian.standardize_cv(X, y, weights, fold, rows, excluded, scale, fit_intercept)
    assert len(stds) == 4
    # float32 Grams differ in float32 rounding between the two routes
    rtol, atol, rel = (1e-9, 1e-12, 1e-12) if dtype == np.float64 else (1e-4, 1e-5, 1e-6)
    for k, std in enumerate(stds):
        tr = fold != k if k < 3 else np.ones(90, dtype=bool)
        ref = gaussian.standardize(np.ascontiguousarray(X[tr]), y[tr], weights[tr], excluded, scale, fit_intercept)
        np.testing.assert_array_equal(std.include, ref.include)
        for name in ("C", "g", "xv", "xm", "xs"):
            np.testing.assert_allclose(getattr(std, name), getattr(ref, name), rtol=rtol, atol=atol,
                                       err_msg=f"problem {k}: {name}")
        for name in ("ym", "ys", "nulldev"):
            assert getattr(std, name) == pytest.approx(getattr(ref, name), rel=rel)
    assert stds[2].include[5] == 0 and stds[0].include[5] == 1 and not any(s.include[2] for s in stds)


@pytest.mark.parametrize("kwargs", [dict(), dict(type_gaussian="naive"), dict(fit_intercept=False),
                                    dict(weights=np.linspace(0.2, 2, 120), standardize=False),
                                    dict(lambdas=np.geomspace(1, 1e-3, 20))])
def test_full_fit_is_the_glmnet_fit(kwargs):
    """The full-data path, solved in the folds' batch from the pooled Gram, is glmnet's (to rounding)."""
    X, y = _data()
    cv = glmlx.cv_glmnet(X, y, nfolds=5, seed=4, **kwargs)
    fit = glmlx.glmnet(X, y, **kwargs)
    for name in ("lambdas", "a0", "beta", "dev_ratio"):
        np.testing.assert_allclose(np.asarray(getattr(cv.fit, name)), np.asarray(getattr(fit, name)),
                                   rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(np.asarray(cv.fit.df), np.asarray(fit.df))
    assert (cv.fit.npasses, cv.fit.jerr) == (fit.npasses, fit.jerr)
    assert cv.fit.nulldev == pytest.approx(fit.nulldev, rel=1e-13)


def test_held_out_link_kernel_matches_numpy():
    """cv_link_numpy: per fold, X[rows] times the path interpolated at given points, plus the intercepts."""
    from glmlx import _ext

    rng = np.random.default_rng(5)
    X = rng.standard_normal((40, 6))
    order = rng.permutation(40).astype(np.int64)
    bounds = np.array([0, 15, 15, 40], dtype=np.int64)  # an empty fold too
    lengths = [5, 1, 8]
    betas = [rng.standard_normal((m, 6)) * (rng.uniform(size=6) < 0.6) for m in lengths]
    a0s = [rng.standard_normal(m) for m in lengths]
    left = np.stack([rng.integers(0, m, 7) for m in lengths])
    right = np.minimum(left + 1, np.array(lengths)[:, None] - 1)
    frac = rng.uniform(size=(3, 7))
    link = _ext.cv_link_numpy(X, order, bounds, betas, a0s, left, right, frac)
    for k in range(3):
        rows = order[bounds[k]:bounds[k + 1]]
        coef = betas[k][left[k]] * frac[k][:, None] + betas[k][right[k]] * (1 - frac[k])[:, None]
        a0 = a0s[k][left[k]] * frac[k] + a0s[k][right[k]] * (1 - frac[k])
        np.testing.assert_allclose(link[bounds[k]:bounds[k + 1]], a0 + X[rows] @ coef.T, rtol=1e-13, atol=1e-13)
    with pytest.raises(ValueError, match=r"interpolation points"):
        _ext.cv_link_numpy(X, order, bounds, betas, a0s, left + 10, right, frac)


def test_fold_labels_are_any_integers():
    X, y = _data()
    foldid = np.resize(np.arange(1, 6), 120)
    a = glmlx.cv_glmnet(X, y, foldid=foldid)
    b = glmlx.cv_glmnet(X, y, foldid=foldid * 10 - 3)
    np.testing.assert_array_equal(np.asarray(a.cvm), np.asarray(b.cvm))


def test_random_folds_are_reproducible_with_seed():
    X, y = _data()
    a = glmlx.cv_glmnet(X, y, nfolds=5, seed=3)
    b = glmlx.cv_glmnet(X, y, nfolds=5, seed=3)
    np.testing.assert_array_equal(a.foldid, b.foldid)
    np.testing.assert_array_equal(np.asarray(a.cvm), np.asarray(b.cvm))
    assert sorted(np.bincount(a.foldid)[1:]) == [24] * 5


def test_predict_and_coef_at_chosen_lambdas():
    X, y = _data()
    cv = glmlx.cv_glmnet(X, y, nfolds=5, seed=1)
    np.testing.assert_allclose(np.asarray(cv.coef()), np.asarray(cv.fit.coef(s=cv.lambda_1se)))
    np.testing.assert_allclose(np.asarray(cv.predict(X[:3], s="lambda_min")),
                               np.asarray(cv.fit.predict(X[:3], s=cv.lambda_min)))
    assert cv.lambda_1se >= cv.lambda_min


def test_ungrouped_and_measures():
    X, y = _data()
    foldid = np.resize(np.arange(1, 6), 120)
    mse = glmlx.cv_glmnet(X, y, foldid=foldid, keep=True)
    pre = np.asarray(mse.fit_preval)
    np.testing.assert_allclose(np.asarray(glmlx.cv_glmnet(X, y, foldid=foldid, grouped=False).cvm),
                               ((y[:, None] - pre) ** 2).mean(axis=0), rtol=1e-12)
    mae = glmlx.cv_glmnet(X, y, foldid=foldid, type_measure="mae")
    per_fold = np.array([np.abs(y[foldid == k, None] - pre[foldid == k]).mean(0) for k in range(1, 6)])
    np.testing.assert_allclose(np.asarray(mae.cvm), per_fold.mean(0), rtol=1e-12)


def test_plots_are_written(tmp_path):
    pytest.importorskip("matplotlib")
    X, y = _data()
    cv = glmlx.cv_glmnet(X, y, nfolds=5, seed=1)
    cv.plot(tmp_path / "cv.png")
    cv.fit.plot(xvar="norm", path=tmp_path / "path.png")
    assert (tmp_path / "cv.png").stat().st_size > 1000 and (tmp_path / "path.png").stat().st_size > 1000


X0, Y0 = _data(40, 5, seed=2)


@pytest.mark.parametrize(
    "kwargs,exc,msg",
    [
        (dict(foldid=np.ones(39)), ValueError, r"foldid must have length n=40"),
        (dict(foldid=np.resize([1, 2], 40)), ValueError, r"at least 3 folds"),
        (dict(nfolds=2), ValueError, r"at least 3 folds"),
        (dict(nfolds=41), ValueError, r"nfolds=41 is larger than the number of observations"),
        (dict(type_measure="auc"), ValueError, r"type_measure must be"),
        (dict(type_measure="nope"), ValueError, r"type_measure must be"),
        (dict(foldid=np.resize([1.5, 2, 3], 40)), ValueError, r"integer fold labels"),
        (dict(nfolds=4, weights=np.r_[np.zeros(10), np.ones(30)], foldid=np.repeat([1, 2, 3, 4], 10)),
         ValueError, r"fold 1 has no observation with positive weight"),
        (dict(bogus=1), TypeError, r"unexpected glmnet arguments"),
        (dict(nfolds=5.0), TypeError, r"nfolds must be an integer"),
    ],
)
def test_bad_input(kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        glmlx.cv_glmnet(X0, Y0, **kwargs)


@pytest.mark.parametrize("p, kwargs", [(5, dict()), (5, dict(type_gaussian="naive")), (80, dict())])
def test_a_fold_whose_training_rows_fail_glmnets_checks_is_named(p, kwargs):
    """A fold whose training rows have a constant y or only constant columns: glmnet's error, naming the fold
    (fold Grams from the full one; p > n: residual updates over a shared copy of X)."""
    X, y = _data(n=60, p=p, seed=2)
    fold = np.resize(np.arange(1, 4), 60)
    yc = np.where(fold != 1, 2.0, y)  # constant on fold 1's training rows
    with pytest.raises(ValueError, match=r"fold 1: training rows: y is constant"):
        glmlx.cv_glmnet(X, yc, foldid=fold, **kwargs)
    Xc = np.where((fold != 2)[:, None], 1.0, X)  # every column constant on fold 2's training rows
    with pytest.raises(ValueError, match=r"fold 2: training rows: X: all used predictors have zero variance"):
        glmlx.cv_glmnet(Xc, y, foldid=fold, **kwargs)


def test_lazy_gram_folds_name_the_failing_fold():
    """The lazy-Gram fold problems (very large p and n) check each fold's training rows the same way."""
    from glmlx import gaussian

    X, y = _data(n=60, p=8, seed=3)
    fold = np.resize(np.arange(3), 60)
    Xc = np.where((fold != 1)[:, None], 1.0, X)
    with pytest.raises(ValueError, match=r"fold 2: training rows: X: all used predictors have zero variance"):
        gaussian.standardize_folds(Xc, y, np.ones(60), fold, 3, np.zeros(8, dtype=bool), True, True,
                                   residual=False)
