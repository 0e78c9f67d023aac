"""Every public op under mx.grad, mx.vmap (in_axes 0 and 1), mx.compile, vmap of grad and compile of vmap.

All with default arguments (check_input=True): checks that would evaluate data are skipped while
mx.compile/mx.vmap trace, shape and dtype checks still raise. Each transformed result is compared with an
untransformed reference: a Python loop over the batch, the op's plain-MLX fallback (``_ext.*_fallback``),
a closed form or central finite differences. Ops that cannot run under a transform must raise a ValueError
that names them.
"""
import mlx.core as mx
import numpy as np
import pytest

import glmlx
from glmlx import _ext

B, N, P = 3, 25, 4


def f64(a):
    return mx.array(np.asarray(a, dtype=np.float64), dtype=mx.float64)


def close(a, b, rtol=1e-12, atol=1e-12):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


def stack_loop(f, xs, axis=0):
    """The reference for vmap: f on each slice along ``axis``, stacked (trees of arrays too)."""
    outs = [f(mx.take(xs, i, axis=axis)) for i in range(xs.shape[axis])]
    if isinstance(outs[0], tuple):
        return tuple(mx.stack([o[j] for o in outs]) for j in range(len(outs[0])))
    return mx.stack(outs)


def fd_grad(f, x, eps=1e-6):
    """Central finite differences of a scalar f at x (float64)."""
    base = np.asarray(x, dtype=np.float64)
    g = np.empty(base.size)
    for j in range(base.size):
        xp, xm = base.copy().ravel(), base.copy().ravel()
        xp[j] += eps
        xm[j] -= eps
        g[j] = (f(f64(xp.reshape(base.shape))).item() - f(f64(xm.reshape(base.shape))).item()) / (2 * eps)
    return g.reshape(base.shape)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return dict(
        Xb=f64(rng.standard_normal((B, N, P))),
        yb=f64(rng.standard_normal((B, N))),
        w=f64(rng.uniform(0.5, 2.0, N)),
        y=f64(rng.standard_normal(N)),
        # away from soft_threshold's kinks at |x| = t, where finite differences are meaningless
        xb=f64(np.where(rng.random((B, 7)) < 0.5, -1, 1) * rng.uniform(0.7, 2.0, (B, 7))
               * np.where(rng.random((B, 7)) < 0.3, 0.1, 1.0)),
    )


# ---------------------------------------------------------------------------
# soft_threshold
# ---------------------------------------------------------------------------
def st(x):
    return glmlx.soft_threshold(x, 0.5, 2.0)


def st_loss(x):
    return mx.sum(st(x) ** 2)


def test_soft_threshold_grad_matches_fallback_and_finite_differences(data):
    x = data["xb"][0]
    g = mx.grad(st_loss)(x)
    ref = mx.grad(lambda x: mx.sum(_ext.soft_threshold_fallback(x, f64(0.5), f64(2.0)) ** 2))(x)
    close(g, ref)
    close(g, fd_grad(st_loss, x), rtol=1e-6, atol=1e-8)
    # d/dt and d/dscale, for the threshold and scale as arrays
    gt, gs = mx.grad(lambda t, s: mx.sum(glmlx.soft_threshold(x, t, s)), argnums=(0, 1))(f64(0.5), f64(2.0))
    xn = np.asarray(x)
    on = np.abs(xn) > 0.5
    close(gt, -np.sum(np.sign(xn[on])) / 2.0)
    close(gs, -np.sum(np.sign(xn[on]) * (np.abs(xn[on]) - 0.5)) / 4.0)


@pytest.mark.parametrize("axis", [0, 1])
def test_soft_threshold_vmap(data, axis):
    xs = data["xb"] if axis == 0 else data["xb"].T
    close(mx.vmap(st, in_axes=axis)(xs), stack_loop(st, xs, axis))
    # a batched threshold beside an unbatched x
    t = f64([0.1, 0.5, 1.5])
    out = mx.vmap(lambda t: glmlx.soft_threshold(data["xb"][0], t), in_axes=0)(t)
    close(out, mx.stack([glmlx.soft_threshold(data["xb"][0], float(v)) for v in np.asarray(t)]))


def test_soft_threshold_compile_vmap_of_grad_compile_of_vmap(data):
    xb = data["xb"]
    close(mx.compile(st)(xb[0]), st(xb[0]))
    close(mx.vmap(mx.grad(st_loss))(xb), stack_loop(mx.grad(st_loss), xb))
    close(mx.compile(mx.vmap(st))(xb), stack_loop(st, xb))


# ---------------------------------------------------------------------------
# gram (default check_input=True)
# ---------------------------------------------------------------------------
def gram_all(A, y, w):
    return glmlx.gram(A, y, w, center=True)


