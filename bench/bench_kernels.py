"""Kernel benchmark: glmlx.gram and glmlx.soft_threshold against numpy (OpenBLAS) and MLX's own ops.

Usage: python bench/bench_kernels.py [--quick] [--mlx-repeats N]
Prints a markdown table of median seconds and the ratios the goals are stated in:
gram within 1.3x of numpy's X.T @ X and >= 20x faster than mx.matmul on the CPU; soft_threshold at least
as fast as numpy's sign(x) * maximum(|x| - t, 0), and at MLX's own floor for writing a new array (mx.abs).
"""
from __future__ import annotations

import argparse
import time

import mlx.core as mx
import numpy as np

import glmlx


def median_time(fn, repeats):
    fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def bench_gram(n, p, dtype, repeats, mlx_repeats):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, p)).astype(dtype)
    mdt = mx.float64 if dtype == np.float64 else mx.float32
    Xm = mx.array(X, dtype=mdt)
    mx.eval(Xm)
    t_ours = median_time(lambda: mx.eval(glmlx.gram(Xm, check_input=False)), repeats)
    t_np = median_time(lambda: X.T @ X, repeats)
    t_mx = median_time(lambda: mx.eval(mx.matmul(Xm.T, Xm, stream=mx.cpu)), mlx_repeats)
    err = np.max(np.abs(np.asarray(glmlx.gram(Xm)) - X.T @ X)) / np.max(np.abs(X.T @ X))
    return t_ours, t_np, t_mx, err


def bench_soft(n, repeats):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(n).astype(np.float32)
    xm = mx.array(x)
    mx.eval(xm)
    t_ours = median_time(lambda: mx.eval(glmlx.soft_threshold(xm, 0.5)), repeats)
    t_np = median_time(lambda: np.sign(x) * np.maximum(np.abs(x) - 0.5, 0), repeats)
    t_mx = median_time(lambda: mx.eval(mx.sign(xm) * mx.maximum(mx.abs(xm) - 0.5, 0)), repeats)
    # One MLX op that writes a new array of the same size: the floor set by MLX's
    # allocation of the output (page faults on fresh memory dominate on Linux).
    t_floor = median_time(lambda: mx.eval(mx.abs(xm)), repeats)
    return t_ours, t_np, t_mx, t_floor


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small sizes only (smoke run)")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--mlx-repeats", type=int, default=2)
    a = ap.parse_args()
    sizes = [(2000, 50)] if a.quick else [(10000, 100), (20000, 1000), (200000, 200)]
    print("| gram n x p | dtype | glmlx s | numpy X.T@X s | mx.matmul s | numpy/glmlx | mx/glmlx | rel err |")
    print("|---|---|---|---|---|---|---|---|")
    for n, p in sizes:
        for dt in (np.float64, np.float32):
            t, tn, tm, e = bench_gram(n, p, dt, a.repeats, a.mlx_repeats)
            print(f"| {n} x {p} | {np.dtype(dt).name} | {t:.4f} | {tn:.4f} | {tm:.4f} | {tn / t:.2f} | {tm / t:.1f} |"
                  f" {e:.1e} |", flush=True)
    n = 100_000 if a.quick else 10_000_000
    t, tn, tm, tf = bench_soft(n, a.repeats)
    print()
    print("| soft_threshold elements | glmlx s | numpy s | mlx ops s | mx.abs s (MLX floor) | numpy/glmlx | mlx/glmlx |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {n:.0e} float32 | {t:.4f} | {tn:.4f} | {tm:.4f} | {tf:.4f} | {tn / t:.2f} | {tm / t:.2f} |")


if __name__ == "__main__":
    main()
