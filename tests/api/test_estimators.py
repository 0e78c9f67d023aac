"""scikit-learn estimators (glmlx.estimators): sklearn's common checks, parity with glmnet/cv_glmnet, sklearn tools."""
import pickle
import subprocess
import sys

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn", minversion="1.6")  # validate_data and expected_failed_checks

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import glmlx  # noqa: E402
from glmlx import (GlmnetClassifier, GlmnetClassifierCV, GlmnetMultiTaskRegressor,  # noqa: E402
                   GlmnetMultiTaskRegressorCV, GlmnetPoissonRegressor, GlmnetPoissonRegressorCV, GlmnetRegressor,
                   GlmnetRegressorCV)

CV_ESTIMATORS = (GlmnetRegressorCV, GlmnetPoissonRegressorCV, GlmnetMultiTaskRegressorCV, GlmnetClassifierCV)
ESTIMATORS = (GlmnetRegressor, GlmnetPoissonRegressor, GlmnetMultiTaskRegressor, GlmnetClassifier) + CV_ESTIMATORS

# Checks that contradict glmnet's semantics, and why.
CV_WEIGHT_REASON = (
    "cv_glmnet draws its folds over rows, so weights are not repetitions for the CV variants: a row repeated "
    "k times can land in k folds while a row of weight k stays in one, and a zero-weight row still takes a "
    "fold slot (with this check's data a fold can hold only zero-weight rows, which cv_glmnet refuses, or "
    "its training rows can lose a class); the folds, CV curve and chosen lambda then differ. The non-CV "
    "estimators pass this check.")


def expected_failed_checks(estimator):
    if isinstance(estimator, CV_ESTIMATORS):
        return {"check_sample_weight_equivalence_on_dense_data": CV_WEIGHT_REASON}
    return {}


# The defaults of every estimator, plus non-default instances where an option changes the code path.
CHECKED = [cls() for cls in ESTIMATORS] + [
    GlmnetRegressor(alpha=0.5, s=0.05, nlambda=20),
    GlmnetClassifier(type_multinomial="grouped", alpha=0.3, nlambda=20),
    GlmnetClassifierCV(s="lambda_min", nfolds=4, nlambda=20),
    GlmnetMultiTaskRegressorCV(s="lambda_min", nfolds=3, standardize_response=True, nlambda=20),
]