def gram_loss(A, y, w):
    G, c, xbar, ybar = gram_all(A, y, w)
    return mx.sum(G * G) + mx.sum(c * c) + mx.sum(xbar) + mx.sum(ybar)


def gram_loss_fallback(A, y, w):
    G, c, xbar, ybar = _ext.gram_fallback(A, y, w, True)
    return mx.sum(G * G) + mx.sum(c * c) + mx.sum(xbar) + mx.sum(ybar)


def test_gram_grad_matches_fallback_and_finite_differences(data):
    A, y, w = data["Xb"][0], data["y"], data["w"]
    g = mx.grad(gram_loss, argnums=(0, 1, 2))(A, y, w)
    ref = mx.grad(gram_loss_fallback, argnums=(0, 1, 2))(A, y, w)
    for a, b in zip(g, ref):
        close(a, b, rtol=1e-10)
    close(g[2], fd_grad(lambda w: gram_loss(A, y, w), w), rtol=1e-6, atol=1e-6)
    # plain X'X, the issue's case
    G_grad = mx.grad(lambda A: mx.sum(glmlx.gram(A)[0]))(A)
    close(G_grad, mx.grad(lambda A: mx.sum(_ext.gram_fallback(A)[0][0]))(A))


@pytest.mark.parametrize("axis", [0, 1])
def test_gram_vmap_default_check_input(data, axis):
    Xb = data["Xb"] if axis == 0 else mx.moveaxis(data["Xb"], 0, 1)  # (N, B, P) for axis 1
    # the issue's one-liner
    close(mx.vmap(lambda A: glmlx.gram(A)[0], in_axes=axis)(Xb), stack_loop(lambda A: glmlx.gram(A)[0], Xb, axis))
    f = lambda A: gram_all(A, data["y"], data["w"])  # noqa: E731
    for got, ref in zip(mx.vmap(f, in_axes=axis)(Xb), stack_loop(f, Xb, axis)):
        close(got, ref)


def test_gram_vmap_over_y_and_weights(data):
    wb = mx.stack([data["w"], 2 * data["w"], mx.flip(data["w"])])
    got = mx.vmap(lambda A, y, w: gram_all(A, y, w))(data["Xb"], data["yb"], wb)
    for j in range(B):
        for a, b in zip(got, gram_all(data["Xb"][j], data["yb"][j], wb[j])):
            close(a[j], b)


def test_gram_compile_vmap_of_grad_compile_of_vmap(data):
    Xb, y, w = data["Xb"], data["y"], data["w"]
    close(mx.compile(lambda A: glmlx.gram(A))(Xb[0]), glmlx.gram(Xb[0]))
    for a, b in zip(mx.compile(gram_all)(Xb[0], y, w), gram_all(Xb[0], y, w)):
        close(a, b)
    g = lambda A: mx.grad(gram_loss)(A, y, w)  # noqa: E731
    close(mx.vmap(g)(Xb), stack_loop(g, Xb), rtol=1e-10)
    close(mx.compile(mx.vmap(lambda A: glmlx.gram(A)))(Xb), stack_loop(glmlx.gram, Xb))


# ---------------------------------------------------------------------------
# lstsq
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["auto", "qr", "cholesky", "svd"])
@pytest.mark.parametrize("axis", [0, 1])
def test_lstsq_vmap_equals_loop_of_solves(data, method, axis):
    Xb = data["Xb"] if axis == 0 else mx.moveaxis(data["Xb"], 0, 1)
    yb = data["yb"] if axis == 0 else data["yb"].T
    f = lambda A, y: glmlx.lstsq(A, y, method=method, fit_intercept=True, weights=data["w"])  # noqa: E731
    got = mx.vmap(f, in_axes=axis)(Xb, yb)
    assert isinstance(got, glmlx.LstsqResult) and got.coef.shape == (B, P) and got.intercept.shape == (B,)
    for j in range(B):
        ref = f(mx.take(Xb, j, axis), mx.take(yb, j, axis))
        close(got.coef[j], ref.coef)
        close(got.intercept[j], ref.intercept)
        assert int(got.info.method[j]) == ("qr", "cholesky", "svd").index(ref.info.method)
        assert int(got.info.rank[j]) == ref.info.rank


