"""The ``glmlx`` command: ``glmlx demo`` and ``glmlx fit DATA --target COL``."""
from __future__ import annotations

import argparse
import csv
import os
import sys
import warnings

_LSTSQ_METHODS = ("auto", "qr", "cholesky", "svd")


def _parser() -> argparse.ArgumentParser:
    import glmlx

    p = argparse.ArgumentParser(prog="glmlx", description="Regularized linear models on MLX.")
    p.add_argument("--version", action="version", version=f"glmlx {glmlx.__version__}")
    p.add_argument("--cmake-dir", action="store_true", help="print the folder of glmlxConfig.cmake and exit")
    sub = p.add_subparsers(dest="command")

    d = sub.add_parser("demo", help="fit a generated regression problem several ways and compare times/errors")
    d.add_argument("--n", type=int, default=10_000, help="rows (default 10000)")
    d.add_argument("--p", type=int, default=100, help="columns (default 100)")
    d.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    d.add_argument("--out", default="glmlx-demo", help="folder for results.csv and the plots (default ./glmlx-demo)")
    d.add_argument("--repeats", type=int, default=5, help="timing repeats (default 5)")
    d.add_argument("--steps", type=int, default=1200, help="gradient-descent steps (default 1200)")
    d.add_argument("--lr", type=float, default=0.01, help="gradient-descent step size (default 0.01)")
    d.add_argument("--no-progress", action="store_true", help="do not report gradient-descent progress")

    f = sub.add_parser(
        "fit",
        help="fit a linear model to a data file and print its coefficients",
        description="Fit y ~ X from a CSV with a header row (or .npy / .npz) and print the coefficients. "
        "Closed-form least squares (glmlx.lstsq) by default; --method gd fits by gradient descent "
        "(MSE, MAE or Huber loss) on standardized columns.",
    )
    f.add_argument("data", help="CSV file with a header row, .npy (2-D, one column is the target) or .npz")
    f.add_argument("--target", help="target column: a CSV header name; a column index for .npy (default -1); "
                   "an array name for .npz (default 'y', features in 'X')")
    f.add_argument("--features", help="comma-separated feature columns (default: every other column)")
    f.add_argument("--weights", help="column of observation weights (CSV name or .npy index)")
    f.add_argument("--method", default="auto", choices=_LSTSQ_METHODS + ("gd",),
                   help="auto, qr, cholesky, svd (closed form) or gd (gradient descent); default auto")
    f.add_argument("--no-intercept", action="store_true", help="fit without an intercept")
    f.add_argument("--ridge", type=float, default=0.0, help="L2 penalty for the closed form (default 0)")
    f.add_argument("--loss", default="mse", choices=("mse", "mae", "huber"), help="loss for --method gd")
    f.add_argument("--optimizer", default="adam", choices=("sgd", "momentum", "adam"),
                   help="optimizer for --method gd (default adam)")
    f.add_argument("--steps", type=int, default=3000, help="steps for --method gd (default 3000)")
    f.add_argument("--lr", type=float, default=0.01, help="step size for --method gd (default 0.01)")
    f.add_argument("--delta", type=float, default=1.35,
                   help="Huber threshold in units of the target's standard deviation (default 1.35)")
    return p


class DataError(ValueError):
    pass


def _column_index(spec, names, what):
    if spec in names:
        return names.index(spec)
    try:
        i = int(spec)
    except (TypeError, ValueError):
        raise DataError(f"{what} column {spec!r} not found; columns are: {', '.join(names)}") from None
    if not -len(names) <= i < len(names):
        raise DataError(f"{what} column index {i} out of range for {len(names)} columns")
    return i % len(names)


