"""glmnet's lambda grid as the C++ walk computes it (path/lambda_walk.h), through _ext.lambda_grid."""
import numpy as np
import pytest

from glmlx._ext_loader import _ext
from glmlx.gaussian import lambda_grid


def test_grid_follows_glmnets_loop():
    rng = np.random.default_rng(0)
    B, p, nlam = 3, 7, 12
    g = rng.standard_normal((B, p))
    penalty = np.abs(rng.standard_normal(p)) + 0.5
    penalty[2] = 0.0  # unpenalized: never sets lambda_max
    include = np.ones((B, p))
    include[1, 4] = 0.0  # excluded in problem 1
    g[:, 2] = 100.0
    flmin = np.array([1e-4, 0.01, 1e-9])  # the last below glmnet's eps (1e-6): clamped
    lmax, grid = lambda_grid(g, penalty, include, 0.5, flmin, nlam)
    assert lmax.shape == (B,) and grid.shape == (B, nlam - 1)
    for b in range(B):
        ok = (include[b] > 0) & (penalty > 0)
        expect = max(abs(g[b, j]) / penalty[j] for j in range(p) if ok[j]) / 0.5
        assert lmax[b] == expect
        alf = max(1e-6, flmin[b]) ** (1.0 / (nlam - 1))
        lam = expect
        for k in range(nlam - 1):  # glmnet's running product, bit for bit
            lam *= alf
            assert grid[b, k] == lam
    assert grid[2, -1] == pytest.approx(lmax[2] * 1e-6, rel=1e-12)


def test_no_penalized_variable_gives_zero_and_small_alpha_is_floored():
    g = np.array([[3.0, -4.0]])
    lmax, grid = lambda_grid(g, np.zeros(2), np.ones((1, 2)), 1.0, 0.1, 3)
    assert lmax[0] == 0.0 and np.all(grid == 0.0)
    lmax, _ = lambda_grid(g, np.ones(2), np.ones((1, 2)), 0.0, 0.1, 3)
    assert lmax[0] == 4.0 / 1e-3  # alpha below 1e-3 counts as 1e-3, as in glmnet


def test_shape_mismatch_is_a_value_error():
    g = np.zeros((2, 3))
    with pytest.raises(ValueError, match="lambda_grid"):
        _ext.lambda_grid(g, np.zeros((2, 4)), np.ones((2, 3)), 1.0, np.ones(2), 5, 1e-6)
    with pytest.raises(ValueError, match="lambda_grid"):
        _ext.lambda_grid(g, np.zeros((2, 3)), np.ones((2, 3)), 1.0, np.ones(3), 5, 1e-6)
