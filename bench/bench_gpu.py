"""GPU benchmark: glmlx's kernels on an NVIDIA (CUDA) or Apple (Metal) GPU against the CPU path on the same machine
and R glmnet. One script, about 5 minutes on an H100/H200; on a machine without a GPU it runs the CPU rows only.

A benchmark, not a test: it prints tables and asserts nothing.

    python bench/bench_gpu.py                 # everything
    python bench/bench_gpu.py --quick         # smaller sizes (a smoke run)
    python bench/bench_gpu.py --no-r --peak-gbs 3350

Sections (fixed seeds; every time is the median of --repeats runs after a warm-up, end to end from numpy,
results read back to the host):

1. soft_threshold, float32, 2**27 elements (512 MiB in, 512 MiB out): GB/s = 2 * 4 * n / time, against MLX's
   own ``mx.abs`` on the same array (a unary kernel: what the memory system gives) and the card's peak
   (``--peak-gbs``, else a table by the device's name: H100 SXM 3350, H100 PCIe 2000, H200 4800).
2. The batched path: ``glmnet_many(X, Y, stream=mx.gpu)`` for B responses over X (10000 x p) at p = 200, 1000,
   5000 and B = 1, 10, 110, 1000 (the Gram matrix and standardization included), against
   ``glmnet_many(X, Y)`` on the CPU and R's ``glmnet(X, Y[, k])`` called B times (at most --r-calls timed and
   scaled; one at p = 5000). CPU rows of p >= 1000 and sections 3-4 time one call without a warm-up. Rows whose path outputs would pass 4 GiB (p = 5000, B = 1000) are left out.
3. Cross-validation: 10 folds x 11 alphas (0, 0.1, ..., 1) at 100000 x 1000 float32, Gram matrices included:
   ``cva_glmnet`` (the fold Grams once, folds x alphas in one kernel call) on the GPU, 11 ``cv_glmnet`` calls on
   the GPU, and ``cva_glmnet`` on the CPU.
4. Many responses: 1000 responses x 1000 features (n = 10000), whole paths, GPU against CPU.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import mlx.core as mx
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_glmnet import median_time, r_available  # noqa: E402

PEAK_GBS = {"H100 PCIe": 2000.0, "H100": 3350.0, "H200": 4800.0, "A100": 2039.0}

R_SCRIPT = r"""
suppressMessages(library(glmnet))
a <- commandArgs(trailingOnly = TRUE)
d <- a[1]; n <- as.integer(a[2]); p <- as.integer(a[3]); K <- as.integer(a[4])
X <- matrix(readBin(file.path(d, "X.f64"), "double", n * p), n, p)
Y <- matrix(readBin(file.path(d, "Y.f64"), "double", n * K), n, K)
invisible(glmnet(X, Y[, 1]))
cat(system.time(for (k in 1:K) glmnet(X, Y[, k]))[["elapsed"]], "\n")
"""


def log(msg):
    print(f"[bench_gpu {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def timed(fn, repeats, warm=True):
    """Median seconds of ``repeats`` calls after bench_glmnet's warm-up (at least one call); ``warm=False``: one
    call, timed as it is (the CPU rows of several seconds, to keep the script within 5 minutes)."""
    if not warm:
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0
    return median_time(fn, repeats)[0]


def device_name() -> str:
    if shutil.which("nvidia-smi"):
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True,
                             text=True)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip().splitlines()[0]
    if mx.metal.is_available():
        return str(mx.metal.device_info().get("device_name", "Apple GPU"))
    return "no GPU"


def problem(n, p, K, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 0.3 * rng.standard_normal((n, 1))
    B = np.zeros((p, K))
    for k in range(K):
        B[rng.choice(p, min(10, p), replace=False), k] = rng.standard_normal(min(10, p))
    return X.astype(dtype), X @ B + rng.standard_normal((n, K))


def r_loop(X, Y, calls):
    """Seconds for R's glmnet called on Y's first ``calls`` columns, one Rscript process."""
    n, p = X.shape
    with tempfile.TemporaryDirectory() as d:
        X.T.astype(np.float64).tofile(os.path.join(d, "X.f64"))
        Y[:, :calls].T.astype(np.float64).tofile(os.path.join(d, "Y.f64"))
        with open(os.path.join(d, "run.R"), "w") as f:
            f.write(R_SCRIPT)
        out = subprocess.run(["Rscript", os.path.join(d, "run.R"), d, str(n), str(p), str(calls)],
                             capture_output=True, text=True, timeout=1800)
        return float(out.stdout.split()[0])


def section_soft_threshold(glmlx, gpu, args):
    n = 2**22 if args.quick else 2**27
    x = mx.random.normal((n,), key=mx.random.key(0), stream=gpu)
    mx.eval(x)
    t_st = timed(lambda: mx.eval(glmlx.soft_threshold(x, 0.5, stream=gpu)), args.repeats)
    t_abs = timed(lambda: mx.eval(mx.abs(x, stream=gpu)), args.repeats)
    name = device_name()
    peak = args.peak_gbs or next((v for k, v in PEAK_GBS.items() if k in name), None)
    gbs = lambda t: 2 * 4 * n / t / 1e9  # noqa: E731
    print(f"\n## soft_threshold, float32, {n} elements ({name})\n")
    print("| kernel | ms | GB/s | of mx.abs | of peak |")
    print("|---|---|---|---|---|")
    for label, t in (("glmlx.soft_threshold", t_st), ("mx.abs (MLX)", t_abs)):
        of_peak = f"{gbs(t) / peak:.0%}" if peak else "?"
        print(f"| {label} | {t * 1e3:.3f} | {gbs(t):.0f} | {t_abs / t:.0%} | {of_peak} |")


def section_batched(glmlx, gpu, args, r_ok):
    ps = (200, 1000) if args.quick else (200, 1000, 5000)
    Bs = (1, 10, 110) if args.quick else (1, 10, 110, 1000)
    n = 2000 if args.quick else 10000
    print(f"\n## Batched path: glmnet_many, X {n} x p, B responses (seconds)\n")
    print("| p | B | GPU | CPU (glmlx) | R glmnet x B | CPU / GPU | R / GPU |")
    print("|---|---|---|---|---|---|---|")
    for p in ps:
        X, Y = problem(n, p, max(Bs))
        X32 = X.astype(np.float32)
        for B in Bs:
            if B * p * 100 * 8 > 4 * 2**30:
                print(f"| {p} | {B} | left out (path outputs over 4 GiB) | | | | |")
                continue
            log(f"batched p={p} B={B}")
            t_gpu = timed(lambda: glmlx.glmnet_many(X32, Y[:, :B], stream=gpu), args.repeats) if gpu else None
            t_cpu = timed(lambda: glmlx.glmnet_many(X32, Y[:, :B]), args.repeats, warm=p < 1000)
            t_r = None
            if r_ok:
                calls = min(B, args.r_calls if p < 5000 else 1)
                t_r = r_loop(X, Y, calls) * B / calls
            fmt = lambda t: "-" if t is None else f"{t:.3f}"  # noqa: E731
            ratio = lambda a, b: "-" if a is None or b is None else f"{a / b:.1f}"  # noqa: E731
            print(f"| {p} | {B} | {fmt(t_gpu)} | {fmt(t_cpu)} | {fmt(t_r)} | {ratio(t_cpu, t_gpu)} | "
                  f"{ratio(t_r, t_gpu)} |", flush=True)


def section_cv(glmlx, gpu, args):
    n, p = (10000, 200) if args.quick else (100000, 1000)
    X, Y = problem(n, p, 1, dtype=np.float32)
    y = Y[:, 0]
    foldid = np.random.default_rng(1).permutation(np.resize(np.arange(10), n))
    alphas = np.linspace(0, 1, 11)
    log("cv")
    # folds x alphas in one batch (cva_glmnet); and 11 cv_glmnet calls, which form the fold Grams each time
    t_gpu = timed(lambda: glmlx.cva_glmnet(X, y, alphas=alphas, foldid=foldid, stream=gpu), args.repeats) \
        if gpu else None
    t_gpu_loop = timed(lambda: [glmlx.cv_glmnet(X, y, foldid=foldid, alpha=a, stream=gpu) for a in alphas], 1,
                       warm=False) if gpu else None
    t_cpu = timed(lambda: glmlx.cva_glmnet(X, y, alphas=alphas, foldid=foldid), 1, warm=False)
    fmt = lambda t: "-" if t is None else f"{t:.3f}"  # noqa: E731
    print(f"\n## 10-fold CV x 11 alphas, {n} x {p} float32 (seconds, Gram matrices included)\n")
    print("| GPU, cva_glmnet | GPU, cv_glmnet x 11 | CPU, cva_glmnet | CPU / GPU |")
    print("|---|---|---|---|")
    print(f"| {fmt(t_gpu)} | {fmt(t_gpu_loop)} | {t_cpu:.2f} | {'-' if t_gpu is None else f'{t_cpu / t_gpu:.1f}'} |")


def section_many(glmlx, gpu, args):
    n, p, K = (2000, 200, 100) if args.quick else (10000, 1000, 1000)
    X, Y = problem(n, p, K, dtype=np.float32)
    log("many responses")
    t_gpu = timed(lambda: glmlx.glmnet_many(X, Y, stream=gpu), args.repeats) if gpu else None
    t_cpu = timed(lambda: glmlx.glmnet_many(X, Y), 1, warm=False)
    print(f"\n## Many responses: {K} responses x {p} features, n = {n}, whole paths (seconds)\n")
    print("| GPU | CPU (glmlx) | CPU / GPU |")
    print("|---|---|---|")
    print(f"| {'-' if t_gpu is None else f'{t_gpu:.3f}'} | {t_cpu:.2f} | "
          f"{'-' if t_gpu is None else f'{t_cpu / t_gpu:.1f}'} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--r-calls", type=int, default=5, help="R glmnet calls timed per row (scaled to B)")
    ap.add_argument("--peak-gbs", type=float, default=None)
    ap.add_argument("--sections", default="soft_threshold,batched,cv,many")
    args = ap.parse_args()
    import glmlx

    gpu = mx.default_stream(mx.Device(mx.gpu)) if mx.is_available(mx.gpu) else None
    print(f"# glmlx GPU benchmark, {time.strftime('%Y-%m-%d')}: device {device_name()}, glmlx backend "
          f"{glmlx.gpu_backend()}, MLX {mx.__version__}, {os.cpu_count()} CPUs")
    if gpu is None:
        print("\nNo GPU in this MLX: the GPU columns are '-'.")
    r_ok = not args.no_r and r_available()[0]
    sections = args.sections.split(",")
    if "soft_threshold" in sections and gpu is not None:
        section_soft_threshold(glmlx, gpu, args)
    if "batched" in sections:
        section_batched(glmlx, gpu, args, r_ok)
    if "cv" in sections:
        section_cv(glmlx, gpu, args)
    if "many" in sections:
        section_many(glmlx, gpu, args)


if __name__ == "__main__":
    main()
