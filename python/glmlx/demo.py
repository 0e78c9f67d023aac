"""``glmlx demo``: fit a generated regression problem several ways and compare.

The demo is a list of *sections* (:data:`SECTIONS`). Each section is a
function ``section(ctx) -> list[Row]`` that may also add curves to
``ctx.histories`` (plotted) and notes to ``ctx.notes`` (printed after the
table). To extend the demo, write a section and append it to ``SECTIONS``.
Every row names the problem it solves (:data:`PROBLEMS`); the table has one
part per problem and times rows only against that problem's reference, so
no row is ever compared with a solver of another problem.
"""
from __future__ import annotations

import csv
import math
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

import mlx.core as mx
import numpy as np

from .gd import fit_gd
from .lstsq import lstsq


# ---------------------------------------------------------------------------
# Shared pieces
# ---------------------------------------------------------------------------
@dataclass
class Problem:
    """The seed problem: X ~ N(0, 1), w* ~ N(0, 1), y = X w* + noise * N(0, 1)."""

    X: np.ndarray
    y: np.ndarray
    w_star: np.ndarray
    Xm: mx.array
    ym: mx.array
    seed: int
    noise: float

    @property
    def shape(self):
        return self.X.shape


def make_problem(n: int = 10_000, p: int = 100, seed: int = 42, noise: float = 1e-2) -> Problem:
    """Generate the seed problem in float64 (numpy and MLX copies)."""
    if n < 2 or p < 1:
        raise ValueError(f"n must be >= 2 and p >= 1, got n={n}, p={p}")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w_star = rng.standard_normal(p)
    y = X @ w_star + noise * rng.standard_normal(n)
    Xm, ym = mx.array(X, dtype=mx.float64), mx.array(y, dtype=mx.float64)
    mx.eval(Xm, ym)
    return Problem(X, y, w_star, Xm, ym, seed, noise)


@dataclass
class Row:
    """One line of the comparison table."""

    method: str
    seconds: float
    coef: Optional[np.ndarray] = None
    note: str = ""
    problem: str = "least squares"  #: a key of PROBLEMS: rows are only compared within one problem
    reference: bool = False  #: the row the problem's other rows are timed against


#: What each problem is; every row of one problem solves exactly it, so their times compare.
PROBLEMS = {
    "least squares": "least squares: min_w 0.5 * mean((y - X w)^2), no intercept, no penalty",
    "lasso path": "lasso path: min 1/(2n) ||y - a - X w||^2 + lambda ||w||_1 on glmnet's lambda grid, "
                  "X not standardized",
    "lasso CV": "10-fold CV of that lasso path: same folds, same lambdas, lambda with the least mean squared error",
    "logistic": "logistic lasso path (binomial deviance + lambda ||w||_1) and its 10-fold CV (no other solver run)",
}


@dataclass
class DemoContext:
    problem: Problem
    repeats: int = 5
    steps: int = 1200
    lr: float = 0.01
    progress: bool = True
    histories: Dict[str, np.ndarray] = field(default_factory=dict)
    notes: List[str] = field(default_factory=list)
    #: extra figures: name -> function(path) that draws and saves one
    figures: Dict[str, Callable[[str], object]] = field(default_factory=dict)


def median_time(fn: Callable[[], object], repeats: int, warmup: bool = True):
    """Median wall time of ``fn()`` over ``repeats`` calls (after one warm-up call); returns (seconds, last result)."""
    out = fn() if warmup else None
    times = []
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), out