def test_lstsq_vmap_issue_example_and_multi_rhs(data):
    Xb = data["Xb"]
    got = mx.vmap(lambda a: glmlx.lstsq(a, a[:, 0]))(Xb)
    ref = [glmlx.lstsq(Xb[j], Xb[j][:, 0]) for j in range(B)]
    close(got.coef, mx.stack([r.coef for r in ref]), atol=1e-10)
    close(got.coef[:, 0], np.ones(B), atol=1e-10)  # y is X's first column
    close(got.intercept, np.zeros(B))  # fit_intercept=False: zeros, shape (B,)
    # unbatched X, batched 2-D right-hand sides on axis 1
    Y = mx.moveaxis(mx.stack([data["yb"].T, 2 * data["yb"].T]), 0, 2)  # (N, B, 2)
    got = mx.vmap(lambda y: glmlx.lstsq(Xb[0], y, method="qr").coef, in_axes=1)(Y)
    for j in range(B):
        close(got[j], glmlx.lstsq(Xb[0], Y[:, j], method="qr").coef)


@pytest.mark.parametrize("method", ["cholesky", "qr"])
def test_lstsq_vmap_over_weights_or_y_alone(data, method):
    # only some primitive inputs batched (the Cholesky path's Gram C batched, G not)
    X, y = data["Xb"][0], data["y"]
    wb = mx.stack([data["w"], mx.ones_like(data["w"]), mx.flip(data["w"])])
    got = mx.vmap(lambda w: glmlx.lstsq(X, y, method=method, weights=w, fit_intercept=True))(wb)
    got_y = mx.vmap(lambda y: glmlx.lstsq(X, y, method=method).coef)(data["yb"])
    for j in range(B):
        ref = glmlx.lstsq(X, y, method=method, weights=wb[j], fit_intercept=True)
        close(got.coef[j], ref.coef)
        close(got.intercept[j], ref.intercept)
        close(got_y[j], glmlx.lstsq(X, data["yb"][j], method=method).coef)


def test_lstsq_compile_and_compile_of_vmap(data):
    Xb, yb = data["Xb"], data["yb"]
    f = lambda A, y: glmlx.lstsq(A, y, fit_intercept=True)  # noqa: E731
    got, ref = mx.compile(f)(Xb[0], yb[0]), f(Xb[0], yb[0])
    close(got.coef, ref.coef)
    close(got.intercept, ref.intercept)
    assert int(got.info.method) == ("qr", "cholesky", "svd").index(ref.info.method)
    got = mx.compile(mx.vmap(f))(Xb, yb)
    for j in range(B):
        ref = f(Xb[j], yb[j])
        close(got.coef[j], ref.coef)
        close(got.intercept[j], ref.intercept)


def test_lstsq_result_is_one_shape(data):
    A, y = data["Xb"][0], data["y"]
    r = glmlx.lstsq(A, y)
    coef, intercept, info = r
    assert r.coef is coef and intercept.shape == () and float(intercept) == 0.0
    assert isinstance(info, glmlx.LstsqInfo) and info.method == "cholesky" and info.rank == P
    r2 = glmlx.lstsq(A, mx.stack([y, y], axis=1), fit_intercept=True)
    assert r2.coef.shape == (P, 2) and r2.intercept.shape == (2,)
    # check_input=False leaves info lazy (arrays) rather than reading it back
    lazy = glmlx.lstsq(A, y, check_input=False).info
    assert isinstance(lazy.method, mx.array) and int(lazy.method) == 1


@pytest.mark.parametrize("transform", ["grad", "vmap_of_grad"])
def test_lstsq_grad_raises_naming_lstsq(data, transform):
    f = lambda y: mx.sum(glmlx.lstsq(data["Xb"][0], y).coef)  # noqa: E731
    with pytest.raises(ValueError, match=r"glmlx\.lstsq\] is not differentiable"):
        if transform == "grad":
            mx.grad(f)(data["y"])
        else:
            mx.vmap(mx.grad(f))(data["yb"])


# ---------------------------------------------------------------------------
# fit_gd, check_grad, glmnet, cv_glmnet: host-loop drivers
# ---------------------------------------------------------------------------
def test_fit_gd_refuses_grad_rather_than_returning_zeros(data):
    # MLX 0.32 cuts the graph at fit_gd's per-step eval (after its inner value_and_grad): this
    # composition gives zeros, so fit_gd must refuse mx.grad rather than run.
    X, y = data["Xb"][0], data["y"]
    vg = mx.value_and_grad(lambda w, y: mx.mean(mx.square(y - X @ w)))

    def one_step(y, ev):
        w = mx.zeros((P,), dtype=mx.float64)
        _, g = vg(w, y)
        w = w - 0.1 * g
        if ev:
            mx.eval(w)
        return mx.sum(w)

    assert float(mx.max(mx.abs(mx.grad(lambda y: one_step(y, False))(y)))) > 1e-3
    if float(mx.max(mx.abs(mx.grad(lambda y: one_step(y, True))(y)))) > 0:
        pytest.fail("MLX now keeps the graph through eval: fit_gd could be differentiable (unrolled)")
    with pytest.raises(ValueError, match=r"glmlx\.fit_gd cannot run under"):
        mx.grad(lambda y: mx.sum(glmlx.fit_gd(X, y, steps=2).coef))(y)


