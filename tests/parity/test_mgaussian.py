"""family="mgaussian": parity of fit_mgaussian with R glmnet 4.1-6 (tests/fixtures/glmnet_glm/mgaussian_*.npz
and the full fit of cv_mgaussian_mse), the group KKT conditions of its solutions, and its input checks."""

import numpy as np
import pytest

from glmlx._ext_loader import _ext
from glmlx.mgaussian import BIG, fit_mgaussian
from conftest import fixture_cases, load_fixture

CASES = fixture_cases("glmnet_glm", lambda stem: "mgaussian" in stem)


def load(case):
    return load_fixture("glmnet_glm", case)


def glmnet_inputs(d, prm):
    """fit_mgaussian's arguments for a fixture, after the preprocessing glmnet() does in R."""
    p = d["X"].shape[1]
    include = np.ones(p, dtype=np.uint8)
    pf = d.get("penalty_factor", np.ones(p)).copy()
    if "exclude" in d:
        include[d["exclude"]] = 0
        pf[d["exclude"]] = 1.0  # glmnet gives excluded variables unit penalties before rescaling
    vp = np.maximum(pf, 0.0)
    kw = dict(weights=d["weights"], penalty=vp * p / vp.sum(), include=include,
              lower=np.maximum(d.get("lower_limits", np.full(p, -np.inf)), -BIG),
              upper=np.minimum(d.get("upper_limits", np.full(p, np.inf)), BIG),
              alpha=prm["alpha"], thresh=prm["thresh"], maxit=prm["maxit"], dfmax=prm["dfmax"], pmax=prm["pmax"],
              standardize=prm["standardize"], fit_intercept=prm["intercept"],
              standardize_response=prm["standardize_response"])
    if prm["user_lambda"]:
        kw["user_lambdas"] = d["lambda_in"]
    else:
        kw.update(nlambda=prm["nlambda"], flmin=prm["lambda_min_ratio"])
    return kw


def test_every_mgaussian_fixture_is_tested():
    assert len(CASES) >= 11 and "cv_mgaussian_mse" in CASES


@pytest.mark.parametrize("case", CASES)
def test_path_matches_glmnet(case):
    d, prm = load(case)
    res = fit_mgaussian(d["X"], d["y"], **glmnet_inputs(d, prm))
    K, p = d["y"].shape[1], d["X"].shape[1]
    nlam = d["lambda"].size
    assert res["lambdas"].shape == (nlam,), f"path length {res['lambdas'].size} vs glmnet {nlam}"
    assert res["a0"].shape == (K, nlam) and res["beta"].shape == (K, p, nlam)
    np.testing.assert_allclose(res["lambdas"], d["lambda"], rtol=1e-8)
    np.testing.assert_allclose(res["dev_ratio"], d["dev_ratio"], rtol=0, atol=1e-8)
    scale = np.max(np.abs(d["beta"]))
    assert np.max(np.abs(res["beta"] - d["beta"])) <= 1e-8 * scale
    a0_scale = max(np.max(np.abs(d["a0"])), scale)
    assert np.max(np.abs(res["a0"] - d["a0"])) <= 1e-8 * a0_scale
    assert res["nulldev"] == pytest.approx(float(d["nulldev"]), rel=1e-10)
    assert res["jerr"] == prm["jerr"]
    # glmnet's dfmat: nonzeros per response; R's df: variables nonzero in any response
    np.testing.assert_array_equal(np.count_nonzero(res["beta"], axis=1), d["dfmat"])
    np.testing.assert_array_equal(np.count_nonzero(np.any(res["beta"] != 0, axis=0), axis=0), d["df"])
    # same sweeps as glmnet: its count of passes over the data is reproduced
    assert res["npasses"] == int(d["npasses"])


def test_limits_hold_and_bind():
    d, prm = load("mgaussian_limits")
    res = fit_mgaussian(d["X"], d["y"], **glmnet_inputs(d, prm))
    lo = d["lower_limits"][None, :, None]
    up = d["upper_limits"][None, :, None]
    b = res["beta"]
    assert np.all(b >= lo - 1e-12) and np.all(b <= up + 1e-12)
    assert np.any(np.isclose(b, lo, rtol=0, atol=1e-12)) and np.any(np.isclose(b, up, rtol=0, atol=1e-12))


def random_problem(seed, n=83, p=12, K=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 3, p) + rng.uniform(-2, 2, p)
    B = np.zeros((p, K))
    B[:4] = rng.standard_normal((4, K))
    Y = X @ B + rng.standard_normal((n, K)) + rng.uniform(-1, 1, K)
    w = rng.uniform(0.2, 3, n)
    pf = rng.uniform(0.5, 2, p)
    return X, Y, w, pf * p / pf.sum()


