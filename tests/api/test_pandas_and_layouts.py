"""pandas in and out of the functional API, any array layout, and the dtype of results."""
import warnings

import mlx.core as mx
import numpy as np
import pytest

import glmlx

pd = pytest.importorskip("pandas")

FAMILIES = ["gaussian", "binomial", "poisson", "multinomial", "mgaussian"]


def _data(family, n=80, p=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    eta = X[:, 0] - 0.7 * X[:, 1]
    y = {"gaussian": eta + rng.standard_normal(n),
         "binomial": (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float),
         "poisson": rng.poisson(np.exp(0.4 * eta)).astype(float),
         "multinomial": np.digitize(eta + rng.standard_normal(n), [-0.5, 0.5]),
         "mgaussian": np.c_[eta, -eta + rng.standard_normal(n)]}[family]
    return X, y


def _frame(X):
    return pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])], index=np.arange(100, 100 + len(X)))


@pytest.mark.parametrize("family", FAMILIES)
def test_dataframe_fit_equals_numpy_fit_and_keeps_names(family):
    X, y = _data(family)
    df = _frame(X)
    yy = pd.DataFrame(y, columns=["u", "v"]) if y.ndim == 2 else pd.Series(y, name="y")
    a = glmlx.glmnet(df, yy, family=family)
    b = glmlx.glmnet(X, y, family=family)
    np.testing.assert_array_equal(np.asarray(a.beta), np.asarray(b.beta))
    assert list(a.feature_names) == list(df.columns) and b.feature_names is None
    table = a.coef_table(s=[0.05, 0.01])
    assert list(table.index) == ["(Intercept)"] + list(df.columns)
    coefs = np.asarray(a.coef(s=[0.05, 0.01]))
    if coefs.ndim == 2:
        np.testing.assert_array_equal(table.to_numpy(), coefs)
    else:  # a column block per class or response, in the fit's order
        groups = table.columns.get_level_values(0).unique()
        assert len(groups) == coefs.shape[0]
        for k, g in enumerate(groups):
            np.testing.assert_array_equal(table[g].to_numpy(), coefs[k])
    if family == "mgaussian":
        assert list(groups) == ["u", "v"]
    np.testing.assert_array_equal(np.asarray(a.predict(df, s=0.05)), np.asarray(b.predict(X, s=0.05)))


def test_coef_table_without_names_uses_r_names_and_cv_table_is_at_lambda_1se():
    X, y = _data("gaussian")
    fit = glmlx.glmnet(X, y)
    assert list(fit.coef_table().index[:3]) == ["(Intercept)", "V1", "V2"]
    assert fit.coef_table().shape == (X.shape[1] + 1, np.asarray(fit.lambdas).size)
    cv = glmlx.cv_glmnet(_frame(X), y, nfolds=4, seed=1)
    np.testing.assert_array_equal(cv.coef_table().to_numpy()[:, 0], np.asarray(cv.coef())[:, 0])
    assert cv.coef_table().attrs["lambdas"][0] == cv.lambda_1se


def test_predict_checks_column_names_as_scikit_learn():
    X, y = _data("gaussian")
    df = _frame(X)
    fit = glmlx.glmnet(df, y)
    with pytest.raises(ValueError, match="same order"):
        fit.predict(df.iloc[:3, ::-1], s=0.01)
    with pytest.raises(ValueError, match=r"missing at predict: \['x0'\].*not seen at fit: \['z'\]"):
        fit.predict(df.rename(columns={"x0": "z"}), s=0.01)
    with pytest.raises(ValueError, match="differ"):
        fit.predict(df.iloc[:, :4], s=0.01)
    # the right order gives the numpy answer; numpy input is accepted with scikit-learn's warning
    np.testing.assert_array_equal(np.asarray(fit.predict(df.iloc[:3, ::-1][list(df.columns)], s=0.01)),
                                  np.asarray(fit.predict(df.iloc[:3], s=0.01)))
    with pytest.warns(UserWarning, match="does not have feature names"):
        fit.predict(X[:3], s=0.01)
    unnamed = glmlx.glmnet(X, y)
    with pytest.warns(UserWarning, match="fitted without feature names"):
        unnamed.predict(df, s=0.01)


def test_cv_predict_checks_names_too():
    X, y = _data("binomial")
    df = _frame(X)
    cv = glmlx.cv_glmnet(df, y, family="binomial", nfolds=3, seed=0)
    with pytest.raises(ValueError, match="same order"):
        cv.predict(df[df.columns[::-1]])


