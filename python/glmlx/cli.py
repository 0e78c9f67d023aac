"""The ``glmlx`` command: ``glmlx demo``, ``glmlx fit DATA --target COL``, ``glmlx predict MODEL DATA``,
``glmlx show MODEL`` (docs/CLI.md)."""
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
        help="fit a glmnet path (default), its CV, or least squares to a data file",
        description="Fit y ~ X from a CSV with a header row (or Parquet, or .npy / .npz). By default a glmnet "
        "path (--family, --alpha, ...; --cv K adds K-fold cross-validation) whose summary is printed and, with "
        "--save, written to a model file for `glmlx predict` and `glmlx show`. Text columns are one-hot encoded "
        "as R's makeX (one indicator per level). --method auto|qr|cholesky|svd fits closed-form least squares "
        "(glmlx.lstsq), --method gd gradient descent (MSE, MAE or Huber loss) on standardized columns.",
    )
    f.add_argument("data", help="CSV with a header row, Parquet (needs pyarrow), .npy (2-D) or .npz (X, y)")
    f.add_argument("--target", help="target column(s): a name (comma-separated names for --family mgaussian); "
                   "a column index for .npy (default -1); an array name for .npz (default 'y', features in 'X')")
    f.add_argument("--features", help="comma-separated feature columns, read before any parsing "
                   "(default: every other column)")
    f.add_argument("--weights", help="column of observation weights")
    f.add_argument("--method", default="glmnet", choices=("glmnet",) + _LSTSQ_METHODS + ("gd",),
                   help="glmnet (default), auto/qr/cholesky/svd (closed-form least squares) or gd")
    f.add_argument("--no-intercept", action="store_true", help="fit without an intercept")
    g = f.add_argument_group("glmnet (--method glmnet)")
    g.add_argument("--family", default="gaussian",
                   choices=("gaussian", "binomial", "poisson", "multinomial", "mgaussian"))
    g.add_argument("--alpha", type=float, default=1.0, help="elastic-net mixing: 1 lasso (default), 0 ridge")
    g.add_argument("--nlambda", type=int, default=100, help="grid length (default 100)")
    g.add_argument("--lambda-min-ratio", type=float, help="smallest lambda / lambda_max (glmnet's default)")
    g.add_argument("--lambdas", help="comma-separated lambda grid (instead of --nlambda)")
    g.add_argument("--no-standardize", action="store_true", help="do not standardize the features")
    g.add_argument("--thresh", type=float, default=1e-7, help="convergence threshold (default 1e-7)")
    g.add_argument("--maxit", type=int, default=100_000, help="most passes in all (default 100000)")
    g.add_argument("--dfmax", type=int, help="stop once more than this many variables are nonzero")
    g.add_argument("--pmax", type=int, help="at most this many variables ever nonzero")
    g.add_argument("--exclude", help="comma-separated feature columns left out of the model")
    g.add_argument("--penalty-factor", help="comma-separated column=factor pairs (others 1; 0: unpenalized)")
    g.add_argument("--offset", help="column of offsets (binomial, poisson; predict then needs it too)")
    g.add_argument("--type-multinomial", default="ungrouped", choices=("ungrouped", "grouped"))
    g.add_argument("--cv", type=int, metavar="K", help="K-fold cross-validation (as R's cv.glmnet)")
    g.add_argument("--measure", default="default", help="CV measure: mse, mae, deviance, class, auc")
    g.add_argument("--foldid", help="column of fold numbers (1..K) for --cv")
    g.add_argument("--seed", type=int, help="seed of the CV folds' draw")
    g.add_argument("--s", default=None, help="lambda for the printed coefficients: a number, or lambda_1se "
                   "(default with --cv) / lambda_min; default without --cv: the path's smallest lambda")
    g.add_argument("--na", default="error", choices=("error", "drop"),
                   help="missing cells: an error naming row and column (default) or drop those rows")
    g.add_argument("--save", metavar="MODEL", help="write the fit to this model file (docs/MODEL_FORMAT.md)")
    g.add_argument("--progress", dest="progress", action="store_true", default=None,
                   help="progress bar on stderr (default: when stderr is a terminal)")
    g.add_argument("--no-progress", dest="progress", action="store_false")
    ls = f.add_argument_group("least squares and gradient descent (--method auto|qr|cholesky|svd|gd)")
    ls.add_argument("--ridge", type=float, default=0.0, help="L2 penalty for the closed form (default 0)")
    ls.add_argument("--loss", default="mse", choices=("mse", "mae", "huber"), help="loss for --method gd")
    ls.add_argument("--optimizer", default="adam", choices=("sgd", "momentum", "adam"),
                    help="optimizer for --method gd (default adam)")
    ls.add_argument("--steps", type=int, default=3000, help="steps for --method gd (default 3000)")
    ls.add_argument("--lr", type=float, default=0.01, help="step size for --method gd (default 0.01)")
    ls.add_argument("--delta", type=float, default=1.35,
                    help="Huber threshold in units of the target's standard deviation (default 1.35)")

    pr = sub.add_parser("predict", help="predict from a saved model for a data file, writing CSV",
                        description="Predictions of a model saved by `glmlx fit --save` for the rows of a data file "
                        "(the same feature columns; text columns encoded with the fit's levels), as CSV.")
    pr.add_argument("model", help="model file written by `glmlx fit --save`")
    pr.add_argument("data", help="CSV with a header row, or Parquet")
    pr.add_argument("--s", default=None, help="lambda(s): numbers (comma-separated), lambda_1se (default for a CV "
                    "model) or lambda_min; default for a path: every lambda")
    pr.add_argument("--type", default="response", choices=("link", "response", "class"),
                    help="response (default: means, probabilities), link, or class labels")
    pr.add_argument("--offset", help="column of offsets (when the model was fit with one)")
    pr.add_argument("--na", default="error", choices=("error", "drop"), help="missing cells: error or drop rows")
    pr.add_argument("--output", "-o", help="CSV file to write (default: standard output)")

    sh = sub.add_parser("show", help="print a saved model's summary (R's print.glmnet / print.cv.glmnet)")
    sh.add_argument("model", help="model file written by `glmlx fit --save`")
    sh.add_argument("--s", default=None, help="also print the coefficients at this lambda (or lambda_1se/lambda_min)")
    return p


