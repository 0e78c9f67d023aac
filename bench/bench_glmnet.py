"""Benchmark of the Gaussian lasso / elastic-net path: glmlx against R glmnet, adelie and scikit-learn.

This is a benchmark, not a test: it prints timings and an accuracy figure and asserts nothing.

Usage::

    python bench/bench_glmnet.py [--quick] [--sizes 500x50,2000x100] [--repeats N] [--alpha 1.0]
                                 [--slow] [--json PATH] [--no-r] [--no-adelie] [--no-sklearn]

Problems
--------
The problem sizes and the data generation are those of ``shared/anchors`` (``anchors_gen.py``): for an
``n x p`` problem, ``rng = numpy.random.default_rng(n + p)``, ``X ~ N(0, 1)`` (n x p, float64),
``k = max(5, p // 10)`` nonzero coefficients at random positions with values ``N(0, 1) * 2``, and
``y = X @ beta + 0.5 * N(0, 1)``.  Sizes: 500x50, 2000x100, 5000x200, 10000x100 (``--quick`` runs these
four), a correlated design 5000x200ar0.9 (the same draws, then each column turned into an AR(1) sequence
across columns with correlation 0.9: ``x_1 = z_1``, ``x_j = 0.9 x_{j-1} + sqrt(1 - 0.81) z_j``, so every
column still has unit variance and ``corr(x_i, x_j) = 0.9^|i-j|``), 20000x1000, 2000x10000 and 200000x200.
``--sizes`` picks any of them by name (``5000x200ar0.9`` may also be written ``5000x200c``); any other
``NxP`` or ``NxParRHO`` is generated the same way.

Methodology (same data for every solver)
----------------------------------------
* glmlx: ``glmlx.glmnet(X, y, alpha=alpha)`` with its defaults (its own lambda grid, which is glmnet's:
  100 lambdas, ``lambda.min.ratio`` 1e-4 when n >= p else 1e-2, glmnet's early stopping), timed end to
  end from the numpy arrays, so input conversion to MLX, standardization and the path are all counted.
* R glmnet 4.1-6 (only when ``Rscript`` is on the PATH and ``library(glmnet)`` loads): X is written once
  per size as column-major raw float64 (as ``anchors_gen.py``) and y as raw float64 to a temporary
  directory; one ``Rscript`` process per size reads them, fits once to warm up, and reports the median
  ``system.time(glmnet(X, y, alpha = alpha))[["elapsed"]]`` over the repeats.  R start-up and file reading
  are not timed.  It also writes the fitted lambda and the dense ``p x nlam`` beta to raw files, from
  which the accuracy column is computed.
* adelie (``adelie.grpnet``, only when ``import adelie`` works), as in ``anchors_py.py``: data
  pre-standardized in numpy outside the timing (``Xs = (X - mean) / std``, ``yc = y - mean(y)``),
  singleton groups, ``n_threads=2``, ``lmda_path_size=100``, ``min_ratio`` equal to glmnet's
  ``lambda.min.ratio``, and ``alpha`` passed through; the ``np.asfortranarray(Xs)`` copy is inside the
  timing as in the anchors.  One change from the anchors: adelie's default early exit stops the path once
  90 % of the deviance is explained (``adev_tol=0.9``), which on these problems is after ~20 of the 100
  lambdas while glmnet goes on to ~70; so by default adelie is given glmnet's own stopping rule
  (``adev_tol=0.999``, ``ddev_tol=1e-5``, glmnet's ``devmax`` and ``fdev``) and its path length is shown
  in the last column.  ``--adelie-defaults`` restores adelie's defaults (the anchors' setting).
* scikit-learn ``lasso_path`` (``enet_path(l1_ratio=alpha)`` when alpha < 1) on the same pre-standardized
  data, 100 alphas, ``eps`` equal to glmnet's ``lambda.min.ratio``, ``tol=1e-7``, no early stopping (it
  always computes all 100 points).  One repeat when ``n * p > 1e6``; 2000x10000 (any p > n with n * p >= 2e7) is skipped unless
  ``--slow`` (it took 200 s in the anchors).
* Every solver is called untimed for at least 1 s before the timed repeats (warm-up: MLX kernel set-up,
  page faults, imports, and this VM's idle cores, which run the first ~0.1 s of work slower).  Repeats: ``--repeats`` or 20 when ``n * p <= 1e6`` and 3 otherwise; the figure
  reported is the median wall time (``time.perf_counter``; R's ``system.time`` elapsed).
* Pre-standardizing for adelie and scikit-learn (not timed) slightly favours them: glmlx and R glmnet
  standardize inside the timed call.
* Accuracy: ``max |beta_glmlx - beta_glmnet| / max |beta_glmnet|`` over the first
  ``min(len_glmlx, len_glmnet)`` lambdas (both on the original scale), with both path lengths, and the
  largest relative lambda difference on the common part is kept in the JSON.
* Ratios ``glmnet/glmlx`` and ``adelie/glmlx`` are time ratios: above 1 means glmlx is faster.

Timings are wall times on whatever machine runs this; on a 2-core machine that is busy with other work
they are noisy (easily +-20 % for the sub-10 ms sizes), so compare ratios from one run, not across runs.
glmlx and adelie may use both cores (BLAS / MLX threads, ``n_threads=2``); R glmnet's coordinate descent
is single-threaded.

Output: a markdown table on stdout, progress on stderr, and with ``--json PATH`` the raw numbers.
"""
from __future__ import annotations

