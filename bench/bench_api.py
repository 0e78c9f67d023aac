"""What the user-facing layers cost over the functional API: pandas input, the scikit-learn estimators,
printouts and assessment.

A benchmark, not a test: it prints a table and asserts nothing.

Usage::

    python bench/bench_api.py [--sizes 10000x100,2000x500] [--repeats 7] [--json PATH]

Rows, per size (gaussian lasso path, glmnet's defaults; CV rows: 10 folds, the same foldid):

* ``glmnet(numpy)``: the baseline, X float64 C-ordered.
* ``glmnet(DataFrame)`` / ``glmnet(DataFrame Float64)``: X as a pandas DataFrame of float64 columns, and of
  pandas' nullable Float64 columns (each column is NA-checked and copied).
* ``glmnet(X[::-1] view)``: a reversed-rows view (no copy made by the caller).
* ``GlmnetRegressor.fit``: the scikit-learn estimator (scikit-learn's validate_data, then glmnet).
* ``cv_glmnet`` / ``GlmnetRegressorCV.fit``: the same for 10-fold CV.
* ``str(fit)`` and ``assess_glmnet`` on 1000 new rows: R's printout and measures.

Each row: median of ``--repeats`` calls after one warm-up; the ratio to the baseline of its group.
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

import glmlx


def median_time(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def run(n: int, p: int, repeats: int) -> list:
    import pandas as pd

    rng = np.random.default_rng(n + p)
    X = rng.standard_normal((n, p))
    beta = np.zeros(p)
    beta[: max(2, p // 10)] = rng.standard_normal(max(2, p // 10))
    y = X @ beta + rng.standard_normal(n)
    names = [f"x{j}" for j in range(p)]
    df = pd.DataFrame(X, columns=names)
    dfn = df.astype("Float64")
    Xrev, yrev = X[::-1], y[::-1]  # views with negative strides
    foldid = rng.permutation(np.resize(np.arange(1, 11), n))
    rows = []

    def add(group, name, fn, base=None):
        t = median_time(fn, repeats)
        rows.append({"size": f"{n}x{p}", "group": group, "row": name, "seconds": t,
                     "ratio": t / base if base else 1.0})
        return t

    base = add("path", "glmnet(numpy)", lambda: glmlx.glmnet(X, y))
    add("path", "glmnet(DataFrame)", lambda: glmlx.glmnet(df, y), base)
    add("path", "glmnet(DataFrame Float64)", lambda: glmlx.glmnet(dfn, y), base)
    add("path", "glmnet(X[::-1] view)", lambda: glmlx.glmnet(Xrev, yrev), base)
    add("path", "GlmnetRegressor.fit", lambda: glmlx.GlmnetRegressor().fit(df, y), base)
    base = add("cv", "cv_glmnet", lambda: glmlx.cv_glmnet(X, y, foldid=foldid), None)
    add("cv", "GlmnetRegressorCV.fit", lambda: glmlx.GlmnetRegressorCV().fit(df, y, foldid=foldid), base)
    fit = glmlx.glmnet(X, y)
    Xt = rng.standard_normal((1000, p))
    yt = Xt @ beta + rng.standard_normal(1000)
    add("extras", "str(fit) (R's table)", lambda: str(fit))
    add("extras", "assess_glmnet (1000 rows, all lambdas)", lambda: glmlx.assess_glmnet(fit, Xt, yt))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10000x100,2000x500")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--json")
    args = ap.parse_args()
    rows = []
    for size in args.sizes.split(","):
        n, p = (int(v) for v in size.split("x"))
        rows += run(n, p, args.repeats)
    print("| size | row | median | ratio to its group's first row |")
    print("|---|---|---:|---:|")
    for r in rows:
        print(f"| {r['size']} | {r['row']} | {r['seconds'] * 1e3:.2f} ms | {r['ratio']:.2f} |")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