DRIVERS = {
    "fit_gd": lambda A, y: glmlx.fit_gd(A, y, steps=3).coef,
    "check_grad": lambda A, y: mx.array(glmlx.check_grad(lambda v: mx.sum(v * v), y).max_rel_error),
    "glmnet": lambda A, y: glmlx.glmnet(A, y, nlambda=5).beta,
    "cv_glmnet": lambda A, y: mx.array(glmlx.cv_glmnet(A, y, nfolds=3, nlambda=5).lambda_min),
}


@pytest.mark.parametrize("name", list(DRIVERS))
@pytest.mark.parametrize("transform", ["grad", "vmap0", "vmap1", "compile", "vmap_of_grad", "compile_of_vmap"])
def test_drivers_refuse_transforms_naming_themselves(data, name, transform):
    f = DRIVERS[name]
    A, y, Xb, yb = data["Xb"][0], data["y"], data["Xb"], data["yb"]
    loss = lambda y: mx.sum(f(A, y))  # noqa: E731
    run = {
        "grad": lambda: mx.grad(loss)(y),
        "vmap0": lambda: mx.vmap(f)(Xb, yb),
        "vmap1": lambda: mx.vmap(f, in_axes=1)(mx.moveaxis(Xb, 0, 1), yb.T),
        "compile": lambda: mx.compile(f)(A, y),
        "vmap_of_grad": lambda: mx.vmap(mx.grad(loss))(yb),
        "compile_of_vmap": lambda: mx.compile(mx.vmap(f))(Xb, yb),
    }[transform]
    with pytest.raises(ValueError, match=rf"glmlx\.{name} cannot run under"):
        mx.eval(run())


def test_drivers_still_run_on_concrete_arrays_inside_compile(data):
    # Only traced arguments are refused: a closure's concrete arrays are fine.
    A, y = data["Xb"][0], data["y"]
    fit = glmlx.glmnet(A, y, nlambda=5)
    got = mx.compile(lambda s: s * glmlx.glmnet(A, y, nlambda=5).beta)(f64(1.0))
    close(got, fit.beta)


# ---------------------------------------------------------------------------
# Checks under transforms
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("transform", ["vmap", "compile", "grad"])
def test_bad_shapes_and_dtypes_still_raise_naming_the_argument(data, transform):
    A, y, Xb = data["Xb"][0], data["y"], data["Xb"]

    def under(f):
        if transform == "vmap":
            return mx.vmap(lambda a: f(a))(Xb)
        if transform == "compile":
            return mx.compile(lambda a: f(a))(A)
        return mx.grad(lambda a: mx.sum(f(a)))(A)

    with pytest.raises(ValueError, match=r"y must have shape"):
        under(lambda a: glmlx.gram(a, y[:-1])[0])
    with pytest.raises(ValueError, match=r"weights must have shape"):
        under(lambda a: glmlx.gram(a, y, weights=data["w"][:-1])[0])
    with pytest.raises(ValueError, match=r"X must be 2-D"):
        under(lambda a: glmlx.gram(a[0]))
    with pytest.raises(ValueError, match=r"weights must have shape"):
        under(lambda a: glmlx.lstsq(a, y, weights=data["w"][:3]).coef)
    with pytest.raises(TypeError, match=r"\bx must be a floating-point array"):
        under(lambda a: glmlx.soft_threshold(a.astype(mx.int32), 0.1))


def test_nan_raises_outside_transforms_and_under_grad(data):
    A = np.array(data["Xb"][0])
    A[2, 1] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        glmlx.gram(A)
    with pytest.raises(ValueError, match="X contains NaN"):
        glmlx.lstsq(A, data["y"])
    with pytest.raises(ValueError, match="weights must be non-negative"):
        glmlx.gram(data["Xb"][0], weights=-data["w"])
    # mx.grad can evaluate its arrays, so the checks still run there
    with pytest.raises(ValueError, match="X contains NaN"):
        mx.grad(lambda a: mx.sum(glmlx.gram(a)))(f64(A))


def test_nan_while_tracing_propagates_as_documented(data):
    # vmap/compile cannot read values: the check is skipped and NaN flows into the result.
    Xb = np.array(data["Xb"])
    Xb[1, 2, 1] = np.nan
    G = mx.vmap(lambda a: glmlx.gram(a))(f64(Xb))
    assert np.isnan(np.asarray(G[1])).any() and np.isfinite(np.asarray(G[[0, 2]])).all()
    coef = mx.compile(lambda a, y: glmlx.lstsq(a, y).coef)(f64(Xb[1]), data["y"])
    assert np.isnan(np.asarray(coef)).any()
