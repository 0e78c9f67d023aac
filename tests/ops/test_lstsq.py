import warnings

import mlx.core as mx
import numpy as np
import pytest

import glmlx
from glmlx import _ext

METHODS = ["qr", "cholesky", "svd", "auto"]


def f64(a):
    return mx.array(np.asarray(a, dtype=np.float64), dtype=mx.float64)


def rel_err(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def problem(n, p, k=None, seed=0, noise=1e-2):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    W = rng.standard_normal((p,) if k is None else (p, k))
    y = X @ W + noise * rng.standard_normal((n,) if k is None else (n, k))
    return X, y


def ill_conditioned(n=400, p=12, cond=1e7, seed=1):
    rng = np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.standard_normal((n, p)))
    V, _ = np.linalg.qr(rng.standard_normal((p, p)))
    X = U @ np.diag(np.logspace(0, -np.log10(cond), p)) @ V.T
    y = X @ rng.standard_normal(p) + 1e-3 * rng.standard_normal(n)
    return X, y


def rank_deficient(n=300, seed=2):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 5))
    X = np.c_[X, X[:, 0] - 2 * X[:, 3], X[:, 1]]  # rank 5 of 7
    y = rng.standard_normal(n)
    return X, y


def solve_quietly(*args, **kw):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out = glmlx.lstsq(*args, **kw)
    return out, [w for w in rec if issubclass(w.category, glmlx.ConditioningWarning)]


# ---------------------------------------------------------------------------
# Against numpy / scipy / scikit-learn
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("method", METHODS)
def test_well_conditioned_matches_numpy(method):
    X, y = problem(500, 20)
    coef, _, info = glmlx.lstsq(f64(X), f64(y), method=method)
    ref = np.linalg.lstsq(X, y, rcond=None)[0]
    assert coef.dtype == mx.float64 and coef.shape == (20,)
    assert rel_err(coef, ref) < 1e-12
    assert info.rank == 20
    assert info.method == ("cholesky" if method == "auto" else method)


@pytest.mark.parametrize("method", METHODS)
def test_multi_column_y(method):
    X, Y = problem(300, 8, k=3, seed=3)
    coef = glmlx.lstsq(X, Y, method=method).coef
    assert coef.shape == (8, 3)
    assert rel_err(coef, np.linalg.lstsq(X, Y, rcond=None)[0]) < 1e-12
    # Each column is the fit of that column alone.
    assert rel_err(coef[:, 1], glmlx.lstsq(X, Y[:, 1], method=method).coef) < 1e-13


@pytest.mark.parametrize("method", METHODS)
def test_square_system(method):
    rng = np.random.default_rng(4)
    X = rng.standard_normal((30, 30)) + 5 * np.eye(30)
    y = rng.standard_normal(30)
    assert rel_err(glmlx.lstsq(X, y, method=method).coef, np.linalg.solve(X, y)) < 1e-11


@pytest.mark.parametrize("method", ["qr", "svd", "auto"])
def test_ill_conditioned_as_accurate_as_numpy(method):
    X, y = ill_conditioned()
    ref = np.linalg.lstsq(X, y, rcond=None)[0]
    (coef, _, info), warns = solve_quietly(X, y, method=method)
    assert not warns
    # cond(X) = 1e7: numpy's own answer is good to ~1e-9 relative.
    assert rel_err(coef, ref) < 1e-7
    assert info.method in ("qr", "svd")


def test_ill_conditioned_cholesky_warns_and_falls_back_to_qr():
    X, y = ill_conditioned()
    (coef, _, info), warns = solve_quietly(X, y, method="cholesky")
    assert len(warns) == 1 and "solved by QR" in str(warns[0].message)
    assert info.method == "qr" and info.cholesky_rcond < 1e-10
    assert rel_err(coef, np.linalg.lstsq(X, y, rcond=None)[0]) < 1e-7


@pytest.mark.parametrize("method", ["qr", "cholesky", "svd", "auto"])
def test_rank_deficient_gives_minimum_norm_solution(method):
    X, y = rank_deficient()
    ref, _, rank, _ = np.linalg.lstsq(X, y, rcond=None)
    assert rank == 5
    (coef, _, info), warns = solve_quietly(X, y, method=method)
    assert rel_err(coef, ref) < 1e-10
    assert info.method == "svd" and info.rank == 5
    # Explicitly requested QR/Cholesky must say they were abandoned.
    assert len(warns) == (1 if method in ("qr", "cholesky") else 0)
    if warns:
        assert "rank-deficient" in str(warns[0].message)


