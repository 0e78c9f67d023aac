"""Benchmark of the binomial, poisson, multinomial and mgaussian lasso paths: glmlx against R glmnet, adelie
and scikit-learn.

A benchmark, not a test: it prints timings and an accuracy figure and asserts nothing.

Usage::

    python bench/bench_glm.py [--families binomial,poisson,multinomial,mgaussian] [--sizes 5000x200,20000x1000,2000x10000]
                              [--repeats N] [--no-r] [--no-adelie] [--no-sklearn] [--cv] [--json PATH]

With ``--cv`` it times 10-fold cross-validation instead: ``glmlx.cv_glmnet`` against R's ``cv.glmnet``
with the same ``foldid`` (``numpy.random.default_rng(0)``), each family's default measure (deviance),
and compares the CV curves and the chosen lambdas.

Problems: X and the sparse coefficient vector are those of ``bench_glmnet.make_problem`` (the shared
anchors' generator, seed n + p). The linear predictor is ``eta = X beta`` rescaled to standard
deviation 1 (binomial) or 0.5 (poisson, plus 1 so counts average about e); ``y ~ Bernoulli(sigmoid(eta))``
or ``Poisson(exp(eta))`` with ``numpy.random.default_rng(7)``. multinomial: 3 classes drawn from three
independent sparse linear predictors (Gumbel-max); mgaussian: 4 such predictors plus N(0, 0.25) noise.

Methodology (same data for every solver):

* glmlx: ``glmlx.glmnet(X, y, family=...)`` with glmnet's defaults (100 lambdas, its lambda.min.ratio
  and early stops), end to end from numpy arrays.
* R glmnet 4.1 (when ``Rscript`` loads glmnet): ``glmnet(X, y, family=...)``, median of
  ``system.time(...)["elapsed"]`` after 1 s of warm-up fits, X read from a raw file (not timed).
* adelie (when importable): ``adelie.grpnet`` with ``glm.binomial``/``glm.poisson`` on pre-standardized
  X (standardization not timed), singleton groups, 2 threads, 100 lambdas with glmnet's
  lambda.min.ratio, glmnet's stopping rule (``adev_tol=0.999``, ``ddev_tol=1e-5``).
* scikit-learn (binomial only; it has no L1-penalized Poisson): ``LogisticRegression(penalty="l1",
  solver="saga", warm_start=True)`` refit along glmnet's own lambda path (``C = 1 / (n lambda)``), on the
  standardized data, tol 1e-4 and max_iter 1000; skipped where n * p > 2e6 (minutes per path).
* Warm-up calls for 1 s first (``bench_glmnet.warm_up``), then the median over ``--repeats`` (default 5 when n * p <= 1e6, else 3).
* Accuracy: ``max |beta_glmlx - beta_glmnet| / max |beta_glmnet|`` over the common path points.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from bench_glmnet import import_adelie, log, make_problem, median_time, parse_size, r_available, size_label  # noqa: E402

# Both R scripts start by loading glmnet and the problem that run_r_script wrote.
R_PREAMBLE = r"""
suppressMessages(library(glmnet))
a <- commandArgs(trailingOnly = TRUE)
d <- a[1]; n <- as.integer(a[2]); p <- as.integer(a[3]); fam <- a[4]; reps <- as.integer(a[5]); K <- as.integer(a[6])
X <- matrix(readBin(file.path(d, "X.f64"), "double", n * p), n, p)
y <- readBin(file.path(d, "y.f64"), "double", n * K)
if (fam == "mgaussian") y <- matrix(y, n, K)
"""

R_SCRIPT = R_PREAMBLE + r"""
fit <- glmnet(X, y, family = fam)
t0 <- proc.time()[["elapsed"]]  # warm-up: 1 s of untimed fits, as for the Python solvers
while (proc.time()[["elapsed"]] - t0 < 1) glmnet(X, y, family = fam)
t <- replicate(reps, system.time(glmnet(X, y, family = fam))[["elapsed"]])
writeBin(as.double(fit$lambda), file.path(d, "lambda.f64"))
b <- if (is.list(fit$beta)) do.call(rbind, lapply(fit$beta, as.matrix)) else as.matrix(fit$beta)
writeBin(as.double(b), file.path(d, "beta.f64"))  # (K p) x nlam, column-major
cat("TIMES", t, "\n")
cat("RESULT median=", median(t), " npasses=", fit$npasses, "\n", sep = "")
"""


R_CV_SCRIPT = R_PREAMBLE + r"""
foldid <- readBin(file.path(d, "foldid.f64"), "double", n)
cv <- cv.glmnet(X, y, family = fam, foldid = foldid)
t0 <- proc.time()[["elapsed"]]  # warm-up: 1 s of untimed fits, as for glmlx
while (proc.time()[["elapsed"]] - t0 < 1) cv.glmnet(X, y, family = fam, foldid = foldid)
t <- replicate(reps, system.time(cv.glmnet(X, y, family = fam, foldid = foldid))[["elapsed"]])
writeBin(as.double(cv$cvm), file.path(d, "cvm.f64"))
cat("TIMES", t, "\n")
cat("RESULT median=", median(t), " lambda_min=", format(cv$lambda.min, digits = 17),
    " lambda_1se=", format(cv$lambda.1se, digits = 17), "\n", sep = "")
