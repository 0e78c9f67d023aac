"""Memory amplification: the peak memory a fit adds, as a multiple of X's own bytes.

A benchmark, not a test: it prints a table and asserts nothing.

Usage::

    python bench/bench_memory.py [--n 20000] [--p 500] [--families gaussian,binomial,...] [--json PATH]

Each case runs in a fresh interpreter: it makes X (float32 or float64) and y, imports glmlx and runs the call
once on a small problem (so MLX, BLAS and the kept buffers of the first call do not count), then resets the
kernel's peak-RSS mark (``/proc/self/clear_refs``, Linux), runs ``glmnet`` (or ``cv_glmnet``, 5 folds) and reads
the peak (``VmHWM``). The figure is (peak - RSS before the call) / X.nbytes. Goals (issue "Reliability", item 9):
at most 2.5 for any family on float32 X and 1.5 on float64 X.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap

CASE = r"""
import sys, numpy as np
family, dtype, n, p, cv = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "cv"
rng = np.random.default_rng(0)
X = np.empty((n, p), dtype=dtype)
for i in range(0, n, 1000):  # in blocks: no float64 temporary of the whole X
    X[i:i + 1000] = rng.standard_normal((min(1000, n - i), p))
eta = 0.5 * (X[:, 0].astype(np.float64) - X[:, 1] + 0.5 * X[:, 2])
y = {"gaussian": eta + rng.standard_normal(n), "binomial": (rng.random(n) < 1 / (1 + np.exp(-eta))) * 1.0,
     "poisson": rng.poisson(np.exp(eta)) * 1.0, "multinomial": rng.integers(0, 3, n) * 1.0,
     "mgaussian": np.c_[eta, -eta] + rng.standard_normal((n, 2))}[family]
import glmlx
call = (lambda X, y: glmlx.cv_glmnet(X, y, family=family, nfolds=5, seed=0)) if cv else \
       (lambda X, y: glmlx.glmnet(X, y, family=family))
call(X[:500, :20].copy(), y[:500])  # warm-up: imports, MLX start-up
glmlx.clear_cache()
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
before = status("VmRSS")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
call(X, y)
print(X.nbytes, before, status("VmHWM"))
"""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--p", type=int, default=500)
    ap.add_argument("--families", default="gaussian,binomial,poisson,multinomial,mgaussian")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    rows = []
    print(f"| family | call | X float32 | X float64 |  (n = {args.n}, p = {args.p}; peak added memory / X bytes)")
    print("|---|---|---|---|")
    for family in args.families.split(","):
        for cv in (False, True):
            cells = []
            for dtype in ("float32", "float64"):
                out = subprocess.run([sys.executable, "-c", textwrap.dedent(CASE), family, dtype, str(args.n),
                                      str(args.p), "cv" if cv else "fit"], capture_output=True, text=True)
                if out.returncode != 0:
                    cells.append("error: " + out.stderr.strip().splitlines()[-1][:60])
                    continue
                xb, before, peak = (int(v) for v in out.stdout.split())
                ratio = (peak - before) / xb
                rows.append({"family": family, "cv": cv, "dtype": dtype, "ratio": ratio, "x_bytes": xb})
                cells.append(f"{ratio:.2f}x")
            print(f"| {family} | {'cv_glmnet' if cv else 'glmnet'} | " + " | ".join(cells) + " |", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
