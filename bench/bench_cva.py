"""Cross-validation over alphas on the CPU: glmlx.cva_glmnet against cv_glmnet per alpha (glmlx's and R's).

A benchmark, not a test: it prints timings and asserts nothing.

    python bench/bench_cva.py                       # 20000 x 200 and 100000 x 100, 10 folds, 11 alphas
    python bench/bench_cva.py --sizes 2000x100 --no-r

Problem (seed 0): X standard normal with a shared factor, y = X b + noise with 4 nonzero b; the folds
``rng.permutation(resize(0..9, n))``; alphas glmnetUtils' default seq(0, 1, len = 11)^3. Rows:

* cva_glmnet          ``glmlx.cva_glmnet(X, y, foldid=foldid)``: the folds' Gram matrices once, all folds x alphas
                      in one call of the covariance solver; median of 3 after a warm-up.
* cv_glmnet x 11      ``[glmlx.cv_glmnet(X, y, foldid=foldid, alpha=a) for a in alphas]``, median of 3.
* R cv.glmnet x 11    ``for (a in alphas) cv.glmnet(X, y, foldid = foldid, alpha = a)`` in one Rscript process
                      (glmnetUtils' cva.glmnet does this loop), timed once after a warm-up call.
The per-alpha results of cva_glmnet and cv_glmnet are the same bit for bit (tests/api/test_cva.py).
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
d <- a[1]; n <- as.integer(a[2]); p <- as.integer(a[3])
X <- matrix(readBin(file.path(d, "X.f64"), "double", n * p), n, p)
y <- readBin(file.path(d, "y.f64"), "double", n)
foldid <- readBin(file.path(d, "foldid.i32"), "integer", n, size = 4)
alphas <- seq(0, 1, len = 11)^3
invisible(cv.glmnet(X, y, foldid = foldid))
cat(system.time(for (al in alphas) cv.glmnet(X, y, foldid = foldid, alpha = al))[["elapsed"]], "\n")
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="20000x200,100000x100")
    ap.add_argument("--no-r", action="store_true")
    args = ap.parse_args()
    import glmlx

    r_ok = not args.no_r and r_available()[0]
    print(f"# 10-fold CV over 11 alphas (date {time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs), seconds\n")
    print("| n x p | cva_glmnet | cv_glmnet x 11 | R cv.glmnet x 11 | x 11 / cva | R / cva |")
    print("|---|---|---|---|---|---|")
    for size in args.sizes.split(","):
        n, p = (int(v) for v in size.split("x"))
        rng = np.random.default_rng(0)
        X = rng.standard_normal((n, p)) + 0.3 * rng.standard_normal((n, 1))
        y = X[:, :4] @ np.array([1.0, -1.0, 0.5, 2.0]) + rng.standard_normal(n)
        foldid = rng.permutation(np.resize(np.arange(10), n))
        alphas = np.linspace(0, 1, 11) ** 3

        def med(fn):
            fn()
            ts = []
            for _ in range(3):
                t0 = time.perf_counter()
                fn()
                ts.append(time.perf_counter() - t0)
            return float(np.median(ts))

        t_cva = med(lambda: glmlx.cva_glmnet(X, y, foldid=foldid))
        t_loop = med(lambda: [glmlx.cv_glmnet(X, y, foldid=foldid, alpha=a) for a in alphas])
        t_r = None
        if r_ok:
            with tempfile.TemporaryDirectory() as d:
                X.T.astype(np.float64).tofile(os.path.join(d, "X.f64"))
                y.astype(np.float64).tofile(os.path.join(d, "y.f64"))
                (foldid + 1).astype(np.int32).tofile(os.path.join(d, "foldid.i32"))
                with open(os.path.join(d, "run.R"), "w") as f:
                    f.write(R_SCRIPT)
                out = subprocess.run(["Rscript", os.path.join(d, "run.R"), d, str(n), str(p)], capture_output=True,
                                     text=True, timeout=3600)
                t_r = float(out.stdout.split()[0])
        r = "-" if t_r is None else f"{t_r:.2f}"
        rr = "-" if t_r is None else f"{t_r / t_cva:.1f}"
        print(f"| {n} x {p} | {t_cva:.3f} | {t_loop:.3f} | {r} | {t_loop / t_cva:.2f} | {rr} |", flush=True)


if __name__ == "__main__":
    main()
