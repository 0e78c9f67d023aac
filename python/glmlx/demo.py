"""``glmlx demo``: run glmlx's pieces on a generated problem and report timings."""
from __future__ import annotations

import time

import mlx.core as mx
import numpy as np

from .primitives import gram, soft_threshold


def _median_time(fn, repeats: int) -> float:
    fn()  # warm-up (first call builds the graph)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def _check_sizes(n: int, p: int) -> None:
    if n < 2 or p < 1:
        raise ValueError(f"--n must be >= 2 and --p >= 1, got n={n}, p={p}")


def run_demo(n: int = 10_000, p: int = 100, seed: int = 42, out: str = "glmlx-demo", repeats: int = 5) -> int:
    _check_sizes(n, p)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w_star = rng.standard_normal(p)
    y = X @ w_star + 1e-2 * rng.standard_normal(n)
    Xm, ym = mx.array(X), mx.array(y)
    print(f"glmlx demo: n={n}, p={p}, seed={seed}, float64 on the CPU")

    def ours():
        mx.eval(gram(Xm, ym, check_input=False))

    def reference():
        return X.T @ X, X.T @ y

    G, c = gram(Xm, ym)
    err = float(np.max(np.abs(np.asarray(G) - X.T @ X)) / np.max(np.abs(X.T @ X)))
    rows = [("gram X'X, X'y (glmlx)", _median_time(ours, repeats), err),
            ("X.T @ X, X.T @ y (numpy)", _median_time(reference, repeats), 0.0)]
    v = rng.standard_normal(n * p)
    vm = mx.array(v)
    rows.append(("soft_threshold (glmlx)", _median_time(lambda: mx.eval(soft_threshold(vm, 0.5)), repeats),
                 float(np.max(np.abs(np.asarray(soft_threshold(vm, 0.5))
                                     - np.sign(v) * np.maximum(np.abs(v) - 0.5, 0))))))
    rows.append(("soft-threshold (numpy)",
                 _median_time(lambda: np.sign(v) * np.maximum(np.abs(v) - 0.5, 0), repeats), 0.0))
    print(f"{'step':<28}{'median s':>12}{'max rel err':>14}")
    for name, t, e in rows:
        print(f"{name:<28}{t:>12.5f}{e:>14.2e}")
    return 0
