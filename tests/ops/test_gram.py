import mlx.core as mx
import numpy as np
import pytest

import glmlx
from glmlx import _ext


def f64(a):
    return mx.array(np.asarray(a, dtype=np.float64), dtype=mx.float64)


def ref_gram(X, y=None, w=None, center=False):
    n = X.shape[0]
    w = np.ones(n) if w is None else w
    xbar = ybar = None
    if center:
        xbar = w @ X / w.sum()
        X = X - xbar
        if y is not None:
            ybar = (w @ y) / w.sum()
            y = y - ybar
    G = (X * w[:, None]).T @ X
    c = None if y is None else (X * w[:, None]).T @ y
    return G, c, xbar, ybar


def rel_err(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


SHAPES = [(200, 7), (20, 50), (500, 1), (1, 6), (3000, 40)]


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-13), (np.float32, 2e-5)])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("center", [False, True])
@pytest.mark.parametrize("ycols", [None, 1, 3])
def test_matches_numpy(dtype, tol, shape, weighted, center, ycols):
    n, p = shape
    rng = np.random.default_rng(n * 31 + p)
    X = (rng.standard_normal((n, p)) + 3.0).astype(dtype)  # offset so centering matters
    y = None if ycols is None else rng.standard_normal((n, ycols) if ycols > 1 else n).astype(dtype)
    w = rng.uniform(0.1, 2.0, n).astype(dtype) if weighted else None
    out = glmlx.gram(X, y, w, center=center)
    G, c, xbar, ybar = ref_gram(X.astype(np.float64), None if y is None else y.astype(np.float64),
                                None if w is None else w.astype(np.float64), center)
    if y is None and not center:
        out = (out,)
    expected_dtype = mx.float64 if dtype == np.float64 else mx.float32
    assert all(o.dtype == expected_dtype for o in out)
    assert out[0].shape == (p, p)
    assert rel_err(out[0], G) < tol
    np.testing.assert_array_equal(np.asarray(out[0]), np.asarray(out[0]).T)
    k = 1
    if y is not None:
        assert out[1].shape == c.shape
        assert rel_err(out[1], c) < tol
        k = 2
    if center:
        assert rel_err(out[k], xbar) < tol
        if y is not None:
            assert out[k + 1].shape == np.shape(ybar)
            assert rel_err(out[k + 1], ybar) < tol


def test_column_major_and_strided_views():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((300, 20))
    Xm = f64(X)
    np.testing.assert_allclose(np.asarray(glmlx.gram(Xm.T.T)), X.T @ X, rtol=1e-12)
    # a transposed MLX view is column-major: exercised without a copy
    XT = f64(np.ascontiguousarray(X.T))
    np.testing.assert_allclose(np.asarray(glmlx.gram(XT.T)), X.T @ X, rtol=1e-12)
    sub = Xm[::2, 3:17]
    np.testing.assert_allclose(np.asarray(glmlx.gram(sub)), X[::2, 3:17].T @ X[::2, 3:17], rtol=1e-12)
    G, c = glmlx.gram(XT.T, f64(X[:, :2]))
    np.testing.assert_allclose(np.asarray(c), X.T @ X[:, :2], rtol=1e-12)


def test_large_blocked_path_matches_numpy():
    # n large enough to span several row blocks of the packed (weighted) path
    rng = np.random.default_rng(6)
    X = rng.standard_normal((40000, 30))
    w = rng.uniform(0, 1, 40000)
    y = rng.standard_normal(40000)
    G, c, xbar, ybar = glmlx.gram(X, y, w, center=True)
    Ge, ce, xe, ye = ref_gram(X, y, w, True)
    assert rel_err(G, Ge) < 1e-12 and rel_err(c, ce) < 1e-12
    assert rel_err(xbar, xe) < 1e-12 and abs(float(ybar.item()) - ye) < 1e-12


def test_centering_is_stable_for_large_offsets():
    # X'X - n xbar xbar' would lose every digit here; the packed path does not.
    rng = np.random.default_rng(7)
    X = 1e8 + rng.standard_normal((1000, 4))
    G, xbar = glmlx.gram(X, center=True)
    Gc = (X - X.mean(0)).T @ (X - X.mean(0))
    assert rel_err(G, Gc) < 1e-6