from .tabular import DataError  # noqa: E402  (shared with the file readers)
from .families import get_family  # noqa: E402  (light: numpy only)


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


def _s_value(spec):
    """--s: None, "lambda_1se"/"lambda_min", or numbers (comma-separated)."""
    if spec is None or spec in ("lambda_1se", "lambda_min"):
        return spec
    try:
        vals = [float(v) for v in spec.split(",")]
    except ValueError:
        raise DataError(f"--s must be numbers, lambda_1se or lambda_min, got {spec!r}") from None
    return vals[0] if len(vals) == 1 else vals


def _read_glmnet_table(path, features, targets, extra, na, family):
    """The columns a fit or a prediction uses, complete (or with incomplete rows dropped), typed."""
    from . import tabular

    table = tabular.read_table(path, list(features) + list(targets) + list(extra))
    used = list(features) + list(targets) + list(extra)
    if na == "drop":
        table = tabular.drop_rows(table, tabular.missing_rows(table, used))
        if table.nrows < 1:
            raise DataError(f"{path}: no rows left after --na drop")
    else:
        tabular.check_complete(table, used)
    numeric = list(extra) + (list(targets) if get_family(family).numeric_response else [])
    for c in numeric:
        if table.columns[c].dtype == object:
            raise DataError(f"{path}: column {c!r} must hold numbers")
    return table


