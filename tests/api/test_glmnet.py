"""glmlx.glmnet (gaussian): optimality (KKT) of our own solutions, coef/predict, and bad input."""
import numpy as np
import pytest

import glmlx


def make_data(n=120, p=25, seed=0, rho=0.0):
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, p))
    if rho:
        for j in range(1, p):
            Z[:, j] = rho * Z[:, j - 1] + np.sqrt(1 - rho**2) * Z[:, j]
    beta = np.zeros(p)
    beta[: max(3, p // 5)] = rng.standard_normal(max(3, p // 5)) * 2
    y = Z @ beta + 0.5 * rng.standard_normal(n) + 3.0
    return Z * rng.uniform(0.5, 3, p) + rng.normal(0, 2, p), y


def kkt_violation(X, y, fit, alpha, w=None, pf=None, lower=None, upper=None, standardize=True, intercept=True):
    """Worst subgradient violation at each lambda on glmnet's standardized scale."""
    n, p = X.shape
    w = np.ones(n) if w is None else np.asarray(w, float)
    w = w / w.sum()
    pf = np.ones(p) if pf is None else np.asarray(pf, float)
    vp = pf * p / pf.sum()
    lower = np.full(p, -np.inf) if lower is None else np.broadcast_to(lower, p)
    upper = np.full(p, np.inf) if upper is None else np.broadcast_to(upper, p)
    xm = w @ X if intercept else np.zeros(p)
    xs = np.sqrt(w @ (X - w @ X) ** 2) if standardize else np.ones(p)
    ym = w @ y if intercept else 0.0
    ys = np.sqrt(w @ (y - ym) ** 2)
    Xs, ysd = (X - xm) / xs, (y - ym) / ys
    worst = []
    lam, beta = np.asarray(fit.lambdas), np.asarray(fit.beta)
    for m in range(1, lam.size):
        b = beta[:, m] * xs / ys
        resid = ysd - Xs @ b
        if intercept:  # the intercept absorbs the weighted mean of the residual
            resid = resid - w @ resid
        g = Xs.T @ (w * resid)
        lt = lam[m] / ys
        g_pen = g - lt * vp * (1 - alpha) * b
        viol = np.zeros(p)
        for j in range(p):
            at_lo, at_hi = b[j] <= lower[j] * xs[j] / ys + 1e-12, b[j] >= upper[j] * xs[j] / ys - 1e-12
            if b[j] == 0:
                v = max(abs(g_pen[j]) - lt * vp[j] * alpha, 0)
                if at_lo:  # may sit at 0 = lower bound with a negative pull
                    v = max(g_pen[j] - lt * vp[j] * alpha, 0)
                if at_hi:
                    v = max(-g_pen[j] - lt * vp[j] * alpha, 0)
                viol[j] = v
            else:
                r = g_pen[j] - lt * vp[j] * alpha * np.sign(b[j])
                if at_hi:
                    r = min(r, 0)
                elif at_lo:
                    r = max(r, 0)
                viol[j] = abs(r)
        worst.append(viol.max())
    return np.array(worst)


@pytest.mark.parametrize("alpha", [1.0, 0.5, 0.1])
@pytest.mark.parametrize("shape,rho", [((150, 20), 0.0), ((40, 80), 0.0), ((120, 30), 0.9)])
def test_kkt_conditions_hold_along_the_path(alpha, shape, rho):
    X, y = make_data(*shape, seed=shape[1], rho=rho)
    thresh = 1e-12
    fit = glmlx.glmnet(X, y, alpha=alpha, thresh=thresh)
    viol = kkt_violation(X, y, fit, alpha)
    assert viol.max() < 1e3 * np.sqrt(thresh), viol.max()


def test_kkt_with_weights_penalty_factors_and_limits():
    X, y = make_data(200, 15, seed=3)
    rng = np.random.default_rng(3)
    w = rng.uniform(0.2, 3, 200)
    pf = rng.uniform(0.5, 2, 15)
    pf[[0, 4]] = 0.0
    fit = glmlx.glmnet(X, y, alpha=0.7, weights=w, penalty_factor=pf, lower_limits=-0.2, upper_limits=0.3,
                       thresh=1e-12)
    beta = np.asarray(fit.beta)
    assert beta.min() >= -0.2 - 1e-12 and beta.max() <= 0.3 + 1e-12
    viol = kkt_violation(X, y, fit, 0.7, w=w, pf=pf, lower=-0.2, upper=0.3)
    assert viol.max() < 1e-6


def test_kkt_without_standardization_or_intercept():
    X, y = make_data(100, 12, seed=4)
    for std, icpt in [(False, True), (True, False), (False, False)]:
        fit = glmlx.glmnet(X, y, standardize=std, fit_intercept=icpt, thresh=1e-12)
        if not icpt:
            assert np.all(np.asarray(fit.a0) == 0)
            # without an intercept glmnet scales y by its root mean square, not its sd
            continue
        assert kkt_violation(X, y, fit, 1.0, standardize=std, intercept=icpt).max() < 1e-6


def test_coef_and_predict_interpolate_like_glmnet():
    X, y = make_data(80, 10, seed=5)
    fit = glmlx.glmnet(X, y)
    lam = np.asarray(fit.lambdas)
    full = np.asarray(fit.coef())
    assert full.shape == (11, lam.size)
    np.testing.assert_allclose(np.asarray(fit.coef(s=lam[[3, 7]])), full[:, [3, 7]], rtol=1e-12)
    mid = np.sqrt(lam[3] * lam[4])
    frac = (mid - lam[4]) / (lam[3] - lam[4])
    np.testing.assert_allclose(np.asarray(fit.coef(s=mid))[:, 0], frac * full[:, 3] + (1 - frac) * full[:, 4])
    # beyond the path: clamped to its ends
    np.testing.assert_allclose(np.asarray(fit.coef(s=[1e9, 0.0])), full[:, [0, -1]])
    Xn = X[:5]
    pred = np.asarray(fit.predict(Xn, s=[lam[2], mid]))
    np.testing.assert_allclose(pred[:, 0], full[0, 2] + Xn @ full[1:, 2], rtol=1e-12)
    np.testing.assert_allclose(np.asarray(fit.predict(Xn, s=mid, type="response")), pred[:, [1]])
    nz = fit.predict(type="nonzero", s=lam[5])
    np.testing.assert_array_equal(nz[0], np.flatnonzero(full[1:, 5]))
    np.testing.assert_allclose(np.asarray(fit.predict(type="coefficients")), full)


def test_user_lambda_sequence_is_sorted_and_kept_full_length():
    X, y = make_data(100, 10, seed=6)
    lams = [0.01, 0.5, 0.1, 1.0]
    fit = glmlx.glmnet(X, y, lambdas=lams)
    np.testing.assert_allclose(np.asarray(fit.lambdas), sorted(lams, reverse=True), rtol=1e-15)


def test_zero_variance_column_and_exclude_get_zero_coefficients():
    X, y = make_data(100, 8, seed=7)
    X[:, 2] = 4.0
    fit = glmlx.glmnet(X, y, exclude=[5])
    beta = np.asarray(fit.beta)
    assert np.all(beta[2] == 0) and np.all(beta[5] == 0)
    assert np.any(beta[0] != 0)


def test_float32_data_path_is_close_to_float64():
    import mlx.core as mx

    X, y = make_data(300, 15, seed=8)
    f64 = glmlx.glmnet(X, y, thresh=1e-7)
    f32 = glmlx.glmnet(mx.array(X.astype(np.float32)), y.astype(np.float32), thresh=1e-7)
    n = min(np.asarray(f64.lambdas).size, np.asarray(f32.lambdas).size)
    b64, b32 = np.asarray(f64.beta)[:, :n], np.asarray(f32.beta)[:, :n]
    assert np.max(np.abs(b64 - b32)) < 1e-3 * np.max(np.abs(b64))


def test_caller_arrays_are_not_modified():
    X, y = make_data(60, 6, seed=9)
    w = np.linspace(0.5, 2, 60)
    pf = np.array([0, 1, 1, 2, 1, 1.0])
    copies = [a.copy() for a in (X, y, w, pf)]
    glmlx.glmnet(X, y, weights=w, penalty_factor=pf, lower_limits=np.full(6, -1.0))
    for a, b in zip((X, y, w, pf), copies):
        np.testing.assert_array_equal(a, b)


X0, Y0 = make_data(30, 4, seed=10)


@pytest.mark.parametrize(
    "kwargs,exc,msg",
    [
        (dict(y=Y0[:-1]), ValueError, r"y must have shape \(30,\)"),
        (dict(X=X0[:, :1]), ValueError, r"2 or more columns"),
        (dict(X=X0[:1]), ValueError, r"at least 2 rows"),
        (dict(X=np.where(np.eye(30, 4) > 0, np.nan, X0)), ValueError, r"X contains NaN"),
        (dict(y=np.r_[Y0[:-1], np.inf]), ValueError, r"y contains NaN"),
        (dict(X=X0 * 1e200), ValueError, r"X has values too large in magnitude"),
        (dict(weights=-np.ones(30)), ValueError, r"weights must be non-negative"),
        (dict(weights=np.zeros(30)), ValueError, r"weights must have a positive sum"),
        (dict(weights=np.ones(29)), ValueError, r"weights must be a scalar or a vector of length 30"),
        (dict(alpha=1.5), ValueError, r"alpha must be finite and in \[0.0, 1.0\]"),
        (dict(alpha=-0.1), ValueError, r"alpha must be finite"),
        (dict(lambdas=[0.5, -1.0]), ValueError, r"lambdas must be .* non-negative"),
        (dict(lower_limits=0.5), ValueError, r"lower_limits must be non-positive"),
        (dict(upper_limits=-0.5), ValueError, r"upper_limits must be non-negative"),
        (dict(y=np.full(30, 2.0)), ValueError, r"y is constant"),
        (dict(penalty_factor=np.zeros(4)), ValueError, r"all penalty factors are <= 0"),
        (dict(penalty_factor=np.ones(3)), ValueError, r"penalty_factor must be a scalar or a vector of length 4"),
        (dict(family="cox"), ValueError, r"family must be one of"),
        (dict(lambda_min_ratio=1.0), ValueError, r"lambda_min_ratio must be less than 1"),
        (dict(nlambda=0), ValueError, r"nlambda must be"),
        (dict(exclude=[7]), ValueError, r"exclude must hold 0-based column indices"),
        (dict(X=np.ones((30, 4))), ValueError, r"all used predictors have zero variance"),
        (dict(X=X0.astype(complex)), TypeError, r"X must be real"),
        (dict(alpha="1"), TypeError, r"alpha must be a number"),
        (dict(weights=["a"] * 30), TypeError, r"weights must be a number or a numeric vector of length 30"),
    ],
)
def test_bad_input_gets_clear_errors(kwargs, exc, msg):
    args = dict(X=X0, y=Y0)
    args.update(kwargs)
    with pytest.raises(exc, match=msg):
        glmlx.glmnet(args.pop("X"), args.pop("y"), **args)


def test_covariance_mode_refuses_a_gram_matrix_too_large_to_hold():
    # 24000^2 doubles = 4.3 GiB: refused before anything is allocated
    X = np.zeros((2, 24000))
    with pytest.raises(ValueError, match=r"would form a 24000 x 24000 Gram matrix"):
        glmlx.glmnet(X, np.array([0.0, 1.0]), type_gaussian="covariance")
