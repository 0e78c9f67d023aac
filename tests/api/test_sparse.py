"""scipy.sparse X: every family fits it from its stored entries, with dense X's answers."""
import numpy as np
import pytest

sp = pytest.importorskip("scipy.sparse")

import glmlx  # noqa: E402
from glmlx import _sparse  # noqa: E402


def _problem(n=300, p=60, density=0.1, seed=0):
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=density, format="csr", random_state=seed, data_rvs=rng.standard_normal)
    beta = np.zeros(p)
    beta[:5] = [3, -2, 1.5, 1, -1]
    y = X @ beta + 0.3 * rng.standard_normal(n)
    return X, y, rng


def _same_path(fs, fd, tol=1e-10):
    assert fs.npasses == fd.npasses
    ls, ld = np.asarray(fs._lam_np), np.asarray(fd._lam_np)
    assert ls.shape == ld.shape
    np.testing.assert_allclose(ls, ld, rtol=tol)
    bs, bd = fs._coef_np(), fd._coef_np()
    assert np.max(np.abs(bs - bd)) <= tol * np.max(np.abs(bd))


@pytest.mark.parametrize("kw", [
    {}, {"fit_intercept": False}, {"standardize": False}, {"type_gaussian": "naive"}, {"alpha": 0.3},
    {"penalty_factor": "pf"}, {"lower_limits": -0.5, "upper_limits": 1.0}, {"exclude": [1, 7]},
    {"weights": "w"}, {"lambdas": [1.0, 0.3, 0.1, 0.03]},
])
def test_sparse_and_dense_give_the_same_path(kw):
    X, y, rng = _problem()
    kw = dict(kw)
    if kw.get("penalty_factor") == "pf":
        kw["penalty_factor"] = rng.uniform(0.0, 2.0, X.shape[1])
    if kw.get("weights") == "w":
        kw["weights"] = rng.uniform(0.5, 2.0, X.shape[0])
    _same_path(glmlx.glmnet(X, y, **kw), glmlx.glmnet(X.toarray(), y, **kw))


# The no-intercept path ends nearly saturated (p > n) and ill-conditioned: at the default thresh its passes
# count sits on a knife edge (691 against 692, coefficients then 1e-3 apart at the last lambdas), so it is
# compared converged tightly.
@pytest.mark.parametrize("kw", [{}, {"type_gaussian": "covariance"},
                                {"weights": "w", "fit_intercept": False, "thresh": 1e-12}])
def test_wide_sparse_matches_dense(kw):
    # p >= 500: glmnet's naive scheme (residual updates from the entries); covariance: the Gram from the entries
    X, y, rng = _problem(n=80, p=600, density=0.05)
    if kw.get("weights") == "w":
        kw = dict(kw, weights=rng.uniform(0.5, 2.0, 80))
    fs, fd = glmlx.glmnet(X, y, **kw), glmlx.glmnet(X.toarray(), y, **kw)
    assert fs.npasses == fd.npasses
    bs, bd = fs._coef_np(), fd._coef_np()
    assert bs.shape == bd.shape
    assert np.max(np.abs(bs - bd)) <= 1e-10 * np.max(np.abs(bd))


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "csr_array", "csc_array"])
def test_every_scipy_format_is_taken(fmt):
    X, y, _ = _problem()
    Xf = sp.csr_array(X) if fmt == "csr_array" else sp.csc_array(X) if fmt == "csc_array" else X.asformat(fmt)
    _same_path(glmlx.glmnet(Xf, y), glmlx.glmnet(X.toarray(), y))


def test_float32_sparse_matches_float32_dense():
    X, y, _ = _problem()
    X32 = X.astype(np.float32)
    fs, fd = glmlx.glmnet(X32, y), glmlx.glmnet(X32.toarray(), y)
    assert fs.dtype == glmlx.glmnet(X32.toarray(), y).dtype
    np.testing.assert_allclose(fs._coef_np()[:, :20], fd._coef_np()[:, :20], atol=1e-5)


def test_predict_takes_sparse_newx():
    X, y, _ = _problem()
    fit = glmlx.glmnet(X, y)
    np.testing.assert_allclose(np.asarray(fit.predict(X, s=[0.1, 0.01])),
                               np.asarray(fit.predict(X.toarray(), s=[0.1, 0.01])), rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="Xnew"):
        fit.predict(sp.random(5, X.shape[1] + 1, density=0.5, format="csr"))


