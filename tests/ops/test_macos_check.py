"""The macOS compile check (scripts/check_macos_build.py) and its stand-in Accelerate header."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAND_IN = ROOT / "scripts" / "macos_check" / "Accelerate" / "Accelerate.h"
CACHE = ROOT / "build" / "macos-check"


def _called():
    used = set()
    for path in (ROOT / "csrc").rglob("*.[ch]*"):
        text = path.read_text()
        used |= {f"cblas_{m}" for m in re.findall(r"GLMLX_CBLAS\((\w+)\)", text) if m != "name"}
        used |= {f"{m}_" for m in re.findall(r"GLMLX_LAPACK\((\w+)\)", text) if m != "name"}
    return used


def test_stand_in_declares_every_routine_glmlx_calls():
    declared = set(re.findall(r"^\s*void\s+(\w+)\(", STAND_IN.read_text(), re.M))
    used = _called()
    assert len(used) >= 20  # the scan found the wrappers (blas.h, lstsq.cpp)
    assert used - declared == set(), "add these to the stand-in Accelerate header, with Accelerate's signatures"


def _zig_ready() -> bool:
    if (CACHE / "zig").is_dir() and any((CACHE).glob("mlx-*")):
        return True
    return subprocess.run([sys.executable, "-m", "ziglang", "version"], capture_output=True).returncode == 0 and \
        any(CACHE.glob("mlx-*"))


@pytest.mark.skipif(not _zig_ready(),
                    reason="zig and the macOS MLX headers are not cached (scripts/check_macos_build.py)")
def test_check_fails_on_code_that_does_not_build_for_macos(tmp_path):
    bad = tmp_path / "x86_only.cpp"
    bad.write_text("#include <immintrin.h>\n__m256d twice(__m256d a) { return _mm256_add_pd(a, a); }\n")
    good = ROOT / "csrc" / "cpu" / "interrupt.cpp"
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_macos_build.py"), str(bad), str(good)],
                       capture_output=True, text=True, env=dict(os.environ))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "FAIL" in r.stdout and "ok   csrc/cpu/interrupt.cpp" in r.stdout