def test_nullable_dtypes_accepted_without_na():
    X, y = _data("poisson")
    df = _frame(X).astype("Float64")
    df["x4"] = (X[:, 4] > 0).astype(int)
    df = df.astype({"x4": "Int64"})
    ref = _frame(X).assign(x4=(X[:, 4] > 0).astype(float))
    a = glmlx.glmnet(df, pd.Series(y).astype("Int64"), family="poisson")
    b = glmlx.glmnet(ref.to_numpy(), y, family="poisson")
    np.testing.assert_array_equal(np.asarray(a.beta), np.asarray(b.beta))
    booleans = _frame(X).assign(x4=pd.array(X[:, 4] > 0, dtype="boolean"))
    c = glmlx.glmnet(booleans, y, family="poisson")
    np.testing.assert_array_equal(np.asarray(c.beta), np.asarray(b.beta))


def test_missing_values_are_named_by_column_and_index():
    X, y = _data("gaussian")
    df = _frame(X).astype("Float64")
    df.loc[103, "x2"] = pd.NA
    with pytest.raises(ValueError, match=r"X column 'x2' holds missing values \(NA/NaN\) at index \[103\]"):
        glmlx.glmnet(df, y)
    plain = _frame(X)
    plain.loc[[101, 150], "x1"] = np.nan
    with pytest.raises(ValueError, match=r"X column 'x1' .* at index \[101, 150\]"):
        glmlx.glmnet(plain, y)
    ys = pd.Series(y, index=plain.index).astype("Float64")
    ys.iloc[5] = pd.NA
    with pytest.raises(ValueError, match=r"y holds missing values .* index \[105\]"):
        glmlx.glmnet(_frame(X), ys)
    labels = pd.Series(np.where(y > 0, "a", "b"), dtype=object)
    labels.iloc[2] = None
    with pytest.raises(ValueError, match=r"y holds missing values .* index \[2\]"):
        glmlx.glmnet(X, labels, family="binomial")
    with pytest.raises(ValueError, match=r"Xnew column 'x2'"):
        glmlx.glmnet(_frame(X), y).predict(df, s=0.1)


def test_non_numeric_column_is_a_type_error_naming_it():
    X, y = _data("gaussian")
    with pytest.raises(TypeError, match=r"X column 'city' has dtype .*get_dummies"):
        glmlx.glmnet(_frame(X).assign(city="Oslo"), y)
    with pytest.raises(TypeError, match=r"X column 'c' has dtype category"):
        glmlx.glmnet(_frame(X).assign(c=pd.Categorical(["u", "v"] * 40)), y)


def test_categorical_response_keeps_its_level_order_as_r_factors():
    X, y = _data("binomial")
    words = np.where(y > 0, "yes", "no")
    ordered = pd.Series(pd.Categorical(words, categories=["yes", "no"]))
    a = glmlx.glmnet(X, ordered, family="binomial")
    b = glmlx.glmnet(X, words, family="binomial")  # sorted levels: "no" first
    assert list(a.classes) == ["yes", "no"] and list(b.classes) == ["no", "yes"]
    # the positive class is the second level, so the coefficients change sign
    np.testing.assert_allclose(np.asarray(a.beta), -np.asarray(b.beta), atol=1e-12)
    with pytest.raises(ValueError, match="class"):  # an empty level, as R's table() of a factor
        glmlx.glmnet(X, pd.Series(pd.Categorical(words, categories=["yes", "no", "maybe"])), family="binomial")


LAYOUTS = {
    "reversed rows": lambda a: a[::-1],
    "reversed columns": lambda a: a[:, ::-1] if a.ndim == 2 else a[::-1],
    "fortran": np.asfortranarray,
    "every other row of a bigger array": lambda a: np.repeat(a, 2, axis=0)[::2],
    "read-only": lambda a: _read_only(a),
}


