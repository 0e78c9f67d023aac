import math

import mlx.core as mx
import numpy as np
import pytest

import glmlx


def f64(a):
    return mx.array(np.asarray(a, dtype=np.float64), dtype=mx.float64)


def heavy_tailed(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    y = X @ np.array([1.5, -2.0, 0.5, 0.0]) + 1.0 + 0.5 * rng.standard_t(2, size=n)
    return X, y


def gaussian(n=200, p=5, seed=1, noise=0.3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 0.5
    y = X @ rng.standard_normal(p) - 2.0 + noise * rng.standard_normal(n)
    return X, y


# ---------------------------------------------------------------------------
# Convergence to known optima
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("optimizer,lr", [("sgd", 0.3), ("momentum", 0.05), ("adam", 0.05)])
def test_mse_converges_to_least_squares(optimizer, lr):
    X, y = gaussian()
    res = glmlx.fit_gd(X, y, optimizer=optimizer, lr=lr, steps=1500)
    coef, b, _ = glmlx.lstsq(X, y, method="qr", fit_intercept=True)
    assert np.max(np.abs(np.asarray(res.coef) - np.asarray(coef))) < 1e-6
    assert abs(float(res.intercept) - float(b)) < 1e-6
    assert res.n_steps == 1500 == len(res.loss_history)
    # The recorded objective is 0.5 * mean squared residual at the start.
    assert res.loss_history[0] == pytest.approx(0.5 * np.mean(y**2))
    r = y - X @ np.asarray(coef) - float(b)
    assert res.loss_history[-1] == pytest.approx(0.5 * np.mean(r**2), rel=1e-8)


def test_plain_gd_without_intercept_is_monotone():
    X, y = gaussian(seed=2)
    res = glmlx.fit_gd(X, y, lr=0.1, steps=300, fit_intercept=False)
    assert float(res.intercept) == 0.0
    assert np.all(np.diff(res.loss_history) <= 1e-12 * res.loss_history[1:])
    ref = np.linalg.lstsq(X, y, rcond=None)[0]
    assert np.max(np.abs(np.asarray(res.coef) - ref)) < 1e-6


def test_minibatch_adam_gets_close_and_is_reproducible():
    X, y = gaussian(n=400, seed=3, noise=0.1)
    sched = lambda t: 0.05 / (1 + t / 200)  # noqa: E731  (decay to average out batch noise)
    a = glmlx.fit_gd(X, y, optimizer="adam", lr=sched, steps=1500, batch_size=32, seed=7)
    b = glmlx.fit_gd(X, y, optimizer="adam", lr=sched, steps=1500, batch_size=32, seed=7)
    c = glmlx.fit_gd(X, y, optimizer="adam", lr=sched, steps=1500, batch_size=32, seed=8)
    coef, icpt, _ = glmlx.lstsq(X, y, fit_intercept=True)
    assert np.max(np.abs(np.asarray(a.coef) - np.asarray(coef))) < 2e-2
    assert np.array_equal(np.asarray(a.coef), np.asarray(b.coef))
    assert not np.array_equal(np.asarray(a.coef), np.asarray(c.coef))


def test_mae_converges_to_quantile_regression():
    from sklearn.linear_model import QuantileRegressor

    X, y = heavy_tailed()
    q = QuantileRegressor(quantile=0.5, alpha=0, solver="highs").fit(X, y)
    res = glmlx.fit_gd(X, y, loss="mae", optimizer="adam", lr=lambda t: 0.05 / math.sqrt(1 + t / 10), steps=3000)
    assert np.max(np.abs(np.asarray(res.coef) - q.coef_)) < 5e-3
    assert abs(float(res.intercept) - q.intercept_) < 5e-3
    obj = lambda c, b: np.mean(np.abs(y - X @ c - b))  # noqa: E731
    assert obj(np.asarray(res.coef), float(res.intercept)) <= obj(q.coef_, q.intercept_) * (1 + 1e-4)


def test_mae_subgradient_uses_sign_zero_equals_zero():
    # Every residual is exactly zero at the start (y = 0, w = 0, b = 0): with
    # sign(0) = 0 the subgradient is zero and nothing moves.
    X, _ = gaussian(n=50, seed=4)
    res = glmlx.fit_gd(X, np.zeros(50), loss="mae", lr=0.5, steps=20)
    assert np.all(np.asarray(res.coef) == 0) and float(res.intercept) == 0
    assert np.all(res.loss_history == 0)
    g = mx.grad(lambda r: mx.mean(mx.abs(r)))(f64([0.0, 2.0, -3.0]))
    assert np.asarray(g).tolist() == [0.0, 1 / 3, -1 / 3]


def test_huber_converges_to_sklearn_huber_regressor():
    from sklearn.linear_model import HuberRegressor

    X, y = heavy_tailed(seed=5)
    h = HuberRegressor(epsilon=1.35, alpha=0, max_iter=1000, tol=1e-10).fit(X, y)
    # HuberRegressor also estimates a scale s; its coefficients minimize our
    # fixed-threshold Huber objective with delta = epsilon * s.
    res = glmlx.fit_gd(X, y, loss="huber", delta=1.35 * h.scale_, lr=0.5, steps=3000)
    assert np.max(np.abs(np.asarray(res.coef) - h.coef_)) < 1e-5
    assert abs(float(res.intercept) - h.intercept_) < 1e-5


def test_huber_with_large_delta_is_least_squares():
    X, y = gaussian(seed=6)
    res = glmlx.fit_gd(X, y, loss="huber", delta=1e6, lr=0.3, steps=1500)
    coef, b, _ = glmlx.lstsq(X, y, fit_intercept=True)
    assert np.max(np.abs(np.asarray(res.coef) - np.asarray(coef))) < 1e-6


def test_l1_proximal_gradient_is_the_lasso():
    from sklearn.linear_model import Lasso

    X, y = heavy_tailed(seed=7)
    las = Lasso(alpha=0.2, tol=1e-12, max_iter=100_000).fit(X, y)
    res = glmlx.fit_gd(X, y, l1=0.2, lr=0.5, steps=2000, tol=1e-15)
    assert np.max(np.abs(np.asarray(res.coef) - las.coef_)) < 1e-6
    assert abs(float(res.intercept) - las.intercept_) < 1e-6
    # Exact zeros, as a proximal step gives (not tiny numbers).
    assert np.array_equal(np.asarray(res.coef) == 0, las.coef_ == 0) and np.any(las.coef_ == 0)


def test_l2_matches_ridge_closed_form():
    X, y = gaussian(seed=8)
    n = X.shape[0]
    res = glmlx.fit_gd(X, y, l2=0.05, lr=0.3, steps=2000)
    # mean(r^2)/2 + l2/2 ||w||^2  ==  (||r||^2 + n*l2 ||w||^2) / (2n)
    coef, b, _ = glmlx.lstsq(X, y, ridge=n * 0.05, fit_intercept=True)
    assert np.max(np.abs(np.asarray(res.coef) - np.asarray(coef))) < 1e-7


def test_tol_stops_early():
    X, y = gaussian(seed=9)
    res = glmlx.fit_gd(X, y, lr=0.3, steps=5000, tol=1e-10)
    assert res.converged and res.n_steps < 5000 and len(res.loss_history) == res.n_steps
    h = res.loss_history
    assert abs(h[-2] - h[-1]) <= 1e-10 * max(1, abs(h[-2]))
    mb = glmlx.fit_gd(X, y, lr=0.05, steps=20000, batch_size=50, tol=1e-3, seed=0)
    assert mb.converged and mb.n_steps % 4 == 0 and mb.n_steps < 20000  # checked at epoch ends


def test_callback_sees_every_step_and_can_stop():
    X, y = gaussian(seed=10)
    seen = []

    def cb(step, loss, coef, intercept):
        seen.append((step, loss, coef.shape, intercept.shape))
        return step == 9

    res = glmlx.fit_gd(X, y, steps=100, callback=cb)
    assert res.n_steps == 10 and [s[0] for s in seen] == list(range(10))
    assert [s[1] for s in seen] == res.loss_history.tolist()
    assert seen[0][2:] == ((5,), ())


def test_float32_and_divergence_warning():
    X, y = gaussian(seed=11)
    res = glmlx.fit_gd(X.astype(np.float32), y.astype(np.float32), lr=0.3, steps=500)
    assert res.coef.dtype == mx.float32
    coef, _, _ = glmlx.lstsq(X, y, fit_intercept=True)
    assert np.max(np.abs(np.asarray(res.coef) - np.asarray(coef))) < 1e-4
    on_cpu = glmlx.fit_gd(X.astype(np.float32), y.astype(np.float32), lr=0.3, steps=500, stream=mx.cpu)
    assert np.array_equal(np.asarray(on_cpu.coef), np.asarray(res.coef))
    with pytest.warns(RuntimeWarning, match="lower lr"):
        bad = glmlx.fit_gd(X * 100, y, lr=10.0, steps=200)
    assert bad.n_steps < 200 and not np.isfinite(bad.loss_history[-1])


def test_fit_gd_argument_errors():
    X, y = gaussian(n=20)
    with pytest.raises(ValueError, match="loss"):
        glmlx.fit_gd(X, y, loss="hinge")
    with pytest.raises(ValueError, match="optimizer"):
        glmlx.fit_gd(X, y, optimizer="lbfgs")
    with pytest.raises(ValueError, match="lr"):
        glmlx.fit_gd(X, y, lr=0)
    with pytest.raises(TypeError, match="steps"):
        glmlx.fit_gd(X, y, steps=1.5)
    with pytest.raises(ValueError, match="batch_size"):
        glmlx.fit_gd(X, y, batch_size=0)
    with pytest.raises(ValueError, match="l1"):
        glmlx.fit_gd(X, y, l1=-1)
    with pytest.raises(ValueError, match="delta"):
        glmlx.fit_gd(X, y, loss="huber", delta=0)
    with pytest.raises(ValueError, match="y must have shape"):
        glmlx.fit_gd(X, y[:5])
    with pytest.raises(ValueError, match="X contains NaN"):
        glmlx.fit_gd(np.full((20, 5), np.nan), y)
    with pytest.raises(TypeError, match="callback"):
        glmlx.fit_gd(X, y, callback=3)


# ---------------------------------------------------------------------------
# check_grad
# ---------------------------------------------------------------------------
def mse_problem():
    X, y = gaussian(n=60, p=6, seed=12)
    Xm, ym = f64(X), f64(y)
    f = lambda w: 0.5 * mx.mean(mx.square(ym - Xm @ w))  # noqa: E731
    grad = lambda w: -(Xm.T @ (ym - Xm @ w)) / 60  # noqa: E731
    return f, grad, f64(np.random.default_rng(13).standard_normal(6))


def test_check_grad_accepts_correct_gradients():
    f, grad, w = mse_problem()
    res = glmlx.check_grad(f, w, grad=grad)
    assert res.passed and res.max_rel_error < 1e-7
    assert set(res.errors) == {"autodiff", "analytic", "analytic_vs_autodiff"}
    assert np.allclose(res.autodiff, np.asarray(grad(w)), rtol=1e-12, atol=0)
    # A smooth non-quadratic function, 2-D argument.
    W = f64(np.random.default_rng(14).uniform(0.5, 2, (3, 2)))
    res = glmlx.check_grad(lambda W: mx.sum(mx.log(W) * W + mx.tanh(W) ** 3), W)
    assert res.passed and res.autodiff.shape == (3, 2)


def test_check_grad_detects_a_wrong_analytic_gradient():
    f, grad, w = mse_problem()
    wrong = lambda w: grad(w) * mx.array([1, 1, 1, 1.05, 1, 1], dtype=mx.float64)  # noqa: E731
    res = glmlx.check_grad(f, w, grad=wrong)
    assert not res.passed and res.max_rel_error > 1e-2
    assert res.worst[0] in ("analytic", "analytic_vs_autodiff") and res.worst[1] == (3,)
    assert res.errors["autodiff"].max() < 1e-7  # autodiff itself is right


def test_check_grad_detects_a_wrong_autodiff_rule():
    @mx.custom_function
    def sq(x):
        return x * x

    @sq.vjp
    def sq_vjp(primals, cotangent, output):
        return 3 * primals * cotangent  # should be 2 * x

    w = f64([0.5, -1.0, 2.0])
    res = glmlx.check_grad(lambda w: mx.sum(sq(w)), w)
    assert not res.passed and res.worst[0] == "autodiff"
    assert res.max_rel_error == pytest.approx(1 / 3, rel=1e-6)
    assert np.allclose(res.finite_diff, 2 * np.asarray(w), rtol=1e-8)


def test_check_grad_float32_and_errors():
    f, grad, w = mse_problem()
    res = glmlx.check_grad(lambda v: f(v.astype(mx.float64)).astype(mx.float32), w.astype(mx.float32))
    assert res.passed and res.rtol == 1e-2
    with pytest.raises(ValueError, match="scalar"):
        glmlx.check_grad(lambda v: v * 2, w)
    with pytest.raises(TypeError, match="f must be callable"):
        glmlx.check_grad(3, w)
    with pytest.raises(ValueError, match="grad"):
        glmlx.check_grad(f, w, grad=lambda v: mx.zeros((2,)))
