"""The C++ multinomial path (csrc/solver/multinomial.cpp) through ``_ext.glm_paths``.

Parity with R glmnet 4.1-6 on the committed fixtures (tests/fixtures/glmnet_glm,
README there), optimality of the solutions, and glmnet's error codes. The
Python front end (glmlx.glmnet) is tested elsewhere; this drives the extension
directly, doing what glmnet's R code does before its C++ (one-hot y, weights
kept raw, penalty factors rescaled to sum to p, infinite limits as 9.9e35).
"""

import numpy as np
import pytest

from glmlx import _ext
from conftest import fixture_cases, load_fixture

CASES = fixture_cases("glmnet_glm", lambda stem: "multinomial" in stem)
BIG = 9.9e35


def load(case):
    return load_fixture("glmnet_glm", case)


def one_hot(labels, K):
    """Class-major n*K buffer, as glm_paths takes y."""
    Y = np.zeros((K, labels.size))
    Y[labels, np.arange(labels.size)] = 1.0
    return Y.ravel()


def settings(prm, **over):
    s = _ext.GlmPathSettings()
    s.family = _ext.GlmFamily.multinomial
    s.kopt = 2 if prm.get("type_multinomial") == "grouped" else 0
    s.alpha = prm["alpha"]
    s.flmin = prm["lambda_min_ratio"]
    s.nlam = prm["nlambda"]
    s.thresh = prm["thresh"]
    s.maxit = prm["maxit"]
    s.dfmax = prm["dfmax"]
    s.pmax = prm["pmax"]
    s.standardize = prm["standardize"]
    s.intercept = prm["intercept"]
    for k, v in over.items():
        setattr(s, k, v)
    return s


def run(X, y, K, s, weights=None, offset=None, penalty=None, lower=None, upper=None, include=None,
        lambdas=None, subsets=()):
    n, p = X.shape
    pf = np.ones(p) if penalty is None else np.asarray(penalty, dtype=np.float64)
    pf = pf * p / pf.sum()
    lo = np.full(p, -BIG) if lower is None else np.where(np.isinf(lower), -BIG, lower)
    hi = np.full(p, BIG) if upper is None else np.where(np.isinf(upper), BIG, upper)
    inc = np.ones(p, np.uint8) if include is None else include.astype(np.uint8)
    w = np.ones(n) if weights is None else weights
    off = None if offset is None else np.ascontiguousarray(offset.T).ravel()  # (n, K) -> class-major
    return _ext.glm_paths(np.ascontiguousarray(X), one_hot(y, K), w, off, inc, pf, lo, hi, lambdas, s,
                          list(subsets))


def fit_fixture(case, **over):
    d, prm = load(case)
    res = run(d["X"], d["y"], prm["K"], settings(prm, **over), weights=d["weights"], offset=d.get("offset"))
    return d, prm, res[0]


def fixed_lambdas(lam):
    """glmnet's fix.lam: the first lambda (fitted at 'infinity') extrapolated from the next two."""
    lam = np.array(lam, dtype=np.float64)
    if lam.size >= 3:
        lam[0] = np.exp(2 * np.log(lam[1]) - np.log(lam[2]))
    return lam


@pytest.mark.parametrize("case", CASES)
def test_path_matches_glmnet(case):
    d, prm, r = fit_fixture(case)
    assert r["jerr"] == prm["jerr"]
    assert r["lambdas"].shape == d["lambda"].shape, f"path length {r['lambdas'].size} vs {d['lambda'].size}"
    np.testing.assert_allclose(fixed_lambdas(r["lambdas"]), d["lambda"], rtol=1e-8)
    np.testing.assert_allclose(r["dev_ratio"], d["dev_ratio"], atol=1e-4)
    assert r["nulldev"] == pytest.approx(float(d["nulldev"]), rel=1e-6)
    # fixture layouts: beta (K, p, nlam), a0 (K, nlam); ours (nlam, K, p), (nlam, K)
    beta = np.transpose(r["beta"], (1, 2, 0))
    a0 = r["a0"].T
    scale = max(np.abs(d["beta"]).max(), np.abs(d["a0"]).max())
    assert np.abs(beta - d["beta"]).max() <= 2e-3 * scale
    assert np.abs(a0 - d["a0"]).max() <= 2e-3 * scale
    # glmnet centres the intercepts over the classes
    np.testing.assert_allclose(a0.mean(axis=0), 0.0, atol=1e-12)
    # the same sweeps as glmnet's: its count of passes is reproduced
    assert r["npasses"] == int(d["npasses"])


