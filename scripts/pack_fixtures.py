#!/usr/bin/env python3
"""Pack the text output of scripts/glmnet_fixtures.R (gaussian) or
scripts/glmnet_glm_fixtures.R (binomial, poisson, multinomial, mgaussian)
into .npz fixtures.

Usage: python3 scripts/pack_fixtures.py RAW_DIR OUT_DIR

RAW_DIR holds one sub-directory per case (written by the R script); one
compressed ``<case>.npz`` is written to OUT_DIR per case.  Needs only numpy.
Arrays are stored in the order of ARRAYS below, and only those whose file
exists, so adding entries leaves existing fixtures byte-identical.
"""

from __future__ import annotations

import io
import json
import math
import sys
import zipfile
from pathlib import Path

import numpy as np

# R parameter name -> (python name, type)
PARAM_TYPES = {
    "family": ("family", str),
    "alpha": ("alpha", float),
    "nlambda": ("nlambda", int),
    "lambda.min.ratio": ("lambda_min_ratio", float),
    "standardize": ("standardize", bool),
    "intercept": ("intercept", bool),
    "thresh": ("thresh", float),
    "dfmax": ("dfmax", int),
    "pmax": ("pmax", int),
    "maxit": ("maxit", int),
    "type.gaussian": ("type_gaussian", str),
    "type.logistic": ("type_logistic", str),
    "type.multinomial": ("type_multinomial", str),
    "standardize.response": ("standardize_response", bool),
    "type.measure": ("type_measure", str),
    "nfolds": ("nfolds", int),
    "keep": ("keep", bool),
    "cv.grouped": ("cv_grouped", bool),
    "cv.lmr.default": ("cv_lmr_default", bool),  # R's folds got no lambda.min.ratio (their own default)
    "alignment": ("alignment", str),
    "n": ("n", int),
    "p": ("p", int),
    "K": ("K", int),
    "class_levels": ("class_levels", list),  # "|"-separated in params.txt
    "user_lambda": ("user_lambda", bool),
    "user_weights": ("user_weights", bool),
    "has_offset": ("has_offset", bool),
    "pred_interp_index": ("pred_interp_index", int),
    "jerr": ("jerr", int),
    "glmnet_version": ("glmnet_version", str),
    "R_version": ("R_version", str),
}

# file stem -> (npz name, dtype, kind) ; kind: "vec", "scalar", "mat", or
# "nd" (<stem>.csv holds the values in C order, <stem>.shape the dimensions).
# Several stems may map to one npz name (e.g. y / y_mat / y_class); a case
# must have at most one of them.
ARRAYS = {
    "X": ("X", np.float64, "mat"),
    "y": ("y", np.float64, "vec"),
    "y_mat": ("y", np.float64, "mat"),  # binomial counts (n, 2); mgaussian (n, K)
    "y_class": ("y", np.int64, "vec"),  # multinomial: 0-based class index
    "weights": ("weights", np.float64, "vec"),
    "offset": ("offset", np.float64, "vec"),
    "offset_mat": ("offset", np.float64, "mat"),  # multinomial (n, K)
    "penalty_factor": ("penalty_factor", np.float64, "vec"),
    "lower_limits": ("lower_limits", np.float64, "vec"),
    "upper_limits": ("upper_limits", np.float64, "vec"),
    "exclude_1based": ("exclude", np.int64, "vec"),  # converted to 0-based
    "lambda_in": ("lambda_in", np.float64, "vec"),
    "foldid": ("foldid", np.int64, "vec"),
    "lambda": ("lambda", np.float64, "vec"),
    "a0": ("a0", np.float64, "vec"),
    "a0_mat": ("a0", np.float64, "mat"),  # multinomial / mgaussian (K, nlam)
    "beta": ("beta", np.float64, "mat"),
    "beta_3d": ("beta", np.float64, "nd"),  # multinomial / mgaussian (K, p, nlam)
    "dev_ratio": ("dev_ratio", np.float64, "vec"),
    "nulldev": ("nulldev", np.float64, "scalar"),
    "df": ("df", np.int64, "vec"),
    "dfmat": ("dfmat", np.int64, "mat"),  # (K, nlam)
    "npasses": ("npasses", np.int64, "scalar"),
    "cvm": ("cvm", np.float64, "vec"),
    "cvsd": ("cvsd", np.float64, "vec"),
    "cvup": ("cvup", np.float64, "vec"),
    "cvlo": ("cvlo", np.float64, "vec"),
    "nzero": ("nzero", np.int64, "vec"),
    "lambda_min": ("lambda_min", np.float64, "scalar"),
    "lambda_1se": ("lambda_1se", np.float64, "scalar"),
    "cv_lambda": ("cv_lambda", np.float64, "vec"),
    "pred_s": ("pred_s", np.float64, "vec"),
    "pred_link": ("pred_link", np.float64, "nd"),  # (n, m) or (n, K, m)
    "pred_response": ("pred_response", np.float64, "nd"),
    "pred_class": ("pred_class", np.int64, "nd"),  # (n, m), index into class_levels
}