import argparse
import inspect
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")

SIZES = [
    "500x50", "2000x100", "5000x200", "10000x100",   # --quick
    "5000x200ar0.9",
    "20000x1000", "2000x10000", "200000x200",
]
QUICK = SIZES[:4]
ALIASES = {"5000x200c": "5000x200ar0.9"}

R_SCRIPT = r"""
suppressMessages(ok <- requireNamespace("glmnet", quietly = TRUE))
if (!ok) { cat("NOGLMNET\n"); quit(status = 3) }
suppressMessages(library(glmnet))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]; n <- as.integer(args[2]); p <- as.integer(args[3])
alpha <- as.numeric(args[4]); reps <- as.integer(args[5])
X <- matrix(readBin(file.path(dir, "X.f64"), "double", n * p), n, p)
y <- readBin(file.path(dir, "y.f64"), "double", n)
fit <- glmnet(X, y, alpha = alpha)   # the fit whose coefficients are compared
t0 <- proc.time()[["elapsed"]]       # warm-up: 1 s of untimed fits, as for the Python solvers
while (proc.time()[["elapsed"]] - t0 < 1) glmnet(X, y, alpha = alpha)
t <- replicate(reps, system.time(glmnet(X, y, alpha = alpha))[["elapsed"]])
writeBin(as.double(fit$lambda), file.path(dir, "lambda.f64"))
writeBin(as.double(as.vector(as.matrix(fit$beta))), file.path(dir, "beta.f64"))
writeBin(as.double(fit$a0), file.path(dir, "a0.f64"))
cat(sprintf("RESULT median=%.6f min=%.6f nlam=%d version=%s\n", median(t), min(t), length(fit$lambda),
            as.character(packageVersion("glmnet"))))
cat("TIMES", sprintf("%.6f", t), "\n")
"""


def import_adelie():
    """adelie, imported without its side effect on this process's CPU affinity.

    Importing ``adelie.adelie_core`` 1.1.52 pins the whole process to one CPU (``os.sched_getaffinity``
    goes from {0, 1} to {0}), which would leave every solver timed after it, glmlx's threads and adelie's
    own ``n_threads=2`` included, one core. The mask in force before the import is put back.
    """
    cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    import adelie

    if cpus is not None and os.sched_getaffinity(0) != cpus:
        os.sched_setaffinity(0, cpus)
    return adelie


def log(msg):
    print(f"[bench_glmnet {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def parse_size(s):
    s = ALIASES.get(s.strip(), s.strip())
    rho = 0.0
    if "ar" in s:
        s, r = s.split("ar", 1)
        rho = float(r)
    n, p = (int(v) for v in s.lower().split("x"))
    if n < 2 or p < 2 or not 0.0 <= rho < 1.0:
        raise ValueError(f"bad size {s!r}")
    return n, p, rho


def size_label(n, p, rho):
    return f"{n}x{p}" + (f"ar{rho:g}" if rho else "")


def make_problem(n, p, rho=0.0):
    """anchors_gen.make with seed n + p; rho > 0 applies an AR(1) filter across the columns of X."""
    k = max(5, p // 10)
    rng = np.random.default_rng(n + p)
    X = rng.standard_normal((n, p))
    if rho:
        c = math.sqrt(1.0 - rho * rho)
        for j in range(1, p):
            X[:, j] = rho * X[:, j - 1] + c * X[:, j]
    beta = np.zeros(p)
    idx = rng.choice(p, size=min(k, p), replace=False)
    beta[idx] = rng.standard_normal(len(idx)) * 2
    y = X @ beta + 0.5 * rng.standard_normal(n)
    return X, y


WARMUP_SECONDS = 1.0


def warm_up(fn, seconds=WARMUP_SECONDS):
    """Untimed calls of fn for at least ``seconds`` (at least one call).

    On this project's VM the cores run slower for a while after being idle: a 3 ms call took 4-8 ms for its
    first ~15 repeats and kept getting faster over ~2 s (3.2 -> 2.6 ms; 2.8 ms at once after 2 s of a busy
    loop). One warm-up call left millisecond-scale solvers timed in that state while 30 ms ones mostly were
    not; every solver (R included, same rule in its scripts) now warms up for the same wall time.
    """
    import time as _time

    t0 = _time.perf_counter()
    fn()
    while _time.perf_counter() - t0 < seconds:
        fn()


def median_time(fn, reps):
    warm_up(fn)
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts)), ts