def _glmnet_data(args):
    """(X, y, weights, offset, foldid, encoding, target names) for --method glmnet, from CSV or Parquet."""
    import numpy as np

    from . import tabular

    if os.path.splitext(args.data)[1].lower() in (".npy", ".npz"):
        # numeric arrays: the least-squares loader (its checks name the file); columns x0, x1, ...
        if args.offset or args.foldid:
            raise DataError("--offset and --foldid name columns of a CSV or Parquet file")
        X, y, w, names = load_table(args.data, args.target, args.features, args.weights)
        return X, y, w, None, None, tabular.Encoding(names), [args.target or "y"]
    if not args.target:
        raise DataError("--target is required (the name of the target column)")
    targets = tabular.split_names(args.target)
    extra = [c for c in (args.weights, args.offset, args.foldid) if c]
    names = tabular.header_names(args.data)
    features = tabular.feature_list(names, args.features, targets + extra)
    # only these columns are read and parsed: a text column left out never stops the fit
    table = _read_glmnet_table(args.data, features, targets, extra, args.na, args.family)
    if table.nrows < 2:
        raise DataError(f"{args.data}: need at least 2 data rows to fit, got {table.nrows}")
    enc = tabular.make_encoding(table, features)
    X = tabular.encode(table, enc)
    if get_family(args.family).several_responses and not get_family(args.family).classifies:
        y = _named(np.column_stack([table.columns[t] for t in targets]), targets)  # responses keep their names
    elif len(targets) != 1:
        raise DataError(f"--target: one column for family {args.family!r}, got {len(targets)}")
    else:
        y = table.columns[targets[0]]
        if get_family(args.family).classifies and y.dtype != object and np.all(y == np.round(y)):
            y = y.astype(np.int64)  # class labels 0, 1, 2 read as numbers: keep them integers
    col = table.columns.get
    return (X, y, col(args.weights) if args.weights else None, col(args.offset) if args.offset else None,
            col(args.foldid).astype(np.int64) if args.foldid else None, enc, targets)


def _glmnet_options(args, enc) -> dict:
    import numpy as np

    from . import tabular

    cols = enc.column_names()

    def expand(name):  # a raw column: every X column it became (its indicators, for a text column)
        if name not in enc.features:
            raise DataError(f"no feature column {name!r}; features are: {', '.join(enc.features)}")
        start = sum(len(enc.levels.get(f, [f])) for f in enc.features[:enc.features.index(name)])
        return list(range(start, start + len(enc.levels.get(name, [name]))))

    kw = dict(family=args.family, alpha=args.alpha, nlambda=args.nlambda, lambda_min_ratio=args.lambda_min_ratio,
              standardize=not args.no_standardize, fit_intercept=not args.no_intercept, thresh=args.thresh,
              maxit=args.maxit, dfmax=args.dfmax, pmax=args.pmax, type_multinomial=args.type_multinomial)
    if args.lambdas:
        try:
            kw["lambdas"] = [float(v) for v in args.lambdas.split(",")]
        except ValueError:
            raise DataError(f"--lambdas must be comma-separated numbers, got {args.lambdas!r}") from None
    if args.exclude:
        kw["exclude"] = sorted(j for name in tabular.split_names(args.exclude) for j in expand(name))
    if args.penalty_factor:
        pf = np.ones(len(cols))
        for pair in tabular.split_names(args.penalty_factor):
            name, _, val = pair.partition("=")
            try:
                pf[expand(name.strip())] = float(val)
            except ValueError:
                raise DataError(f"--penalty-factor: expected column=number, got {pair!r}") from None
        kw["penalty_factor"] = pf
    return kw