def _parse_value(raw: str, typ):
    raw = raw.strip()
    if raw in ("NULL", "NA"):
        return None
    if typ is bool:
        if raw not in ("TRUE", "FALSE"):
            raise ValueError(f"bad boolean {raw!r}")
        return raw == "TRUE"
    if typ is int:
        v = float(raw)
        if v != int(v):
            raise ValueError(f"bad integer {raw!r}")
        return int(v)
    if typ is float:
        v = float(raw)
        return v if math.isfinite(v) else str(v)
    if typ is list:
        return raw.split("|")
    return raw


def read_params(path: Path) -> dict:
    out = {}
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        key, _, raw = line.partition("=")
        key = key.strip()
        if key in PARAM_TYPES:
            name, typ = PARAM_TYPES[key]
        else:  # unknown key: best-effort typing
            name = key.replace(".", "_")
            typ = bool if raw.strip() in ("TRUE", "FALSE") else str
            if typ is str:
                try:
                    float(raw)
                    typ = float
                except ValueError:
                    pass
        out[name] = _parse_value(raw, typ)
    return out


def _read_numbers(path: Path, kind: str) -> np.ndarray:
    lines = [ln.strip() for ln in path.read_text().splitlines() if ln.strip()]
    rows = [[float(tok) for tok in ln.split(",")] for ln in lines]
    arr = np.asarray(rows, dtype=np.float64)
    if kind == "nd":
        shape_file = path.with_suffix(".shape")
        shape = tuple(int(v) for v in shape_file.read_text().split())
        if arr.size != math.prod(shape):
            raise ValueError(f"{path}: {arr.size} values for shape {shape}")
        return arr.reshape(shape)
    if kind == "mat":
        return arr.reshape(len(rows), -1) if rows else np.zeros((0, 0))
    return arr.reshape(-1)


def pack_case(case_dir: Path, out_dir: Path) -> dict:
    data: dict[str, np.ndarray] = {}
    for stem, (name, dtype, kind) in ARRAYS.items():
        f = case_dir / f"{stem}.csv"
        if not f.exists():
            continue
        arr = _read_numbers(f, kind)
        if kind == "scalar":
            if arr.size != 1:
                raise ValueError(f"{f}: expected scalar, got {arr.size} values")
            arr = arr.reshape(())
        if dtype is np.int64:
            if not np.all(arr == np.round(arr)):
                raise ValueError(f"{f}: non-integer values")
            arr = arr.astype(np.int64)
        if stem == "exclude_1based":
            arr = arr - 1
        if name in data:
            raise ValueError(f"{case_dir}: more than one file for array {name!r}")
        data[name] = arr
    params = read_params(case_dir / "params.txt")
    warn_file = case_dir / "warnings.txt"
    warns = [w for w in warn_file.read_text().splitlines() if w.strip()] if warn_file.exists() else []
    params["r_warnings"] = warns
    data["params_json"] = np.array(json.dumps(params, sort_keys=True))
    validate(case_dir.name, data, params)
    write_npz_deterministic(out_dir / f"{case_dir.name}.npz", data)
    return data