"""


def fold_ids(n):
    """The folds both CV runs use: 1..10 in a random order."""
    return np.random.default_rng(0).permutation(np.resize(np.arange(1, 11), n))


def make_glm_problem(n, p, family, rho=0.0):
    X, y_lin = make_problem(n, p, rho)
    eta = y_lin - y_lin.mean()
    rng = np.random.default_rng(7)
    if family in ("multinomial", "mgaussian"):
        # K = 3 classes / 4 responses from independent sparse linear predictors.
        K = 3 if family == "multinomial" else 4
        B = np.zeros((p, K))
        for k in range(K):
            idx = rng.choice(p, size=max(5, p // 10), replace=False)
            B[idx, k] = rng.standard_normal(idx.size)
        E = X @ B
        E = E / E.std(axis=0)
        if family == "mgaussian":
            return X, E + 0.5 * rng.standard_normal(E.shape)
        G = E - np.log(-np.log(rng.random(E.shape)))  # Gumbel-max: multinomial logit draws
        return X, np.argmax(G, axis=1).astype(np.float64)
    if family == "binomial":
        eta = eta / eta.std()
        return X, (rng.random(n) < 1.0 / (1.0 + np.exp(-eta))).astype(np.float64)
    eta = 1.0 + 0.5 * eta / eta.std()
    return X, rng.poisson(np.exp(eta)).astype(np.float64)


def run_r_script(script, X, y, family, reps, timeout, foldid=None):
    """Runs an R script on X, y (and foldid) in a fresh directory: (its RESULT key=values, the directory)."""
    n, p = X.shape
    K = y.shape[1] if y.ndim == 2 else 1
    d = tempfile.mkdtemp(prefix="bench_glm_")
    np.asfortranarray(X).T.tofile(os.path.join(d, "X.f64"))
    np.asfortranarray(y).T.tofile(os.path.join(d, "y.f64"))
    if foldid is not None:
        np.asarray(foldid, dtype=np.float64).tofile(os.path.join(d, "foldid.f64"))
    with open(os.path.join(d, "run.R"), "w") as f:
        f.write(script)
    out = subprocess.run(["Rscript", os.path.join(d, "run.R"), d, str(n), str(p), family, str(reps), str(K)],
                         capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        shutil.rmtree(d, ignore_errors=True)
        raise RuntimeError(out.stderr.strip()[-300:])
    res = {}
    for line in out.stdout.splitlines():
        if line.startswith("RESULT"):
            res.update(kv.split("=") for kv in line.split()[1:])
    return res, d


def run_r(X, y, family, reps, timeout):
    res, d = run_r_script(R_SCRIPT, X, y, family, reps, timeout)
    try:
        lam = np.fromfile(os.path.join(d, "lambda.f64"))
        beta = np.fromfile(os.path.join(d, "beta.f64")).reshape(len(lam), -1).T  # (K p) x nlam
        return {"time": float(res["median"]), "lambda": lam, "beta": beta, "npasses": int(res["npasses"])}
    finally:
        shutil.rmtree(d, ignore_errors=True)


def run_r_cv(X, y, family, reps, timeout, foldid):
    res, d = run_r_script(R_CV_SCRIPT, X, y, family, reps, timeout, foldid)
    try:
        return {"time": float(res["median"]), "cvm": np.fromfile(os.path.join(d, "cvm.f64")),
                "lambda_min": float(res["lambda_min"]), "lambda_1se": float(res["lambda_1se"])}
    finally:
        shutil.rmtree(d, ignore_errors=True)


def run_glmlx_cv(X, y, family, reps, foldid):
    import glmlx

    t, _ = median_time(lambda: glmlx.cv_glmnet(X, y, family=family, foldid=foldid), reps)
    cv = glmlx.cv_glmnet(X, y, family=family, foldid=foldid)
    return {"time": t, "cvm": np.asarray(cv.cvm), "lambda_min": float(cv.lambda_min),
            "lambda_1se": float(cv.lambda_1se)}


def cv_agreement(g, r):
    """(max |cvm diff| / max |cvm_R| over the common points, whether lambda_min and lambda_1se agree)."""
    m = min(g["cvm"].size, r["cvm"].size)
    diff = float(np.max(np.abs(g["cvm"][:m] - r["cvm"][:m])) / np.max(np.abs(r["cvm"][:m])))
    same = all(abs(g[k] - r[k]) <= 1e-10 * r[k] for k in ("lambda_min", "lambda_1se"))
    return diff, same


def main_cv(args, have_r):
    rows = []
    print("| family | size | glmlx cv_glmnet | R cv.glmnet | cv.glmnet/glmlx | max rel cvm diff | same lambda_min / 1se |")
    print("|---|---|---|---|---|---|---|")
    for family in args.families.split(","):
        for size in args.sizes.split(","):
            n, p, rho = parse_size(size)
            X, y = make_glm_problem(n, p, family, rho)
            foldid = fold_ids(n)
            reps = args.repeats or (5 if n * p <= 1e6 else 3)
            log(f"{family} {size_label(n, p, rho)}: glmlx cv_glmnet")
            g = run_glmlx_cv(X, y, family, reps, foldid)
            row = {"family": family, "size": size_label(n, p, rho), "glmlx": g["time"]}
            cells = ["-", "-", "-", "-"]
            if have_r:
                log("R cv.glmnet")
                r = run_r_cv(X, y, family, reps, 3600, foldid)
                diff, same = cv_agreement(g, r)
                row.update(R=r["time"], cvm_diff=diff, same_lambdas=same)
                cells = [f"{r['time']:.3f} s", f"{r['time'] / g['time']:.1f}x", f"{diff:.1e}", "yes" if same else "no"]
            rows.append(row)
            print(f"| {family} | {row['size']} | {g['time']:.3f} s | " + " | ".join(cells) + " |", flush=True)
    return rows


def run_glmlx(X, y, family, reps):
    import glmlx

    t, _ = median_time(lambda: glmlx.glmnet(X, y, family=family), reps)
    fit = glmlx.glmnet(X, y, family=family)
    beta = np.asarray(fit.beta)
    if beta.ndim == 3:  # (K, p, nlam) -> (K p) x nlam, R's stacking
        beta = beta.reshape(-1, beta.shape[2])
    return {"time": t, "lambda": np.asarray(fit.lambdas), "beta": beta, "npasses": fit.npasses}


def run_adelie(X, y, family, reps):
    ad = import_adelie()

    n, p = X.shape
    Xs = (X - X.mean(0)) / X.std(0)
    if family == "binomial":
        glm = ad.glm.binomial(y)
    elif family == "poisson":
        glm = ad.glm.poisson(y)
    elif family == "multinomial":
        glm = ad.glm.multinomial(np.asfortranarray(np.eye(int(y.max()) + 1)[y.astype(int)]))
    else:
        glm = ad.glm.multigaussian(np.asfortranarray(y))
    ratio = 1e-2 if n < p else 1e-4

    def fit():
        return ad.grpnet(np.asfortranarray(Xs), glm, n_threads=2, lmda_path_size=100, min_ratio=ratio,
                         adev_tol=0.999, ddev_tol=1e-5, progress_bar=False)

    t, _ = median_time(fit, reps)
    return {"time": t, "points": len(fit().lmdas)}


def run_sklearn(X, y, lambdas, reps):
    from sklearn.linear_model import LogisticRegression

    n = X.shape[0]
    Xs = (X - X.mean(0)) / X.std(0)

    def path():
        m = LogisticRegression(penalty="l1", solver="saga", warm_start=True, tol=1e-4, max_iter=1000)
        for lam in lambdas[1:]:
            m.set_params(C=1.0 / (n * lam))
            m.fit(Xs, y)

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t, _ = median_time(path, reps)
    return {"time": t}


def accuracy(a, b):
    m = min(a["beta"].shape[1], b["beta"].shape[1])
    return float(np.max(np.abs(a["beta"][:, :m] - b["beta"][:, :m])) / max(np.max(np.abs(b["beta"][:, :m])), 1e-300))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", default="binomial,poisson")
    ap.add_argument("--sizes", default="5000x200,20000x1000,2000x10000")
    ap.add_argument("--repeats", type=int)
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--no-adelie", action="store_true")
    ap.add_argument("--no-sklearn", action="store_true")
    ap.add_argument("--cv", action="store_true", help="time 10-fold cv_glmnet against cv.glmnet instead")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    have_r = (not args.no_r) and r_available()[0]
    if args.cv:
        rows = main_cv(args, have_r)
        if args.json:
            with open(args.json, "w") as fh:
                json.dump({"date": time.strftime("%Y-%m-%d"), "cv": True, "rows": rows}, fh, indent=1)
        return
    try:
        import_adelie()
        have_adelie = not args.no_adelie
    except ImportError:
        have_adelie = False
    rows = []
    print("| family | size | glmlx | R glmnet | adelie | sklearn saga | glmnet/glmlx | adelie/glmlx | max rel coef diff | points (glmlx/R) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for family in args.families.split(","):
        for size in args.sizes.split(","):
            n, p, rho = parse_size(size)
            X, y = make_glm_problem(n, p, family, rho)
            reps = args.repeats or (5 if n * p <= 1e6 else 3)
            log(f"{family} {size_label(n, p, rho)}: glmlx")
            g = run_glmlx(X, y, family, reps)
            row = {"family": family, "size": size_label(n, p, rho), "glmlx": g["time"],
                   "glmlx_points": len(g["lambda"]), "glmlx_npasses": g["npasses"]}
            if have_r:
                log("R glmnet")
                r = run_r(X, y, family, reps, timeout=3600)
                row.update(R=r["time"], R_points=len(r["lambda"]), R_npasses=r["npasses"], accuracy=accuracy(g, r))
            if have_adelie:
                log("adelie")
                try:
                    a = run_adelie(X, y, family, reps)
                    row.update(adelie=a["time"], adelie_points=a["points"])
                except Exception as e:  # noqa: BLE001
                    log(f"adelie failed: {e}")
            if family == "binomial" and not args.no_sklearn and n * p <= 2e6:
                log("sklearn saga")
                row["sklearn"] = run_sklearn(X, y, g["lambda"], 1)["time"]
            rows.append(row)

            def f(k):
                return f"{row[k]:.3f} s" if k in row else "-"

            def ratio(k):
                return f"{row[k] / row['glmlx']:.1f}x" if k in row else "-"

            acc = f"{row['accuracy']:.1e}" if "accuracy" in row else "-"
            pts = f"{row['glmlx_points']}/{row.get('R_points', '-')}"
            print(f"| {family} | {row['size']} | {f('glmlx')} | {f('R')} | {f('adelie')} | {f('sklearn')} | "
                  f"{ratio('R')} | {ratio('adelie')} | {acc} | {pts} |", flush=True)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"date": time.strftime("%Y-%m-%d"), "rows": rows}, fh, indent=1)


if __name__ == "__main__":
    main()