def _print_coefficients(fit, s: float, label: str) -> None:
    import numpy as np

    coefs = np.asarray(fit.coef(s=s), dtype=np.float64)
    p = coefs.shape[-2] - 1
    names = ["(Intercept)"] + [str(n) for n in (fit.feature_names if fit.feature_names is not None
                                                else [f"V{j + 1}" for j in range(p)])]
    groups = fit.classes if fit.classes is not None else fit.response_names
    blocks = [("", coefs)] if coefs.ndim == 2 else [(f"[{groups[k] if groups is not None else k + 1}] ", c)
                                                   for k, c in enumerate(coefs)]
    print(f"\ncoefficients at {label} (nonzero only):")
    width = max(len(n) for n in names)
    for prefix, c in blocks:
        for name, v in zip(names, c[:, 0]):
            if v != 0 or name == "(Intercept)":
                print(f"  {prefix}{name:<{width}}  {v:>14.6g}")


def _named(X, names):
    """X with its column names, so the fit keeps them (a DataFrame when pandas is installed)."""
    try:
        import pandas as pd
    except ImportError:
        return X
    return pd.DataFrame(X, columns=names)


def _short_path(fit) -> str:
    import numpy as np

    lam, dev = fit._lam_np, np.asarray(fit.dev_ratio, dtype=np.float64)
    if lam.size == 0:
        return "the path is empty (no lambda was fit)"
    return (f"path: {lam.size} lambdas from {lam[0]:.4g} to {lam[-1]:.4g}; %Dev up to {100 * dev[-1]:.2f}; "
            f"{int(np.asarray(fit.df)[-1])} nonzero at the end (`glmlx show MODEL` prints R's whole table)")


def _lambda_at(model, s):
    """A number for --s on a fit or CV result."""
    from .cv import CVGlmnet

    if isinstance(s, str):
        if not isinstance(model, CVGlmnet):
            raise DataError(f"--s {s} needs a cross-validated model (--cv)")
        return float(getattr(model, s))
    return s


def run_glmnet_fit(args) -> int:
    from .cv import cv_glmnet
    from .glmnet import glmnet
    from .model_io import save_model

    s = _s_value(args.s)
    X, y, w, off, foldid, enc, targets = _glmnet_data(args)
    kw = _glmnet_options(args, enc)
    kw.update(weights=w, offset=off)
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    n, p = X.shape
    note = f", {len(enc.features)} columns one-hot encoded" if enc.levels else ""
    print(f"glmlx fit: {args.data}  (n={n}, p={p}{note}; family {args.family}, alpha {args.alpha:g})")
    Xn = _named(X, enc.column_names())
    if args.cv:
        model = cv_glmnet(Xn, y, nfolds=args.cv, foldid=foldid, type_measure=args.measure, seed=args.seed,
                          trace_it=int(progress), **kw)
        fit = model.fit
        print(str(model).split("\n\n", 1)[1].rstrip())
    else:
        if foldid is not None or args.seed is not None or args.measure != "default":
            raise DataError("--foldid, --seed and --measure belong to --cv")
        model = fit = glmnet(Xn, y, trace_it=int(progress), **kw)
        print(_short_path(fit))
    if fit._lam_np.size:
        at = _lambda_at(model, s if s is not None else ("lambda_1se" if args.cv else float(fit._lam_np[-1])))
        for lam in (at if isinstance(at, list) else [at]):
            name = s if isinstance(s, str) else ("lambda_1se" if s is None and args.cv else None)
            label = f"{name} = {lam:.6g}" if name else f"lambda {lam:.6g}"
            _print_coefficients(fit, lam, label)
    if args.save:
        save_model(model, args.save, metadata={"encoding": enc.to_json(), "targets": targets,
                                               "offset_column": args.offset, "data": os.path.basename(args.data)})
        print(f"\nsaved to {args.save}")
    return 0