def _read_only(a):
    a = a.copy()
    a.setflags(write=False)
    return a


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("family", FAMILIES)
def test_any_array_layout_gives_the_contiguous_answer(family, layout):
    X, y = _data(family)
    make = LAYOUTS[layout]
    Xl, yl, wl = make(X), make(y), make(np.linspace(0.5, 1.5, X.shape[0]))
    # the reference sees the same numbers in C order
    ref = glmlx.glmnet(np.ascontiguousarray(Xl), np.ascontiguousarray(yl), family=family,
                       weights=np.ascontiguousarray(wl))
    before = Xl.copy()
    fit = glmlx.glmnet(Xl, yl, family=family, weights=wl)
    np.testing.assert_array_equal(np.asarray(fit.beta), np.asarray(ref.beta))
    # predictions: the product's summation order follows the layout (last-bit differences)
    np.testing.assert_allclose(np.asarray(fit.predict(Xl, s=0.05)),
                               np.asarray(ref.predict(np.ascontiguousarray(Xl), s=0.05)), rtol=1e-13, atol=1e-14)
    np.testing.assert_array_equal(Xl, before)  # the caller's array is untouched
    unweighted = glmlx.glmnet(Xl, yl, family=family)
    np.testing.assert_array_equal(np.asarray(unweighted.beta),
                                  np.asarray(glmlx.glmnet(np.ascontiguousarray(Xl), yl, family=family).beta))


def test_issue_examples_never_raise_dlpack_errors():
    X, y = _data("gaussian")
    df = pd.DataFrame(X)  # integer column labels: no names, so any order is the caller's business
    fit = glmlx.glmnet(df, y)
    out = np.asarray(fit.predict(df.iloc[:3, ::-1], s=0.1))
    np.testing.assert_allclose(out, np.asarray(fit.predict(X[:3, ::-1], s=0.1)))
    rev = glmlx.glmnet(X, y[::-1])
    np.testing.assert_array_equal(np.asarray(rev.beta), np.asarray(glmlx.glmnet(X, y[::-1].copy()).beta))
    cv = glmlx.cv_glmnet(X[::-1], y[::-1], nfolds=3, seed=0)
    assert np.isfinite(np.asarray(cv.cvm)).all()


@pytest.mark.parametrize("family", FAMILIES)
def test_dtype_request_is_honoured_in_results(family):
    X, y = _data(family)
    f32 = glmlx.glmnet(X, y, family=family, dtype=mx.float32)
    for a in (f32.lambdas, f32.a0, f32.beta, f32.dev_ratio, f32.coef(s=0.05), f32.predict(X, s=0.05),
              f32.predict(X, s=0.05, type="response")):
        assert a.dtype == mx.float32
    f64 = glmlx.glmnet(X.astype(np.float32), y, family=family, dtype=mx.float64)
    assert f64.beta.dtype == mx.float64 and f64.predict(X, s=0.05).dtype == mx.float64
    # no request: results follow the data's dtype
    assert glmlx.glmnet(X.astype(np.float32), y, family=family).beta.dtype == mx.float32
    assert glmlx.glmnet(X, y, family=family).beta.dtype == mx.float64
    cv = glmlx.cv_glmnet(X, y, family=family, dtype=mx.float32, nfolds=3, seed=0, keep=True)
    assert cv.cvm.dtype == cv.cvsd.dtype == cv.lambdas.dtype == cv.fit_preval.dtype == mx.float32


def test_float32_results_are_the_float64_computation_rounded_for_glm_families():
    """The GLM families compute in float64 whatever the dtype (from X rounded to float32): a float32 request
    rounds the results, nothing else."""
    X, y = _data("binomial")
    a = glmlx.glmnet(X, y, family="binomial", dtype=mx.float32)
    b = glmlx.glmnet(X.astype(np.float32), y, family="binomial", dtype=mx.float64)
    np.testing.assert_array_equal(np.asarray(a.beta), np.asarray(b.beta).astype(np.float32))


def test_pandas_inputs_are_not_changed():
    X, y = _data("gaussian")
    df = _frame(X).astype("Float64")
    ys = pd.Series(y, index=df.index)
    before_df, before_y = df.copy(), ys.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        glmlx.cv_glmnet(df, ys, nfolds=3, seed=0)
    pd.testing.assert_frame_equal(df, before_df)
    pd.testing.assert_series_equal(ys, before_y)


def test_ops_take_dataframes_and_series():
    X, y = _data("gaussian")
    df, ys = _frame(X).astype("Float64"), pd.Series(y).astype("Float64")
    np.testing.assert_array_equal(np.asarray(glmlx.gram(df)), np.asarray(glmlx.gram(X)))
    np.testing.assert_array_equal(np.asarray(glmlx.fit_gd(df, ys, steps=50, seed=0).coef),
                                  np.asarray(glmlx.fit_gd(X, y, steps=50, seed=0).coef))
    bad = df.copy()
    bad.iloc[4, 2] = pd.NA
    with pytest.raises(ValueError, match=r"X column 'x2' holds missing values .* index \[104\]"):
        glmlx.gram(bad)
