"""Compile every C++ source of glmlx for aarch64-macos, on any machine.

MLX's users are mostly on Apple silicon, and this project's machines are Linux. zig (PyPI's ``ziglang``)
cross-compiles C++ for ``-target aarch64-macos`` with its own macOS libc and libc++ headers; this script compiles
each ``csrc/**/*.cpp`` to an object file with the definitions CMake sets on Apple (Accelerate's new LAPACK
interface), against the macOS MLX wheels' headers (``mlx`` and ``mlx-metal`` for ``macosx_14_0_arm64``, the latter
carrying metal-cpp), nanobind's headers, and stand-ins under ``scripts/macos_check``: ``Accelerate/Accelerate.h``
declares what glmlx calls with Accelerate's signatures, and ``CoreFoundation``, ``CoreGraphics`` and ``IOSurface``
the few types metal-cpp names (the Metal backend, ``csrc/backend/metal``, includes MLX's Metal device header).

It checks that the code compiles for macOS arm64 (headers, guards, intrinsics, Accelerate's types). It cannot
link or run anything, and the stand-in header is only as right as its declarations.

    python scripts/check_macos_build.py [--cache DIR] [--jobs N] [files...]

Exit status: 0 when every file compiles, or when the check is skipped (zig or the wheels cannot be had, e.g. no
network; it says so); 1 on a compile error.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import glob
import os
import subprocess
import sys
import sysconfig
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MLX_VERSION = "0.32.4"  # the MLX glmlx builds against (pyproject.toml)
PLATFORM = "macosx_14_0_arm64"


def skip(reason: str) -> None:
    print(f"macOS compile check skipped: {reason}")
    sys.exit(0)


def run(cmd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def zig_command(cache: str) -> list:
    """``python -m ziglang`` with ziglang importable: installed already, or pip-installed into the cache."""
    probe = [sys.executable, "-m", "ziglang", "version"]
    if run(probe).returncode == 0:
        return [sys.executable, "-m", "ziglang"]
    target = os.path.join(cache, "zig")
    env = dict(os.environ, PYTHONPATH=target)
    if run(probe, env=env).returncode != 0:
        r = run([sys.executable, "-m", "pip", "install", "-q", "--target", target, "ziglang"])
        if r.returncode != 0 or run(probe, env=env).returncode != 0:
            skip("zig (PyPI 'ziglang') could not be installed: " + (r.stderr.strip().splitlines() or ["?"])[-1])
    return ["env", f"PYTHONPATH={target}", sys.executable, "-m", "ziglang"]


def nanobind_ready(cache: str) -> None:
    """nanobind's headers (the bindings include them): installed, or pip-installed into the cache. A plain
    ``pip install .`` builds glmlx with nanobind in an isolated environment, so CI's Python may lack it."""
    try:
        import nanobind  # noqa: F401
        return
    except ImportError:
        pass
    target = os.path.join(cache, "py")
    if not os.path.isdir(os.path.join(target, "nanobind")):
        r = run([sys.executable, "-m", "pip", "install", "-q", "--target", target, "nanobind>=3,<4"])
        if r.returncode != 0:
            skip("nanobind's headers could not be installed: " + (r.stderr.strip().splitlines() or ["?"])[-1])
    sys.path.insert(0, target)


def mlx_headers(cache: str) -> str:
    """The include folder of the macOS MLX wheels (mlx + mlx-metal), downloaded and unpacked once."""
    root = os.path.join(cache, f"mlx-{MLX_VERSION}-{PLATFORM}")
    include = os.path.join(root, "mlx", "include")
    if os.path.isdir(os.path.join(include, "metal_cpp")) and os.path.isdir(os.path.join(include, "mlx")):
        return include
    wheels = os.path.join(cache, "wheels")
    r = run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "--platform", PLATFORM,
             "--python-version", "3.11", "-d", wheels, f"mlx=={MLX_VERSION}", f"mlx-metal=={MLX_VERSION}"])
    if r.returncode != 0:
        skip("the macOS MLX wheels could not be downloaded: " + (r.stderr.strip().splitlines() or ["?"])[-1])
    for name in glob.glob(os.path.join(wheels, f"mlx*-{MLX_VERSION}-*{PLATFORM}.whl")):
        with zipfile.ZipFile(name) as z:
            z.extractall(root)
    if not os.path.isdir(os.path.join(include, "metal_cpp")):
        skip(f"the macOS MLX wheels lack the expected headers under {include}")
    return include


def flags(mlx_include: str) -> list:
    import nanobind

    nb = nanobind.include_dir()
    return ["-target", "aarch64-macos", "-std=c++20", "-O1", "-Werror=return-type",
            # CMakeLists.txt on APPLE: Accelerate through its new LAPACK interface; the module's nanobind domain
            "-DGLMLX_BLAS_ACCELERATE", "-DACCELERATE_NEW_LAPACK", "-DNB_DOMAIN=mlx",
            "-I" + os.path.join(ROOT, "csrc"), "-I" + os.path.join(ROOT, "csrc", "include"),
            "-I" + os.path.join(ROOT, "scripts", "macos_check"),
            "-I" + mlx_include, "-I" + os.path.join(mlx_include, "metal_cpp"),
            "-I" + nb, "-I" + os.path.join(os.path.dirname(nb), "ext", "robin_map", "include"),
            # the bindings include Python.h: the host's headers stand in (declarations only)
            "-I" + sysconfig.get_paths()["include"]]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", default=os.path.join(ROOT, "build", "macos-check"),
                    help="where zig, the wheels and the objects are kept (default build/macos-check)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("files", nargs="*", help="sources to compile (default: every csrc/**/*.cpp)")
    args = ap.parse_args()
    os.makedirs(args.cache, exist_ok=True)
    nanobind_ready(args.cache)
    zig = zig_command(args.cache)
    include = mlx_headers(args.cache)
    # the CUDA backend is Linux-only (tests/ops/test_cuda_build.py checks it with nvcc)
    files = args.files or sorted(f for f in glob.glob(os.path.join(ROOT, "csrc", "**", "*.cpp"), recursive=True)
                                 if os.sep + os.path.join("backend", "cuda") + os.sep not in f)
    objdir = os.path.join(args.cache, "obj")
    os.makedirs(objdir, exist_ok=True)
    common = flags(include)

    def compile_one(path: str):
        rel = os.path.relpath(path, ROOT)
        obj = os.path.join(objdir, rel.replace(os.sep, "_") + ".o")
        t0 = time.perf_counter()
        r = run(zig + ["c++", *common, "-c", path, "-o", obj])
        return rel, r.returncode, r.stderr, time.perf_counter() - t0

    t0 = time.perf_counter()
    failed = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for rel, rc, err, secs in pool.map(compile_one, files):
            print(f"{'ok  ' if rc == 0 else 'FAIL'} {rel} ({secs:.1f} s)")
            if rc != 0:
                failed.append(rel)
                print(err.rstrip())
    print(f"macOS (aarch64) compile check: {len(files) - len(failed)} of {len(files)} sources compiled "
          f"in {time.perf_counter() - t0:.0f} s" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
