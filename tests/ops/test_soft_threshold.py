import mlx.core as mx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import glmlx
from glmlx import _ext


def f64(a):
    return mx.array(np.asarray(a, dtype=np.float64), dtype=mx.float64)

TOL = {mx.float64: 1e-14, mx.float32: 1e-6, mx.float16: 2e-3, mx.bfloat16: 1e-2}


def np_soft(x, t, scale=1.0):
    return np.sign(x) * np.maximum(np.abs(x) - t, 0) / scale


def to_np(a):
    return np.asarray(a.astype(mx.float64) if a.dtype in (mx.float16, mx.bfloat16) else a)


@pytest.mark.parametrize("dtype", [mx.float64, mx.float32, mx.float16, mx.bfloat16])
@pytest.mark.parametrize(
    "xshape,tshape,sshape",
    [((1000,), (), None), ((7, 13), (13,), None), ((7, 13), (7, 1), (13,)), ((3, 4, 5), (4, 1), (3, 1, 1)),
     ((), (), ()), ((0, 3), (3,), None), ((5, 6), (5, 6), (5, 6))],
)
def test_matches_numpy_with_broadcasting(dtype, xshape, tshape, sshape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(xshape) * 2
    t = np.abs(rng.standard_normal(tshape))
    s = None if sshape is None else 0.5 + rng.random(sshape)
    out = glmlx.soft_threshold(mx.array(x, dtype=dtype), mx.array(t, dtype=dtype),
                               None if s is None else mx.array(s, dtype=dtype))
    # Compare against numpy on the values the op actually received.
    xq, tq = to_np(mx.array(x, dtype=dtype)), to_np(mx.array(t, dtype=dtype))
    sq = 1.0 if s is None else to_np(mx.array(s, dtype=dtype))
    expected = np_soft(xq, tq, sq)
    assert out.dtype == dtype
    assert out.shape == expected.shape
    np.testing.assert_allclose(to_np(out), expected, rtol=TOL[dtype], atol=TOL[dtype])


def test_matches_fallback_and_zero_region():
    x = f64([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0])
    out = glmlx.soft_threshold(x, 1.0, 2.0)
    ref = _ext.soft_threshold_fallback(x, f64(1.0), f64(2.0))
    np.testing.assert_array_equal(np.asarray(out), np.asarray(ref))
    np.testing.assert_array_equal(np.asarray(out), [-1.0, 0, 0, 0, 0, 0, 1.0])


def test_strided_and_transposed_inputs():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((40, 30))
    xm = f64(x)
    t = np.abs(rng.standard_normal(40))
    # transposed x with a per-row threshold that broadcasts along the last axis
    out = glmlx.soft_threshold(xm.T, f64(t))
    np.testing.assert_allclose(np.asarray(out), np_soft(x.T, t), rtol=1e-14)
    out = glmlx.soft_threshold(xm[::3, 1::2], 0.3)
    np.testing.assert_allclose(np.asarray(out), np_soft(x[::3, 1::2], 0.3), rtol=1e-14)


def test_nan_propagates():
    out = np.asarray(glmlx.soft_threshold(f64([np.nan, 2.0]), 1.0))
    assert np.isnan(out[0]) and out[1] == 1.0


def test_python_scalars_take_x_dtype():
    x = mx.array([1.5, -2.5], dtype=mx.float16)
    out = glmlx.soft_threshold(x, 1, 2)
    assert out.dtype == mx.float16
    np.testing.assert_allclose(to_np(out), [0.25, -0.75])


def test_input_is_not_modified():
    x = f64(np.linspace(-2, 2, 11))
    before = np.asarray(x).copy()
    y = glmlx.soft_threshold(x, 0.5)
    mx.eval(y)
    np.testing.assert_array_equal(np.asarray(x), before)


def _central_diff(f, v, eps=1e-6):
    g = np.zeros_like(v)
    for i in range(v.size):
        e = np.zeros_like(v)
        e.flat[i] = eps
        g.flat[i] = (f(v + e) - f(v - e)) / (2 * eps)
    return g


def test_gradients_match_finite_differences():
    rng = np.random.default_rng(2)
    x = rng.standard_normal(12) * 2
    x[np.abs(np.abs(x) - 0.7) < 1e-3] += 0.01  # keep away from the kink
    t = np.full(12, 0.7)
    s = 0.5 + rng.random(12)
    w = rng.standard_normal(12)

    def loss(xv, tv, sv):
        return mx.sum(f64(w) * glmlx.soft_threshold(xv, tv, sv))

    gx, gt, gs = mx.grad(loss, argnums=(0, 1, 2))(f64(x), f64(t), f64(s))
    f_np = lambda xv, tv, sv: float(np.sum(w * np_soft(xv, tv, sv)))  # noqa: E731
    np.testing.assert_allclose(np.asarray(gx), _central_diff(lambda v: f_np(v, t, s), x), atol=1e-7)
    np.testing.assert_allclose(np.asarray(gt), _central_diff(lambda v: f_np(x, v, s), t), atol=1e-7)
    np.testing.assert_allclose(np.asarray(gs), _central_diff(lambda v: f_np(x, t, v), s), atol=1e-7)
    # derivative in x is 1/scale where active and 0 inside the threshold
    active = np.abs(x) > t
    np.testing.assert_allclose(np.asarray(gx), np.where(active, w / s, 0.0))


def test_gradient_through_broadcast_threshold():
    x = f64(np.array([[2.0, -3.0], [0.1, 4.0]]))
    gt = mx.grad(lambda tv: mx.sum(glmlx.soft_threshold(x, tv)))(f64(1.0))
    # d/dt of sum = -sum(sign(x) over active entries) = -(1 - 1 + 1) = -1
    assert float(gt.item()) == pytest.approx(-1.0)


def test_jvp_matches_vjp():
    rng = np.random.default_rng(3)
    x, t, s = f64(rng.standard_normal(6)), f64(np.full(6, 0.3)), f64(1 + rng.random(6))
    tx, tt, ts = (f64(rng.standard_normal(6)) for _ in range(3))
    _, (jv,) = mx.jvp(lambda a, b, c: glmlx.soft_threshold(a, b, c), [x, t, s], [tx, tt, ts])
    _, ref = mx.jvp(lambda a, b, c: _ext.soft_threshold_fallback(a, b, c), [x, t, s], [tx, tt, ts])
    np.testing.assert_allclose(np.asarray(jv), np.asarray(ref[0]), rtol=1e-12, atol=1e-14)


def test_vmap_and_compile_give_same_values():
    rng = np.random.default_rng(4)
    x = f64(rng.standard_normal((5, 8)))
    t = f64(np.abs(rng.standard_normal(5)))
    direct = glmlx.soft_threshold(x, t[:, None])
    vm = mx.vmap(lambda xi, ti: glmlx.soft_threshold(xi, ti))(x, t)
    vm_cols = mx.vmap(lambda xc: glmlx.soft_threshold(xc, t), in_axes=1, out_axes=1)(x)
    comp = mx.compile(lambda a, b: glmlx.soft_threshold(a, b[:, None]))(x, t)
    for other in (vm, vm_cols, comp):
        np.testing.assert_array_equal(np.asarray(other), np.asarray(direct))
    g_direct = mx.grad(lambda a: mx.sum(glmlx.soft_threshold(a, 0.4) ** 2))(x)
    g_comp = mx.compile(mx.grad(lambda a: mx.sum(glmlx.soft_threshold(a, 0.4) ** 2)))(x)
    np.testing.assert_allclose(np.asarray(g_comp), np.asarray(g_direct), rtol=1e-14)


@settings(max_examples=40, deadline=None)
@given(
    xs=st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=50),
    t=st.floats(0, 1e3),
    scale=st.floats(1e-3, 1e3),
)
def test_property_against_numpy(xs, t, scale):
    x = np.array(xs)
    out = np.asarray(glmlx.soft_threshold(f64(x), t, scale))
    np.testing.assert_allclose(out, np_soft(x, t, scale), rtol=1e-15, atol=0)


@pytest.mark.parametrize("bad", [np.arange(4), np.arange(4, dtype=np.int32), np.array([True, False])])
def test_integer_and_bool_x_raise_type_error(bad):
    with pytest.raises(TypeError, match="x must be a floating-point array"):
        glmlx.soft_threshold(bad, 0.5)


def test_complex_raises_type_error():
    with pytest.raises(TypeError, match="x must be real"):
        glmlx.soft_threshold(np.array([1 + 1j]), 0.5)
    with pytest.raises(TypeError, match="t must be real"):
        glmlx.soft_threshold(np.array([1.0]), 1j)


def test_non_broadcastable_shapes_raise_value_error():
    with pytest.raises(ValueError, match=r"shapes do not broadcast.*x \(3, 4\).*t \(3,\)"):
        glmlx.soft_threshold(mx.zeros((3, 4)), mx.zeros((3,)))


def test_cpp_op_rejects_integer_input_directly():
    with pytest.raises(ValueError, match=r"\[glmlx.soft_threshold\] x must be a real floating-point"):
        _ext.soft_threshold(mx.array([1, 2]), mx.array(0.5))