def progress_callback(label: str, steps: int, stream=None, every: Optional[int] = None):
    """A ``fit_gd`` callback that reports progress: a live line on a terminal, a few lines otherwise."""
    stream = stream or sys.stderr
    tty = hasattr(stream, "isatty") and stream.isatty()
    every = every or max(1, steps // (50 if tty else 4))
    t0 = time.perf_counter()

    def cb(step, loss, coef, intercept):
        done = step + 1
        if done % every and done != steps:
            return None
        msg = f"{label}: step {done}/{steps}  loss {loss:.3e}  {time.perf_counter() - t0:.1f}s"
        if tty:
            stream.write("\r" + msg + ("\n" if done == steps else ""))
        else:
            stream.write(msg + "\n")
        stream.flush()
        return None

    return cb


# ---------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------
def section_sgd(ctx: DemoContext) -> List[Row]:
    """Plain full-batch gradient descent on 0.5 * mean squared error (the seed example)."""
    prob, steps, lr = ctx.problem, ctx.steps, ctx.lr
    runs = max(1, min(3, ctx.repeats))
    times, res = [], None
    for r in range(runs):
        cb = progress_callback(f"SGD run {r + 1}/{runs}", steps) if ctx.progress else None
        t0 = time.perf_counter()
        res = fit_gd(prob.Xm, prob.ym, loss="mse", optimizer="sgd", lr=lr, steps=steps, fit_intercept=False,
                     callback=cb)
        mx.eval(res.coef)
        times.append(time.perf_counter() - t0)
    ctx.histories["SGD (full batch)"] = res.loss_history
    return [Row(f"SGD, full batch ({steps} steps, lr {lr:g})", float(np.median(times)), np.asarray(res.coef),
                f"final loss {res.loss_history[-1]:.3e}, {res.n_steps / float(np.median(times)):.0f} steps/s")]


def section_closed_form(ctx: DemoContext) -> List[Row]:
    """Closed-form least squares: glmlx QR, QR under mx.compile, Cholesky; numpy's lstsq as the reference."""
    prob, reps = ctx.problem, ctx.repeats
    Xm, ym = prob.Xm, prob.ym

    def run(method):
        def fn():
            coef, _, info = lstsq(Xm, ym, method=method, check_input=False, return_info=True)
            mx.eval(coef)
            return coef, info
        return fn

    compiled = mx.compile(lambda X, y: lstsq(X, y, method="qr").coef)

    def run_compiled():
        coef = compiled(Xm, ym)
        mx.eval(coef)
        return coef

    rows = []
    t, (coef, info) = median_time(run("qr"), reps)
    rows.append(Row("lstsq QR (glmlx)", t, np.asarray(coef), f"path {info.method}, rank {info.rank}"))
    t, coef = median_time(run_compiled, reps)
    rows.append(Row("lstsq QR, mx.compile (glmlx)", t, np.asarray(coef)))
    t, (coef, info) = median_time(run("cholesky"), reps)
    rows.append(Row("lstsq Cholesky (glmlx)", t, np.asarray(coef),
                    f"path {info.method}, rcond(X'X) {info.cholesky_rcond:.2g}"))
    t, ref = median_time(lambda: np.linalg.lstsq(prob.X, prob.y, rcond=None)[0], reps)
    rows.append(Row("numpy.linalg.lstsq (reference)", t, ref, reference=True))
    r = prob.y - prob.X @ ref
    ctx.notes.append(f"closed-form optimum of 0.5*mean squared error: {0.5 * float(np.mean(r * r)):.3e}")
    ctx.histories.setdefault("_optimum", np.array([0.5 * float(np.mean(r * r))]))
    return rows


def section_lasso(ctx: DemoContext) -> List[Row]:
    """The lasso path (glmnet's grid and stops) and 10-fold cross-validation's choice of lambda."""
    from .cv import cv_glmnet
    from .glmnet import glmnet

    prob, reps = ctx.problem, ctx.repeats
    if prob.shape[1] < 2 or prob.shape[0] < 10:
        ctx.notes.append("lasso section skipped: glmnet needs p >= 2 and cross-validation n >= 10")
        return []
    # standardize=False: the plain lasso objective, the one scikit-learn's lasso_path solves too
    t, fit = median_time(lambda: glmnet(prob.X, prob.y, standardize=False), reps)
    lam = np.asarray(fit.lambdas)
    last = np.asarray(fit.coef(s=lam[-1]))[1:, 0]
    rows = [Row(f"glmlx.glmnet ({lam.size} lambdas)", t, last,
                f"coef at the smallest lambda {lam[-1]:.3g}; dev ratio {float(np.asarray(fit.dev_ratio)[-1]):.5f}",
                problem="lasso path")]
    foldid = np.random.default_rng(prob.seed).permutation(np.resize(np.arange(1, 11), prob.shape[0]))
    t, cv = median_time(lambda: cv_glmnet(prob.X, prob.y, foldid=foldid, lambdas=lam, standardize=False),
                        max(1, reps // 2))
    rows.append(Row("glmlx.cv_glmnet (lambda_min)", t, np.asarray(cv.coef(s="lambda_min"))[1:, 0],
                    f"lambda_min {cv.lambda_min:.3g} ({int(np.asarray(cv.nzero)[cv.index_min])} nonzero), "
                    f"lambda_1se {cv.lambda_1se:.3g}", problem="lasso CV"))
    rows += _sklearn_lasso_rows(prob, lam, last, foldid, cv.lambda_min, reps)
    ctx.notes.append(f"CV: lambda_min {cv.lambda_min:.4g} with mean squared error "
                     f"{float(np.asarray(cv.cvm)[cv.index_min]):.3e}; lambda_1se {cv.lambda_1se:.4g}")
    ctx.figures["coefficient_path.png"] = lambda path: fit.plot(xvar="lambda", path=path)
    ctx.figures["cv_curve.png"] = lambda path: cv.plot(path)
    return rows


def _sklearn_lasso_rows(prob: Problem, lam: np.ndarray, glmlx_last: np.ndarray, foldid: np.ndarray,
                        glmlx_lambda_min: float, reps: int) -> List[Row]:
    """scikit-learn on the same lasso problems, as the reference rows (none when it is not installed)."""
    try:
        from sklearn.linear_model import LassoCV, lasso_path
        from sklearn.model_selection import PredefinedSplit
    except ImportError:
        return []
    Xc, yc = prob.X - prob.X.mean(axis=0), prob.y - prob.y.mean()  # the intercept, as centering
    t, (_, coefs, _) = median_time(lambda: lasso_path(Xc, yc, alphas=lam, tol=1e-7), reps)
    gap = float(np.max(np.abs(coefs[:, -1] - glmlx_last)))
    rows = [Row(f"scikit-learn lasso_path (same {lam.size} lambdas)", t, coefs[:, -1],
                f"largest coefficient difference from glmlx at the smallest lambda {gap:.1e}", problem="lasso path",
                reference=True)]
    split = PredefinedSplit(foldid - 1)
    t, cvs = median_time(lambda: LassoCV(alphas=lam, cv=split, tol=1e-7).fit(prob.X, prob.y), max(1, reps // 2))
    rows.append(Row("scikit-learn LassoCV (lambda_min)", t, cvs.coef_,
                    f"lambda_min {cvs.alpha_:.3g} (glmlx: {glmlx_lambda_min:.3g})", problem="lasso CV",
                    reference=True))
    return rows


def section_logistic(ctx: DemoContext) -> List[Row]:
    """A logistic lasso path (family="binomial") on the sign of the seed problem's response, and its CV."""
    from .cv import cv_glmnet
    from .glmnet import glmnet

    prob, reps = ctx.problem, ctx.repeats
    if prob.shape[1] < 2 or prob.shape[0] < 30:
        ctx.notes.append("logistic section skipped: it needs p >= 2 and n >= 30")
        return []
    # Labels from a noisy version of the linear signal, so the classes overlap.
    rng = np.random.default_rng(prob.seed + 1)
    signal = prob.X @ prob.w_star
    labels = (signal + rng.normal(scale=signal.std(), size=signal.size) > 0).astype(np.int64)
    t, fit = median_time(lambda: glmnet(prob.X, labels, family="binomial"), reps)
    lam = np.asarray(fit.lambdas)
    rows = [Row(f"logistic lasso path, glmnet(family='binomial') ({lam.size} lambdas)", t, None,
                f"dev ratio {float(np.asarray(fit.dev_ratio)[-1]):.4f} at lambda {lam[-1]:.3g}", problem="logistic")]
    foldid = np.random.default_rng(prob.seed).permutation(np.resize(np.arange(1, 11), prob.shape[0]))
    t, cv = median_time(lambda: cv_glmnet(prob.X, labels, family="binomial", foldid=foldid, type_measure="class"),
                        max(1, reps // 2))
    err = float(np.asarray(cv.cvm)[cv.index_min])
    rows.append(Row("10-fold CV, misclassification (binomial)", t, None,
                    f"lambda_min {cv.lambda_min:.3g}: CV error {err:.3f}", problem="logistic"))
    ctx.notes.append(f"logistic CV: misclassification {err:.3f} at lambda_min {cv.lambda_min:.4g}, "
                     f"{int(np.asarray(cv.nzero)[cv.index_min])} nonzero coefficients")
    return rows


#: Sections run in order by :func:`run_demo`; append new ones here.
SECTIONS: List[Callable[[DemoContext], List[Row]]] = [section_sgd, section_closed_form, section_lasso,
                                                       section_logistic]


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------
def _fmt_time(s: float) -> str:
    if s < 1e-3:
        return f"{s * 1e6:.0f} us"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def format_table(rows: List[Row], w_star: np.ndarray) -> str:
    """Markdown tables, one per problem (PROBLEMS): method, median time, speed against that problem's
    reference row, ||w - w*||, notes. Rows of different problems are never compared."""
    out = []
    for problem in dict.fromkeys(r.problem for r in rows):
        group = [r for r in rows if r.problem == problem]
        ref = next((r for r in group if r.reference), None)
        vs = f"vs {ref.method.split(' (')[0]}" if ref else "vs -"
        out += ["", f"#### {PROBLEMS[problem]}", "", f"| method | median time | {vs} | ||w - w*|| | notes |",
                "|---|---:|---:|---:|---|"]
        for r in group:
            err = f"{np.linalg.norm(r.coef - w_star):.3e}" if r.coef is not None else "-"
            speed = f"{ref.seconds / r.seconds:.2g}x" if ref and r.seconds > 0 else "-"
            out.append(f"| {r.method} | {_fmt_time(r.seconds)} | {speed} | {err} | {r.note} |")
    return "\n".join(out[1:])


def write_csv(path: str, rows: List[Row], w_star: np.ndarray) -> None:
    with open(path, "w", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(["method", "median_seconds", "coef_error_l2", "note", "problem"])
        for r in rows:
            err = float(np.linalg.norm(r.coef - w_star)) if r.coef is not None else math.nan
            wr.writerow([r.method, f"{r.seconds:.6g}", f"{err:.6g}", r.note, r.problem])


def save_plots(out: str, ctx: DemoContext, rows: List[Row]) -> List[str]:
    """Save the PNGs; returns their paths, or [] (with a message) when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: skipping the PNG plots (pip install matplotlib)")
        return []
    paths = []
    curves = {k: v for k, v in ctx.histories.items() if not k.startswith("_")}
    if curves:
        fig, ax = plt.subplots(figsize=(6, 4))
        for name, h in curves.items():
            ax.semilogy(np.arange(1, len(h) + 1), h, label=name)
        if "_optimum" in ctx.histories:
            ax.axhline(float(ctx.histories["_optimum"][0]), color="k", ls="--", lw=1, label="closed-form optimum")
        ax.set_xlabel("step")
        ax.set_ylabel("0.5 * mean squared error")
        n, p = ctx.problem.shape
        ax.set_title(f"Loss history (n={n}, p={p})")
        ax.legend()
        fig.tight_layout()
        paths.append(os.path.join(out, "loss_history.png"))
        fig.savefig(paths[-1], dpi=120)
        plt.close(fig)
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(rows) + 1.5))
    ax.barh([f"[{r.problem}] {r.method}" for r in rows][::-1], [r.seconds for r in rows][::-1])
    ax.set_xscale("log")
    ax.set_xlabel("median time (s, log scale)")
    ax.set_title("Time to fit (compare bars of one [problem] only)")
    fig.tight_layout()
    paths.append(os.path.join(out, "timings.png"))
    fig.savefig(paths[-1], dpi=120)
    plt.close(fig)
    for name, draw in ctx.figures.items():
        paths.append(os.path.join(out, name))
        axes = draw(paths[-1])  # the plots return their Axes (a list for several panels)
        plt.close((axes[0] if isinstance(axes, list) else axes).figure)
    return paths


def run_demo(n: int = 10_000, p: int = 100, seed: int = 42, out: str = "glmlx-demo", repeats: int = 5,
             steps: int = 1200, lr: float = 0.01, progress: bool = True,
             sections: Optional[List[Callable[[DemoContext], List[Row]]]] = None) -> int:
    """Run the demo sections on the seed problem, print the table, save results.csv and the plots in ``out``."""
    if repeats < 1 or steps < 1 or not (lr > 0):
        raise ValueError(f"repeats and steps must be >= 1 and lr > 0, got {repeats}, {steps}, {lr}")
    prob = make_problem(n, p, seed)
    print(f"glmlx demo: n={n}, p={p}, seed={seed}, noise {prob.noise:g}, float64 on the CPU "
          f"(median of {repeats} runs)")
    ctx = DemoContext(prob, repeats=repeats, steps=steps, lr=lr, progress=progress)
    rows: List[Row] = []
    for section in sections or SECTIONS:
        rows.extend(section(ctx))
    order = list(dict.fromkeys(r.problem for r in rows))
    rows.sort(key=lambda r: order.index(r.problem))  # the table's order, in the CSV too (the sort is stable)
    print()
    print(format_table(rows, prob.w_star))
    for note in ctx.notes:
        print(f"- {note}")
    os.makedirs(out, exist_ok=True)
    write_csv(os.path.join(out, "results.csv"), rows, prob.w_star)
    print(f"\nresults saved in {os.path.abspath(out)}/: results.csv")
    for path in save_plots(out, ctx, rows):
        print(f"  plot: {path}")
    return 0
