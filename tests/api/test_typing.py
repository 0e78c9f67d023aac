"""glmlx is typed for mypy users: py.typed, a stub for the compiled glmlx._ext, annotated API.

The checks run mypy (``mypy.api.run``, the `test` extra) on tests/typing/usage_public_api.py
against the glmlx this interpreter imports, and check that mypy resolved that same copy
(not, say, a source checkout further down sys.path). The usage file's ``assert_type`` calls
and ``--strict`` (which includes ``--warn-return-any``) make the run fail when glmlx's types
degrade to Any: without py.typed mypy reports ``import-untyped`` (22 errors); told to
ignore that, the assert_type calls still fail (21 errors).
"""
import ast
import re
import sys
import textwrap
from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api", reason="mypy not installed (pip install glmlx[test])")

import glmlx  # noqa: E402
from glmlx._ext_loader import _ext  # noqa: E402

PKG = Path(glmlx.__file__).resolve().parent
USAGE = Path(__file__).resolve().parents[1] / "typing" / "usage_public_api.py"
STUB = PKG / "_ext.pyi"


def _source_checkout() -> bool:
    """glmlx imported from a source tree (editable install, or the dev copy of main's _ext)."""
    return (PKG.parent.parent / "CMakeLists.txt").is_file()


def _mypy(path: Path, cache: Path) -> dict[str, Path]:
    """mypy --strict on ``path`` with this interpreter's search path; the glmlx files it read."""
    out, err, rc = mypy_api.run(["--strict", "-v", "--cache-dir", str(cache), "--python-executable",
                                 sys.executable, "--no-error-summary", str(path)])
    parsed = {m.group(2): Path(m.group(1)).resolve()
              for m in re.finditer(r"Parsing (\S+) \((glmlx[\w.]*)\)", err)}
    read_from = parsed["glmlx"].parent if "glmlx" in parsed else None
    assert read_from == PKG, f"mypy read glmlx from {read_from}, the tests import {PKG}; mypy said:\n{out}"
    assert rc == 0 and not out.strip(), f"mypy found problems (rc {rc}):\n{out}"
    return parsed


def test_public_api_is_typed(tmp_path):
    _mypy(USAGE, tmp_path / "cache")


def _missing_stub(where: Path) -> None:
    """Skip in a source tree (the build never writes into the sources), fail in an installed copy."""
    if _source_checkout():
        pytest.skip(f"glmlx imported from a source tree ({PKG}) with no _ext.pyi at {where}: the "
                    "build installs the stub next to the built _ext (wheel, pip install ., an "
                    "editable install's site-packages), never into the sources")
    pytest.fail(f"{where / '_ext.pyi'} missing: this glmlx was built without its stub (GLMLX_STUBS=OFF?)")


def test_ext_stub_declares_what_python_calls():
    # an editable install imports the Python files from the sources, _ext and its stub from site-packages
    stub = Path(_ext.__file__).resolve().parent / "_ext.pyi"
    if not stub.is_file():
        _missing_stub(stub.parent)
    text = stub.read_text()
    assert "glmlx_stub_staging" not in text, "the build's staging package name leaked into the stub"
    tree = ast.parse(text)
    declared = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    called = set()
    for py in PKG.glob("*.py"):
        called |= set(re.findall(r"\b_ext\.([A-Za-z_]\w*)", py.read_text()))
    assert {"gram", "soft_threshold", "lstsq", "clear_cache", "gpu_backend"} <= called
    assert called <= declared, f"_ext.pyi lacks {sorted(called - declared)}"


def test_ext_stub_gives_mypy_real_types(tmp_path):
    if not STUB.is_file():  # mypy looks for glmlx/_ext.pyi only where it found glmlx/__init__.py
        _missing_stub(PKG)
    snippet = tmp_path / "uses_ext.py"
    snippet.write_text(textwrap.dedent("""\
        import mlx.core as mx
        from typing_extensions import assert_type

        import glmlx._ext as ext

        assert_type(ext.soft_threshold(mx.array([1.0, -2.0]), mx.array(0.5)), mx.array)
        assert_type(ext.gram(mx.ones((3, 2)), center=True), list[mx.array])
        assert_type(ext.gpu_backend(), str)
        settings: ext.GlmPathSettings = ext.GlmPathSettings()
        """))
    assert _mypy(snippet, tmp_path / "cache")["glmlx._ext"] == STUB