def load_table(path: str, target, features=None, weights=None):
    """Read ``path`` into (X, y, w, feature_names). CSV needs a header row."""
    import numpy as np

    if not os.path.isfile(path):
        raise DataError(f"no such file: {path}")
    ext = os.path.splitext(path)[1].lower()
    if ext in (".npz", ".npy"):
        with open(path, "rb") as fh:
            magic = fh.read(6)
        # np.load takes anything else for a pickle and says so: name the real problem instead
        if not magic.startswith(b"\x93NUMPY" if ext == ".npy" else b"PK"):
            raise DataError(f"{path}: not a {ext} file (it does not start with the {ext} format's signature)")
        try:
            loaded = np.load(path)
        except Exception as exc:  # truncated, not numpy, pickled objects, a bad zip: all mean a bad file
            raise DataError(f"{path}: not a readable {ext} file ({type(exc).__name__}: {exc})") from None
    if ext == ".npz":
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise DataError(f"{path}: not a .npz archive (it holds a single array; name it .npy)")
        with loaded as z:
            keys = list(z.keys())
            tkey = target or "y"
            if "X" in keys and tkey in keys:
                X = np.asarray(z["X"], dtype=np.float64)
                y = np.asarray(z[tkey], dtype=np.float64)
                if X.ndim != 2 or y.ndim != 1 or y.shape[0] != X.shape[0]:
                    raise DataError(f"{path}: X must be 2-D and {tkey} 1-D with as many rows")
                w = np.asarray(z[weights], dtype=np.float64) if weights else None
                names = [f"x{j}" for j in range(X.shape[1])]
                if features:
                    idx = [_column_index(s.strip(), names, "feature") for s in features.split(",")]
                    X, names = X[:, idx], [names[i] for i in idx]
                return X, y, w, names
            if len(keys) != 1:
                raise DataError(f"{path}: expected arrays 'X' and '{tkey}', or a single 2-D array; found {keys}")
            table = np.asarray(z[keys[0]], dtype=np.float64)
        names = [f"x{j}" for j in range(table.shape[1])] if table.ndim == 2 else []
        target = target if target is not None else "-1"
    elif ext == ".npy":
        if not isinstance(loaded, np.ndarray):
            raise DataError(f"{path}: not a .npy array file (it is a .npz archive; name it .npz)")
        try:
            table = np.asarray(loaded, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise DataError(f"{path}: the array must be numeric ({exc})") from None
        names = [f"x{j}" for j in range(table.shape[1])] if table.ndim == 2 else []
        target = target if target is not None else "-1"
    else:
        # utf-8-sig: a byte-order mark (Excel's UTF-8 CSVs) is not part of the first column's name
        with open(path, newline="", encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh), None)
        if not header:
            raise DataError(f"{path}: empty file (a CSV needs a header row)")
        names = [h.strip() for h in header]
        if target is None:
            raise DataError("--target is required for CSV files (the name of the target column)")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # "input contained no data": reported below
                table = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2, dtype=np.float64,
                                   encoding="utf-8-sig")
        except (ValueError, UnicodeDecodeError) as exc:
            raise DataError(f"{path}: every value after the header must be a number ({exc})") from None
        if table.size == 0:
            raise DataError(f"{path}: no data rows after the header")
        if table.shape[1] != len(names):
            raise DataError(f"{path}: header has {len(names)} columns but the rows have {table.shape[1]}")
    if table.ndim != 2 or table.shape[1] < 2:
        raise DataError(f"{path}: need a 2-D table with at least two columns, got shape {table.shape}")
    if table.shape[0] < 2:
        # one row fits anything exactly: no meaningful coefficients or R^2
        raise DataError(f"{path}: need at least 2 data rows to fit, got {table.shape[0]}")
    t = _column_index(str(target), names, "target")
    wi = _column_index(str(weights), names, "weights") if weights else None
    if features:
        idx = [_column_index(s.strip(), names, "feature") for s in features.split(",")]
    else:
        idx = [j for j in range(len(names)) if j != t and j != wi]
    if t in idx:
        raise DataError("the target column cannot also be a feature")
    return table[:, idx], table[:, t], (table[:, wi] if wi is not None else None), [names[j] for j in idx]


