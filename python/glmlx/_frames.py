"""pandas input: DataFrames and Series in, names kept, missing values named.

pandas is optional: nothing here imports it. An object is treated as pandas
when its class comes from the pandas package; everything else passes through
untouched to the array conversion in ``_validation``.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

_SHOWN = 5  # index labels listed in a missing-value error


def is_pandas(obj) -> bool:
    return type(obj).__module__.partition(".")[0] == "pandas"


def _is_frame(obj) -> bool:
    return is_pandas(obj) and hasattr(obj, "columns") and hasattr(obj, "iloc")


def _is_series(obj) -> bool:
    return is_pandas(obj) and hasattr(obj, "dtype") and hasattr(obj, "iloc") and not hasattr(obj, "columns")


def _missing(col, what: str, mask=None) -> None:
    mask = np.asarray(col.isna(), dtype=bool) if mask is None else mask
    if mask.any():
        labels = list(col.index[mask][:_SHOWN])
        more = f" and {int(mask.sum()) - _SHOWN} more" if mask.sum() > _SHOWN else ""
        raise ValueError(f"{what} holds missing values (NA/NaN) at index {labels}{more}; "
                         "drop or impute those rows first")


def _numeric(col) -> bool:
    """True for numbers and booleans, including pandas' nullable Int64/Float64/boolean."""
    return getattr(col.dtype, "kind", "O") in "biuf"


def column_names(columns) -> Optional[np.ndarray]:
    """Column labels as feature names when they are all strings (scikit-learn's rule), else None."""
    labels = list(columns)
    if labels and all(isinstance(c, str) for c in labels):
        return np.asarray(labels, dtype=object)
    return None


def _require_numeric(dtype, what: str) -> None:
    if getattr(dtype, "kind", "O") not in "biuf":
        raise TypeError(f"{what} has dtype {dtype}; glmnet needs numbers: encode it first "
                        "(e.g. pandas.get_dummies) or leave the column out")


def _column_to_numpy(col, what: str, dtype) -> np.ndarray:
    _require_numeric(col.dtype, what)
    values = col.to_numpy(dtype=dtype, na_value=np.nan)  # pandas' NA and NaN alike: missing
    _missing(col, what, np.isnan(values))
    return values


def frame_to_numpy(X, name: str):
    """``(array, names)`` for a DataFrame: float32 when every column is float32, else float64.

    Every column must be numeric (nullable dtypes included) and hold no
    missing value; errors name the column and the first offending index labels.
    Anything that is not a DataFrame is returned as it is, with names None.
    """
    if not _is_frame(X):
        return X, None
    p = X.shape[1]
    for label, col_dtype in zip(X.columns, X.dtypes):
        _require_numeric(col_dtype, f"{name} column {label!r}")
    dtypes = [getattr(t, "numpy_dtype", t) for t in X.dtypes]
    dtype = np.float32 if p and all(t == np.float32 for t in dtypes) else np.float64
    # one conversion of the whole frame; pandas' NA (nullable dtypes) and NaN both become NaN, then one pass
    # finds the first column holding one, to name it
    out = X.to_numpy(dtype=dtype, na_value=np.nan)
    bad = np.flatnonzero(np.isnan(out).any(axis=0))
    if bad.size:
        _missing(X.iloc[:, bad[0]], f"{name} column {X.columns[bad[0]]!r}", np.isnan(out[:, bad[0]]))
    # C order, as a numpy caller's X: the same numbers give the same fit, bit for bit
    out = np.ascontiguousarray(out)
    return out, column_names(X.columns)


def response_to_numpy(y, name: str = "y"):
    """``(array, names)`` for y given as a Series or DataFrame; other inputs pass through.

    Numeric Series become float64 after an NA check; label Series (strings,
    categoricals) keep their values, and a categorical's categories give the
    class order (R's factor levels) through :func:`category_levels`.
    DataFrames (count matrices, several responses) go through
    :func:`frame_to_numpy`; their column names are returned.
    """
    if _is_frame(y):
        return frame_to_numpy(y, name)
    if not _is_series(y):
        return y, None
    if _numeric(y):
        return _column_to_numpy(y, name, np.float64), None
    _missing(y, name)
    if hasattr(y, "cat"):
        return y, None  # kept whole: its categories are the levels
    return y.to_numpy(), None


def category_levels(y):
    """``(levels, codes)`` for a pandas categorical Series, else None (levels in the categories' order)."""
    if _is_series(y) and hasattr(y, "cat"):
        return np.asarray(y.cat.categories), np.asarray(y.cat.codes, dtype=np.int64)
    return None


def check_predict_names(fit_names: Optional[np.ndarray], X, name: str = "Xnew") -> None:
    """Column names of a predict input against the fit's, as scikit-learn checks them.

    A DataFrame whose names differ from the fit's, or come in another order,
    is a ValueError (its columns would meet the wrong coefficients). Input
    without names after a fit with names, or the reverse, is accepted with a
    UserWarning, as scikit-learn does.
    """
    import warnings

    names = column_names(X.columns) if _is_frame(X) else None
    if fit_names is None:
        if names is not None:
            warnings.warn(f"{name} has feature names, but the model was fitted without feature names",
                          UserWarning, stacklevel=3)
        return
    if names is None:
        warnings.warn(f"{name} does not have feature names, but the model was fitted with feature names",
                      UserWarning, stacklevel=3)
        return
    if len(names) == len(fit_names) and np.array_equal(names, fit_names):
        return
    missing = [c for c in fit_names if c not in set(names)]
    unseen = [c for c in names if c not in set(fit_names)]
    if not missing and not unseen:
        raise ValueError(f"{name}: the feature names must come in the same order as at fit time "
                         f"({list(fit_names[:_SHOWN])}...); reorder with {name}[fit.feature_names]")
    parts = []
    if missing:
        parts.append(f"missing at predict: {missing[:_SHOWN]}")
    if unseen:
        parts.append(f"not seen at fit: {unseen[:_SHOWN]}")
    raise ValueError(f"{name}: the feature names differ from the fit's ({'; '.join(parts)})")


def numeric_to_numpy(a, name: str):
    """A DataFrame or numeric Series as a numpy array (NA checked, names dropped); anything else unchanged."""
    if _is_frame(a):
        return frame_to_numpy(a, name)[0]
    if _is_series(a) and _numeric(a):
        return _column_to_numpy(a, name, np.float32 if a.dtype == np.float32 else np.float64)
    return a