@pytest.mark.parametrize("case", ["multinomial_lasso", "multinomial_enet", "multinomial_grouped", "multinomial_weights"])
def test_solutions_satisfy_kkt(case):
    """Subgradient conditions of glmnet's objective on the standardized scale,
    -loglik/sum(w) + lambda (alpha |b|_1 + (1-alpha)/2 |b|^2), per coefficient
    (ungrouped) or per variable's K coefficients (grouped), early on the path
    where the convergence threshold is small against lambda."""
    d, prm, r = fit_fixture(case)
    X, K, alpha = d["X"], prm["K"], prm["alpha"]
    n = X.shape[0]
    Y = np.zeros((n, K))
    Y[np.arange(n), d["y"]] = 1.0
    w = d["weights"] / d["weights"].sum()
    Xc = X - w @ X
    xs = np.sqrt(w @ Xc**2)
    Xs = Xc / xs
    for m in range(3, 30, 3):
        lam = r["lambdas"][m]
        B = r["beta"][m]
        eta = r["a0"][m][None, :] + X @ B.T
        P = np.exp(eta - eta.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        Bs = (B * xs).T  # p x K, standardized scale
        G = Xs.T @ (w[:, None] * (Y - P)) - lam * (1 - alpha) * Bs
        l1 = lam * alpha
        if prm["type_multinomial"] == "grouped":
            norm = np.linalg.norm(Bs, axis=1)
            nz = norm > 0
            assert np.all(np.linalg.norm(G[~nz], axis=1) <= 1.05 * l1)
            assert np.abs(G[nz] - l1 * Bs[nz] / norm[nz, None]).max() <= 0.05 * l1
        else:
            nz = Bs != 0
            assert np.all(np.abs(G[~nz]) <= 1.05 * l1)
            assert np.abs(G[nz] - l1 * np.sign(Bs[nz])).max() <= 0.05 * l1
        # The class coefficients of a variable are shifted to minimize its penalty (glmnet's elc):
        # for the lasso that is the median, so no shift lowers sum_k |b_jk|.
        if alpha == 1.0 and prm["type_multinomial"] != "grouped":
            for c in np.linspace(-0.05, 0.05, 11):
                assert np.all(np.abs(Bs).sum(axis=1) <= np.abs(Bs - c).sum(axis=1) + 1e-12)


def test_modified_newton_solves_the_same_problem():
    """kopt 1 (Hessian bound 1/4) takes other steps to (nearly) the same path."""
    d, prm, newton = fit_fixture("multinomial_lasso")
    _, _, bound = fit_fixture("multinomial_lasso", kopt=1)
    m = min(newton["lambdas"].size, bound["lambdas"].size)
    np.testing.assert_allclose(bound["lambdas"][1:m], newton["lambdas"][1:m], rtol=1e-10)
    np.testing.assert_allclose(bound["dev_ratio"][:m], newton["dev_ratio"][:m], atol=1e-3)
    assert bound["npasses"] != newton["npasses"]


def test_zero_weight_rows_are_dropped_like_glmnet():
    """glmnet removes rows whose weighted class total is 0 before anything else
    (constant-column checks included): the path equals the fit without them."""
    d, prm = load("multinomial_weights")
    w = d["weights"].copy()
    w[::7] = 0.0
    keep = w > 0
    s = settings(prm)
    full = run(d["X"], d["y"], prm["K"], s, weights=w)[0]
    sub = run(d["X"][keep], d["y"][keep], prm["K"], s, weights=w[keep])[0]
    assert full["npasses"] == sub["npasses"]
    for key in ("lambdas", "a0", "beta", "dev_ratio"):
        np.testing.assert_array_equal(full[key], sub[key])
    assert full["nulldev"] == sub["nulldev"]


def test_offset_rows_are_centred():
    """The model is unchanged by adding a constant to every class of a row's offset."""
    d, prm = load("multinomial_offset")
    s = settings(prm)
    base = run(d["X"], d["y"], prm["K"], s, offset=d["offset"])[0]
    shift = np.linspace(-1, 1, d["X"].shape[0])[:, None]
    moved = run(d["X"], d["y"], prm["K"], s, offset=d["offset"] + shift)[0]
    assert moved["npasses"] == base["npasses"]
    np.testing.assert_allclose(moved["beta"], base["beta"], atol=1e-12)
    np.testing.assert_allclose(moved["dev_ratio"], base["dev_ratio"], atol=1e-12)


@pytest.mark.parametrize("grouped", [False, True])
def test_row_subsets_in_threads_match_separate_fits(grouped):
    d, prm = load("multinomial_enet")
    s = settings(prm, kopt=2 if grouped else 0)
    rng = np.random.default_rng(0)
    n = d["X"].shape[0]
    folds = [np.sort(rng.choice(n, size=150, replace=False)).astype(np.int64) for _ in range(3)]
    together = run(d["X"], d["y"], prm["K"], s, subsets=folds)
    for rows, r in zip(folds, together):
        alone = run(d["X"][rows], d["y"][rows], prm["K"], s)[0]
        assert r["npasses"] == alone["npasses"]
        np.testing.assert_array_equal(r["beta"], alone["beta"])
        np.testing.assert_array_equal(r["a0"], alone["a0"])


# Option sets beyond the fixtures, on the multinomial_enet fixture's data (MultinomialExample's first
# 200 rows): path length, passes and error code of R glmnet 4.1-6, from glmnet(x, y, "multinomial", ...)
# run by hand with alpha=1 unless given. Exact agreement of npasses means the same iterates.
USER_LAMBDAS = np.exp(np.linspace(np.log(0.2), np.log(0.002), 20))
VARIANTS = {
    # name: (settings overrides, run() keywords, lmu, npasses, jerr)
    "modified_newton": (dict(kopt=1), {}, 78, 3738, 0),
    "ridge": (dict(alpha=0.0), {}, 100, 1418, 0),
    "alpha_0.3": (dict(alpha=0.3), {}, 90, 2473, 0),
    "grouped_alpha_0.3": (dict(alpha=0.3, kopt=2), {}, 92, 14847, 0),
    "no_intercept": (dict(intercept=False), {}, 74, 2119, 0),
    "grouped_no_intercept": (dict(intercept=False, kopt=2), {}, 75, 9141, 0),
    "exclude": ({}, dict(exclude=[1, 9, 24]), 70, 1858, 0),
    "user_lambda": (dict(flmin=1.0), dict(lambdas=USER_LAMBDAS), 20, 1137, 0),
    "grouped_user_lambda": (dict(flmin=1.0, kopt=2), dict(lambdas=USER_LAMBDAS), 20, 6357, 0),
    "dfmax": (dict(dfmax=4, pmax=28), {}, 9, 113, 0),
    "pmax": (dict(pmax=6), {}, 11, 199, -10012),
    "grouped_pmax": (dict(pmax=6, kopt=2), {}, 10, 471, -10011),
    "maxit": (dict(maxit=300), {}, 14, 301, -15),
    "grouped_maxit": (dict(maxit=900, kopt=2), {}, 15, 903, -16),
    # elc's clamp pins the ungrouped path, whose deviance then stops changing
    "limits": (dict(alpha=0.5), dict(lower=-0.1, upper=0.15), 6, 38, 0),
    "grouped_limits": (dict(alpha=0.5, kopt=2), dict(lower=-0.1, upper=0.15), 62, 2874, 0),
    "two_classes": ({}, dict(two_classes=True), 63, 534, 0),
    "two_classes_grouped": (dict(kopt=2), dict(two_classes=True), 65, 2288, 0),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_option_variants_match_glmnet(variant):
    over, kw, lmu, npasses, jerr = VARIANTS[variant]
    d, prm = load("multinomial_enet")
    prm = dict(prm, alpha=1.0)
    X, y, K = d["X"], d["y"], prm["K"]
    p = X.shape[1]
    kw = dict(kw)
    if kw.pop("two_classes", False):
        y, K = (y != 0).astype(y.dtype), 2  # glmnet's levels: class "1" first
    if "exclude" in kw:
        inc = np.ones(p, bool)
        inc[kw.pop("exclude")] = False
        kw["include"] = inc
    for side in ("lower", "upper"):
        if side in kw:
            kw[side] = np.full(p, kw[side])
    r = run(X, y, K, settings(prm, **over), **kw)[0]
    assert (r["lambdas"].size, r["npasses"], r["jerr"]) == (lmu, npasses, jerr)
    if "lower" in kw:
        assert r["beta"].min() >= kw["lower"][0] - 1e-12 and r["beta"].max() <= kw["upper"][0] + 1e-12
        if over.get("kopt") == 2:
            assert np.isclose(r["beta"], kw["lower"][0]).any() and np.isclose(r["beta"], kw["upper"][0]).any()


def test_class_without_rows_gives_glmnets_error_code():
    """glmnet's jerr 8000 + class (1-based) when a class's null probability is below pmin."""
    d, prm = load("multinomial_gen_k4")
    y = np.where(d["y"] == 2, 1, d["y"])  # class 2 (0-based) left empty
    r = run(d["X"], y, prm["K"], settings(prm))[0]
    assert r["jerr"] == 8003
    assert r["lambdas"].size == 0 and r["beta"].shape == (0, prm["K"], d["X"].shape[1])


def test_single_class_gives_glmnets_error_code():
    """jerr 9000 + class (1-based): the first class's null probability is above 1 - pmin."""
    d, prm = load("multinomial_gen_k4")
    assert run(d["X"], np.zeros_like(d["y"]), prm["K"], settings(prm))[0]["jerr"] == 9001


def test_all_weights_zero_gives_an_error_code():
    d, prm = load("multinomial_lasso")
    r = run(d["X"], d["y"], prm["K"], settings(prm), weights=np.zeros(d["X"].shape[0]))[0]
    assert r["jerr"] == 9999 and r["lambdas"].size == 0


def test_pmax_cuts_the_path_like_glmnet():
    """glmnet's jerr -10001 - m: the point where more than pmax variables enter is dropped."""
    _, _, r = fit_fixture("multinomial_lasso", pmax=5)
    assert r["jerr"] == -10001 - r["lambdas"].size
    assert (np.abs(r["beta"]).sum(axis=1) > 0).sum(axis=1).max() <= 5


def test_y_shape_is_checked():
    d, prm = load("multinomial_lasso")
    X = d["X"]
    n, p = X.shape
    args = (np.ones(n), None, np.ones(p, np.uint8), np.ones(p), np.full(p, -BIG), np.full(p, BIG), None)
    with pytest.raises(ValueError, match="class columns"):
        _ext.glm_paths(X, np.ones(n), *args, settings(prm), [])
    binomial = settings(prm, family=_ext.GlmFamily.binomial)
    with pytest.raises(ValueError, match="one column"):
        _ext.glm_paths(X, one_hot(d["y"], 3), *args, binomial, [])