def _fit_gd(X, y, w, args):
    """Gradient descent on standardized columns (so one step size suits any units), mapped back."""
    import numpy as np

    from .demo import progress_callback
    from .gd import fit_gd

    if w is not None:
        raise DataError("--weights is supported by the closed-form methods only")
    intercept = not args.no_intercept
    mu = X.mean(0) if intercept else np.zeros(X.shape[1])
    sd = X.std(0)
    sd[sd == 0] = 1.0
    ym = y.mean() if intercept else 0.0
    ys = float(y.std()) or 1.0
    cb = progress_callback("gd", args.steps) if args.steps >= 2000 else None
    res = fit_gd((X - mu) / sd, (y - ym) / ys, loss=args.loss, optimizer=args.optimizer, lr=args.lr,
                 steps=args.steps, fit_intercept=intercept, delta=args.delta, callback=cb)
    coef = np.asarray(res.coef) / sd * ys
    b = (float(res.intercept) * ys + ym - float(mu @ coef)) if intercept else 0.0
    desc = (f"gradient descent ({args.loss} loss, {args.optimizer}, lr {args.lr:g}, {res.n_steps} steps, "
            f"final loss {res.loss_history[-1]:.4g} on standardized data)")
    return coef, b, desc


def run_fit(args) -> int:
    import numpy as np

    from .lstsq import lstsq

    X, y, w, names = load_table(args.data, args.target, args.features, args.weights)
    n, p = X.shape
    print(f"glmlx fit: {args.data}  (n={n}, p={p})")
    if args.method == "gd":
        coef, b, desc = _fit_gd(X, y, w, args)
    else:
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            out = lstsq(X, y, method=args.method, fit_intercept=not args.no_intercept, ridge=args.ridge,
                        weights=w)
        for r in rec:
            print(f"warning: {r.message}")
        coef, info = np.asarray(out.coef), out.info
        b = float(out.intercept)  # zero without an intercept
        desc = f"lstsq method={args.method} -> {info.method} (rank {info.rank} of {p}, rcond {info.rcond:.2g})"
        if args.ridge:
            desc += f", ridge {args.ridge:g}"
    print(f"method: {desc}")
    width = max([len(s) for s in names] + [len("(intercept)"), len("feature")])
    print(f"{'feature':<{width}}  {'coef':>14}")
    for name, c in zip(names, coef):
        print(f"{name:<{width}}  {c:>14.6g}")
    if not args.no_intercept:
        print(f"{'(intercept)':<{width}}  {b:>14.6g}")
    resid = y - X @ coef - b
    sw = np.ones(n) if w is None else w
    tss = float(np.sum(sw * (y - np.average(y, weights=sw)) ** 2))
    rss = float(np.sum(sw * resid**2))
    r2 = f"{1 - rss / tss:.6f}" if tss > 0 else "undefined (constant target)"
    print(f"R^2 (training) {r2}   RMSE {np.sqrt(rss / np.sum(sw)):.6g}")
    return 0


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.cmake_dir:
        import glmlx

        print(glmlx.cmake_dir())
        return 0
    if args.command == "demo":
        from .demo import run_demo

        if os.path.exists(args.out) and not os.path.isdir(args.out):
            parser.error(f"--out {args.out!r} is an existing file; give a folder (new or existing)")
        try:
            return run_demo(n=args.n, p=args.p, seed=args.seed, out=args.out, repeats=args.repeats,
                            steps=args.steps, lr=args.lr, progress=not args.no_progress)
        except ValueError as exc:
            parser.error(str(exc))
        except OSError as exc:  # an unwritable --out and the like
            parser.error(f"--out {args.out!r}: {exc.strerror or exc}")
    if args.command == "fit":
        try:
            return run_fit(args)
        except (DataError, ValueError, TypeError, OSError) as exc:
            print(f"glmlx fit: error: {exc}", file=sys.stderr)
            return 2
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
