#!/usr/bin/env bash
# Regenerate tests/fixtures/glmnet_sparse/*.npz (sparse X, every family) from R
# (needs Rscript + Matrix + glmnet, and numpy).
#
# scripts/glmnet_sparse_fixtures.R writes X as its CSC arrays (X_indptr,
# X_indices, X_data); they are packed with scripts/pack_fixtures.py's reader and
# writer as the arrays indptr, indices, data (no dense X in the .npz), and
# pack_fixtures.py's checks run on the matrix rebuilt from them.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/fixtures/glmnet_sparse
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
Rscript scripts/glmnet_sparse_fixtures.R "$tmp"
mkdir -p "$out"
python3 - "$tmp" "$out" <<'EOF'
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, "scripts")
import pack_fixtures as pf  # noqa: E402

pf.ARRAYS.update({
    "X_indptr": ("indptr", np.int64, "vec"),
    "X_indices": ("indices", np.int64, "vec"),
    "X_data": ("data", np.float64, "vec"),
})
pf.PARAM_TYPES.update({"nnz": ("nnz", int), "density": ("density", float),
                       "Matrix_version": ("Matrix_version", str)})


def dense_x(d, params):
    n, p = params["n"], params["p"]
    indptr, indices, data = d["indptr"], d["indices"], d["data"]
    if indptr.shape != (p + 1,) or indptr[0] != 0 or indptr[-1] != data.size or np.any(np.diff(indptr) < 0):
        raise AssertionError("bad indptr")
    if indices.shape != data.shape or np.any((indices < 0) | (indices >= n)):
        raise AssertionError("bad indices")
    X = np.zeros((n, p))
    for j in range(p):
        rows = indices[indptr[j]:indptr[j + 1]]
        if np.any(np.diff(rows) <= 0):
            raise AssertionError(f"column {j}: row indices not strictly increasing")
        X[rows, j] = data[indptr[j]:indptr[j + 1]]
    return X


check = pf.validate
pf.validate = lambda name, d, params: check(name, dict(d, X=dense_x(d, params)), params)

raw_dir, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
cases = sorted(c for c in raw_dir.iterdir() if (c / "params.txt").exists())
if not cases:
    sys.exit(f"no cases found in {raw_dir}")
total = 0
for case_dir in cases:
    pf.pack_case(case_dir, out_dir)
    path = out_dir / f"{case_dir.name}.npz"
    with np.load(path) as z:  # reload to verify the written file
        assert "X" not in z.files
        params = json.loads(str(z["params_json"][()]))
        nlam = z["lambda"].shape[0]
    size = path.stat().st_size
    total += size
    warn = " [R warning]" if params["r_warnings"] else ""
    print(f"{case_dir.name:34s} {params['family']:11s} n={params['n']:4d} p={params['p']:4d} "
          f"density={params['density']:.3f} nlambda={nlam:3d}{warn}  ({size / 1024:.1f} KiB)")
print(f"{len(cases)} cases, total {total / 1024:.1f} KiB")
EOF
