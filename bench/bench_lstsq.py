"""Closed-form and gradient-descent benchmark: glmlx.lstsq / glmlx.fit_gd against numpy and plain MLX.

Usage: python bench/bench_lstsq.py [--quick] [--sizes 10000x100,200000x200] [--repeats N] [--json FILE]

Closed form, float64, one right-hand side: glmlx QR and Cholesky against
numpy.linalg.lstsq (LAPACK gelsd through OpenBLAS) and MLX's own
mx.linalg.qr + mx.linalg.solve_triangular on the CPU stream.
Goals: QR no slower than numpy's lstsq; Cholesky at least 4x faster.

Gradient descent: full-batch steps per second of glmlx.fit_gd (MSE, SGD; a
compiled value_and_grad step) against the same loop written with plain MLX
ops (value_and_grad of 0.5 * mean((y - X @ w)^2), w -= lr * g, eval per step).
"""
from __future__ import annotations

import argparse
import json
import platform
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


def seed_problem(n, p, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w = rng.standard_normal(p)
    y = X @ w + 1e-2 * rng.standard_normal(n)
    Xm, ym = mx.array(X, dtype=mx.float64), mx.array(y, dtype=mx.float64)
    mx.eval(Xm, ym)
    return X, y, Xm, ym


def bench_closed_form(n, p, repeats, mlx_repeats):
    X, y, Xm, ym = seed_problem(n, p)
    ref = np.linalg.lstsq(X, y, rcond=None)[0]

    def ours(method):
        return lambda: mx.eval(glmlx.lstsq(Xm, ym, method=method, check_input=False).coef)

    def mlx_qr():
        Q, R = mx.linalg.qr(Xm, stream=mx.cpu)
        return mx.linalg.solve_triangular(R, (Q.T @ ym[:, None]), upper=True, stream=mx.cpu)

    out = {"n": n, "p": p}
    out["numpy_lstsq"] = median_time(lambda: np.linalg.lstsq(X, y, rcond=None), repeats)
    out["glmlx_qr"] = median_time(ours("qr"), repeats)
    out["glmlx_cholesky"] = median_time(ours("cholesky"), repeats)
    out["mlx_qr_solve"] = median_time(lambda: mx.eval(mlx_qr()), mlx_repeats)
    scale = np.max(np.abs(ref))
    out["err_qr"] = float(np.max(np.abs(np.asarray(glmlx.lstsq(Xm, ym, method="qr").coef) - ref)) / scale)
    out["err_cholesky"] = float(np.max(np.abs(np.asarray(glmlx.lstsq(Xm, ym, method="cholesky").coef) - ref)) / scale)
    out["err_mlx_qr"] = float(np.max(np.abs(np.asarray(mlx_qr())[:, 0] - ref)) / scale)
    return out


def bench_gd(n, p, steps, dtype):
    X, y, Xm, ym = seed_problem(n, p)
    Xm, ym = Xm.astype(dtype), ym.astype(dtype)
    mx.eval(Xm, ym)
    lr = 0.01

    glmlx.fit_gd(Xm, ym, lr=lr, steps=10, fit_intercept=False)  # warm-up
    t0 = time.perf_counter()
    res = glmlx.fit_gd(Xm, ym, lr=lr, steps=steps, fit_intercept=False)
    mx.eval(res.coef)
    t_ours = time.perf_counter() - t0

    # The seed example's loop, plain MLX ops.
    def loss(w):
        return 0.5 * mx.mean(mx.square(ym - Xm @ w))

    vg = mx.value_and_grad(loss)

    def plain(k):
        w = mx.zeros((p,), dtype=dtype)
        for _ in range(k):
            val, g = vg(w)
            w = w - lr * g
            mx.eval(w, val)
            val.item()
        return w

    plain(10)
    t0 = time.perf_counter()
    w_plain = plain(steps)
    t_plain = time.perf_counter() - t0
    diff = float(np.max(np.abs(np.asarray(w_plain) - np.asarray(res.coef))))
    return {"n": n, "p": p, "dtype": str(dtype).split(".")[-1], "steps": steps,
            "glmlx_steps_per_s": steps / t_ours, "plain_mlx_steps_per_s": steps / t_plain, "max_coef_diff": diff}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small sizes only (smoke run)")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--mlx-repeats", type=int, default=3)
    ap.add_argument("--steps", type=int, default=600, help="gradient-descent steps timed (default 600)")
    ap.add_argument("--sizes", default="10000x100,200000x200", help="closed-form sizes, e.g. 10000x100,200000x200")
    ap.add_argument("--json", help="also save the numbers to this JSON file")
    a = ap.parse_args()
    sizes = [(2000, 50)] if a.quick else [tuple(int(v) for v in s.split("x")) for s in a.sizes.split(",")]
    print(f"glmlx {glmlx.__version__}, MLX {mx.__version__}, numpy {np.__version__}, {platform.machine()}, "
          f"float64, median of {a.repeats} (mx.linalg: {a.mlx_repeats})\n")
    print("| lstsq n x p | glmlx QR | glmlx Cholesky | numpy lstsq | mx.linalg.qr + solve_triangular "
          "| numpy/QR | numpy/Cholesky | rel err QR / Chol / mx |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    closed = []
    for n, p in sizes:
        r = bench_closed_form(n, p, a.repeats, a.mlx_repeats)
        closed.append(r)
        print(f"| {n} x {p} | {r['glmlx_qr'] * 1e3:.1f} ms | {r['glmlx_cholesky'] * 1e3:.1f} ms "
              f"| {r['numpy_lstsq'] * 1e3:.1f} ms | {r['mlx_qr_solve'] * 1e3:.1f} ms "
              f"| {r['numpy_lstsq'] / r['glmlx_qr']:.2f}x | {r['numpy_lstsq'] / r['glmlx_cholesky']:.2f}x "
              f"| {r['err_qr']:.1e} / {r['err_cholesky']:.1e} / {r['err_mlx_qr']:.1e} |")
    print()
    print("| full-batch GD n x p | dtype | glmlx.fit_gd steps/s | plain MLX loop steps/s | speed-up | max coef diff |")
    print("|---|---|---:|---:|---:|---:|")
    gd = []
    n, p = (2000, 50) if a.quick else (10000, 100)
    for dtype in (mx.float64, mx.float32):
        r = bench_gd(n, p, a.steps, dtype)
        gd.append(r)
        print(f"| {n} x {p} | {r['dtype']} | {r['glmlx_steps_per_s']:.0f} | {r['plain_mlx_steps_per_s']:.0f} "
              f"| {r['glmlx_steps_per_s'] / r['plain_mlx_steps_per_s']:.1f}x | {r['max_coef_diff']:.1e} |")
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"closed_form": closed, "gd": gd, "mlx": mx.__version__, "numpy": np.__version__}, fh,
                      indent=2)


if __name__ == "__main__":
    main()
