"""Compile and link glmlx's CUDA backend with nvcc against MLX's CUDA wheel, on a machine without a GPU.

MLX's CUDA backend (``mlx[cuda13]``, the ``mlx-cuda-13`` wheel) runs glmlx's CUDA kernels; this project's machines
have nvcc but no GPU. The check:

1. downloads ``mlx-cuda-13`` (its headers and ``libmlx.so``) and fmt's headers (``cmeel-fmt`` 12.1.0: MLX's CUDA
   headers include fmt, which the wheel lacks; fmt 12.2.0 fails under nvcc) into a cache (no cuDNN is needed:
   the headers glmlx includes do not reach it);
2. compiles ``csrc/backend/cuda/kernels/all_kernels.cu`` into a fatbin for sm_80, sm_90, sm_100 and sm_120 (+PTX)
   and embeds it (``cmake/embed_binary.py``), as CMakeLists.txt does;
3. compiles every source of libglmlx with the CUDA backend (``nvcc -x c++``: host code, no cudart of its own)
   and links them with ``--no-undefined`` against the wheel's ``libmlx.so`` and the OpenBLAS wheel.

It cannot run anything: importing MLX's CUDA build needs ``libcuda.so.1`` (a driver).

    python scripts/check_cuda_build.py [--cache DIR] [--jobs N]

Exit status 0 when it builds, or when the check is skipped (no nvcc, or the wheels cannot be had; it says so);
1 on a compile or link error.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import glob
import os
import shutil
import subprocess
import sys
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MLX_VERSION = "0.32.4"
FMT_VERSION = "12.1.0"
ARCHS = ["-gencode", "arch=compute_80,code=sm_80", "-gencode", "arch=compute_90,code=sm_90",
         "-gencode", "arch=compute_100,code=sm_100", "-gencode", "arch=compute_120,code=[sm_120,compute_120]"]


def skip(reason: str) -> None:
    print(f"CUDA build check skipped: {reason}")
    sys.exit(0)


def run(cmd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def nvcc() -> str:
    found = shutil.which("nvcc") or next(iter(sorted(glob.glob("/usr/local/cuda*/bin/nvcc"))), None)
    if not found:
        skip("nvcc is not installed")
    return found


def wheel_files(cache: str) -> tuple:
    """(include dir holding mlx/ and fmt/, folder holding libmlx.so), downloaded and unpacked once."""
    root = os.path.join(cache, f"mlx-cuda-{MLX_VERSION}")
    include, lib = os.path.join(root, "include"), os.path.join(root, "lib")
    if os.path.isfile(os.path.join(lib, "libmlx.so")) and os.path.isdir(os.path.join(include, "fmt")):
        return include, lib
    wheels = os.path.join(cache, "wheels")
    r = run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "-d", wheels,
             f"mlx-cuda-13=={MLX_VERSION}", f"cmeel-fmt=={FMT_VERSION}"])
    if r.returncode != 0:
        skip("the mlx-cuda-13 / cmeel-fmt wheels could not be downloaded: " +
             (r.stderr.strip().splitlines() or ["?"])[-1])
    os.makedirs(include, exist_ok=True)
    os.makedirs(lib, exist_ok=True)
    for name in glob.glob(os.path.join(wheels, "*.whl")):
        with zipfile.ZipFile(name) as z:
            for member in z.namelist():
                if member.startswith("mlx/include/mlx/"):
                    dest = os.path.join(include, member[len("mlx/include/"):])
                elif member.startswith("cmeel.prefix/include/fmt/"):
                    dest = os.path.join(include, member[len("cmeel.prefix/include/"):])
                elif member == "mlx/lib/libmlx.so":
                    dest = os.path.join(lib, "libmlx.so")
                else:
                    continue
                if member.endswith("/"):
                    continue
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                with z.open(member) as src, open(dest, "wb") as out:
                    shutil.copyfileobj(src, out)
    if not os.path.isfile(os.path.join(lib, "libmlx.so")):
        skip("the mlx-cuda-13 wheel lacks mlx/lib/libmlx.so")
    return include, lib


def openblas() -> tuple:
    try:
        import scipy_openblas32 as s
    except ImportError:
        skip("the scipy-openblas32 wheel (glmlx's BLAS on Linux) is not installed")
    return s.get_include_dir(), s.get_lib_dir(), s.get_library()


def sources() -> list:
    """libglmlx's sources (CMakeLists.txt's list) with the CUDA backend instead of backend/none."""
    out = []
    for f in sorted(glob.glob(os.path.join(ROOT, "csrc", "**", "*.cpp"), recursive=True)):
        rel = os.path.relpath(f, os.path.join(ROOT, "csrc"))
        if rel.startswith(("python" + os.sep, "cv" + os.sep)):
            continue  # the Python module's sources
        if rel.startswith(os.path.join("backend", "")) and not rel.startswith(os.path.join("backend", "cuda", "")):
            continue
        out.append(f)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", default=os.path.join(ROOT, "build", "cuda-check"))
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    os.makedirs(args.cache, exist_ok=True)
    nv = nvcc()
    include, lib = wheel_files(args.cache)
    blas_inc, blas_lib, blas_name = openblas()
    gen = os.path.join(args.cache, "gen")
    objdir = os.path.join(args.cache, "obj")
    os.makedirs(gen, exist_ok=True)
    os.makedirs(objdir, exist_ok=True)
    t0 = time.perf_counter()
    csrc = os.path.join(ROOT, "csrc")
    fatbin = os.path.join(gen, "glmlx_kernels.fatbin")
    r = run([nv, "-fatbin", "-std=c++17", *ARCHS, "-I" + csrc, "-I" + os.path.join(csrc, "include"), "-o", fatbin,
             os.path.join(csrc, "backend", "cuda", "kernels", "all_kernels.cu")])
    print(f"{'ok  ' if r.returncode == 0 else 'FAIL'} kernels -> fatbin ({time.perf_counter() - t0:.1f} s)")
    if r.returncode != 0:
        print(r.stderr.rstrip())
        return 1
    embedded = os.path.join(gen, "glmlx_kernels_fatbin.cpp")
    run([sys.executable, os.path.join(ROOT, "cmake", "embed_binary.py"), embedded, "glmlx::cuda", "kGlmlxFatbin",
         fatbin]).check_returncode()
    flags = ["-std=c++20", "-O0", "-Xcompiler", "-fPIC", "-DFMT_HEADER_ONLY", "-DGLMLX_BLAS_PREFIX=scipy_",
             "-I" + csrc, "-I" + os.path.join(csrc, "include"), "-I" + include, "-I" + blas_inc]

    def compile_one(path: str):
        obj = os.path.join(objdir, os.path.relpath(path, ROOT).replace(os.sep, "_") + ".o")
        t = time.perf_counter()
        res = run([nv, *flags, "-x", "c++", "-c", path, "-o", obj])
        return path, obj, res, time.perf_counter() - t

    objects, failed = [], []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for path, obj, res, secs in pool.map(compile_one, sources() + [embedded]):
            rel = os.path.relpath(path, ROOT) if path.startswith(ROOT) else os.path.basename(path)
            if res.returncode != 0:
                failed.append(rel)
                print(f"FAIL {rel} ({secs:.1f} s)\n{res.stderr.rstrip()}")
            objects.append(obj)
    if failed:
        print(f"CUDA build check: {len(failed)} sources failed: {', '.join(failed)}")
        return 1
    out = os.path.join(args.cache, "libglmlx_cuda.so")
    r = run([nv, "-shared", "-cudart", "none", "-o", out, *objects, "-L" + lib, "-lmlx", "-L" + blas_lib,
             "-l" + blas_name, "-Xlinker", "--no-undefined", "-ldl", "-lpthread"])
    if r.returncode != 0:
        print("FAIL link\n" + r.stderr.rstrip())
        return 1
    print(f"CUDA build check: {len(objects)} objects compiled and linked against mlx-cuda-13 {MLX_VERSION}'s "
          f"libmlx.so with --no-undefined in {time.perf_counter() - t0:.0f} s ({out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