def run_predict(args) -> int:
    import numpy as np

    from . import tabular
    from .cv import CVGlmnet

    from .model_io import load_model_and_header

    model, header = load_model_and_header(args.model)
    meta = header.get("metadata", {})
    if "encoding" not in meta:
        raise DataError(f"{args.model}: saved without the command line's column encoding; "
                        "predict from Python (glmlx.load_model) instead")
    enc = tabular.Encoding.from_json(meta["encoding"])
    extra = [args.offset] if args.offset else []
    if header["offset"] and not args.offset:
        raise DataError(f"{args.model} was fit with an offset (column {meta.get('offset_column')!r}): "
                        "give --offset COLUMN")
    table = _read_glmnet_table(args.data, enc.features, [], extra, args.na, header["family"])
    X = _named(tabular.encode(table, enc), enc.column_names())
    s = _s_value(args.s)
    if s is None and isinstance(model, CVGlmnet):
        s = "lambda_1se"
    lam = None if s is None else _lambda_at(model, s)
    fit = model.fit if isinstance(model, CVGlmnet) else model
    if args.type == "class" and not get_family(fit.family).classifies:
        raise DataError(f"--type class is for binomial and multinomial models, not {fit.family}")
    newoffset = table.columns[args.offset] if args.offset else None
    out = np.asarray(fit.predict(X, s=lam, type=args.type, newoffset=newoffset))
    lams = np.atleast_1d(fit._lam_np if lam is None else np.asarray(lam, dtype=np.float64))
    if out.ndim == 3:  # multinomial / mgaussian: (n, K, len(s))
        groups = fit.classes if fit.classes is not None else fit.response_names
        groups = [str(g) for g in groups] if groups is not None else [str(k + 1) for k in range(out.shape[1])]
        header_row = [f"{g}@{lm:.6g}" if len(lams) > 1 else g for lm in lams for g in groups]
        rows = out.transpose(0, 2, 1).reshape(out.shape[0], -1)
    else:
        header_row = [f"{args.type}@{lm:.6g}" if len(lams) > 1 else args.type for lm in lams]
        rows = out.reshape(out.shape[0], -1)
    fh = open(args.output, "w", newline="") if args.output else sys.stdout
    try:
        wr = csv.writer(fh)
        wr.writerow(header_row)
        for r in rows:
            # repr: the shortest text that reads back as the same double (exact round trip)
            wr.writerow([str(v) for v in r] if args.type == "class" else [repr(float(v)) for v in r])
    finally:
        if args.output:
            fh.close()
    if args.output:
        print(f"{rows.shape[0]} rows x {rows.shape[1]} predictions written to {args.output}")
    return 0


def run_show(args) -> int:
    from .cv import CVGlmnet

    from .model_io import load_model_and_header

    model, header = load_model_and_header(args.model)
    fit = model.fit if isinstance(model, CVGlmnet) else model
    meta = header.get("metadata", {})
    print(f"glmlx model {args.model}: {header['kind']}, family {header['family']}, {header['nobs']} observations, "
          f"{fit._beta_np.shape[-2]} variables (format {header['format']} v{header['version']}, "
          f"glmlx {header['glmlx']})")
    if "encoding" in meta:
        print(f"data: {meta.get('data')}; target {', '.join(meta.get('targets', []))}; "
              f"feature columns {', '.join(meta['encoding']['features'])}")
    print(str(fit))
    if isinstance(model, CVGlmnet):
        print(str(model))
    s = _s_value(args.s)
    if s is not None:
        lam = _lambda_at(model, s)
        for one in (lam if isinstance(lam, list) else [lam]):
            _print_coefficients(fit, one, f"{s} = {one:.6g}" if isinstance(s, str) else f"lambda {one:.6g}")
    return 0


def run_fit(args) -> int:
    import numpy as np

    from .lstsq import lstsq

    if args.method == "glmnet":
        return run_glmnet_fit(args)

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
    runners = {"fit": run_fit, "predict": run_predict, "show": run_show}
    if args.command in runners:
        try:
            return runners[args.command](args)
        except BrokenPipeError:  # the reader went away (`glmlx predict ... | head`): not an error
            sys.stdout = None  # nothing more can be written there, not even at exit
            return 0
        except (DataError, ValueError, TypeError, OSError) as exc:
            print(f"glmlx {args.command}: error: {exc}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print(f"glmlx {args.command}: interrupted", file=sys.stderr)
            return 130
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
