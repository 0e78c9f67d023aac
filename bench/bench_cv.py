"""Benchmark of 10-fold cross-validation: glmlx.cv_glmnet against R's cv.glmnet and scikit-learn's LassoCV.

A benchmark, not a test: it prints timings and agreement figures and asserts nothing.

Usage::

    python bench/bench_cv.py [--quick] [--sizes 500x50,2000x100] [--repeats N] [--no-r] [--no-sklearn] [--json PATH]

Same problems as ``bench_glmnet.py`` (the shared anchors' generator). Every solver gets the same folds:
``foldid = rng.permutation(resize(1..10, n))`` with seed 0; R's ``cv.glmnet(X, y, foldid=foldid)`` (defaults,
type.measure "mse") is timed in one Rscript process per size (median of ``system.time`` after 1 s of warm-up calls, as every solver here);
glmlx's ``cv_glmnet(X, y, foldid=foldid)`` end to end from numpy; scikit-learn's ``LassoCV`` with a
``PredefinedSplit`` on the same folds, 100 alphas, ``eps`` = glmnet's lambda.min.ratio, ``tol=1e-7``, on data
standardized outside the timing (it refits the full path afterwards as cv.glmnet does). Agreement: the largest
relative difference of ``cvm`` from R's and whether lambda_min / lambda_1se are the same path points.
Ratios above 1 mean glmlx is faster.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_glmnet import SIZES, log, make_problem, median_time, parse_size, r_available  # noqa: E402

R_SCRIPT = r"""
suppressMessages(library(glmnet))
a <- commandArgs(trailingOnly = TRUE)
d <- a[1]; n <- as.integer(a[2]); p <- as.integer(a[3]); reps <- as.integer(a[4])
X <- matrix(readBin(file.path(d, "X.f64"), "double", n * p), n, p)
y <- readBin(file.path(d, "y.f64"), "double", n)
foldid <- readBin(file.path(d, "foldid.i32"), "integer", n, size = 4)
cv <- cv.glmnet(X, y, foldid = foldid)
t0 <- proc.time()[["elapsed"]]  # warm-up: 1 s of untimed calls, as for the Python solvers
while (proc.time()[["elapsed"]] - t0 < 1) cv.glmnet(X, y, foldid = foldid)
t <- replicate(reps, system.time(cv.glmnet(X, y, foldid = foldid))[["elapsed"]])
writeBin(as.double(cv$cvm), file.path(d, "cvm.f64"))
cat(sprintf("RESULT median=%.6f lambda_min=%.17g lambda_1se=%.17g\n", median(t), cv$lambda.min, cv$lambda.1se))
"""


def run_r(X, y, foldid, reps, timeout):
    n, p = X.shape
    d = tempfile.mkdtemp(prefix="bench_cv_")
    try:
        np.asfortranarray(X).T.tofile(os.path.join(d, "X.f64"))
        np.ascontiguousarray(y, dtype=np.float64).tofile(os.path.join(d, "y.f64"))
        foldid.astype(np.int32).tofile(os.path.join(d, "foldid.i32"))
        with open(os.path.join(d, "run.R"), "w") as f:
            f.write(R_SCRIPT)
        out = subprocess.run(["Rscript", os.path.join(d, "run.R"), d, str(n), str(p), str(reps)],
                             capture_output=True, text=True, timeout=timeout)
        if out.returncode != 0:
            raise RuntimeError(out.stderr.strip()[-300:])
        res = dict(kv.split("=") for line in out.stdout.splitlines() if line.startswith("RESULT")
                   for kv in line.split()[1:])
        return {"time": float(res["median"]), "cvm": np.fromfile(os.path.join(d, "cvm.f64")),
                "lambda_min": float(res["lambda_min"]), "lambda_1se": float(res["lambda_1se"])}
    finally:
        shutil.rmtree(d, ignore_errors=True)


def run_glmlx(X, y, foldid, reps):
    import glmlx

    t, _ = median_time(lambda: glmlx.cv_glmnet(X, y, foldid=foldid), reps)
    cv = glmlx.cv_glmnet(X, y, foldid=foldid)
    return {"time": t, "cvm": np.asarray(cv.cvm), "lambda_min": cv.lambda_min, "lambda_1se": cv.lambda_1se}


def run_sklearn(X, y, foldid, reps):
    import warnings

    from sklearn.linear_model import LassoCV
    from sklearn.model_selection import PredefinedSplit

    Xs = (X - X.mean(0)) / X.std(0)
    n, p = X.shape
    eps = 1e-4 if n >= p else 1e-2
    split = PredefinedSplit(foldid - 1)

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            LassoCV(cv=split, eps=eps, alphas=100, tol=1e-7, n_jobs=1).fit(Xs, y)

    t, _ = median_time(fit, reps)
    return {"time": t}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", help="comma-separated sizes such as 500x50,2000x10000")
    ap.add_argument("--quick", action="store_true", help="the first four sizes only")
    ap.add_argument("--repeats", type=int,
                    help="repeats (default 30 when n*p <= 2e5: millisecond timings on a shared machine need many; "
                         "5 when n*p <= 1e6, else 1)")
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--no-sklearn", action="store_true")
    ap.add_argument("--slow", action="store_true", help="also run sklearn where p > n and n*p >= 2e7")
    ap.add_argument("--r-timeout", type=float, default=1800)
    ap.add_argument("--json", help="save the raw numbers here")
    a = ap.parse_args(argv)
    names = a.sizes.split(",") if a.sizes else list(SIZES)
    if a.quick and not a.sizes:
        names = names[:4]
    use_r, rinfo = (False, "disabled") if a.no_r else r_available()
    if not use_r:
        log(f"R glmnet not used: {rinfo}")
    rows = []
    print("| size | glmlx s | R cv.glmnet s | sklearn LassoCV s | cv.glmnet/glmlx | LassoCV/glmlx | max rel cvm diff "
          "| same lambda_min / 1se |")
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        n, p, rho = parse_size(name)
        X, y = make_problem(n, p, rho)
        foldid = np.random.default_rng(0).permutation(np.resize(np.arange(1, 11), n))
        reps = a.repeats or (30 if n * p <= 2e5 else 5 if n * p <= 1e6 else 1)
        log(f"{name}: glmlx")
        gl = run_glmlx(X, y, foldid, reps)
        rr = sk = None
        if use_r:
            log(f"{name}: R cv.glmnet")
            try:
                rr = run_r(X, y, foldid, reps, a.r_timeout)
            except Exception as e:  # noqa: BLE001
                log(f"R failed: {e}")
        if not a.no_sklearn and (a.slow or not (p > n and n * p >= 2e7)):
            log(f"{name}: sklearn")
            sk = run_sklearn(X, y, foldid, reps)
        diff = same = "-"
        if rr is not None:
            m = min(rr["cvm"].size, gl["cvm"].size)
            diff = f"{np.max(np.abs(gl['cvm'][:m] - rr['cvm'][:m]) / rr['cvm'][:m]):.1e}"
            same = "yes" if (np.isclose(gl["lambda_min"], rr["lambda_min"], rtol=1e-8)
                             and np.isclose(gl["lambda_1se"], rr["lambda_1se"], rtol=1e-8)) else "no"
        tr = rr["time"] if rr else None
        ts = sk["time"] if sk else None
        fmt = lambda v: "-" if v is None else f"{v:.4f}"  # noqa: E731
        ratio = lambda v: "-" if v is None else f"{v / gl['time']:.2f}x"  # noqa: E731
        print(f"| {name} | {gl['time']:.4f} | {fmt(tr)} | {fmt(ts)} | {ratio(tr)} | {ratio(ts)} | {diff} | {same} |",
              flush=True)
        rows.append({"size": name, "glmlx": gl["time"], "r": tr, "sklearn": ts, "cvm_diff": diff, "same": same})
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