def test_matches_fallback():
    rng = np.random.default_rng(8)
    X, y, w = f64(rng.standard_normal((50, 6))), f64(rng.standard_normal((50, 2))), f64(
        rng.uniform(0.5, 1.5, 50))
    for a, b in zip(glmlx.gram(X, y, w, center=True), _ext.gram_fallback(X, y, w, True)):
        assert rel_err(a, b) < 1e-12


def test_grad_and_vmap_follow_the_fallback():
    rng = np.random.default_rng(9)
    X = f64(rng.standard_normal((30, 4)))
    y = f64(rng.standard_normal(30))
    f = lambda A: mx.sum(glmlx.gram(A, y)[1] ** 2)  # noqa: E731
    g = mx.grad(f)(X)
    # d/dX ||X'y||^2 = 2 y (X'y)'
    Xn, yn = np.asarray(X), np.asarray(y)
    np.testing.assert_allclose(np.asarray(g), 2 * np.outer(yn, Xn.T @ yn), rtol=1e-12)
    Xb = f64(rng.standard_normal((3, 30, 4)))
    vm = mx.vmap(lambda A: glmlx.gram(A))(Xb)
    for i in range(3):
        np.testing.assert_allclose(np.asarray(vm[i]), np.asarray(Xb[i]).T @ np.asarray(Xb[i]), rtol=1e-12)
    comp = mx.compile(lambda A: glmlx.gram(A))(X)
    np.testing.assert_allclose(np.asarray(comp), Xn.T @ Xn, rtol=1e-13)


def test_integer_input_is_promoted():
    X = np.arange(12).reshape(4, 3)
    np.testing.assert_allclose(np.asarray(glmlx.gram(X)), (X.T @ X).astype(float))


def test_caller_arrays_unchanged():
    rng = np.random.default_rng(10)
    X = rng.standard_normal((20, 3)) + 5
    y = rng.standard_normal(20)
    w = rng.uniform(0.1, 1, 20)
    copies = [a.copy() for a in (X, y, w)]
    glmlx.gram(X, y, w, center=True)
    for a, b in zip((X, y, w), copies):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "kwargs,exc,msg",
    [
        (dict(X=np.ones(5)), ValueError, r"X must be 2-D"),
        (dict(X=np.ones((5, 2)), y=np.ones(4)), ValueError, r"y must have shape \(5,\)"),
        (dict(X=np.ones((5, 2)), weights=np.ones(3)), ValueError, r"weights must have shape \(5,\)"),
        (dict(X=np.ones((5, 2)), weights=-np.ones(5)), ValueError, r"weights must be non-negative"),
        (dict(X=np.ones((5, 2)), weights=np.zeros(5)), ValueError, r"weights must have a positive sum"),
        (dict(X=np.ones((5, 2)), weights=np.array([1, 1, np.inf, 1, 1.0])), ValueError, r"weights contains NaN"),
        (dict(X=np.array([[1.0, np.nan], [2.0, 3.0]])), ValueError, r"X contains NaN or infinite"),
        (dict(X=np.ones((2, 2)), y=np.array([1.0, np.inf])), ValueError, r"y contains NaN or infinite"),
        (dict(X=np.ones((2, 2), dtype=complex)), TypeError, r"X must be real"),
        (dict(X=[["a", "b"]]), TypeError, r"X must be numeric"),
    ],
)
def test_bad_input(kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        glmlx.gram(**kwargs)


def test_cpp_op_validates_shapes():
    with pytest.raises(ValueError, match=r"\[glmlx.gram\] y has 3 rows but X has 4"):
        _ext.gram(mx.zeros((4, 2)), mx.zeros((3,)))


@pytest.mark.parametrize("layout", ["C", "F", "strided"])
@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 5e-5)])
def test_host_kernel_on_numpy_buffers(layout, dtype, tol):
    """gram_numpy runs the same kernel on numpy memory (no copy into MLX), any layout."""
    rng = np.random.default_rng(11)
    base = (rng.standard_normal((600, 24)) + rng.uniform(-3, 3, 24)).astype(dtype)
    X = {"C": base, "F": np.asfortranarray(base), "strided": base[::2, 3:17]}[layout]
    y = rng.standard_normal(X.shape[0]).astype(dtype)
    for w in (None, np.full(X.shape[0], 0.5, dtype), rng.uniform(0.1, 2, X.shape[0]).astype(dtype)):
        for center in (False, True):
            G, c, xbar, ybar = _ext.gram_numpy(X, y, w, center)
            Ge, ce, xe, ye = ref_gram(X.astype(np.float64), y.astype(np.float64),
                                      None if w is None else w.astype(np.float64), center)
            assert rel_err(G, Ge) < tol and rel_err(c, ce) < tol
            if center:
                assert rel_err(xbar, xe) < tol and abs(float(ybar) - ye) < tol * max(1, abs(ye))
            else:
                assert xbar is None and ybar is None


