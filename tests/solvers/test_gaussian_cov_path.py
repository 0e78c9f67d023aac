"""The batched coordinate-descent primitive: B problems in one call equal B separate calls."""
import mlx.core as mx
import numpy as np
import pytest

from glmlx import _ext, gaussian


def problem(seed, n=150, p=12):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X[:, :3] @ rng.standard_normal(3) + rng.standard_normal(n)
    include = np.ones(p)
    return gaussian.standardize(mx.array(X, dtype=mx.float64), y, np.ones(n), ~include.astype(bool), True, True)


def run(stds, grid, shared_C):
    p = stds[0].C.shape[0]
    B = len(stds)
    C = stds[0].C[None] if shared_C else np.stack([s.C for s in stds])
    g = np.stack([s.g for s in stds])
    xv = np.stack([s.xv for s in stds])
    lim = np.tile(np.array([[-gaussian.BIG], [gaussian.BIG]]), (B, 1, p))
    st = gaussian._BatchState(("full", C), g, xv, np.ones((B, p)), lim, np.ones((B, p)), mx.float64)
    return st.run(np.tile(grid, (B, 1)), np.zeros(B), gaussian._settings(1.0, 1e-10, 1e-5, 10**5, p, p + 1, 5, 1,
                                                                           False))


def test_batch_equals_separate_solves_shared_and_private_gram():
    # three responses on one X share the Gram matrix (the CV / multi-response case)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((150, 12))
    stds = [gaussian.standardize(mx.array(X, dtype=mx.float64), X[:, k] + rng.standard_normal(150),
                                 np.ones(150), np.zeros(12, dtype=bool), True, True) for k in range(3)]
    grid = np.geomspace(0.5, 0.01, 20)
    batched = run(stds, grid, shared_C=True)
    for b, s in enumerate(stds):
        single = run([s], grid, shared_C=True)
        np.testing.assert_array_equal(batched[0][b], single[0][0])
        np.testing.assert_array_equal(batched[1][b], single[1][0])
    # different X per problem: private Gram matrices
    stds = [problem(s) for s in range(4)]
    batched = run(stds, grid, shared_C=False)
    for b, s in enumerate(stds):
        np.testing.assert_array_equal(batched[0][b], run([s], grid, shared_C=True)[0][0])


def test_per_problem_alpha_and_gram_groups_equal_separate_calls_bit_for_bit():
    """Folds x alphas in one call: 2 Gram matrices for 4 problems (b reads C[b mod 2]), each its own alpha."""
    stds = [problem(s) for s in range(2)]
    grid = np.geomspace(0.5, 0.01, 15)
    p = stds[0].C.shape[0]
    B = 4
    lim = np.tile(np.array([[-gaussian.BIG], [gaussian.BIG]]), (B, 1, p))
    alphas = np.array([1.0, 1.0, 0.3, 0.3])
    st = gaussian._BatchState(("full", np.stack([s.C for s in stds])), np.stack([s.g for s in stds] * 2),
                              np.stack([s.xv for s in stds] * 2), np.ones((B, p)), lim, np.ones((B, p)), mx.float64,
                              alpha=alphas)
    batched = st.run(np.tile(grid, (B, 1)), np.zeros(B), gaussian._settings(1.0, 1e-10, 1e-5, 10**5, p, p + 1, 5, 1,
                                                                               False))
    for b in range(B):
        one = gaussian._BatchState(("full", stds[b % 2].C[None]), stds[b % 2].g[None], stds[b % 2].xv[None],
                                   np.ones((1, p)), lim[:1], np.ones((1, p)), mx.float64)
        single = one.run(grid[None], np.zeros(1), gaussian._settings(alphas[b], 1e-10, 1e-5, 10**5, p, p + 1, 5, 1,
                                                                     False))
        np.testing.assert_array_equal(batched[0][b], single[0][0])
        np.testing.assert_array_equal(batched[1][b], single[1][0])


def test_op_rejects_mismatched_shapes():
    p = 3
    z = mx.zeros((1, p), dtype=mx.float64)
    s = _ext.GaussianPathSettings()
    with pytest.raises(ValueError, match=r"C must be \(G, p, p\) with G dividing B = 1 and p = 3"):
        _ext.gaussian_cov_path(mx.zeros((1, p, p + 1), dtype=mx.float64), z, z, mx.zeros((1,)), mx.zeros((1, p)),
                               mx.ones((1, 4)), z, mx.zeros((1, 2, p)), z, mx.zeros((1,)), z, mx.zeros((1,)), s)
    z2 = mx.zeros((2, p), dtype=mx.float64)
    with pytest.raises(ValueError, match=r"C must be \(G, p, p\) with G dividing B = 2"):  # 3 Grams, 2 problems
        _ext.gaussian_cov_path(mx.zeros((3, p, p), dtype=mx.float64), z2, z2, mx.zeros((2,)), mx.zeros((2, p)),
                               mx.ones((2, 4)), z2, mx.zeros((2, 2, p)), z2, mx.zeros((2,)), z2, mx.zeros((2,)), s)
    with pytest.raises(ValueError, match=r"alpha must have shape \(1,\), got \(2,\)"):
        _ext.gaussian_cov_path(mx.zeros((1, p, p), dtype=mx.float64), z, z, mx.zeros((1,)), mx.zeros((1, p)),
                               mx.ones((1, 4)), z, mx.zeros((1, 2, p)), z, mx.zeros((1,)), z, mx.zeros((1,)), s,
                               alpha=mx.ones((2,)))
    with pytest.raises(ValueError, match=r"limits must have shape \(1, 2, 3\)"):
        _ext.gaussian_cov_path(mx.zeros((1, p, p), dtype=mx.float64), z, z, mx.zeros((1,)), mx.zeros((1, p)),
                               mx.ones((1, 4)), z, mx.zeros((1, p)), z, mx.zeros((1,)), z, mx.zeros((1,)), s)


def test_strong_rule_scheme_gives_the_same_path_from_full_or_lazy_gram():
    """glmnet's naive scheme runs identically whether Gram columns come from the full
    matrix or are formed on demand from X: only the source of the numbers differs."""
    rng = np.random.default_rng(5)
    n, p = 80, 60
    X = rng.standard_normal((n, p))
    y = X[:, :5] @ rng.standard_normal(5) + rng.standard_normal(n)
    Xm = mx.array(X, dtype=mx.float64)
    kw = dict(alpha=0.8, penalty=np.ones(p), lower=np.full(p, -gaussian.BIG), upper=np.full(p, gaussian.BIG),
              nlambda=50, flmin=1e-3, user_lambdas=None, thresh=1e-10, maxit=10**5, dfmax=p + 1, pmax=p, sml=1e-5,
              dtype=mx.float64, strong=True)
    none = np.zeros(p, dtype=bool)
    full = gaussian.fit_paths([gaussian.standardize(Xm, y, np.ones(n), none, True, True, lazy=False)], **kw)[0]
    lazy = gaussian.fit_paths([gaussian.standardize(Xm, y, np.ones(n), none, True, True, lazy=True)], **kw)[0]
    assert full.lambdas.size == lazy.lambdas.size
    np.testing.assert_allclose(lazy.lambdas, full.lambdas, rtol=1e-12)
    np.testing.assert_allclose(lazy.beta, full.beta, rtol=1e-9, atol=1e-12)
    assert lazy.npasses == full.npasses
