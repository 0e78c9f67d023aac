"""Turn a device kernel source (.metal) into a C++ string constant, its glmlx #includes inlined.

    python cmake/embed_device_source.py OUT.cpp SYMBOL SOURCE INCLUDE_DIR...
    python cmake/embed_device_source.py --print SOURCE INCLUDE_DIR...    (the inlined source on stdout)

Metal compiles glmlx's kernels at run time from one string (MLX's Device::get_library), so the
quoted includes (``#include "backend/common/gaussian_cd.h"``) are replaced by the files they name,
found in the include folders, each once (their ``#pragma once`` dropped); angle-bracket includes
(``<metal_stdlib>``) stay for Metal's compiler. CMake runs this at build time (CMakeLists.txt).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"\s*$')


def inline(source: Path, include_dirs: list, seen: set | None = None) -> str:
    seen = set() if seen is None else seen
    out = []
    for line in source.read_text().splitlines():
        if re.match(r"^\s*#\s*pragma\s+once\s*$", line):
            continue
        m = INCLUDE.match(line)
        if not m:
            out.append(line)
            continue
        found = next((Path(d) / m.group(1) for d in [source.parent, *include_dirs] if (Path(d) / m.group(1)).is_file()),
                     None)
        if found is None:
            raise SystemExit(f"{source}: cannot find the included {m.group(1)!r} in {include_dirs}")
        key = found.resolve()
        if key not in seen:
            seen.add(key)
            out.append(f"// ---- {m.group(1)} ----")
            out.append(inline(found, include_dirs, seen))
            out.append(f"// ---- end of {m.group(1)} ----")
    return "\n".join(out)


def main(argv: list) -> int:
    if argv[:1] == ["--print"]:
        sys.stdout.write(inline(Path(argv[1]), argv[2:]) + "\n")
        return 0
    out, symbol, source, *dirs = argv
    text = inline(Path(source), dirs)
    delim = "glmlx_src"
    if f"){delim}\"" in text:
        raise SystemExit(f"{source}: contains the raw-string delimiter {delim}")
    Path(out).write_text(
        f"// Generated from {Path(source).name} by cmake/embed_device_source.py: do not edit.\n"
        f"namespace glmlx::metal_sources {{\nextern const char* const {symbol};\n"
        f"const char* const {symbol} = R\"{delim}(\n{text}\n){delim}\";\n}}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