@parametrize_with_checks(CHECKED, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# -- data ------------------------------------------------------------------------------------------
def _data(kind, n=80, p=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    eta = X[:, 0] - 0.7 * X[:, 1] + 0.3 * X[:, 2]
    if kind == "gaussian":
        return X, eta + rng.normal(scale=0.5, size=n)
    if kind == "poisson":
        return X, rng.poisson(np.exp(0.5 * eta)).astype(float)
    if kind == "mgaussian":
        return X, np.column_stack([eta, -eta + X[:, 3], X[:, 4]]) + rng.normal(scale=0.5, size=(n, 3))
    if kind == "binomial":
        return X, np.where(eta + rng.logistic(size=n) > 0, "yes", "no")
    return X, np.array(["a", "b", "c"])[np.argmax(np.column_stack([eta, -eta, X[:, 3]])
                                                  + rng.gumbel(size=(n, 3)), axis=1)]


FAMILIES = [(GlmnetRegressor, GlmnetRegressorCV, "gaussian", "gaussian"),
            (GlmnetPoissonRegressor, GlmnetPoissonRegressorCV, "poisson", "poisson"),
            (GlmnetMultiTaskRegressor, GlmnetMultiTaskRegressorCV, "mgaussian", "mgaussian"),
            (GlmnetClassifier, GlmnetClassifierCV, "binomial", "binomial"),
            (GlmnetClassifier, GlmnetClassifierCV, "multinomial", "multinomial")]


# -- parity with the functional API ----------------------------------------------------------------
@pytest.mark.parametrize("est_cls, _, kind, family", FAMILIES)
@pytest.mark.parametrize("s", [None, 0.05])
def test_coef_equals_glmnet(est_cls, _, kind, family, s):
    X, y = _data(kind)
    w = np.random.default_rng(1).uniform(0.5, 2.0, size=X.shape[0])
    est = est_cls(alpha=0.7, nlambda=30, s=s).fit(X, y, sample_weight=w)
    fit = glmlx.glmnet(X, y, family=family, alpha=0.7, nlambda=30, weights=w)
    lam = np.asarray(fit.lambdas)
    np.testing.assert_array_equal(est.lambdas_, lam)
    assert est.lambda_ == (lam[-1] if s is None else s)
    ref = np.asarray(fit.coef(s=est.lambda_))[..., 0]  # (p + 1,) or (K, p + 1)
    if ref.ndim == 1 and family == "binomial":  # scikit-learn's binary shapes
        ref = ref[None]
    np.testing.assert_array_equal(est.coef_, ref[..., 1:])
    np.testing.assert_array_equal(est.intercept_, ref[..., 0])
    assert est.n_iter_ == fit.npasses
    np.testing.assert_array_equal(est.coef_path_[..., -1], np.asarray(fit.coef())[..., 1:, -1].reshape(
        est.coef_.shape))
    if family in ("binomial", "multinomial"):
        assert list(est.classes_) == list(fit.classes)
        np.testing.assert_array_equal(est.predict(X), fit.predict(X, s=est.lambda_, type="class")[:, 0])
    else:
        np.testing.assert_array_equal(est.predict(X), np.asarray(fit.predict(X, s=est.lambda_,
                                                                             type="response"))[..., 0])


def test_attribute_shapes():
    n, p = 80, 6
    cases = [(GlmnetRegressor(), "gaussian", (p,), ()), (GlmnetPoissonRegressor(), "poisson", (p,), ()),
             (GlmnetMultiTaskRegressor(), "mgaussian", (3, p), (3,)), (GlmnetClassifier(), "binomial", (1, p), (1,)),
             (GlmnetClassifier(), "multinomial", (3, p), (3,))]
    for est, kind, coef_shape, icpt_shape in cases:
        X, y = _data(kind, n, p)
        est.fit(X, y)
        nlam = est.lambdas_.size
        assert est.coef_.shape == coef_shape and np.shape(est.intercept_) == icpt_shape, kind
        assert est.coef_path_.shape == coef_shape + (nlam,) and est.intercept_path_.shape == icpt_shape + (nlam,)
        assert est.n_features_in_ == p and not hasattr(est, "feature_names_in_")
        assert isinstance(est.path_, glmlx.GlmnetFit)
        pred = est.predict(X)
        assert isinstance(pred, np.ndarray) and pred.shape == ((n, 3) if kind == "mgaussian" else (n,))
        if kind == "binomial":
            assert est.decision_function(X).shape == (n,)
        if kind == "multinomial":
            assert est.decision_function(X).shape == (n, 3)


@pytest.mark.parametrize("_, est_cls, kind, family", FAMILIES)
@pytest.mark.parametrize("s", ["lambda_min", "lambda_1se"])
def test_cv_chooses_as_cv_glmnet(_, est_cls, kind, family, s):
    X, y = _data(kind)
    est = est_cls(nfolds=5, random_state=7, nlambda=30, s=s).fit(X, y)
    cv = glmlx.cv_glmnet(X, y, family=family, nfolds=5, seed=7, nlambda=30)
    assert isinstance(est.cv_, glmlx.CVGlmnet)
    np.testing.assert_array_equal(est.cv_.foldid, cv.foldid)
    np.testing.assert_array_equal(est.cv_mean_, np.asarray(cv.cvm))
    np.testing.assert_array_equal(est.cv_std_, np.asarray(cv.cvsd))
    assert (est.lambda_min_, est.lambda_1se_) == (cv.lambda_min, cv.lambda_1se)
    assert est.lambda_ == getattr(cv, s)
    ref = np.asarray(cv.coef(s=s))[..., 0]
    np.testing.assert_array_equal(est.coef_.reshape(-1), ref[..., 1:].reshape(-1))
    np.testing.assert_array_equal(np.reshape(est.intercept_, -1), ref[..., 0].reshape(-1))


def test_cv_foldid_and_type_measure_are_cv_glmnets():
    X, y = _data("binomial")
    foldid = np.arange(X.shape[0]) % 4 + 1
    est = GlmnetClassifierCV(type_measure="auc", nlambda=30).fit(X, y, foldid=foldid)
    cv = glmlx.cv_glmnet(X, y, family="binomial", foldid=foldid, type_measure="auc", nlambda=30)
    np.testing.assert_array_equal(est.cv_mean_, np.asarray(cv.cvm))
    assert est.lambda_ == cv.lambda_1se and est.cv_.type_measure == "auc"
    with pytest.raises(TypeError, match="unexpected"):
        GlmnetClassifier().fit(X, y, foldid=foldid)  # folds mean nothing without CV


def test_cv_random_state_instance_is_reproducible():
    X, y = _data("gaussian")
    a = GlmnetRegressorCV(random_state=np.random.RandomState(3), nlambda=20).fit(X, y)
    b = GlmnetRegressorCV(random_state=np.random.RandomState(3), nlambda=20).fit(X, y)
    np.testing.assert_array_equal(a.cv_.foldid, b.cv_.foldid)
    c = GlmnetRegressorCV(random_state=4, nlambda=20).fit(X, y)
    assert not np.array_equal(a.cv_.foldid, c.cv_.foldid)
    d = GlmnetRegressorCV(random_state=4, nlambda=20).fit(X, y)  # an int: cv_glmnet's seed itself
    np.testing.assert_array_equal(d.cv_.foldid, glmlx.cv_glmnet(X, y, seed=4, nlambda=20).foldid)


@pytest.mark.parametrize("est", [GlmnetRegressor(s="lambda_min"), GlmnetRegressor(s=-1.0),
                                 GlmnetRegressorCV(s="lambda_max"), GlmnetRegressorCV(s=None)])
def test_bad_s(est):
    X, y = _data("gaussian")
    with pytest.raises(ValueError, match="s must be"):
        est.fit(X, y)
    assert not hasattr(est, "path_")  # refused before the (possibly long) fit


# -- sklearn inputs and tools ----------------------------------------------------------------------
def test_one_column_x_is_a_clear_error():
    X, y = _data("gaussian")
    with pytest.raises(ValueError, match=r"1 feature\(s\).*minimum of 2 is required"):
        GlmnetRegressor().fit(X[:, :1], y)


def test_multitask_needs_2d_y():
    X, y = _data("gaussian")
    with pytest.raises(ValueError, match="2-D"):
        GlmnetMultiTaskRegressor().fit(X, y)


def test_one_positive_weight_class_is_an_error():
    X, y = _data("binomial")
    with pytest.raises(ValueError, match="at least 2 classes with positive"):
        GlmnetClassifier().fit(X, y, sample_weight=(y == "yes").astype(float))


@pytest.mark.parametrize("kind", ["binomial", "multinomial"])
def test_predict_proba(kind):
    X, y = _data(kind)
    est = GlmnetClassifier(s=0.02).fit(X, y)
    proba = est.predict_proba(X)
    assert proba.shape == (X.shape[0], est.classes_.size)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    resp = np.asarray(est.path_.predict(X, s=est.lambda_, type="response"))[..., 0]
    np.testing.assert_array_equal(proba[:, -1] if kind == "binomial" else proba, resp)
    np.testing.assert_array_equal(est.predict(X), est.classes_[np.argmax(proba, axis=1)])
    np.testing.assert_allclose(est.predict_log_proba(X), np.log(proba))
    assert est.score(X, y) == np.mean(est.predict(X) == y)


def test_poisson_score_is_d2():
    from sklearn.metrics import d2_tweedie_score

    X, y = _data("poisson")
    est = GlmnetPoissonRegressor().fit(X, y)
    assert est.score(X, y) == d2_tweedie_score(y, est.predict(X), power=1)
    assert np.all(est.predict(X) > 0)


@pytest.mark.parametrize("est_cls, _, kind, family", FAMILIES)
def test_sample_weight_is_row_repetition(est_cls, _, kind, family):
    X, y = _data(kind, n=60)
    reps = np.random.default_rng(2).integers(1, 4, size=X.shape[0])
    a = est_cls(nlambda=30).fit(X, y, sample_weight=reps)
    b = est_cls(nlambda=30).fit(np.repeat(X, reps, axis=0), np.repeat(y, reps, axis=0))
    np.testing.assert_allclose(a.lambdas_, b.lambdas_, rtol=1e-10)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=1e-6, atol=1e-8)


def test_pipeline_gridsearch_cross_val_score():
    X, y = _data("gaussian")
    pipe = make_pipeline(StandardScaler(), GlmnetRegressor(nlambda=30))
    pipe.fit(X, y)
    assert pipe.score(X, y) > 0.7
    scores = cross_val_score(pipe, X, y, cv=KFold(3))
    assert scores.shape == (3,) and np.all(scores > 0.5)
    grid = GridSearchCV(pipe, {"glmnetregressor__alpha": [0.0, 0.5, 1.0]}, cv=3).fit(X, y)
    assert grid.best_params_["glmnetregressor__alpha"] in (0.0, 0.5, 1.0)
    assert len(grid.cv_results_["mean_test_score"]) == 3
    Xc, yc = _data("multinomial")
    acc = cross_val_score(GlmnetClassifierCV(nfolds=3, random_state=0, nlambda=20), Xc, yc, cv=3)
    assert np.all(acc > 0.5)


@pytest.mark.parametrize("est_cls, _, kind, family", FAMILIES[2:4])
def test_clone_and_pickle(est_cls, _, kind, family):
    X, y = _data(kind)
    for cls in (est_cls, _):
        est = cls(alpha=0.5, nlambda=20)
        if cls is _:
            est.set_params(random_state=1, s="lambda_min")
        twin = clone(est)
        assert twin.get_params() == est.get_params() and not hasattr(twin, "coef_")
        est.fit(X, y)
        back = pickle.loads(pickle.dumps(est))
        np.testing.assert_array_equal(back.predict(X), est.predict(X))
        np.testing.assert_array_equal(back.coef_, est.coef_)
        np.testing.assert_array_equal(twin.fit(X, y).predict(X), est.predict(X))  # same params, same fit


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_glmnet_results_pickle(dtype):
    # the estimators hold these: mx.Dtype does not pickle, and MLX pickles float64 arrays as float32
    import mlx.core as mx

    X, y = _data("gaussian")
    cv = glmlx.cv_glmnet(X, y, nfolds=3, seed=0, nlambda=10, dtype=getattr(mx, dtype))
    back = pickle.loads(pickle.dumps(cv))
    assert back.fit.dtype == cv.fit.dtype == getattr(mx, dtype)
    np.testing.assert_array_equal(np.asarray(back.predict(X)), np.asarray(cv.predict(X)))
    for a, b in [(back.fit.beta, cv.fit.beta), (back.fit.lambdas, cv.fit.lambdas), (back.cvm, cv.cvm),
                 (back.nzero, cv.nzero)]:  # MLX's own pickling would turn float64 into float32
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_dataframe_input():
    pd = pytest.importorskip("pandas")
    X, y = _data("binomial")
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    est = GlmnetClassifier(nlambda=20).fit(df, pd.Series(y, name="target"))
    np.testing.assert_array_equal(est.feature_names_in_, df.columns.to_numpy(dtype=object))
    np.testing.assert_array_equal(est.predict(df), GlmnetClassifier(nlambda=20).fit(X, y).predict(X))
    swapped = df[["x1", "x0"] + list(df.columns[2:])]
    with pytest.raises(ValueError, match="feature names"):
        est.predict(swapped)
    with pytest.raises(ValueError, match="feature names"):
        est.predict(df.rename(columns={"x0": "z"}))
    Xm, Ym = _data("mgaussian")
    multi = GlmnetMultiTaskRegressor(nlambda=20).fit(pd.DataFrame(Xm, columns=list("abcdef")),
                                                     pd.DataFrame(Ym, columns=["u", "v", "w"]))
    assert list(multi.feature_names_in_) == list("abcdef") and multi.coef_.shape == (3, 6)


def test_import_glmlx_does_not_need_sklearn():
    code = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "sklearn":
            raise ImportError("No module named 'sklearn'")
sys.meta_path.insert(0, Block())
import glmlx
from glmlx import *  # noqa: F403 (the lazy names stay out of __all__ without scikit-learn)
assert "GlmnetRegressor" not in glmlx.__all__ and callable(glmnet)
try:
    glmlx.GlmnetRegressor
except ImportError as e:
    print(e)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install glmlx[sklearn]" in out
    assert "GlmnetClassifierCV" in glmlx.__all__ and "GlmnetClassifierCV" in dir(glmlx)
    with pytest.raises(AttributeError):
        glmlx.NoSuchEstimator


def test_path_carries_the_dataframe_names():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.standard_normal((60, 4)), columns=["a", "b", "c", "d"])
    y = X["a"] - X["b"] + rng.standard_normal(60)
    est = glmlx.GlmnetRegressor().fit(X, y)
    assert list(est.path_.coef_table().index) == ["(Intercept)", "a", "b", "c", "d"]
    # predicting through the path checks the names too, as the estimator does
    with pytest.raises(ValueError, match="same order"):
        est.path_.predict(X[["d", "c", "b", "a"]], s=est.lambda_)