def r_available():
    if not shutil.which("Rscript"):
        return False, "Rscript not on PATH"
    try:
        out = subprocess.run(["Rscript", "-e", 'suppressMessages(library(glmnet)); cat(as.character(packageVersion("glmnet")))'],
                             capture_output=True, text=True, timeout=120)
    except Exception as e:  # noqa: BLE001
        return False, f"Rscript failed: {e}"
    if out.returncode != 0:
        return False, "library(glmnet) does not load: " + out.stderr.strip()[-200:]
    return True, out.stdout.strip()


def run_r(X, y, alpha, reps, timeout):
    n, p = X.shape
    d = tempfile.mkdtemp(prefix="bench_glmnet_")
    try:
        np.asfortranarray(X).T.tofile(os.path.join(d, "X.f64"))  # column-major, as anchors_gen.py
        np.ascontiguousarray(y, dtype=np.float64).tofile(os.path.join(d, "y.f64"))
        with open(os.path.join(d, "run.R"), "w") as f:
            f.write(R_SCRIPT)
        out = subprocess.run(["Rscript", os.path.join(d, "run.R"), d, str(n), str(p), repr(float(alpha)), str(reps)],
                             capture_output=True, text=True, timeout=timeout)
        if out.returncode != 0:
            raise RuntimeError(f"Rscript exit {out.returncode}: {out.stderr.strip()[-300:]}")
        res = {}
        for line in out.stdout.splitlines():
            if line.startswith("RESULT"):
                for kv in line.split()[1:]:
                    k, v = kv.split("=")
                    res[k] = v
            elif line.startswith("TIMES"):
                res["times"] = [float(v) for v in line.split()[1:]]
        lam = np.fromfile(os.path.join(d, "lambda.f64"))
        beta = np.fromfile(os.path.join(d, "beta.f64")).reshape(len(lam), p).T  # p x nlam
        return {"time": float(res["median"]), "times": res.get("times", []), "lambda": lam, "beta": beta,
                "version": res.get("version")}
    finally:
        shutil.rmtree(d, ignore_errors=True)


def run_glmlx(X, y, alpha, reps):
    import glmlx
    import mlx.core as mx

    def fit():
        f = glmlx.glmnet(X, y, alpha=alpha)
        mx.eval(f.beta, f.lambdas, f.a0)
        return f

    t, ts = median_time(fit, reps)
    f = fit()
    return {"time": t, "times": ts, "lambda": np.asarray(f.lambdas, dtype=np.float64),
            "beta": np.asarray(f.beta, dtype=np.float64)}


def run_adelie(Xs, yc, alpha, eps, reps, glmnet_stop=True):
    ad = import_adelie()
    p = Xs.shape[1]
    groups = np.arange(p)
    state = {}
    stop = {"adev_tol": 0.999, "ddev_tol": 1e-5} if glmnet_stop else {}

    def fa():
        state["s"] = ad.grpnet(X=np.asfortranarray(Xs), glm=ad.glm.gaussian(yc), groups=groups, alpha=alpha,
                               lmda_path_size=100, min_ratio=eps, progress_bar=False, n_threads=2, **stop)

    t, ts = median_time(fa, reps)
    nlam = None
    try:
        nlam = int(len(state["s"].lmdas))
    except Exception:  # noqa: BLE001
        pass
    return {"time": t, "times": ts, "nlam": nlam}


def _path_kwargs(fn):
    params = inspect.signature(fn).parameters
    if "alphas" in params and params["alphas"].default == "warn":
        return {"alphas": 100}   # scikit-learn >= 1.7: an int number of alphas
    return {"n_alphas": 100}