def test_rank_deficient_cholesky_never_silently_wrong():
    # Exact collinearity in float32 too: the answer must still be the
    # minimum-norm least-squares solution, and a warning must be raised.
    X, y = rank_deficient()
    with pytest.warns(glmlx.ConditioningWarning):
        coef = glmlx.lstsq(X.astype(np.float32), y.astype(np.float32), method="cholesky").coef
    ref = np.linalg.lstsq(X, y, rcond=None)[0]
    assert np.all(np.isfinite(np.asarray(coef)))
    assert rel_err(coef, ref) < 1e-3


def test_svd_rcond_truncates_like_numpy():
    X, y = ill_conditioned(cond=1e4)
    for rc in (1e-2, 1e-3):
        coef, _, info = glmlx.lstsq(X, y, method="svd", rcond=rc)
        ref, _, rank, _ = np.linalg.lstsq(X, y, rcond=rc)
        assert info.rank == rank < X.shape[1]
        assert rel_err(coef, ref) < 1e-10


def test_underdetermined_auto_is_minimum_norm():
    X, y = problem(10, 25, seed=5)
    coef, _, info = glmlx.lstsq(X, y)
    assert info.method == "svd" and info.rank == 10
    assert rel_err(coef, np.linalg.lstsq(X, y, rcond=None)[0]) < 1e-11


@pytest.mark.parametrize("method", METHODS)
def test_fit_intercept_matches_sklearn(method):
    from sklearn.linear_model import LinearRegression

    X, y = problem(400, 6, seed=6)
    X = X + np.arange(6)  # non-zero column means
    y = y + 7.0
    coef, b, _ = glmlx.lstsq(X, y, method=method, fit_intercept=True)
    lr = LinearRegression().fit(X, y)
    assert rel_err(coef, lr.coef_) < 1e-10
    assert abs(float(b) - lr.intercept_) < 1e-9
    assert b.shape == ()


@pytest.mark.parametrize("method", METHODS)
def test_weights(method):
    from sklearn.linear_model import LinearRegression

    X, y = problem(300, 5, seed=7, noise=1.0)
    w = np.random.default_rng(8).uniform(0, 3, 300)
    w[:20] = 0.0  # zero weights drop rows
    sw = np.sqrt(w)
    coef = glmlx.lstsq(X, y, method=method, weights=w).coef
    assert rel_err(coef, np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)[0]) < 1e-11
    coef, b, _ = glmlx.lstsq(X, y, method=method, weights=w, fit_intercept=True)
    lr = LinearRegression().fit(X, y, sample_weight=w)
    assert rel_err(coef, lr.coef_) < 1e-10 and abs(float(b) - lr.intercept_) < 1e-10
    # Zero-weight rows are ignored entirely.
    assert rel_err(coef, glmlx.lstsq(X[20:], y[20:], method=method, weights=w[20:], fit_intercept=True)[0]) < 1e-10


@pytest.mark.parametrize("method", METHODS)
def test_ridge_matches_sklearn(method):
    from sklearn.linear_model import Ridge

    X, Y = problem(200, 10, k=2, seed=9, noise=0.5)
    w = np.random.default_rng(10).uniform(0.5, 2, 200)
    coef, b, _ = glmlx.lstsq(X + 3.0, Y, method=method, ridge=4.0, weights=w, fit_intercept=True)
    r = Ridge(alpha=4.0, solver="cholesky").fit(X + 3.0, Y, sample_weight=w)
    assert rel_err(coef, r.coef_.T) < 1e-10 and rel_err(b, r.intercept_) < 1e-10
    # Without an intercept: (X'X + ridge I) w = X'y.
    coef = glmlx.lstsq(X, Y, method=method, ridge=4.0).coef
    assert rel_err(coef, np.linalg.solve(X.T @ X + 4 * np.eye(10), X.T @ Y)) < 1e-11


