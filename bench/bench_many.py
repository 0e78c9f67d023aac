"""Many responses over one X on the CPU: glmlx.glmnet_many against separate glmnet calls (glmlx's and R's).

A benchmark, not a test: it prints timings and asserts nothing.

    python bench/bench_many.py                         # 1000 responses, X 10000 x 200 (the issue's goal)
    python bench/bench_many.py --n 2000 --p 100 --responses 200 --calls 200

Problem (seed 0): X standard normal with a shared factor (correlated columns), each response y_k = X b_k + noise
with 10 random nonzero b_k. Every fit is glmnet's default path (100 lambdas, its early stops, covariance scheme
at p < 500). Rows:

* glmnet_many   ``glmlx.glmnet_many(X, Y)``: median of 3 after a warm-up call.
* glmlx calls   ``[glmlx.glmnet(X, Y[:, k]) for k in range(calls)]``, timed once, scaled to all responses
                 when ``--calls`` is smaller than ``--responses``.
* R calls       ``for (k in 1:calls) glmnet(X, Y[, k])`` in one Rscript process (data read before timing),
                 scaled likewise; only when R and glmnet are installed.
Ratios above 1 mean glmnet_many is faster. Agreement: the largest coefficient difference between
glmnet_many's fit k and glmnet's, relative to the largest coefficient, over the responses timed.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_glmnet import r_available  # noqa: E402

R_SCRIPT = r"""
suppressMessages(library(glmnet))
a <- commandArgs(trailingOnly = TRUE)
d <- a[1]; n <- as.integer(a[2]); p <- as.integer(a[3]); K <- as.integer(a[4]); calls <- as.integer(a[5])
X <- matrix(readBin(file.path(d, "X.f64"), "double", n * p), n, p)
Y <- matrix(readBin(file.path(d, "Y.f64"), "double", n * K), n, K)
invisible(glmnet(X, Y[, 1]))
t <- system.time(for (k in 1:calls) glmnet(X, Y[, k]))[["elapsed"]]
cat(t, "\n")
"""


def problem(n, p, K, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 0.3 * rng.standard_normal((n, 1))
    B = np.zeros((p, K))
    for k in range(K):
        B[rng.choice(p, 10, replace=False), k] = rng.standard_normal(10)
    return X, X @ B + rng.standard_normal((n, K))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--p", type=int, default=200)
    ap.add_argument("--responses", type=int, default=1000)
    ap.add_argument("--calls", type=int, default=1000, help="separate calls timed (scaled to all responses)")
    ap.add_argument("--no-r", action="store_true")
    args = ap.parse_args()
    import glmlx

    n, p, K, calls = args.n, args.p, args.responses, min(args.calls, args.responses)
    X, Y = problem(n, p, K)
    glmlx.glmnet_many(X, Y[:, :2])  # warm-up
    ts = []
    for _ in range(3):
        t0 = time.perf_counter()
        fits = glmlx.glmnet_many(X, Y)
        ts.append(time.perf_counter() - t0)
    t_many = float(np.median(ts))
    t0 = time.perf_counter()
    sep = [glmlx.glmnet(X, Y[:, k]) for k in range(calls)]
    t_sep = (time.perf_counter() - t0) * K / calls
    err = max(np.abs(fits[k]._coef_np() - sep[k]._coef_np()).max() / np.abs(sep[k]._coef_np()).max()
              for k in range(calls))
    print(f"# {K} responses, X {n} x {p} (date {time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs)")
    print("| solver | seconds | vs glmnet_many |")
    print("|---|---|---|")
    print(f"| glmlx.glmnet_many (median of 3: {', '.join(f'{t:.3f}' for t in ts)}) | {t_many:.3f} | 1 |")
    scaled = "" if calls == K else f", {calls} timed and scaled"
    print(f"| glmlx.glmnet x {K}{scaled} | {t_sep:.2f} | {t_sep / t_many:.1f} |")
    ok, why = (False, "--no-r") if args.no_r else r_available()
    if ok:
        with tempfile.TemporaryDirectory() as d:
            X.T.astype(np.float64).tofile(os.path.join(d, "X.f64"))  # column-major, as R reads it
            Y.T.astype(np.float64).tofile(os.path.join(d, "Y.f64"))
            with open(os.path.join(d, "run.R"), "w") as f:
                f.write(R_SCRIPT)
            out = subprocess.run(["Rscript", os.path.join(d, "run.R"), d, str(n), str(p), str(K), str(calls)],
                                 capture_output=True, text=True, timeout=3600)
            t_r = float(out.stdout.split()[0]) * K / calls
            print(f"| R glmnet x {K}{scaled} | {t_r:.2f} | {t_r / t_many:.1f} |")
    else:
        print(f"| R glmnet | not run ({why}) | |")
    print(f"\nlargest coefficient difference, glmnet_many vs glmnet, over {calls} responses: {err:.2e} "
          "(relative to the largest coefficient)")


if __name__ == "__main__":
    main()
