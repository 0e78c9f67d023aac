"""The GPU kernels without a GPU: the Metal sources compiled as C++ under tests/metal_shim and run
against the CPU solvers (and glmnet's float64 path on the R parity fixtures), and a lint of what
Metal's compiler rejects but g++ accepts. The CUDA build check is tests/ops/test_cuda_build.py."""
from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import mlx.core as mx
import numpy as np
import pytest

import glmlx
from glmlx import gaussian
from conftest import fixture_cases, load_fixture
from parity.test_glmnet_parity import fit_from_fixture

ROOT = Path(__file__).resolve().parents[2]
CSRC = ROOT / "csrc"
SHIM = ROOT / "tests" / "metal_shim"
METAL_SOURCES = sorted((CSRC / "backend" / "metal" / "kernels").glob("*.metal"))
DEVICE_HEADERS = [CSRC / "backend" / "common" / "device_prelude.h", CSRC / "backend" / "common" / "gaussian_cd.h",
                  CSRC / "include" / "glmlx" / "kernels" / "device_math.h"]
CXX = shutil.which("g++") or shutil.which("c++")
pytestmark = pytest.mark.skipif(CXX is None, reason="no C++ compiler to run the Metal emulator")


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    """The Metal sources built as one C++ program under the shim (tests/metal_shim/run_kernels.cpp)."""
    out = tmp_path_factory.mktemp("metal_shim") / "run_kernels"
    cmd = [CXX, "-std=c++20", "-O2", "-Wall", "-Werror", "-Wno-attributes", "-pthread", "-D__METAL_VERSION__=310",
           f"-I{SHIM}", f"-I{CSRC}", f"-I{CSRC / 'include'}", str(SHIM / "run_kernels.cpp"), "-o", str(out)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return out


def _run(emulator, args, cwd):
    res = subprocess.run([str(emulator), *args], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr


# ---------------------------------------------------------------------------------------------------------
# The batched covariance-mode kernel
# ---------------------------------------------------------------------------------------------------------

def _params(B, p, L, grams, per_problem_alpha, s):
    stops_from = s.mnl - s.m_offset if s.early_stop else 2**31 - 1
    return struct.pack("<9i4f", B, p, L, grams, s.maxit, min(s.pmax, 2**31 - 1), min(s.dfmax, 2**31 - 1),
                       stops_from, int(per_problem_alpha), s.alpha, s.thresh, s.sml, s.rsqmax)


def emulated_cov_path(emulator, workdir, threads, C, g, beta, rsq, rank, lambdas, penalty, limits, include, warm,
                      xv, lambda_prev, settings, alpha=None):
    """gaussian_cov_path's outputs (as numpy) from the Metal kernel under the emulator."""
    f32 = lambda a: np.ascontiguousarray(np.asarray(a), dtype=np.float32)  # noqa: E731
    i32 = lambda a: np.ascontiguousarray(np.asarray(a), dtype=np.int32)  # noqa: E731
    C = f32(C)
    B, p = np.asarray(g).shape
    L = np.asarray(lambdas).shape[1]
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "params.bin").write_bytes(_params(B, p, L, C.shape[0], alpha is not None, settings))
    f32(np.zeros(B) if alpha is None else alpha).tofile(workdir / "alphas.bin")
    for name, arr in (("C", C), ("g", f32(g)), ("beta", f32(beta)), ("rsq", f32(rsq)), ("rank", i32(rank)),
                      ("lambdas", f32(lambdas)), ("penalty", f32(penalty)), ("limits", f32(limits)),
                      ("include", f32(include)), ("warm", i32(warm)), ("xv", f32(xv))):
        arr.tofile(workdir / f"{name}.bin")
    _run(emulator, ["gaussian_cd", str(workdir), str(threads)], workdir)
    read = lambda name, dt, shape: np.fromfile(workdir / f"{name}.bin", dtype=dt).reshape(shape)  # noqa: E731
    return (read("beta_path", np.float32, (B, L, p)), read("rsq_path", np.float32, (B, L + 1)),
            read("g_out", np.float32, (B, p)), read("beta_out", np.float32, (B, p)),
            read("rank_out", np.int32, (B, p)), read("stats", np.int32, (B, 4)))


class _EmulatedExt:
    """glmlx._ext with gaussian_cov_path answered by the emulated Metal kernel (float32 only)."""

    def __init__(self, real, emulator, workdir, threads):
        self._real, self._emulator, self._workdir, self._threads = real, emulator, workdir, threads
        self.calls = 0

    def __getattr__(self, name):
        return getattr(self._real, name)

    def gaussian_cov_path(self, C, *common, stream=None, alpha=None):
        assert C.dtype == mx.float32, "the device kernel is float32"
        self.calls += 1
        outs = emulated_cov_path(self._emulator, self._workdir / f"call{self.calls}", self._threads, C, *common,
                                 alpha=None if alpha is None else np.asarray(alpha))
        return [mx.array(o) for o in outs]


@pytest.fixture
def on_emulated_kernel(emulator, tmp_path, monkeypatch):
    def use(threads=8):
        ext = _EmulatedExt(gaussian._ext, emulator, tmp_path, threads)
        monkeypatch.setattr(gaussian, "_ext", ext)
        return ext
    return use


def _cpu_problem(seed=0, B=3, n=120, p=17, shared=True):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 0.4 * rng.standard_normal((n, 1))  # correlated columns
    X = (X - X.mean(0)) / X.std(0)
    C = (X.T @ X / n)[None] if shared else np.stack([(X.T @ X / n) * (1 + 0.1 * b) for b in range(B)])
    np.fill_diagonal(C[0], 1.0)
    Y = X[:, :4] @ rng.standard_normal((4, B)) + rng.standard_normal((n, B))
    Y = (Y - Y.mean(0)) / Y.std(0)
    g = (X.T @ Y / n).T
    lmax = np.abs(g).max(axis=1)
    L = 30
    lambdas = lmax[:, None] * np.logspace(0, -2.5, L)[None, :]
    xv = np.stack([np.diag(C[min(b, C.shape[0] - 1)]) for b in range(B)])
    return dict(C=C, g=g, beta=np.zeros((B, p)), rsq=np.zeros(B), rank=-np.ones((B, p), dtype=np.int32),
                lambdas=lambdas, penalty=np.ones((B, p)), limits=np.stack([np.full((2, p), -1e30) * [[1], [-1]]] * B),
                include=np.ones((B, p)), warm=np.zeros(B, dtype=np.int32), xv=xv, lambda_prev=np.zeros(B))


def _settings(**kw):
    s = glmlx._ext.GaussianPathSettings()
    for k, v in kw.items():
        setattr(s, k, v)
    return s


def _cpu_cov_path(pb, s, alpha=None):
    args = [mx.array(pb[k], dtype=mx.int32 if k in ("rank", "warm") else mx.float32)
            for k in ("C", "g", "beta", "rsq", "rank", "lambdas", "penalty", "limits", "include", "warm", "xv",
                      "lambda_prev")]
    outs = glmlx._ext.gaussian_cov_path(*args, s, alpha=None if alpha is None else mx.array(alpha, dtype=mx.float32))
    mx.eval(outs)
    return [np.asarray(o) for o in outs]


@pytest.mark.parametrize("threads", [1, 4, 32])
@pytest.mark.parametrize("shared", [True, False])
def test_kernel_matches_the_cpu_float32_solver(emulator, tmp_path, threads, shared):
    pb = _cpu_problem(shared=shared)
    pb["penalty"][:, 2] = 0.0  # an unpenalized variable
    pb["penalty"][1, 5] = 2.0
    pb["include"][:, 7] = 0.0  # an excluded one
    pb["limits"][2, 1, 3] = 0.05  # an upper limit
    s = _settings(alpha=0.8, thresh=1e-7)
    cpu = _cpu_cov_path(pb, s)
    dev = emulated_cov_path(emulator, tmp_path, threads, **pb, settings=s)
    beta_cpu, beta_dev = cpu[0], dev[0]
    np.testing.assert_array_equal(dev[5][:, 1], cpu[5][:, 1])  # points fitted
    np.testing.assert_array_equal(dev[5][:, 2], cpu[5][:, 2])  # error codes
    np.testing.assert_array_equal(dev[4], cpu[4])  # the same order of entry
    assert np.max(np.abs(beta_dev - beta_cpu)) <= 1e-5 * np.max(np.abs(beta_cpu))
    np.testing.assert_allclose(dev[1], cpu[1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dev[2], cpu[2], atol=1e-5)
    assert np.all(np.abs(dev[5][:, 0] - cpu[5][:, 0]) <= 2)  # passes: float32 rounding may add or save one
    assert np.all(beta_dev[2, :, 3] <= 0.05 + 1e-7) and np.all(beta_dev[:, :, 7] == 0)


def test_kernel_takes_each_problem_s_alpha_and_grams_shared_by_groups(emulator, tmp_path):
    """Folds x alphas in one call: B = 6 problems over G = 3 Gram matrices (problem b reads C[b mod 3]), each with
    its own alpha, as the CPU solver does them."""
    base = _cpu_problem(seed=4, B=3, shared=False)
    pb = {k: (v if k == "C" else np.concatenate([v, v])) for k, v in base.items()}
    alpha = np.array([1.0, 1.0, 1.0, 0.3, 0.3, 0.3])
    s = _settings()
    cpu = _cpu_cov_path(pb, s, alpha)
    dev = emulated_cov_path(emulator, tmp_path, 4, **pb, settings=s, alpha=alpha)
    np.testing.assert_array_equal(dev[5][:, 1:3], cpu[5][:, 1:3])
    assert np.max(np.abs(dev[0] - cpu[0])) <= 1e-5 * np.max(np.abs(cpu[0]))
    # the alpha = 0.3 problems are the alpha = 0.3 problems of a call with alpha in the settings
    ridge = _cpu_cov_path(base, _settings(alpha=0.3))
    np.testing.assert_allclose(cpu[0][3:], ridge[0], rtol=1e-6, atol=1e-7)
    assert not np.allclose(cpu[0][:3], cpu[0][3:])


def test_kernel_stops_as_the_cpu_solver(emulator, tmp_path):
    pb = _cpu_problem(seed=1)
    for kw, err in ((dict(maxit=7), 1), (dict(pmax=3), 2)):
        s = _settings(**kw)
        cpu = _cpu_cov_path(pb, s)
        dev = emulated_cov_path(emulator, tmp_path / str(err), 4, **pb, settings=s)
        np.testing.assert_array_equal(dev[5][:, 2], np.full(3, err))
        np.testing.assert_array_equal(dev[5][:, :3], cpu[5][:, :3])
    s = _settings(dfmax=2)  # an early stop: more than dfmax nonzero
    cpu, dev = _cpu_cov_path(pb, s), emulated_cov_path(emulator, tmp_path / "df", 4, **pb, settings=s)
    np.testing.assert_array_equal(dev[5][:, 1], cpu[5][:, 1])
    assert np.all(dev[5][:, 1] < pb["lambdas"].shape[1])


GAUSSIAN_CASES = [c for c in fixture_cases("glmnet", lambda stem: not stem.startswith("cv_"))]


@pytest.mark.parametrize("case", GAUSSIAN_CASES)
def test_emulated_kernel_path_against_glmnet_on_the_parity_fixtures(case, on_emulated_kernel):
    """The whole glmnet call (standardization, grid, blocks) with the Metal kernel in float32 against the
    float64 path (R's, to 1e-3): coefficients within 1e-4 of the largest; the same path length unless
    glmnet's stop is at a knife edge in float32."""
    d, prm = load_fixture("glmnet", case)
    prm = dict(prm, thresh=min(prm["thresh"], LOOSE_FOR_FLOAT32.get(case, 1.0)))
    if prm["type_gaussian"] == "naive":
        pytest.skip("glmnet's naive scheme runs on the CPU (the device kernel is its covariance scheme)")
    ref, _ = fit_from_fixture(d, prm)
    ext = on_emulated_kernel()
    d32 = dict(d, X=d["X"].astype(np.float32))
    dev, _ = fit_from_fixture(d32, prm)
    assert ext.calls >= 1
    beta_ref, beta_dev = np.asarray(ref.beta), np.asarray(dev.beta, dtype=np.float64)
    m = min(beta_ref.shape[1], beta_dev.shape[1])
    if case not in KNIFE_EDGE:
        assert beta_dev.shape[1] == beta_ref.shape[1]
    scale = max(np.max(np.abs(beta_ref)), 1e-12)
    assert np.max(np.abs(beta_dev[:, :m] - beta_ref[:, :m])) <= 1e-4 * scale
    assert dev.jerr == ref.jerr


def test_emulated_kernel_runs_cv_folds_and_many_responses_as_one_batch(on_emulated_kernel):
    """The device code path (Grams and standardization on a stream, here the CPU's) feeding the emulated kernel:
    10 CV folds + the full fit (11 Grams, one batch), and 3 responses sharing one Gram."""
    from glmlx import cv
    from glmlx.glmnet import _prepare

    rng = np.random.default_rng(11)
    X = (rng.standard_normal((250, 12)) + 0.5 * rng.standard_normal((250, 1))).astype(np.float32)
    Y = X[:, :3] @ rng.standard_normal((3, 3)) + rng.standard_normal((250, 3))
    cpu = mx.default_stream(mx.Device(mx.cpu))
    args = dict(family="gaussian", alpha=0.9, nlambda=40, lambda_min_ratio=None, lambdas=None, weights=None,
                penalty_factor=None, lower_limits=-np.inf, upper_limits=np.inf, standardize=True,
                fit_intercept=True, thresh=1e-9, maxit=100000, dfmax=None, pmax=None, exclude=None,
                type_gaussian="covariance")
    prob64 = _prepare(X.astype(np.float64), Y[:, 0], dtype=mx.float64, **args)
    fold = np.arange(250) % 10
    flmins = np.full(10, prob64.flmin)
    ref_full, ref_folds = cv._gaussian_paths(prob64, fold, 10, flmins)
    ext = on_emulated_kernel(threads=4)
    prob = _prepare(X, Y[:, 0], dtype=mx.float32, **args)
    full, folds = cv._gaussian_paths(prob, fold, 10, flmins, cpu)
    assert ext.calls == 1  # every variable penalized: no "infinity" block, the grid in one batch of 11 problems
    for a, b in zip([full, *folds], [ref_full, *ref_folds]):
        m = min(a.beta.shape[1], b.beta.shape[1])
        assert np.abs(a.beta[:, :m] - b.beta[:, :m]).max() <= 1e-4 * np.abs(b.beta).max()
    many = glmlx.glmnet_many(X, Y, nlambda=40)  # the CPU's float32 batch, for the path lengths
    stds = gaussian.standardize_on_device(X, Y, np.ones((1, 250)), np.zeros(12, dtype=bool), True, True, cpu)
    res = gaussian.fit_paths(stds, alpha=1.0, penalty=prob.penalty, lower=prob.lower, upper=prob.upper, nlambda=40,
                             flmin=prob.flmin, user_lambdas=None, thresh=1e-7, maxit=100000, dfmax=prob.dfmax,
                             pmax=prob.pmax, sml=prob.sml, dtype=mx.float32, stream=cpu)
    for r, f in zip(res, many):
        ref = f._coef_np()[1:]
        assert r.beta.shape == ref.shape
        assert np.abs(r.beta - ref).max() <= 1e-4 * np.abs(ref).max()


def test_emulated_kernel_runs_cva_folds_x_alphas_in_one_call(on_emulated_kernel, monkeypatch):
    """cva_glmnet on a GPU stream (here the CPU's, through the device code path): 5 folds + the full fit for 3
    alphas, one kernel call over 18 problems reading 6 Gram matrices, each problem with its own alpha."""
    import importlib

    cv_module = importlib.import_module("glmlx.cv")
    cpu = mx.default_stream(mx.Device(mx.cpu))
    rng = np.random.default_rng(12)
    X = (rng.standard_normal((200, 10)) + 0.5 * rng.standard_normal((200, 1))).astype(np.float32)
    y = X[:, :3] @ np.array([1.0, -1.0, 2.0]) + rng.standard_normal(200)
    foldid = np.arange(200) % 5
    ref = glmlx.cva_glmnet(X.astype(np.float64), y, alphas=[0.2, 0.6, 1.0], foldid=foldid, nlambda=30,
                           thresh=1e-10)
    monkeypatch.setattr(cv_module, "device_stream", lambda s: cpu if s is not None else None)
    ext = on_emulated_kernel(threads=4)
    dev = glmlx.cva_glmnet(X, y, alphas=[0.2, 0.6, 1.0], foldid=foldid, nlambda=30, thresh=1e-10, stream="gpu")
    assert ext.calls == 1
    for a, b in zip(dev.cvs, ref.cvs):
        ba, bb = np.asarray(a.fit.beta, dtype=np.float64), np.asarray(b.fit.beta)
        m = min(ba.shape[1], bb.shape[1])
        assert np.abs(ba[:, :m] - bb[:, :m]).max() <= 1e-4 * np.abs(bb).max()
        np.testing.assert_allclose(np.asarray(a.cvm)[:m], np.asarray(b.cvm)[:m], rtol=1e-4)
    assert dev.alpha_min == ref.alpha_min


KNIFE_EDGE: set = set()
# Where glmnet's own stopping rule leaves more than 1e-4 of slack: on "correlated" (thresh 1e-7, strongly
# correlated columns) the CPU's float32 path is 4.5e-4 from the float64 one too, so both are compared at a
# tighter thresh, where the float32 rounding is what is left.
LOOSE_FOR_FLOAT32 = {"correlated": 1e-9}


# ---------------------------------------------------------------------------------------------------------
# soft_threshold
# ---------------------------------------------------------------------------------------------------------

def _shape_block(ndim, has_scale, t_step, s_step, shape, xs, ts, ss):
    pad = lambda v, n=8: list(v) + [0] * (n - len(v))  # noqa: E731
    return struct.pack("<4I8i8q8q8q", ndim, has_scale, t_step, s_step, *pad(shape), *pad(xs), *pad(ts), *pad(ss))


def _bits(a: np.ndarray, dtype: str) -> np.ndarray:
    if dtype == "float32":
        return a.astype(np.float32)
    if dtype == "float16":
        return a.astype(np.float16)
    return np.asarray(mx.array(a.astype(np.float32)).astype(mx.bfloat16).view(mx.uint16))


def _from_bits(raw: bytes, dtype: str, n: int) -> np.ndarray:
    if dtype == "float32":
        return np.frombuffer(raw, dtype=np.float32)[:n].astype(np.float64)
    if dtype == "float16":
        return np.frombuffer(raw, dtype=np.float16)[:n].astype(np.float64)
    u = np.frombuffer(raw, dtype=np.uint16)[:n].astype(np.uint32) << 16
    return u.view(np.float32).astype(np.float64)


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
@pytest.mark.parametrize("kind", ["contiguous", "strided"])
def test_soft_threshold_kernel_matches_the_op(emulator, tmp_path, dtype, kind):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 5, 7)) * 2
    x[0, 0, :3] = [np.nan, -0.0, np.inf]
    t = np.abs(rng.standard_normal((1, 5, 1)))  # broadcast over two axes
    s = 1.0 + np.abs(rng.standard_normal((3, 1, 7)))
    n = x.size
    mxd = {"float32": mx.float32, "float16": mx.float16, "bfloat16": mx.bfloat16}[dtype]
    want = np.asarray(glmlx.soft_threshold(mx.array(x).astype(mxd), mx.array(t).astype(mxd),
                                           mx.array(s).astype(mxd), stream=mx.cpu).astype(mx.float32))
    if kind == "contiguous":
        tb, sb = np.broadcast_to(t, x.shape), np.broadcast_to(s, x.shape)
        block = _shape_block(3, 1, 1, 1, x.shape, [], [], [])
    else:
        tb, sb = t, s
        el = lambda a: [st // a.itemsize if dim > 1 else 0 for st, dim in zip(a.strides, a.shape)]  # noqa: E731
        block = _shape_block(3, 1, 0, 0, x.shape, el(x), el(t), el(s))
    (tmp_path / "shape.bin").write_bytes(block)
    _bits(x, dtype).tofile(tmp_path / "x.bin")
    _bits(np.ascontiguousarray(tb), dtype).tofile(tmp_path / "t.bin")
    _bits(np.ascontiguousarray(sb), dtype).tofile(tmp_path / "s.bin")
    np.array([n], dtype=np.uint32).tofile(tmp_path / "n.bin")
    _run(emulator, ["soft_threshold", str(tmp_path), "16", kind, dtype], tmp_path)
    got = _from_bits((tmp_path / "out.bin").read_bytes(), dtype, n).reshape(x.shape)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    ok = ~np.isnan(want)
    np.testing.assert_array_equal(got[ok], want[ok].astype(np.float64))


# ---------------------------------------------------------------------------------------------------------
# Lint: what g++ accepts and Metal does not
# ---------------------------------------------------------------------------------------------------------

def metal_lint(text: str) -> list:
    """Problems of a Metal source (after preprocessing): double, std::, recursion, lambdas, long double."""
    problems = []
    code = re.sub(r"//[^\n]*|/\*.*?\*/", "", text, flags=re.S)
    code = re.sub(r'"(\\.|[^"\\])*"', '""', code)
    if re.search(r"\bdouble\b", code):
        problems.append("double (Metal has no float64)")
    if re.search(r"\bstd\s*::", code):
        problems.append("std:: (no C++ standard library in Metal)")
    if re.search(r"\[\s*[&=]\s*\]\s*\(", code):
        problems.append("lambda expression")
    # a definition whose body calls its own name with as many arguments (overloads of other arities are
    # other functions: soft_threshold(z, t, scale) calls soft_threshold(z, t))
    for m in re.finditer(r"\b([A-Za-z_]\w*)\s*(\((?:[^;{}()]|\([^()]*\))*\))\s*(?:const\s*)?\{", code):
        name, params = m.group(1), m.group(2)
        if name in ("if", "for", "while", "switch", "return", "sizeof"):
            continue
        depth, i = 0, m.end() - 1
        while i < len(code):
            depth += {"{": 1, "}": -1}.get(code[i], 0)
            if depth == 0:
                break
            i += 1
        for call in re.finditer(rf"(?<![\w.:>]){re.escape(name)}\s*\(", code[m.end():i]):
            if _arity(code[m.end():i], call.end() - 1) == _arity(params, 0):
                problems.append(f"recursion in {name}")
                break
    return problems


def _arity(text: str, open_paren: int) -> int:
    """Number of comma-separated items inside the parentheses that open at ``open_paren``."""
    depth, commas, empty = 0, 0, True
    for ch in text[open_paren:]:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                break
        elif ch == "," and depth == 1:
            commas += 1
        elif not ch.isspace() and depth >= 1:
            empty = False
    return 0 if empty else commas + 1


def _preprocessed(source: Path) -> str:
    """The source as Metal's compiler sees it: __METAL_VERSION__ set, glmlx's headers inlined."""
    stub = source.parent.parent.parent.parent.parent / "tests" / "metal_shim" / "lint_include"
    res = subprocess.run([CXX, "-E", "-P", "-D__METAL_VERSION__=310", f"-I{stub}", f"-I{CSRC}",
                          f"-I{CSRC / 'include'}", "-x", "c++", str(source)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return res.stdout


@pytest.mark.parametrize("source", METAL_SOURCES, ids=lambda p: p.name)
def test_metal_sources_pass_the_lint(source):
    assert metal_lint(_preprocessed(source)) == []


def test_the_lint_catches_what_metal_rejects():
    assert metal_lint("inline double f(float x) { return x; }") == ["double (Metal has no float64)"]
    assert metal_lint("inline float f(float x) { return std::abs(x); }") == ["std:: (no C++ standard library in Metal)"]
    assert metal_lint("inline int f(int n) { return n ? n * f(n - 1) : 1; }") == ["recursion in f"]
    assert metal_lint("inline int f(int n) { auto g = [&](int k) { return k; }; return g(n); }") == ["lambda expression"]
    assert metal_lint("inline int f(int n) { return n + 1; }\ninline int g(int n) { return f(n); }") == []
    assert metal_lint("inline int f(int a) { return a; }\ninline int f(int a, int b) { return f(a) + b; }") == []


# ---------------------------------------------------------------------------------------------------------
# The Metal build: sources embedded as strings (cmake/embed_device_source.py), compiled at run time
# ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("source", METAL_SOURCES, ids=lambda p: p.name)
def test_embedded_metal_source_stands_alone(source, tmp_path):
    """What the Metal backend hands to MLX's runtime compiler has every glmlx header inlined: it compiles (under
    the emulator) with no include path but Metal's own <metal_stdlib>, and says what it is generated from."""
    out = tmp_path / "embedded.cpp"
    res = subprocess.run([sys.executable, str(ROOT / "cmake" / "embed_device_source.py"), str(out), "kSource",
                          str(source), str(CSRC), str(CSRC / "include")], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    text = out.read_text()
    body = text[text.index('R"glmlx_src(') + len('R"glmlx_src('):text.rindex(')glmlx_src"')]
    assert '#include "' not in body
    standalone = tmp_path / "standalone.cpp"
    standalone.write_text(body)
    res = subprocess.run([CXX, "-std=c++20", "-fsyntax-only", "-Wno-attributes", "-D__METAL_VERSION__=310",
                          f"-I{SHIM}", "-x", "c++", str(standalone)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    res = subprocess.run([CXX, "-std=c++20", "-fsyntax-only", "-x", "c++", str(out)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr  # the generated .cpp itself


# ---------------------------------------------------------------------------------------------------------
# Host and device agree on the blocks of settings they pass (the kernels read them as raw bytes)
# ---------------------------------------------------------------------------------------------------------

_SIZES = {"int": 4, "int32_t": 4, "uint32_t": 4, "unsigned": 4, "uint": 4, "float": 4, "long": 8, "int64_t": 8,
          "long long": 8}


def _fields(path: Path, struct: str) -> list:
    """(size, count) of each field of ``struct`` in a source file, in order."""
    text = re.sub(r"//[^\n]*", "", path.read_text())
    body = re.search(rf"struct {struct} \{{(.*?)\}};", text, re.S)
    assert body, f"{struct} not found in {path}"
    out = []
    for decl in body.group(1).split(";"):
        decl = " ".join(decl.split())
        if not decl:
            continue
        m = re.match(r"(long long|\w+) (.*)", decl)
        size = _SIZES[m.group(1)]
        for name in m.group(2).split(","):
            count = re.search(r"\[(\d+)\]", name)
            out.append((size, int(count.group(1)) if count else 1))
    return out


def test_settings_blocks_have_one_layout_on_host_and_devices():
    common = CSRC / "backend" / "common"
    host = _fields(common / "gpu_params.h", "GaussianCDParams")
    assert host == _fields(common / "gaussian_cd.h", "GaussianCDParams")
    assert sum(s * c for s, c in host) == struct.calcsize("<9i4f")  # what the emulator test packs
    shape = _fields(common / "gpu_params.h", "SoftThresholdShape")
    assert shape == _fields(CSRC / "backend" / "metal" / "kernels" / "soft_threshold.metal", "SoftThresholdShape")
    assert shape == _fields(CSRC / "backend" / "cuda" / "kernels" / "soft_threshold.cu", "SoftThresholdShape")
    assert sum(s * c for s, c in shape) == struct.calcsize("<4I8i8q8q8q")