@pytest.mark.parametrize("method", ["qr", "cholesky", "auto"])
def test_ridge_makes_rank_deficient_and_wide_problems_well_posed(method):
    X, y = rank_deficient()
    (coef, _, info), warns = solve_quietly(X, y, method=method, ridge=0.1)
    assert not warns and info.method == ("qr" if method == "qr" else "cholesky")
    assert rel_err(coef, np.linalg.solve(X.T @ X + 0.1 * np.eye(7), X.T @ y)) < 1e-10
    Xw, yw = problem(10, 25, seed=11)
    coef = glmlx.lstsq(Xw, yw, method=method, ridge=0.5).coef
    assert rel_err(coef, np.linalg.solve(Xw.T @ Xw + 0.5 * np.eye(25), Xw.T @ yw)) < 1e-10


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_qr_over_several_row_blocks(dtype):
    # The QR kernel factors ~2 MiB of rows at a time; here the data and the
    # ridge rows both straddle block boundaries (p = 300: 873 float64 rows).
    rng = np.random.default_rng(20)
    n, p = (1600, 300) if dtype == np.float64 else (4000, 300)
    X = rng.standard_normal((n, p)) + 1.0
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    w = rng.uniform(0.5, 2.0, n)
    Xd, yd, wd = X.astype(dtype), y.astype(dtype), w.astype(dtype)
    tol = 1e-10 if dtype == np.float64 else 2e-3
    coef = glmlx.lstsq(Xd, yd, method="qr").coef
    assert rel_err(coef, np.linalg.lstsq(X, y, rcond=None)[0]) < tol
    coef, b, _ = glmlx.lstsq(Xd, yd, method="qr", weights=wd, ridge=2.0, fit_intercept=True)
    xbar, ybar = w @ X / w.sum(), w @ y / w.sum()
    Xc, yc = X - xbar, y - ybar
    ref = np.linalg.solve(Xc.T @ (w[:, None] * Xc) + 2.0 * np.eye(p), Xc.T @ (w * yc))
    assert rel_err(coef, ref) < tol
    assert abs(float(b) - (ybar - xbar @ ref)) < 100 * tol


@pytest.mark.parametrize("method", ["qr", "cholesky", "svd"])
def test_float32(method):
    X, y = problem(300, 6, seed=12)
    coef = glmlx.lstsq(X.astype(np.float32), y.astype(np.float32), method=method, fit_intercept=True)[0]
    assert coef.dtype == mx.float32
    assert rel_err(coef, np.linalg.lstsq(np.c_[X, np.ones(300)], y, rcond=None)[0][:6]) < 1e-5


def test_integer_inputs_are_solved_in_float32():
    X = np.array([[1, 0], [0, 1], [1, 1], [2, 1]])
    y = np.array([1, 2, 3, 4])
    coef = glmlx.lstsq(X, y, method="qr").coef
    assert coef.dtype == mx.float32
    assert rel_err(coef, np.linalg.lstsq(X.astype(float), y.astype(float), rcond=None)[0]) < 1e-5


@pytest.mark.parametrize("method", ["qr", "cholesky", "svd"])
@pytest.mark.parametrize("opts", [{}, {"fit_intercept": True}, {"ridge": 2.0, "weights": "w"},
                                  {"fit_intercept": True, "ridge": 0.3, "weights": "w"}])
def test_kernel_matches_plain_mlx_reference(method, opts):
    X, Y = problem(120, 7, k=2, seed=13)
    opts = dict(opts)
    if opts.get("weights") == "w":
        opts["weights"] = f64(np.random.default_rng(14).uniform(0.1, 1, 120))
    got = _ext.lstsq(f64(X), f64(Y), method=method, **opts)
    ref = _ext.lstsq_fallback(f64(X), f64(Y), method=method, **opts)
    assert rel_err(got[0], ref[0]) < 1e-11
    assert rel_err(got[1], ref[1]) < 1e-10 if opts.get("fit_intercept") else np.all(np.asarray(got[1]) == 0)