def run_sklearn(Xs, yc, alpha, eps, reps):
    from sklearn.linear_model import enet_path, lasso_path
    if alpha >= 1.0:
        kw = _path_kwargs(lasso_path)
        fn = lambda: lasso_path(Xs, yc, eps=eps, tol=1e-7, **kw)  # noqa: E731
    else:
        kw = _path_kwargs(enet_path)
        fn = lambda: enet_path(Xs, yc, l1_ratio=alpha, eps=eps, tol=1e-7, **kw)  # noqa: E731
    t, ts = median_time(fn, reps)
    return {"time": t, "times": ts, "nlam": 100}


def compare(gl, rr):
    k = min(gl["beta"].shape[1], rr["beta"].shape[1])
    bg, br = gl["beta"][:, :k], rr["beta"][:, :k]
    scale = float(np.max(np.abs(br))) or 1.0
    coef = float(np.max(np.abs(bg - br))) / scale
    lam = float(np.max(np.abs(gl["lambda"][:k] - rr["lambda"][:k]) / rr["lambda"][:k]))
    return coef, lam


def fmt_t(v):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    return f"{v:.4f}" if v < 10 else f"{v:.1f}"


def fmt_ratio(a, b):
    if not isinstance(a, float) or not isinstance(b, float) or b <= 0:
        return "-"
    return f"{a / b:.2f}x"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", help="comma-separated NxP (or NxParRHO) list; default all: " + ",".join(SIZES))
    ap.add_argument("--quick", action="store_true", help="only " + ",".join(QUICK))
    ap.add_argument("--repeats", type=int, help="timed repeats (default 20 when n*p <= 1e6 else 3)")
    ap.add_argument("--alpha", type=float, default=1.0, help="elastic-net mixing (1 = lasso)")
    ap.add_argument("--slow", action="store_true", help="also run scikit-learn on 2000x10000 (minutes)")
    ap.add_argument("--json", metavar="PATH", help="write the raw numbers here")
    ap.add_argument("--adelie-defaults", action="store_true",
                    help="adelie's default early exit (adev_tol=0.9, as the anchors) instead of glmnet's")
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--no-adelie", action="store_true")
    ap.add_argument("--no-sklearn", action="store_true")
    ap.add_argument("--r-timeout", type=float, default=1800.0, help="seconds allowed for one Rscript run")
    args = ap.parse_args(argv)
    if not 0.0 <= args.alpha <= 1.0:
        ap.error("--alpha must be in [0, 1]")
    if args.alpha == 0.0:
        log("note: alpha=0 (ridge) is not meaningful for lasso_path/adelie comparisons; running anyway")

    names = args.sizes.split(",") if args.sizes else (QUICK if args.quick else SIZES)
    sizes = [parse_size(s) for s in names if s.strip()]

    notes = []
    have_r = False
    if not args.no_r:
        have_r, msg = r_available()
        log(f"R glmnet: {msg}" if have_r else f"R glmnet skipped: {msg}")
        if not have_r:
            notes.append(f"R glmnet skipped: {msg}")
    have_ad = False
    if not args.no_adelie:
        try:
            adelie = import_adelie()
            have_ad = True
            log(f"adelie {getattr(adelie, '__version__', '?')}")
        except Exception as e:  # noqa: BLE001
            msg = (f"adelie skipped (import failed: {str(e)[:80]}); install with `pip install --no-deps adelie` "
                   "plus matplotlib (a plain `pip install adelie` downgrades numpy to <2)")
            log(msg)
            notes.append(msg)
    have_sk = False
    if not args.no_sklearn:
        try:
            import sklearn
            have_sk = True
            log(f"scikit-learn {sklearn.__version__}")
        except Exception as e:  # noqa: BLE001
            notes.append(f"scikit-learn skipped: {e}")

    import glmlx
    import mlx.core as mx
    log(f"glmlx {getattr(glmlx, '__version__', '?')}, mlx {mx.__version__}, numpy {np.__version__}, alpha={args.alpha}")

    rows = []
    for n, p, rho in sizes:
        label = size_label(n, p, rho)
        reps = args.repeats or (20 if n * p <= 1e6 else 3)
        big = n * p > 1e6
        log(f"{label}: generating data")
        X, y = make_problem(n, p, rho)
        eps = 1e-4 if n >= p else 1e-2
        row = {"size": label, "n": n, "p": p, "rho": rho, "alpha": args.alpha, "repeats": reps}

        log(f"{label}: glmlx ({reps} repeats)")
        gl = run_glmlx(X, y, args.alpha, reps)
        row["glmlx"] = gl["time"]
        row["glmlx_times"] = gl["times"]
        row["glmlx_nlam"] = int(gl["beta"].shape[1])
        log(f"{label}: glmlx {gl['time']:.4f} s, {row['glmlx_nlam']} lambdas")

        if have_r:
            log(f"{label}: R glmnet ({reps} repeats)")
            try:
                rr = run_r(X, y, args.alpha, reps, args.r_timeout)
                row["glmnet"] = rr["time"]
                row["glmnet_times"] = rr["times"]
                row["glmnet_nlam"] = int(rr["beta"].shape[1])
                row["glmnet_version"] = rr["version"]
                row["max_coef_diff"], row["max_lambda_reldiff"] = compare(gl, rr)
                log(f"{label}: glmnet {rr['time']:.4f} s, {row['glmnet_nlam']} lambdas, "
                    f"coef diff {row['max_coef_diff']:.2e}, lambda diff {row['max_lambda_reldiff']:.2e}")
            except Exception as e:  # noqa: BLE001
                row["glmnet"] = "error"
                notes.append(f"{label}: R glmnet failed: {str(e)[:200]}")
                log(notes[-1])

        Xs = yc = None
        if have_ad or have_sk:
            Xs = (X - X.mean(0)) / X.std(0)
            yc = y - y.mean()
        if have_ad:
            log(f"{label}: adelie ({reps} repeats)")
            try:
                ad = run_adelie(Xs, yc, args.alpha, eps, reps, glmnet_stop=not args.adelie_defaults)
                row["adelie"], row["adelie_times"], row["adelie_nlam"] = ad["time"], ad["times"], ad["nlam"]
                log(f"{label}: adelie {ad['time']:.4f} s, {ad['nlam']} lambdas")
            except Exception as e:  # noqa: BLE001
                row["adelie"] = "error"
                notes.append(f"{label}: adelie failed: {str(e)[:200]}")
                log(notes[-1])
        if have_sk:
            if p > n and n * p >= 2e7 and not args.slow:  # 2000x10000: 200 s in the anchors
                row["sklearn"] = "skip"
                log(f"{label}: sklearn skipped (use --slow)")
            else:
                skreps = 1 if big else reps
                log(f"{label}: sklearn ({skreps} repeats)")
                try:
                    sk = run_sklearn(Xs, yc, args.alpha, eps, skreps)
                    row["sklearn"], row["sklearn_times"] = sk["time"], sk["times"]
                    log(f"{label}: sklearn {sk['time']:.4f} s")
                except Exception as e:  # noqa: BLE001
                    row["sklearn"] = "error"
                    notes.append(f"{label}: sklearn failed: {str(e)[:200]}")
                    log(notes[-1])
        rows.append(row)
        del X, y, Xs, yc

    title = "lasso" if args.alpha == 1.0 else f"elastic net alpha={args.alpha:g}"
    print(f"\nGaussian {title} path, median wall seconds "
          f"({platform.machine()}, {os.cpu_count()} cores; ratios > 1: glmlx faster)\n")
    print("| size | glmlx s | R glmnet s | adelie s | sklearn s | glmnet/glmlx | adelie/glmlx | "
          "max coef diff vs glmnet | path len (glmlx/glmnet) | adelie path len |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        diff = f"{r['max_coef_diff']:.1e}" if "max_coef_diff" in r else "-"
        plen = f"{r['glmlx_nlam']}/{r.get('glmnet_nlam', '-')}"
        print(f"| {r['size']} | {fmt_t(r['glmlx'])} | {fmt_t(r.get('glmnet'))} | {fmt_t(r.get('adelie'))} | "
              f"{fmt_t(r.get('sklearn'))} | {fmt_ratio(r.get('glmnet'), r['glmlx'])} | "
              f"{fmt_ratio(r.get('adelie'), r['glmlx'])} | {diff} | {plen} | {r.get('adelie_nlam') or '-'} |")
    if have_ad:
        print("\nadelie early exit: " + ("adelie defaults (adev_tol=0.9)" if args.adelie_defaults
                                          else "glmnet's rule (adev_tol=0.999, ddev_tol=1e-5)"))
    for note in notes:
        print(f"\nNote: {note}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"alpha": args.alpha, "machine": platform.machine(), "cores": os.cpu_count(),
                       "numpy": np.__version__, "mlx": mx.__version__, "notes": notes, "rows": rows}, f, indent=1)
        log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