def write_npz_deterministic(path: Path, arrays: dict) -> None:
    """Like np.savez_compressed, but with fixed zip timestamps so that
    regenerating identical fixtures gives byte-identical files."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, arr in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asanyarray(arr), allow_pickle=False)
            zf.writestr(info, buf.getvalue())


def validate(name: str, d: dict, params: dict) -> None:
    X, y = d["X"], d["y"]
    n, p = X.shape
    nlam = d["lambda"].shape[0]
    family = params.get("family", "gaussian")
    multi = family in ("multinomial", "mgaussian")
    K = params.get("K", 1)

    def check(cond, msg):
        if not cond:
            raise AssertionError(f"{name}: {msg}")

    if family == "multinomial":
        check(y.shape == (n,) and y.dtype == np.int64, "y: (n,) class indices")
        check(len(params["class_levels"]) == K, "class_levels vs K")
        check(np.all((y >= 0) & (y < K)), "y class index range")
    elif family == "mgaussian":
        check(y.shape == (n, K), "y shape (n, K)")
    elif family == "binomial":
        check(y.shape in ((n,), (n, 2)), "y shape (n,) or (n, 2)")
        check(len(params["class_levels"]) == 2, "binomial class_levels")
    else:
        check(y.shape == (n,), "y shape")
    check(params["n"] == n and params["p"] == p, "n/p vs params")
    if multi:
        check(d["beta"].shape == (K, p, nlam), f"beta shape {d['beta'].shape} vs ({K},{p},{nlam})")
        check(d["a0"].shape == (K, nlam), "a0 shape")
        nz = d["beta"] != 0
        if "dfmat" in d:
            check(d["dfmat"].shape == (K, nlam), "dfmat shape")
            check(np.array_equal(d["dfmat"], nz.sum(axis=1)), "dfmat != per-class nnz(beta)")
        check(np.array_equal(d["df"], nz.any(axis=0).sum(axis=0)), "df != nnz(any class)")
    else:
        check(d["beta"].shape == (p, nlam), f"beta shape {d['beta'].shape} vs ({p},{nlam})")
        check(d["a0"].shape == (nlam,), "a0 shape")
        check(np.array_equal(d["df"], (d["beta"] != 0).sum(axis=0)), "df != nnz(beta)")
    for k in ("dev_ratio", "df"):
        check(d[k].shape == (nlam,), f"{k} shape")
    check(d["nulldev"].shape == () and d["npasses"].shape == (), "scalars")
    check(np.all(np.diff(d["lambda"]) < 0), "lambda not strictly decreasing")
    for k in ("weights", "foldid"):
        if k in d:
            check(d[k].shape == (n,), f"{k} shape")
    if "offset" in d:
        check(d["offset"].shape == ((n, K) if family == "multinomial" else (n,)), "offset shape")
    for k in ("penalty_factor",):
        if k in d:
            check(d[k].shape == (p,), f"{k} shape")
    for k in ("lower_limits", "upper_limits"):
        if k in d:
            check(d[k].shape in ((1,), (p,)), f"{k} shape")
    if "exclude" in d:
        check(np.all((d["exclude"] >= 0) & (d["exclude"] < p)), "exclude range")
        excl = d["beta"][:, d["exclude"]] if multi else d["beta"][d["exclude"]]
        check(np.all(excl == 0), "excluded coef nonzero")
    if "cvm" in d:
        m = d["cvm"].shape[0]
        for k in ("cvsd", "cvup", "cvlo", "nzero", "cv_lambda"):
            check(d[k].shape == (m,), f"{k} shape")
        check(np.allclose(d["cv_lambda"], d["lambda"][:m]), "cv lambda != fit lambda")
        check(d["lambda_min"] in d["cv_lambda"] and d["lambda_1se"] in d["cv_lambda"], "lambda_min/1se")
    if "pred_s" in d:
        validate_predictions(name, d, params, check)


def validate_predictions(name, d, params, check) -> None:
    """Shapes, and the link predictions at the path lambdas (the first three
    pred_s values) recomputed from a0 / beta / offset: catches layout mistakes."""
    X, s, lam = d["X"], d["pred_s"], d["lambda"]
    n = X.shape[0]
    m = s.shape[0]
    family = params.get("family", "gaussian")
    multi = family in ("multinomial", "mgaussian")
    K = params.get("K", 1)
    shape = (n, K, m) if multi else (n, m)
    for k in ("pred_link", "pred_response"):
        check(d[k].shape == shape, f"{k} shape {d[k].shape} vs {shape}")
    if family in ("binomial", "multinomial"):
        check(d["pred_class"].shape == (n, m), "pred_class shape")
        check(np.all((d["pred_class"] >= 0) & (d["pred_class"] < len(params["class_levels"]))), "pred_class range")
    else:
        check("pred_class" not in d, "pred_class only for classification")
    if "pred_interp_index" in params:
        i = params["pred_interp_index"]
        check(lam[i] > s[-1] > lam[i + 1], "interpolation s not strictly between lambda[i], lambda[i+1]")
    off = d.get("offset")
    for j, sj in enumerate(s):
        hits = np.flatnonzero(lam == sj)
        if hits.size == 0:
            continue
        li = hits[0]
        if multi:
            eta = X @ d["beta"][:, :, li].T + d["a0"][:, li]
        else:
            eta = X @ d["beta"][:, li] + d["a0"][li]
        if off is not None:
            eta = eta + off
        got = d["pred_link"][..., j]
        check(np.allclose(got, eta, rtol=1e-9, atol=1e-9 * max(1.0, np.max(np.abs(eta)))),
              f"pred_link[..., {j}] != X beta + a0 (+ offset)")


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    raw_dir, out_dir = Path(argv[1]), Path(argv[2])
    out_dir.mkdir(parents=True, exist_ok=True)
    cases = sorted(p for p in raw_dir.iterdir() if (p / "params.txt").exists())
    if not cases:
        print(f"no cases found in {raw_dir}", file=sys.stderr)
        return 1
    total = 0
    for case_dir in cases:
        pack_case(case_dir, out_dir)
        path = out_dir / f"{case_dir.name}.npz"
        # reload to verify the written file
        with np.load(path) as z:
            params = json.loads(str(z["params_json"][()]))
            n, p = z["X"].shape
            nlam = z["lambda"].shape[0]
            extra = " cv" if "cvm" in z.files else ""
            warn = " [R warning]" if params["r_warnings"] else ""
            fam = params.get("family", "gaussian")
            kk = f" K={params['K']}" if "K" in params else ""
        size = path.stat().st_size
        total += size
        print(f"{case_dir.name:22s} {fam} n={n:4d} p={p:4d}{kk} nlambda={nlam:3d}{extra}{warn}  ({size/1024:.1f} KiB)")
    print(f"{len(cases)} cases, total {total/1024:.1f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
