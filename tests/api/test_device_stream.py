"""glmnet, glmnet_many and cv_glmnet on a GPU stream: the request's checks, and the device code path itself
(standardization, Gram, batching of folds and responses) run on the CPU stream, where this machine has no GPU.
The kernels are checked in tests/ops/test_device_kernels.py."""
import mlx.core as mx
import numpy as np
import pytest

import glmlx
from glmlx import gaussian
from glmlx._validation import device_stream
from glmlx.glmnet import _fit_on_device, _prepare

CPU = mx.default_stream(mx.Device(mx.cpu))
NO_GPU = not mx.is_available(mx.gpu)


def _data(n=300, p=20, seed=0):
    rng = np.random.default_rng(seed)
    X = (rng.standard_normal((n, p)) + 0.3 * rng.standard_normal((n, 1))).astype(np.float32)
    y = X[:, :3] @ np.array([1.0, -2.0, 0.5]) + rng.standard_normal(n)
    return X, y, rng


def _prob(X, y, **kw):
    args = dict(family="gaussian", alpha=1.0, nlambda=100, lambda_min_ratio=None, lambdas=None, weights=None,
                penalty_factor=None, lower_limits=-np.inf, upper_limits=np.inf, standardize=True, fit_intercept=True,
                thresh=1e-7, maxit=100000, dfmax=None, pmax=None, exclude=None, type_gaussian="auto",
                dtype=mx.float32)
    args.update(kw)
    return _prepare(X, y, **args)


def test_cpu_requests_mean_the_cpu():
    for s in (None, mx.cpu, mx.Device(mx.cpu), CPU):
        assert device_stream(s) is None
    with pytest.raises(TypeError, match="stream must be None, an mx.Stream or an mx.Device"):
        device_stream("gpu")


@pytest.mark.skipif(not NO_GPU, reason="this MLX has a GPU")
@pytest.mark.parametrize("call", ["glmnet", "glmnet_many", "cv_glmnet"])
def test_a_gpu_this_mlx_lacks_is_a_clear_error(call):
    X, y, _ = _data()
    with pytest.raises(ValueError, match="stream: this MLX build has no GPU"):
        getattr(glmlx, call)(X, y, stream=mx.gpu)


def test_what_a_gpu_cannot_fit_is_refused(monkeypatch):
    import importlib

    glmnet_module = importlib.import_module("glmlx.glmnet")  # (glmlx.glmnet is also the function)
    monkeypatch.setattr(glmnet_module, "device_stream", lambda s: CPU if s is not None else None)
    X, y, _ = _data()
    with pytest.raises(ValueError, match="stream: on a GPU only family 'gaussian'"):
        glmlx.glmnet(X, y > 0, family="binomial", stream="any")
    with pytest.raises(ValueError, match="dtype: a GPU computes in float32"):
        glmlx.glmnet(X, y, dtype=mx.float64, stream="any")
    sp = pytest.importorskip("scipy.sparse")
    with pytest.raises(ValueError, match="stream: a sparse X is fit on the CPU"):
        glmlx.glmnet(sp.csc_matrix(X), y, stream="any")


@pytest.mark.parametrize("kw", [{}, {"fit_intercept": False}, {"standardize": False}, {"exclude": [2]}])
def test_standardization_on_the_device_matches_the_host(kw):
    X, y, rng = _data()
    X[:, 5] = 3.0  # a constant column is dropped, as glmnet does
    w = rng.uniform(0.5, 2.0, X.shape[0])
    excluded = np.zeros(X.shape[1], dtype=bool)
    excluded[kw.get("exclude", [])] = True
    std_kw = dict(standardize=kw.get("standardize", True), fit_intercept=kw.get("fit_intercept", True))
    host = gaussian.standardize(X.astype(np.float64), y, w, excluded, **std_kw)
    dev = gaussian.standardize_on_device(X, y[:, None], w[None], excluded, stream=CPU, **std_kw)[0]
    np.testing.assert_array_equal(dev.include, host.include)
    assert dev.include[5] == 0
    for name in ("g", "xv", "xs", "xm"):
        np.testing.assert_allclose(getattr(dev, name), getattr(host, name), rtol=2e-5, atol=2e-6, err_msg=name)
    np.testing.assert_allclose(np.asarray(dev.C), host.C, atol=2e-5)
    assert (dev.ym, dev.ys, dev.nulldev) == pytest.approx((host.ym, host.ys, host.nulldev), rel=1e-12)


