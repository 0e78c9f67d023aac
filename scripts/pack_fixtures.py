#!/usr/bin/env python3
"""Pack the text output of scripts/glmnet_fixtures.R into .npz fixtures.

Usage: python3 scripts/pack_fixtures.py RAW_DIR OUT_DIR

RAW_DIR holds one sub-directory per case (written by the R script); one
compressed ``<case>.npz`` is written to OUT_DIR per case.  Needs only numpy.
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
    "type.measure": ("type_measure", str),
    "nfolds": ("nfolds", int),
    "keep": ("keep", bool),
    "n": ("n", int),
    "p": ("p", int),
    "user_lambda": ("user_lambda", bool),
    "jerr": ("jerr", int),
    "glmnet_version": ("glmnet_version", str),
    "R_version": ("R_version", str),
}

# file stem -> (npz name, dtype, kind) ; kind: "vec", "scalar", "mat"
ARRAYS = {
    "X": ("X", np.float64, "mat"),
    "y": ("y", np.float64, "vec"),
    "weights": ("weights", np.float64, "vec"),
    "penalty_factor": ("penalty_factor", np.float64, "vec"),
    "lower_limits": ("lower_limits", np.float64, "vec"),
    "upper_limits": ("upper_limits", np.float64, "vec"),
    "exclude_1based": ("exclude", np.int64, "vec"),  # converted to 0-based
    "lambda_in": ("lambda_in", np.float64, "vec"),
    "foldid": ("foldid", np.int64, "vec"),
    "lambda": ("lambda", np.float64, "vec"),
    "a0": ("a0", np.float64, "vec"),
    "beta": ("beta", np.float64, "mat"),
    "dev_ratio": ("dev_ratio", np.float64, "vec"),
    "nulldev": ("nulldev", np.float64, "scalar"),
    "df": ("df", np.int64, "vec"),
    "npasses": ("npasses", np.int64, "scalar"),
    "cvm": ("cvm", np.float64, "vec"),
    "cvsd": ("cvsd", np.float64, "vec"),
    "cvup": ("cvup", np.float64, "vec"),
    "cvlo": ("cvlo", np.float64, "vec"),
    "nzero": ("nzero", np.int64, "vec"),
    "lambda_min": ("lambda_min", np.float64, "scalar"),
    "lambda_1se": ("lambda_1se", np.float64, "scalar"),
    "cv_lambda": ("cv_lambda", np.float64, "vec"),
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

    def check(cond, msg):
        if not cond:
            raise AssertionError(f"{name}: {msg}")

    check(y.shape == (n,), "y shape")
    check(params["n"] == n and params["p"] == p, "n/p vs params")
    check(d["beta"].shape == (p, nlam), f"beta shape {d['beta'].shape} vs ({p},{nlam})")
    for k in ("a0", "dev_ratio", "df"):
        check(d[k].shape == (nlam,), f"{k} shape")
    check(d["nulldev"].shape == () and d["npasses"].shape == (), "scalars")
    check(np.all(np.diff(d["lambda"]) < 0), "lambda not strictly decreasing")
    check(np.array_equal(d["df"], (d["beta"] != 0).sum(axis=0)), "df != nnz(beta)")
    for k in ("weights", "foldid"):
        if k in d:
            check(d[k].shape == (n,), f"{k} shape")
    for k in ("penalty_factor",):
        if k in d:
            check(d[k].shape == (p,), f"{k} shape")
    for k in ("lower_limits", "upper_limits"):
        if k in d:
            check(d[k].shape in ((1,), (p,)), f"{k} shape")
    if "exclude" in d:
        check(np.all((d["exclude"] >= 0) & (d["exclude"] < p)), "exclude range")
        check(np.all(d["beta"][d["exclude"]] == 0), "excluded coef nonzero")
    if "cvm" in d:
        m = d["cvm"].shape[0]
        for k in ("cvsd", "cvup", "cvlo", "nzero", "cv_lambda"):
            check(d[k].shape == (m,), f"{k} shape")
        check(np.allclose(d["cv_lambda"], d["lambda"][:m]), "cv lambda != fit lambda")
        check(d["lambda_min"] in d["cv_lambda"] and d["lambda_1se"] in d["cv_lambda"], "lambda_min/1se")


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
        size = path.stat().st_size
        total += size
        print(f"{case_dir.name:22s} n={n:4d} p={p:4d} nlambda={nlam:3d}{extra}{warn}  ({size/1024:.1f} KiB)")
    print(f"{len(cases)} cases, total {total/1024:.1f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
