"""The ``glmlx`` command."""
from __future__ import annotations

import argparse
import sys


def _parser() -> argparse.ArgumentParser:
    import glmlx

    p = argparse.ArgumentParser(prog="glmlx", description="Regularized linear models on MLX.")
    p.add_argument("--version", action="version", version=f"glmlx {glmlx.__version__}")
    p.add_argument("--cmake-dir", action="store_true", help="print the folder of glmlxConfig.cmake and exit")
    sub = p.add_subparsers(dest="command")
    d = sub.add_parser("demo", help="run glmlx on a generated regression problem and time it")
    d.add_argument("--n", type=int, default=10_000, help="rows (default 10000)")
    d.add_argument("--p", type=int, default=100, help="columns (default 100)")
    d.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    d.add_argument("--out", default="glmlx-demo", help="folder for the plots (default ./glmlx-demo)")
    d.add_argument("--repeats", type=int, default=5, help="timing repeats (default 5)")
    return p


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.cmake_dir:
        import glmlx

        print(glmlx.cmake_dir())
        return 0
    if args.command == "demo":
        from .demo import run_demo

        return run_demo(n=args.n, p=args.p, seed=args.seed, out=args.out, repeats=args.repeats)
    _parser().print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