def test_the_tf32_split_gram_keeps_float32_accuracy(monkeypatch):
    rng = np.random.default_rng(3)
    A = rng.standard_normal((500, 40)).astype(np.float32)
    exact = A.astype(np.float64).T @ A.astype(np.float64)
    monkeypatch.setattr(gaussian, "_tf32_matmul", lambda stream: True)
    split = np.asarray(gaussian.gram_float32(mx.array(A), CPU), dtype=np.float64)
    # what one product of TF32-rounded inputs would give: about 1e-3 relative
    hi = (A.view(np.uint32) & np.uint32(0xFFFFE000)).view(np.float32).astype(np.float64)
    tf32 = hi.T @ hi
    scale = np.abs(exact).max()
    assert np.abs(split - exact).max() <= 1e-5 * scale
    assert np.abs(tf32 - exact).max() > 10 * np.abs(split - exact).max()


def test_device_path_matches_the_float32_cpu_path():
    X, y, _ = _data()
    dev = _fit_on_device(_prob(X, y), CPU)
    cpu = glmlx.glmnet(X, y, type_gaussian="covariance")
    assert dev.npasses == cpu.npasses
    np.testing.assert_allclose(np.asarray(dev.lambdas), np.asarray(cpu.lambdas), rtol=1e-5)
    b, bc = np.asarray(dev.beta, dtype=np.float64), np.asarray(cpu.beta, dtype=np.float64)
    assert np.abs(b - bc).max() <= 1e-5 * np.abs(bc).max()


def test_many_responses_share_one_device_gram():
    X, y, rng = _data()
    Y = np.column_stack([y, X[:, 4] - X[:, 7] + rng.standard_normal(X.shape[0])])
    stds = gaussian.standardize_on_device(X, Y, np.ones((1, X.shape[0])), np.zeros(X.shape[1], dtype=bool), True,
                                          True, CPU)
    assert len(stds) == 2 and stds[0].C is stds[1].C
    prob = _prob(X, y)
    res = gaussian.fit_paths(stds, alpha=1.0, penalty=prob.penalty, lower=prob.lower, upper=prob.upper, nlambda=100,
                             flmin=prob.flmin, user_lambdas=None, thresh=1e-7, maxit=100000, dfmax=prob.dfmax,
                             pmax=prob.pmax, sml=prob.sml, dtype=mx.float32, stream=CPU)
    for k, r in enumerate(res):
        ref = glmlx.glmnet(X, Y[:, k], type_gaussian="covariance")
        assert r.beta.shape == tuple(np.asarray(ref.beta).shape)
        assert np.abs(r.beta - np.asarray(ref.beta)).max() <= 1e-5 * np.abs(np.asarray(ref.beta)).max()


def test_cv_folds_on_the_device_path_match_the_cpu():
    from glmlx import cv

    X, y, _ = _data(n=400)
    prob = _prob(X, y)
    fold = np.arange(X.shape[0]) % 5
    flmins = np.full(5, prob.flmin)
    full, folds = cv._gaussian_paths(prob, fold, 5, flmins, CPU)
    full_c, folds_c = cv._gaussian_paths(prob, fold, 5, flmins)
    for a, b in zip([full, *folds], [full_c, *folds_c]):
        assert a.beta.shape == b.beta.shape
        assert np.abs(a.beta - b.beta).max() <= 2e-5 * np.abs(b.beta).max()


def test_device_standardization_reports_a_float32_overflow_rather_than_nan():
    X, y, _ = _data()
    X = X.astype(np.float64)
    X[:, 3] = 1e30 + X[:, 3]  # float32 squares overflow: an uncentered Gram (no intercept) is not finite
    with pytest.raises(ValueError, match="X has values too large in magnitude"):
        gaussian.standardize_on_device(X, y[:, None], np.ones((1, X.shape[0])), np.zeros(X.shape[1], dtype=bool),
                                       True, False, CPU)