def test_uniform_weight_fast_path_falls_back_when_means_dominate():
    # the uncentered product minus n xbar xbar' would lose every digit here: the
    # kernel must notice and use the packed (exactly centered) path instead
    rng = np.random.default_rng(12)
    X = 1e6 + rng.standard_normal((5000, 5))
    G, _, xbar, _ = _ext.gram_numpy(X, None, None, True)
    Xc = X - X.mean(0)
    assert rel_err(G, Xc.T @ Xc) < 1e-8
    G2, xbar2 = glmlx.gram(X, center=True)
    assert rel_err(G2, Xc.T @ Xc) < 1e-8


def test_host_kernel_rejects_bad_input():
    with pytest.raises(ValueError, match=r"X must be 2-D"):
        _ext.gram_numpy(np.ones(3))
    with pytest.raises(ValueError, match=r"y must have X's rows"):
        _ext.gram_numpy(np.ones((3, 2)), np.ones(4))
    with pytest.raises(TypeError, match=r"weights must have X's dtype"):
        _ext.gram_numpy(np.ones((3, 2)), None, np.ones(3, dtype=np.float32))
    with pytest.raises(TypeError, match=r"float32 or float64"):
        _ext.gram_numpy(np.ones((3, 2), dtype=np.int64))


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 5e-5)])
def test_host_rows_kernel_stacks_the_subsets(dtype, tol):
    """gram_numpy_rows: each row subset's gram_numpy, stacked, with spare slots left after them."""
    rng = np.random.default_rng(13)
    X = (rng.standard_normal((300, 9)) + 2).astype(dtype)
    y = rng.standard_normal(300).astype(dtype)
    w = rng.uniform(0.1, 2, 300).astype(dtype)
    subsets = np.array_split(rng.permutation(300).astype(np.int64), 4)
    for center in (False, True):
        G, c, xbar, ybar = _ext.gram_numpy_rows(X, y, w, center, [np.sort(s) for s in subsets], spare=2)
        assert G.shape == (6, 9, 9) and c.shape == (4, 9)
        for k, s in enumerate(subsets):
            Ge, ce, xe, ye = _ext.gram_numpy(X[np.sort(s)], y[np.sort(s)], w[np.sort(s)], center)
            assert rel_err(G[k], Ge) < tol and rel_err(c[k], ce) < tol
            if center:
                assert rel_err(xbar[k], xe) < tol and abs(float(ybar[k]) - float(ye)) < tol
        if not center:
            assert xbar is None and ybar is None


@pytest.mark.parametrize("a_shape,b_shape", [((7, 5), (5, 3)), ((1, 5), (5, 4)), ((6, 5), (5, 1)), ((5,), (5, 3)),
                                             ((4, 5), (5,)), ((5,), (5,)), ((0, 5), (5, 3)), ((3, 0), (0, 2))])
def test_host_matmul_is_numpy_matmul(a_shape, b_shape):
    from glmlx.primitives import host_matmul

    rng = np.random.default_rng(14)
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    out = host_matmul(a, b)
    assert out.shape == (a @ b).shape and out.dtype == np.float64
    np.testing.assert_allclose(out, a @ b, rtol=1e-13, atol=1e-13)
    # float32 and non-contiguous operands are converted, not rejected
    np.testing.assert_allclose(host_matmul(a.astype(np.float32), np.asfortranarray(b)), a.astype(np.float32) @ b,
                               rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match=r"columns must match"):
        _ext.matmul_numpy(np.ones((2, 3)), np.ones((2, 3)))