def test_dense_multinomial_fit_predicts_sparse_rows():
    X, _, rng = _problem()
    yc = rng.integers(0, 3, X.shape[0])
    fit = glmlx.glmnet(X.toarray(), yc, family="multinomial", nlambda=10)
    np.testing.assert_allclose(np.asarray(fit.predict(X, type="response")),
                               np.asarray(fit.predict(X.toarray(), type="response")), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", [(300, 60), (60, 300)])
def test_cv_glmnet_sparse_matches_dense(shape):
    X, y, _ = _problem(*shape)
    fold = np.arange(shape[0]) % 5 + 1
    cs, cd = glmlx.cv_glmnet(X, y, foldid=fold), glmlx.cv_glmnet(X.toarray(), y, foldid=fold)
    assert cs.lambda_min == pytest.approx(cd.lambda_min, rel=1e-10)
    np.testing.assert_allclose(np.asarray(cs.cvm), np.asarray(cd.cvm), rtol=1e-9)


def test_the_callers_matrix_is_left_as_it_was():
    # unsorted indices, a duplicate entry and an explicit zero: canonicalized in a copy
    data = np.array([2.0, 1.0, 0.0, 3.0, 1.5, 4.0, 0.5, -1.0])
    rows = np.array([3, 0, 2, 1, 1, 4, 2, 0])
    cols = np.array([0, 0, 1, 1, 1, 2, 2, 3])
    X = sp.csc_matrix((data, (rows, cols)), shape=(6, 4))
    X.indices = X.indices[::-1].copy()  # unsorted within columns
    X.has_sorted_indices = False
    before = (X.data.copy(), X.indices.copy(), X.indptr.copy())
    y = np.arange(6.0)
    fit = glmlx.glmnet(X, y, nlambda=5)
    for a, b in zip(before, (X.data, X.indices, X.indptr)):
        np.testing.assert_array_equal(a, b)
    _same_path(fit, glmlx.glmnet(X.toarray(), y, nlambda=5))


def test_canonical_copy():
    X = sp.coo_matrix((np.array([1.0, 2.0, 0.0, 5.0]), (np.array([0, 0, 1, 2]), np.array([1, 1, 0, 2]))),
                      shape=(3, 3))
    Xc = _sparse.as_csc(X, "X")
    assert Xc.format == "csc" and Xc.has_sorted_indices
    assert Xc.nnz == 2  # the duplicates summed, the stored zero dropped
    np.testing.assert_array_equal(Xc.toarray(), X.toarray())
    assert Xc.indptr.dtype == np.int64 and Xc.indices.dtype == np.int32 and Xc.data.dtype == np.float64
    assert _sparse.as_csc(X, "X", np.float32).data.dtype == np.float32


def test_integer_and_boolean_values_are_numbers():
    X, y, _ = _problem()
    Xi = (X * 10).astype(np.int64)
    _same_path(glmlx.glmnet(Xi, y), glmlx.glmnet(Xi.toarray().astype(float), y))
    Xb = X.astype(bool)
    _same_path(glmlx.glmnet(Xb, y), glmlx.glmnet(Xb.toarray().astype(float), y))


def test_constant_columns_are_dropped_as_for_dense():
    X, y, _ = _problem()
    X = X.tolil()
    X[:, 3] = 0.0  # all zero
    X[:, 5] = 2.5  # constant, stored everywhere
    X = X.tocsr()
    fs, fd = glmlx.glmnet(X, y), glmlx.glmnet(X.toarray(), y)
    _same_path(fs, fd)
    assert np.all(fs._coef_np()[[4, 6]] == 0)  # rows 1 + j: variables 3 and 5 never enter


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_stored_values_are_refused(bad):
    X, y, _ = _problem()
    X = X.copy()
    X.data[3] = bad
    with pytest.raises(ValueError, match="NaN or infinite"):
        glmlx.glmnet(X, y)


def test_complex_values_and_shape_mismatches_are_refused():
    X, y, _ = _problem()
    with pytest.raises(TypeError, match="numeric"):
        glmlx.glmnet(X.astype(np.complex128), y)
    with pytest.raises(ValueError, match="y must have shape"):
        glmlx.glmnet(X, y[:-1])


def _classes(X, rng, K=3):
    B = np.zeros((X.shape[1], K))
    B[:4] = 2 * rng.standard_normal((4, K))
    pr = np.exp(X @ B)
    pr /= pr.sum(axis=1, keepdims=True)
    return np.array([rng.choice(K, p=q) for q in pr])


# Without an intercept the ungrouped IRLS iterates amplify the summation order's rounding (sparse sums skip
# the zeros) to ~3e-8 in mid-path, within the convergence tolerance; the passes still agree.
@pytest.mark.parametrize("kw, tol", [({}, 1e-10), ({"type_multinomial": "grouped"}, 1e-10),
                                     ({"standardize": False}, 1e-10), ({"weights": "w"}, 1e-10),
                                     ({"fit_intercept": False}, 1e-7)])
def test_multinomial_sparse_and_dense_give_the_same_path(kw, tol):
    X, _, rng = _problem(n=300, p=50)
    y = _classes(X, rng)
    if kw.get("weights") == "w":
        kw = dict(kw, weights=rng.uniform(0.5, 2.0, X.shape[0]))
    fs = glmlx.glmnet(X, y, family="multinomial", **kw)
    fd = glmlx.glmnet(X.toarray(), y, family="multinomial", **kw)
    assert fs.npasses == fd.npasses
    bs, bd = fs._coef_np(), fd._coef_np()
    assert bs.shape == bd.shape
    assert np.max(np.abs(bs - bd)) <= tol * np.max(np.abs(bd))


@pytest.mark.parametrize("kw", [{}, {"fit_intercept": False}, {"standardize": False}, {"weights": "w"},
                                {"standardize_response": True}])
def test_mgaussian_sparse_and_dense_give_the_same_path(kw):
    X, _, rng = _problem(n=300, p=50)
    B = np.zeros((50, 3))
    B[:4] = 2 * rng.standard_normal((4, 3))
    Y = X @ B + 0.3 * rng.standard_normal((300, 3))
    if kw.get("weights") == "w":
        kw = dict(kw, weights=rng.uniform(0.5, 2.0, 300))
    _same_path(glmlx.glmnet(X, Y, family="mgaussian", **kw), glmlx.glmnet(X.toarray(), Y, family="mgaussian", **kw))


@pytest.mark.parametrize("family", ["multinomial", "mgaussian"])
def test_several_response_cv_sparse_matches_dense(family):
    X, _, rng = _problem(n=300, p=50)
    y = _classes(X, rng) if family == "multinomial" else np.stack([X @ rng.standard_normal(50) for _ in range(2)], 1)
    fold = np.arange(300) % 5 + 1
    cs = glmlx.cv_glmnet(X, y, family=family, foldid=fold)
    cd = glmlx.cv_glmnet(X.toarray(), y, family=family, foldid=fold)
    np.testing.assert_allclose(np.asarray(cs.cvm), np.asarray(cd.cvm), rtol=1e-7)
    np.testing.assert_allclose(np.asarray(cs.predict(X)), np.asarray(cd.predict(X.toarray())), rtol=1e-7, atol=1e-9)


def test_a_family_without_sparse_support_says_which_have_it(monkeypatch):
    import dataclasses

    from glmlx import families

    monkeypatch.setitem(families.FAMILIES, "poisson", dataclasses.replace(families.FAMILIES["poisson"], sparse_x=False))
    X, y, _ = _problem()
    with pytest.raises(TypeError, match="sparse X is supported for the families 'gaussian', 'binomial', "
                                        "'multinomial', 'mgaussian' in this release, not 'poisson'"):
        glmlx.glmnet(X, np.abs(np.round(y)), family="poisson")


def _glm_response(family, X, rng):
    beta = np.zeros(X.shape[1])
    beta[:5] = [1.5, -1, 0.8, 0.5, -0.5]
    eta = X @ beta
    if family == "binomial":
        return (rng.uniform(size=X.shape[0]) < 1 / (1 + np.exp(-eta))).astype(float)
    return rng.poisson(np.exp(0.5 * eta)).astype(float)


@pytest.mark.parametrize("family", ["binomial", "poisson"])
@pytest.mark.parametrize("kw", [{}, {"fit_intercept": False}, {"standardize": False}, {"weights": "w"},
                                {"offset": "o"}, {"type_logistic": "modified.Newton"},
                                {"lower_limits": -0.3, "penalty_factor": "pf"}])
def test_glm_families_sparse_and_dense_give_the_same_path(family, kw):
    X, _, rng = _problem()
    y = _glm_response(family, X, rng)
    kw = dict(kw)
    if kw.get("weights") == "w":
        kw["weights"] = rng.uniform(0.5, 2.0, X.shape[0])
    if kw.get("offset") == "o":
        kw["offset"] = 0.1 * rng.standard_normal(X.shape[0])
    if kw.get("penalty_factor") == "pf":
        kw["penalty_factor"] = rng.uniform(0.0, 2.0, X.shape[1])
    if family == "poisson" and "type_logistic" in kw:
        pytest.skip("binomial only")
    _same_path(glmlx.glmnet(X, y, family=family, **kw), glmlx.glmnet(X.toarray(), y, family=family, **kw))


@pytest.mark.parametrize("family", ["binomial", "poisson"])
def test_glm_families_cv_sparse_matches_dense(family):
    X, _, rng = _problem()
    y = _glm_response(family, X, rng)
    fold = np.arange(X.shape[0]) % 5 + 1
    cs = glmlx.cv_glmnet(X, y, family=family, foldid=fold)
    cd = glmlx.cv_glmnet(X.toarray(), y, family=family, foldid=fold)
    assert cs.lambda_min == pytest.approx(cd.lambda_min, rel=1e-10)
    np.testing.assert_allclose(np.asarray(cs.cvm), np.asarray(cd.cvm), rtol=1e-9)


def test_wide_glm_sparse_matches_dense():
    X, _, rng = _problem(n=80, p=400, density=0.05)
    y = _glm_response("binomial", X, rng)
    _same_path(glmlx.glmnet(X, y, family="binomial"), glmlx.glmnet(X.toarray(), y, family="binomial"))


def test_glm_paths_sparse_checks_its_csc_arrays():
    from glmlx._ext_loader import _ext

    s = _ext.GlmPathSettings()
    n, p = 4, 2
    args = (np.zeros(n), np.ones(n), None, np.ones(p, dtype=np.uint8), np.ones(p), np.full(p, -np.inf),
            np.full(p, np.inf), None, s, [])
    with pytest.raises(ValueError, match="sorted row numbers"):
        _ext.glm_paths_sparse(np.array([0, 1, 2], dtype=np.int64), np.array([5, 0], dtype=np.int32),
                              np.ones(2), n, *args)
    with pytest.raises(ValueError, match="CSC"):
        _ext.glm_paths_sparse(np.array([0, 1, 3], dtype=np.int64), np.array([0, 1], dtype=np.int32),
                              np.ones(2), n, *args)


def test_the_op_checks_its_csc_arrays():
    import mlx.core as mx
    from glmlx._ext_loader import _ext

    B, p, n = 1, 3, 4
    common = [mx.zeros((B, p)), mx.zeros((B, p)), mx.zeros((B,)), mx.full((B, p), -1, dtype=mx.int32),
              mx.ones((B, 2)), mx.ones((B, p)), mx.zeros((B, 2, p)), mx.ones((B, p)), mx.zeros((B,), dtype=mx.int32),
              mx.ones((B, p)), mx.zeros((B,))]
    w, xm, xs = mx.ones((B, n)) / n, mx.zeros((B, p)), mx.ones((B, p))
    yb = mx.zeros((B, n))
    settings = _ext.GaussianPathSettings()
    with pytest.raises(ValueError, match="indptr"):
        _ext.gaussian_sparse_path(mx.array([0, 1], dtype=mx.int64), mx.array([0], dtype=mx.int32),
                                  mx.array([1.0]), yb, w, xm, xs, *common, settings)
    with pytest.raises(ValueError, match="indices"):
        _ext.gaussian_sparse_path(mx.array([0, 1, 1, 1], dtype=mx.int64), mx.array([0, 1], dtype=mx.int32),
                                  mx.array([1.0]), yb, w, xm, xs, *common, settings)
