"""Sparse X: glmlx against R glmnet (dgCMatrix), scikit-learn and glum, time and peak memory.

    python bench/bench_sparse.py                     # the three problems of the issue, every peer present
    python bench/bench_sparse.py --rows text-gaussian --peers glmlx,R
    python bench/bench_sparse.py --rows memory       # 100000 x 50000 at 0.1%: glmlx's peak memory

Problems (fixed seeds):
  text-gaussian  20000 x 50000 at 0.1% (1e6 nonzeros), a sparse lasso path (family gaussian)
  text-binomial  the same X, a logistic lasso path
  onehot-poisson 1e6 x 2000: four categorical variables of 500 levels one-hot (4e6 nonzeros), poisson path
  memory         100000 x 50000 at 0.1% (5e6 nonzeros), gaussian: glmlx only, its peak memory
Each fit runs in a fresh process after a warm-up fit on a few rows, so the times exclude library loading and
reading the data; "peak +" is the process's maximum resident set minus its resident set just before the fit
(Linux; the warm-up fit is small, so the maximum is the fit's).
Every solver fits the same path: glmnet's defaults (100 lambdas with its early stops) for glmlx and R; the
peers fit glmlx's lambda grid (scikit-learn: Lasso's lasso_path on centered y, which does not fit an
intercept with sparse X; LogisticRegression with saga and warm starts, C = 1 / (n lambda); glum:
GeneralizedLinearRegressor's own path with l1_ratio 1 and glmnet's lambda range).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

PROBLEMS = {
    "text-gaussian": dict(kind="text", n=20000, p=50000, density=0.001, family="gaussian"),
    "text-binomial": dict(kind="text", n=20000, p=50000, density=0.001, family="binomial"),
    "onehot-poisson": dict(kind="onehot", n=1_000_000, groups=4, levels=500, family="poisson"),
    "memory": dict(kind="text", n=100000, p=50000, density=0.001, family="gaussian"),
}

LOAD = r"""
import resource, sys, time, json
import numpy as np, scipy.sparse as sp
z = np.load(sys.argv[1])
X = sp.csc_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"])); y = z["y"]
fam = sys.argv[2]
lam = json.loads(sys.argv[3]) if len(sys.argv) > 3 else None
import os
def peak():  # the resident set now (MiB); report() takes the process's maximum since
    return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
def report(seconds, nlam, base, **kw):
    top = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(dict(seconds=seconds, nlam=nlam, peak_extra_mib=top - base, **kw)))
"""

CHILDREN = {
    "glmlx": LOAD + r"""
import glmlx
glmlx.glmnet(X[:500], y[:500], family=fam)
base = peak()
t = time.perf_counter(); fit = glmlx.glmnet(X, y, family=fam); dt = time.perf_counter() - t
report(dt, int(fit._lam_np.size), base, lambdas=fit._lam_np.tolist())
""",
    "scikit-learn": LOAD + r"""
import warnings
from sklearn.linear_model import LogisticRegression, lasso_path
from sklearn.exceptions import ConvergenceWarning
warnings.simplefilter("ignore", ConvergenceWarning)
lam = np.array(lam)
base = peak()
t = time.perf_counter()
if fam == "gaussian":
    lasso_path(X, y - y.mean(), alphas=lam, precompute=False)
else:
    m = LogisticRegression(solver="saga", l1_ratio=1.0, warm_start=True, max_iter=200, tol=1e-4)
    for a in lam:
        m.set_params(C=1.0 / (X.shape[0] * a)); m.fit(X, y)
report(time.perf_counter() - t, int(lam.size), base)
""",
    "glum": LOAD + r"""
