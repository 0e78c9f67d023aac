"""Threads under load: glmlx's own splitting of products, its single-threaded OpenBLAS, bits that do not
depend on the load, and numpy's OpenBLAS pool left asleep (docs/ARCHITECTURE.md, Threads and memory).

Timing goals live in bench/bench_load.py; these tests check behaviour only.
"""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import glmlx
from glmlx._ext_loader import _ext
from glmlx.primitives import host_matmul


def _run(code, busy=0, timeout=300):
    """Runs code in a fresh interpreter beside `busy` spinning processes; returns its stdout."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(busy)]
    try:
        out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                             timeout=timeout)
    finally:
        for s in spinners:
            s.kill()
            s.wait()
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def _reference_gram(X, y, w, center):
    X, y, w = (np.asarray(a, dtype=np.float64) for a in (X, y, w))
    if center:
        xbar = w @ X / w.sum()
        ybar = w @ y / w.sum()
        X = X - xbar
        y = y - ybar
    return (X * w[:, None]).T @ X, (X * w[:, None]).T @ y


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("weights", ["uniform", "random"])
def test_gram_in_parts_matches_reference(dtype, order, weights):
    """Products large enough to be split over row parts (n p^2 >= 5e7) equal the one-pass reference."""
    rng = np.random.default_rng(1)
    n, p = 6000, 120
    X = np.asarray(rng.standard_normal((n, p)) + 3.0, dtype=dtype, order=order)
    Y = np.asarray(rng.standard_normal((n, 3)), dtype=dtype)
    w = np.full(n, 1.0 / n, dtype) if weights == "uniform" else rng.uniform(0.5, 2.0, n).astype(dtype)
    for center in (False, True):
        G, XtY, *_ = _ext.gram_numpy(X, Y, w, center)
        G_ref, XtY_ref = _reference_gram(X, Y, w, center)
        tol = 1e-10 if dtype == np.float64 else 2e-4
        scale = np.abs(G_ref).max()
        np.testing.assert_allclose(np.asarray(G, np.float64), G_ref, rtol=0, atol=tol * scale)
        np.testing.assert_allclose(np.asarray(XtY, np.float64), XtY_ref, rtol=0, atol=tol * np.abs(XtY_ref).max())
        np.testing.assert_array_equal(np.asarray(G), np.asarray(G).T)


@pytest.mark.parametrize("shape", [(1, 400000, 200), (200000, 300, 1), (3000, 200, 150), (150, 200, 3000)])
def test_host_matmul_in_parts_matches_numpy(shape):
    """host_matmul's split over output rows or columns (from 5e7 flops) gives numpy's product."""
    m, k, n = shape
    rng = np.random.default_rng(2)
    A, B = rng.standard_normal((m, k)), rng.standard_normal((k, n))
    C = host_matmul(A, B)
    np.testing.assert_allclose(C, np.einsum("ik,kj->ij", A, B), rtol=1e-10, atol=1e-10 * np.sqrt(k))


def test_glmlx_openblas_stays_single_threaded():
    """glmlx's OpenBLAS runs one thread after import and after a large lstsq (a ThreadScope) returns."""
    out = _run("""
        import numpy as np, glmlx, threadpoolctl
        def glmlx_blas():
            return [i["num_threads"] for i in threadpoolctl.threadpool_info()
                    if "scipy_openblas32" in i["filepath"]]
        before = glmlx_blas()
        rng = np.random.default_rng(0)
        X = rng.standard_normal((4000, 300)); y = rng.standard_normal(4000)
        glmlx.lstsq(X, y, method="qr")
        print(before, glmlx_blas())
    """)
    assert out.split() == ["[1]", "[1]"], out


def test_results_do_not_depend_on_load_or_cores():
    """A gaussian path (its Gram in parts) and a binomial path (two-part sums, with or without the helper
    thread) give the same bits idle, beside two busy processes, and pinned to one core."""
    code = """
        import os, sys, numpy as np, glmlx
        if sys.argv[-1:] == ["pin"]:
            os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        rng = np.random.default_rng(5)
        X = rng.standard_normal((6000, 150))
        eta = (X[:, :6] * np.array([0.8, -0.6, 0.5, 0.3, -0.4, 0.2])).sum(axis=1)
        yb = (rng.random(6000) < 1 / (1 + np.exp(-eta))).astype(float)
        g = glmlx.glmnet(X, eta + rng.standard_normal(6000))
        b = glmlx.glmnet(X, yb, family="binomial")
        out = np.concatenate([np.asarray(g.beta).ravel(), np.asarray(b.beta).ravel(), np.asarray(b.a0).ravel()])
        sys.stdout.write(out.tobytes().hex())
    """
    idle = _run(code)
    loaded = _run(code, busy=2)
    pinned = _run(code.replace("sys.argv[-1:] == [\"pin\"]", "True"))
    assert idle == loaded
    assert idle == pinned


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads thread CPU times from /proc")
def test_numpy_pool_left_asleep():
    """glmlx's fits and CV make no call into numpy's OpenBLAS, whose pool would spin afterwards on a core
    that glmlx's threads (or another process) need. Control: one numpy product does wake it."""
    out = _run("""
        import os, time, numpy as np
        def cpu(tids):
            total = 0
            for t in tids:
                try:
                    f = open(f"/proc/self/task/{t}/stat").read().rsplit(")", 1)[1].split()
                except FileNotFoundError:
                    continue
                total += int(f[11]) + int(f[12])  # utime + stime, clock ticks
            return total / os.sysconf("SC_CLK_TCK")
        pool = [t for t in os.listdir("/proc/self/task") if int(t) != os.getpid()]  # numpy's OpenBLAS workers
        import glmlx
        rng = np.random.default_rng(0)
        X = rng.standard_normal((20000, 300))
        y = (X[:, :5] * 0.5).sum(axis=1) + rng.standard_normal(20000)
        time.sleep(0.3)
        t0 = cpu(pool)
        glmlx.glmnet(X, y)
        glmlx.glmnet(X[:5000, :200], (y[:5000] > 0) * 1.0, family="binomial")
        glmlx.cv_glmnet(X[:5000, :200], y[:5000], nfolds=5, seed=0)
        glmlx.glmnet(X[:2000], y[:2000], type_gaussian="naive")
        time.sleep(0.3)
        t1 = cpu(pool)
        A = rng.standard_normal((1500, 1500))
        for _ in range(5):
            A @ A
        time.sleep(0.05)
        t2 = cpu(pool)
        print(len(pool), t1 - t0, t2 - t1)
    """)
    workers, glmlx_cpu, numpy_cpu = out.split()
    if int(workers) == 0:
        pytest.skip("numpy's OpenBLAS runs without a thread pool here")
    assert float(glmlx_cpu) <= 0.02, out
    assert float(numpy_cpu) > 0.02, out  # the measure does see a busy pool