# ---------------------------------------------------------------------------
# mx.compile, streams, differentiation
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["qr", "cholesky", "svd"])
def test_compiled_matches_eager(method):
    X, y = problem(200, 9, seed=15)
    fn = mx.compile(lambda X, y: glmlx.lstsq(X, y, method=method, fit_intercept=True))
    coef, b, _ = fn(f64(X), f64(y))
    coef_e, b_e, _ = glmlx.lstsq(f64(X), f64(y), method=method, fit_intercept=True)
    assert rel_err(coef, coef_e) < 1e-13 and abs(float(b) - float(b_e)) < 1e-12
    # The compiled function is reused for new data of the same shape.
    X2, y2 = problem(200, 9, seed=16)
    assert rel_err(fn(f64(X2), f64(y2))[0], np.linalg.lstsq(np.c_[X2, np.ones(200)], y2, rcond=None)[0][:9]) < 1e-11


def test_compiled_cholesky_still_falls_back_on_rank_deficient_input():
    # Nothing can be read back inside mx.compile, so no warning; the kernel's
    # own fallback must still give the right (minimum-norm) answer.
    X, y = rank_deficient()
    fn = mx.compile(lambda X, y: glmlx.lstsq(X, y, method="cholesky"))
    coef, _, info = fn(f64(X), f64(y))
    # info comes back as arrays from mx.compile: the SVD path, rank 5 of 7.
    assert int(info.method) == 2 and int(info.rank) == 5
    assert rel_err(coef, np.linalg.lstsq(X, y, rcond=None)[0]) < 1e-10


def test_explicit_cpu_stream():
    X, y = problem(100, 4, seed=17)
    coef = glmlx.lstsq(X, y, method="qr", stream=mx.cpu).coef
    assert rel_err(coef, np.linalg.lstsq(X, y, rcond=None)[0]) < 1e-12


@pytest.mark.skipif(not mx.is_available(mx.gpu), reason="no GPU device in this MLX build")
def test_gpu_stream_factorizes_on_cpu():
    X, y = problem(100, 4, seed=18)
    coef = glmlx.lstsq(X.astype(np.float32), y.astype(np.float32), method="cholesky", stream=mx.gpu).coef
    assert rel_err(coef, np.linalg.lstsq(X, y, rcond=None)[0]) < 1e-4


def test_not_differentiable_with_a_clear_error():
    X, y = problem(50, 3, seed=19)
    with pytest.raises(ValueError, match="not differentiable"):
        mx.grad(lambda y: glmlx.lstsq(f64(X), y, method="qr", check_input=False).coef.sum())(f64(y))


# ---------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------
def test_argument_errors():
    X, y = problem(20, 3)
    with pytest.raises(ValueError, match="method"):
        glmlx.lstsq(X, y, method="lu")
    with pytest.raises(ValueError, match="ridge"):
        glmlx.lstsq(X, y, ridge=-1.0)
    with pytest.raises(TypeError, match="ridge"):
        glmlx.lstsq(X, y, ridge="big")
    with pytest.raises(ValueError, match="rcond"):
        glmlx.lstsq(X, y, rcond=2.0)
    with pytest.raises(ValueError, match="X must be 2-D"):
        glmlx.lstsq(X[:, 0], y)
    with pytest.raises(ValueError, match="y must have shape"):
        glmlx.lstsq(X, y[:-1])
    with pytest.raises(ValueError, match="weights"):
        glmlx.lstsq(X, y, weights=np.ones(19))
    with pytest.raises(ValueError, match="weights must be non-negative"):
        glmlx.lstsq(X, y, weights=-np.ones(20))
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        glmlx.lstsq(bad, y)
    with pytest.raises(ValueError, match="y contains NaN"):
        glmlx.lstsq(X, np.full(20, np.inf))
    with pytest.raises(TypeError, match="X must be numeric"):
        glmlx.lstsq(np.array([["a"]]), y)
    with pytest.raises(ValueError, match="at least one row"):
        glmlx.lstsq(np.zeros((0, 3)), np.zeros(0), fit_intercept=True)
    # The C++ op checks too (for C++ callers).
    with pytest.raises(ValueError, match=r"\[glmlx.lstsq\] method"):
        _ext.lstsq(f64(X), f64(y), method="nope")


def test_empty_and_degenerate_shapes():
    coef = glmlx.lstsq(np.zeros((0, 3)), np.zeros(0)).coef
    assert coef.shape == (3,) and np.all(np.asarray(coef) == 0)
    coef, b, _ = glmlx.lstsq(np.zeros((5, 0)), np.arange(5.0), fit_intercept=True)
    assert coef.shape == (0,) and float(b) == pytest.approx(2.0)