from glum import GeneralizedLinearRegressor
lam = np.array(lam)
family = {"gaussian": "normal"}.get(fam, fam)
base = peak()
t = time.perf_counter()
GeneralizedLinearRegressor(family=family, l1_ratio=1.0, alpha_search=True, alphas=lam).fit(X, y)
report(time.perf_counter() - t, int(lam.size), base)
""",
}

R_SCRIPT = r"""
suppressMessages({library(glmnet); library(Matrix)})
a <- commandArgs(TRUE)
X <- as(readMM(a[1]), "CsparseMatrix"); y <- scan(a[2], quiet = TRUE); fam <- a[3]
invisible(glmnet(X[1:500, ], y[1:500], family = fam))
t <- system.time(fit <- glmnet(X, y, family = fam))[["elapsed"]]
cat(sprintf('{"seconds": %.4f, "nlam": %d}\n', t, length(fit$lambda)))
"""


def make(spec, seed=0):
    import numpy as np
    import scipy.sparse as sp

    rng = np.random.default_rng(seed)
    if spec["kind"] == "text":
        n, p = spec["n"], spec["p"]
        nnz = int(spec["density"] * n * p)
        # word counts at uniform random places (a repeated place sums: slightly fewer nonzeros)
        X = sp.coo_matrix((rng.poisson(2.0, nnz) + 1.0, (rng.integers(0, n, nnz), rng.integers(0, p, nnz))),
                          shape=(n, p)).tocsc()
        X.sum_duplicates()
    else:
        n, g, lv = spec["n"], spec["groups"], spec["levels"]
        cols = (rng.integers(0, lv, (n, g)) + lv * np.arange(g)).ravel()
        X = sp.csr_matrix((np.ones(n * g), cols, np.arange(0, n * g + 1, g)), shape=(n, g * lv)).tocsc()
    n, p = X.shape
    beta = np.zeros(p)
    k = 20
    beta[rng.choice(p, k, replace=False)] = rng.standard_normal(k) * (0.5 if spec["family"] != "gaussian" else 2)
    eta = X @ beta
    if spec["family"] == "gaussian":
        y = eta + rng.standard_normal(n)
    elif spec["family"] == "binomial":
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(eta - eta.mean())))).astype(float)
    else:
        y = rng.poisson(np.exp(0.3 * eta)).astype(float)
    return X, y


def run(cmd, timeout):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout} s"}
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["failed"])[-1][:120]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="text-gaussian,text-binomial,onehot-poisson")
    ap.add_argument("--peers", default="glmlx,R,scikit-learn,glum")
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--json", help="write the results here")
    a = ap.parse_args()
    import numpy as np
    import scipy.io

    peers = a.peers.split(",")
    results = {}
    for row in a.rows.split(","):
        spec = PROBLEMS[row]
        X, y = make(spec)
        fam = spec["family"]
        matrix_mib = (X.data.nbytes + X.indices.nbytes + X.indptr.nbytes) / 2**20
        res = {}
        with tempfile.TemporaryDirectory() as d:
            npz = os.path.join(d, "X.npz")
            np.savez(npz, data=X.data, indices=X.indices, indptr=X.indptr, shape=np.array(X.shape), y=y)
            res["glmlx"] = run([sys.executable, "-c", CHILDREN["glmlx"], npz, fam], a.timeout)
            lam = json.dumps(res["glmlx"].pop("lambdas", [])) if "seconds" in res["glmlx"] else None
            for peer in peers:
                if peer in ("glmlx",) or row == "memory":
                    continue
                if peer == "R":
                    if not shutil.which("Rscript"):
                        continue
                    mtx, yf, rf = (os.path.join(d, f) for f in ("X.mtx", "y.txt", "fit.R"))
                    scipy.io.mmwrite(mtx, X)
                    np.savetxt(yf, y)
                    with open(rf, "w") as f:
                        f.write(R_SCRIPT)
                    res["R glmnet"] = run(["Rscript", rf, mtx, yf, fam], a.timeout)
                elif lam is not None:
                    res[peer] = run([sys.executable, "-c", CHILDREN[peer], npz, fam, lam], a.timeout)
        results[row] = dict(shape=list(X.shape), nnz=int(X.nnz), matrix_mib=matrix_mib, results=res)
        print(f"{row}: {X.shape[0]} x {X.shape[1]}, {X.nnz} nonzeros ({matrix_mib:.0f} MiB as CSC), family {fam}")
        g = res["glmlx"].get("seconds")
        for name, r in res.items():
            if "seconds" in r:
                ratio = f", {r['seconds'] / g:.2f}x glmlx's time" if g and name != "glmlx" else ""
                mem = f", peak +{r['peak_extra_mib']:.0f} MiB" if "peak_extra_mib" in r else ""
                print(f"  {name:13s} {r['seconds']:8.3f} s, {r['nlam']} lambdas{mem}{ratio}")
            else:
                print(f"  {name:13s} {r['error']}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