# K = 3 and 10: the column kernels' groups of four and remainders, and (K > 8) the gemm KKT
# check; n = 83 leaves vector-loop tails.
@pytest.mark.parametrize("alpha,K", [(1.0, 3), (0.4, 3), (0.7, 10)])
def test_group_kkt_conditions(alpha, K):
    """Stationarity of the group elastic net on glmnet's standardized scale, at every lambda.

    With x~_j the weighted-standardized columns, b_j = xs_j B_j (K values) and r
    the residuals, g_j = sum_i w_i x~_ij r_i (w summing to 1) must satisfy
    g_j = lambda vp_j (alpha b_j / ||b_j|| + (1 - alpha) b_j) where b_j != 0, and
    ||g_j|| <= lambda vp_j alpha where b_j = 0; the intercepts make sum_i w_i r_i = 0.
    """
    X, Y, w, vp = random_problem(1, K=K)
    res = fit_mgaussian(X, Y, weights=w, penalty=vp, alpha=alpha, thresh=1e-20)
    assert res["jerr"] == 0 and res["lambdas"].size > 20
    wn = w / w.sum()
    xm = wn @ X
    xs = np.sqrt(wn @ (X - xm) ** 2)
    Xt = (X - xm) / xs
    for l, lam in enumerate(res["lambdas"][1:], start=1):  # the first is R's extrapolated lambda
        B = res["beta"][:, :, l].T  # (p, K)
        R = Y - res["a0"][:, l] - X @ B
        np.testing.assert_allclose(wn @ R, 0.0, atol=1e-10)
        G = Xt.T @ (wn[:, None] * R)  # (p, K)
        b = B * xs[:, None]
        for j in range(X.shape[1]):
            nb = np.linalg.norm(b[j])
            if nb > 0:
                sub = lam * vp[j] * (alpha * b[j] / nb + (1 - alpha) * b[j])
                np.testing.assert_allclose(G[j], sub, rtol=0, atol=1e-6 * lam)
            else:
                assert np.linalg.norm(G[j]) <= lam * vp[j] * alpha * (1 + 1e-6)


def test_row_subsets_match_fits_of_the_subsets():
    """The binding's row subsets (CV folds, in threads) fit exactly what the rows alone would."""
    X, Y, w, vp = random_problem(2, n=60, p=8)
    p = X.shape[1]
    s = _ext.MgaussianPathSettings()
    rng = np.random.default_rng(0)
    subsets = [np.sort(rng.choice(60, 45, replace=False)).astype(np.int64) for _ in range(3)]
    out = _ext.mgaussian_paths(X, Y, w, np.ones(p, np.uint8), vp, np.full(p, -BIG), np.full(p, BIG), None, s,
                               subsets)
    for rows, r in zip(subsets, out):
        ref = _ext.mgaussian_paths(X[rows], Y[rows], w[rows], np.ones(p, np.uint8), vp, np.full(p, -BIG),
                                   np.full(p, BIG), None, s, [])[0]
        np.testing.assert_array_equal(r["lambdas"], ref["lambdas"])
        np.testing.assert_array_equal(r["beta"], ref["beta"])
        assert r["npasses"] == ref["npasses"]


def test_one_response_and_strided_inputs():
    X, Y, w, vp = random_problem(3, K=1)
    a = fit_mgaussian(X, Y[:, 0], weights=w)
    b = fit_mgaussian(np.asfortranarray(X), np.ascontiguousarray(Y), weights=w)
    assert a["beta"].shape[0] == 1
    np.testing.assert_array_equal(a["beta"], b["beta"])


def test_bad_inputs():
    X, Y, w, _ = random_problem(4)
    with pytest.raises(ValueError, match="Y must have shape"):
        fit_mgaussian(X, Y[:-1])
    with pytest.raises(ValueError, match="Y must have shape"):
        fit_mgaussian(X, Y[None])
    Yn = Y.copy()
    Yn[3, 1] = np.nan
    with pytest.raises(ValueError, match="Y contains NaN"):
        fit_mgaussian(X, Yn)
    Xn = X.copy()
    Xn[0, 0] = np.inf
    with pytest.raises(ValueError, match="X contains NaN"):
        fit_mgaussian(Xn, Y)
    with pytest.raises(ValueError, match="weights"):
        fit_mgaussian(X, Y, weights=-w)
    with pytest.raises(ValueError, match="weights must have"):
        fit_mgaussian(X, Y, weights=w[:-1])
    with pytest.raises(ValueError, match="lower"):
        fit_mgaussian(X, Y, lower=np.full(X.shape[1], 0.5))
    with pytest.raises(ValueError, match="include"):
        fit_mgaussian(X, Y, include=np.ones(3))
    with pytest.raises(ValueError, match="flmin"):
        fit_mgaussian(X, Y, flmin=1.5)
    with pytest.raises(ValueError, match="alpha"):
        fit_mgaussian(X, Y, alpha=2.0)
    with pytest.raises(ValueError, match="user_lambdas"):
        fit_mgaussian(X, Y, user_lambdas=[0.5, np.nan])
    with pytest.raises(ValueError, match="excluded or have zero variance"):
        fit_mgaussian(X, Y, include=np.zeros(X.shape[1]))
