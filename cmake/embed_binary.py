"""Embed a binary file (the CUDA kernels' fatbin) in C++ as an 8-byte-aligned byte array.

    python cmake/embed_binary.py OUT.cpp NAMESPACE SYMBOL FILE

cuModuleLoadData reads the fatbin from memory, aligned as the driver wants it.
"""
from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list) -> int:
    out, namespace, symbol, source = argv
    data = Path(source).read_bytes()
    rows = [", ".join(str(b) for b in data[i:i + 24]) for i in range(0, len(data), 24)]
    Path(out).write_text(
        f"// Generated from {Path(source).name} by cmake/embed_binary.py: do not edit.\n"
        f"namespace {namespace} {{\nextern const unsigned char {symbol}[];\n"
        f"alignas(8) const unsigned char {symbol}[] = {{\n" + ",\n".join(rows) + "\n};\n}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
