"""Sparse X (gaussian): glmlx against R glmnet on a text-like design, time and peak memory.

    python bench/bench_sparse.py [--n 20000 --p 50000 --density 0.001] [--no-r]

Each fit runs in a fresh process (peak RSS = that process's maximum resident
set, minus its RSS after loading the data). R glmnet gets the same matrix as a
dgCMatrix (written as Matrix Market). Only family gaussian takes sparse X in
this release; the other families of issue 15 are still to come.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

CHILD = r"""
import resource, sys, time, json
import numpy as np, scipy.sparse as sp, scipy.io
import glmlx
X = scipy.io.mmread(sys.argv[1]).tocsc(); y = np.loadtxt(sys.argv[2])
glmlx.glmnet(X[:200], y[:200])  # warm-up: library load, first call
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter(); fit = glmlx.glmnet(X, y); dt = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(dict(seconds=dt, peak_extra_mib=(peak - base) / 1024, nlam=int(fit._lam_np.size),
                      matrix_mib=(X.data.nbytes + X.indices.nbytes + X.indptr.nbytes) / 2**20)))
"""

R = r"""
suppressMessages({library(glmnet); library(Matrix)})
a <- commandArgs(TRUE); X <- as(readMM(a[1]), "CsparseMatrix"); y <- scan(a[2], quiet = TRUE)
invisible(glmnet(X[1:200, ], y[1:200]))
t <- system.time(fit <- glmnet(X, y))[["elapsed"]]
cat(sprintf('{"seconds": %.4f, "nlam": %d}\n', t, length(fit$lambda)))
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--p", type=int, default=50000)
    ap.add_argument("--density", type=float, default=0.001)
    ap.add_argument("--no-r", action="store_true")
    a = ap.parse_args()
    import numpy as np
    import scipy.io
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    X = sp.random(a.n, a.p, density=a.density, format="csc", random_state=0, data_rvs=rng.standard_normal)
    beta = np.zeros(a.p)
    beta[:20] = rng.standard_normal(20)
    y = X @ beta + 0.5 * rng.standard_normal(a.n)
    with tempfile.TemporaryDirectory() as d:
        xf, yf = os.path.join(d, "X.mtx"), os.path.join(d, "y.txt")
        scipy.io.mmwrite(xf, X)
        np.savetxt(yf, y)
        out = subprocess.run([sys.executable, "-c", CHILD, xf, yf], capture_output=True, text=True, check=True)
        res = {"glmlx": json.loads(out.stdout.strip().splitlines()[-1])}
        if not a.no_r and shutil.which("Rscript"):
            rf = os.path.join(d, "fit.R")
            open(rf, "w").write(R)
            out = subprocess.run(["Rscript", rf, xf, yf], capture_output=True, text=True)
            if out.returncode == 0:
                res["R glmnet"] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"gaussian lasso path, {a.n} x {a.p} at density {a.density} ({X.nnz} nonzeros)")
    for k, v in res.items():
        print(f"  {k:10s} {v['seconds']:.3f} s, {v['nlam']} lambdas"
              + (f", peak +{v['peak_extra_mib']:.0f} MiB (matrix {v['matrix_mib']:.0f} MiB)" if "peak_extra_mib" in v
                 else ""))
    if "R glmnet" in res:
        print(f"  R / glmlx: {res['R glmnet']['seconds'] / res['glmlx']['seconds']:.2f}")


if __name__ == "__main__":
    main()
