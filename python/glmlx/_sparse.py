"""scipy.sparse input: checked, canonical CSC copies, never densified.

glmnet takes a sparse X (R's dgCMatrix) and never forms a dense or
standardized copy: its sparse routines center and scale on the fly. glmlx
does the same with scipy.sparse matrices and arrays. A CSR (or COO, ...)
matrix is converted to CSC once; a CSC one is copied, so that sorting its
indices, summing duplicates and dropping stored zeros never touch the
caller's matrix.
"""
from __future__ import annotations

import numpy as np


def is_sparse(X) -> bool:
    """Whether X is a scipy.sparse matrix or array (False without scipy)."""
    try:
        import scipy.sparse as sp
    except ImportError:  # pragma: no cover - scipy absent: nothing can be sparse
        return False
    return sp.issparse(X)


def as_csc(X, name: str, dtype=np.float64):
    """A canonical CSC copy of a scipy.sparse X with ``dtype`` values (float64 or float32).

    Canonical: indices sorted within each column, duplicates summed, stored
    zeros dropped. Integer and boolean values are taken as numbers (as R's
    ``as(x, "dgCMatrix")``); complex or object values, NaN/Inf among the
    stored values and a matrix too large for 32-bit row indices are errors
    naming ``name``.
    """
    import scipy.sparse as sp

    if len(X.shape) != 2:
        raise ValueError(f"{name} must be a 2-D matrix (n, p), got a sparse array of shape {X.shape}")
    kind = np.dtype(X.dtype).kind
    if kind not in "biuf":
        raise TypeError(f"{name} must be numeric, got a sparse matrix of dtype {X.dtype}")
    n, p = X.shape
    if n >= 2**31:
        raise ValueError(f"{name} has {n} rows; sparse X supports fewer than 2**31 rows")
    Xc = sp.csc_matrix(X, dtype=dtype, copy=True)  # CSR -> CSC here, once; a copy in every case
    Xc.sum_duplicates()  # sorts the indices too
    if not np.all(np.isfinite(Xc.data)):
        raise ValueError(f"{name} contains NaN or infinite values (among the sparse matrix's stored values)")
    Xc.eliminate_zeros()
    return _mlx_backed(Xc)


def _mlx_backed(Xc):
    """Xc over buffers MLX owns: the gaussian path op reads them as mx.arrays (``mlx_arrays``) without the
    copy ``mx.array(numpy)`` makes on Linux, so one copy of X serves every solver."""
    import mlx.core as mx
    import scipy.sparse as sp

    values = mx.float64 if Xc.dtype == np.float64 else mx.float32  # (mx.array makes float64 float32 unasked)
    arrays = (mx.array(Xc.indptr.astype(np.int64, copy=False)), mx.array(Xc.indices.astype(np.int32, copy=False)),
              mx.array(Xc.data, dtype=values))
    out = sp.csc_matrix(Xc.shape, dtype=Xc.dtype)
    # set after construction: scipy would give indptr and indices one index dtype (a copy)
    out.indptr, out.indices, out.data = (np.asarray(a) for a in arrays)
    out.has_sorted_indices = True
    out._glmlx_mx = arrays
    return out


def mlx_arrays(Xc, dtype):
    """(indptr, indices, data) of a canonical CSC copy as mx.arrays: its own buffers, copied only for another dtype."""
    import mlx.core as mx

    arrays = getattr(Xc, "_glmlx_mx", None)
    if arrays is None:
        arrays = (mx.array(Xc.indptr.astype(np.int64)), mx.array(Xc.indices.astype(np.int32)),
                  mx.array(Xc.data, dtype=dtype))
    return arrays[0], arrays[1], arrays[2] if arrays[2].dtype == dtype else arrays[2].astype(dtype)


def column_moments(Xc, w: np.ndarray, r: np.ndarray):
    """(xbar, var, c): weighted column means X'w, centered variances X^2'w - xbar^2 and X'r, from the stored entries.

    As glmnet's sparse standardization (``splstandard2``): variances from
    the second moments, so X is read as stored; ``w`` sums to one.
    """
    import scipy.sparse as sp

    xbar = Xc.T @ w
    sq = sp.csc_matrix((Xc.data * Xc.data, Xc.indices, Xc.indptr), shape=Xc.shape)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported by the caller
        var = np.maximum(sq.T @ w - xbar * xbar, 0.0)
    return xbar, var, Xc.T @ r


def weighted_gram(Xc, w: np.ndarray) -> np.ndarray:
    """X'WX as a dense (p, p) float64 array, from the stored entries (glmnet's covariance scheme)."""
    import scipy.sparse as sp

    Xw = sp.csc_matrix((Xc.data * w[Xc.indices], Xc.indices, Xc.indptr), shape=Xc.shape)
    return np.asarray((Xc.T @ Xw).toarray(), dtype=np.float64)


def constant_columns(Xc, cols: np.ndarray, rows=None) -> np.ndarray:
    """Which of ``cols`` are constant on ``rows`` (a boolean mask; None: all rows), for a canonical CSC Xc."""
    out = np.zeros(cols.size, dtype=bool)
    nrows = Xc.shape[0] if rows is None else int(np.count_nonzero(rows))
    for a, j in enumerate(cols):
        lo, hi = Xc.indptr[j], Xc.indptr[j + 1]
        idx, vals = Xc.indices[lo:hi], Xc.data[lo:hi]
        if rows is not None:
            keep = rows[idx]
            idx, vals = idx[keep], vals[keep]
        if vals.size == 0:
            out[a] = True  # all zeros
        elif vals.size == nrows:
            out[a] = bool(np.all(vals == vals[0]))
        # else: some stored (nonzero) values and some zeros: not constant
    return out
