"""R's printouts of glmnet and cv.glmnet objects (``print.glmnet``, ``print.cv.glmnet``).

Both print a data frame of class "anova", so R's ``print.anova`` formats it:
every column but Df is ``zapsmall``-ed, then each column gets the fewest
decimals that show every value to ``digits`` significant digits (R's
``formatReal``), in fixed notation unless scientific is narrower; digits is 5
for print.glmnet (print.anova's default) and 4 for print.cv.glmnet.
"""
from __future__ import annotations

import math

import numpy as np

R_DIGITS = 7  # getOption("digits")
GLMNET_DIGITS = max(3, R_DIGITS - 3)  # print.glmnet's signif() of lambda; print.cv.glmnet's digits
ANOVA_DIGITS = max(R_DIGITS - 2, 3)  # print.anova's default, used by print.glmnet


def zapsmall(values, digits: int) -> np.ndarray:
    """R's zapsmall: round to ``digits`` significant digits of the largest magnitude."""
    x = np.asarray(values, dtype=np.float64)
    finite = x[np.isfinite(x)]
    mx = np.max(np.abs(finite)) if finite.size else 0.0
    if mx <= 0:
        return x
    places = int(math.floor(max(0.0, digits - math.log10(mx)) + 0.5))
    return np.array([r_round(float(v), places) for v in x])


def r_round(x: float, places: int) -> float:
    """R 4's round(x, places): the nearer of the two candidates in double arithmetic; ties to the even one.

    (numpy's round would turn 0.003405 into 340.49999... / 1e5 and give 0.00340 where R gives 0.00341;
    Python's correctly rounded round() gives 0.00787 for 0.007865 where R gives 0.00786.)
    """
    if not math.isfinite(x) or x == 0:
        return x + 0.0  # no negative zero: R prints it as 0
    p10 = 10.0 ** places
    low = math.floor(x * p10)
    down, up = low / p10, (low + 1) / p10
    dd, du = x - down, up - x
    pick = down if dd < du or (dd == du and low % 2 == 0) else up
    return pick + 0.0


def _signif(v: float, digits: int) -> float:
    return float(f"{v:.{digits}g}") if math.isfinite(v) else v


def _decimals(v: float, digits: int) -> int:
    if not math.isfinite(v) or v == 0:
        return 0
    text = np.format_float_positional(_signif(v, digits), trim="-")
    return len(text.partition(".")[2])


def _sig_digits(v: float, digits: int) -> int:
    if not math.isfinite(v) or v == 0:
        return 1
    mant = f"{_signif(v, digits):.{digits - 1}e}".partition("e")[0].replace("-", "").replace(".", "")
    return max(1, len(mant.rstrip("0")))


def format_column(values, digits: int = R_DIGITS) -> list:
    """Strings for a numeric column, as R prints it (common decimals, or scientific when narrower)."""
    vals = [float(v) for v in values]
    finite = [v for v in vals if math.isfinite(v)]
    text = {}
    if finite:
        rgt = max(_decimals(v, digits) for v in finite)
        sig = max(_sig_digits(v, digits) for v in finite)
        fixed = [f"{v:.{rgt}f}" for v in finite]
        sci = [f"{v:.{sig - 1}e}" for v in finite]
        text = dict(zip(finite, sci if max(map(len, fixed)) > max(map(len, sci)) else fixed))
    return [text[v] if math.isfinite(v) else "NA" if math.isnan(v) else "Inf" if v > 0 else "-Inf" for v in vals]


def table(columns: dict, row_names: list) -> str:
    """A data frame printed as R does: row names left-aligned, columns right-aligned under their names.

    ``columns`` maps a name to numbers (formatted by :func:`format_column`) or to strings.
    """
    cells = {k: [str(c) for c in v] if len(v) and isinstance(v[0], str) else format_column(v)
             for k, v in columns.items()}
    w0 = max((len(r) for r in row_names), default=0)
    widths = {k: max([len(k)] + [len(c) for c in v]) for k, v in cells.items()}
    lines = [" " * w0 + "".join(" " + f"{k:>{widths[k]}}" for k in cells)]
    for i, r in enumerate(row_names):
        lines.append(f"{r:<{w0}}" + "".join(" " + f"{cells[k][i]:>{widths[k]}}" for k in cells))
    return "\n".join(lines)


def path_columns(fit) -> dict:
    """print.glmnet's columns: Df, %Dev (rounded to 2 decimals), Lambda (4 significant digits)."""
    lam = fit._lam_np
    return {"Df": np.asarray(fit.df).astype(np.int64),
            "%Dev": np.round(np.asarray(fit.dev_ratio, dtype=np.float64) * 100, 2),
            "Lambda": np.array([_signif(v, GLMNET_DIGITS) for v in lam])}


def _anova_cells(cols: dict, digits: int) -> dict:
    return {k: format_column(v if k == "Df" else zapsmall(v, digits), digits) for k, v in cols.items()}


def path_table(fit) -> str:
    """R's print.glmnet: the header, then one row per lambda (Df, %Dev, Lambda)."""
    cells = _anova_cells(path_columns(fit), ANOVA_DIGITS)
    head = f"\nglmnet fit: family {fit.family!r}, {fit.nobs} observations, {fit._beta_np.shape[-2]} variables\n\n"
    return head + table(cells, [str(i + 1) for i in range(len(fit._lam_np))])


def cv_columns(cv) -> dict:
    """print.cv.glmnet's rows (min, 1se): Lambda, Index (1-based, as R), Measure, SE, Nonzero."""
    idx = [cv.index_min, cv.index_1se]
    return {"Lambda": np.array([cv.lambda_min, cv.lambda_1se]),
            "Index": np.array([i + 1 for i in idx], dtype=np.int64),
            "Measure": cv._cvm_np[idx],
            "SE": np.asarray(cv.cvsd, dtype=np.float64)[idx],
            "Nonzero": np.asarray(cv.nzero).astype(np.int64)[idx]}


def cv_table(cv) -> str:
    """R's print.cv.glmnet: the measure, then the lambda_min and lambda_1se rows, 4 significant digits."""
    cells = _anova_cells(cv_columns(cv), GLMNET_DIGITS)
    head = f"\ncv_glmnet: family {cv.fit.family!r}, {np.unique(cv.foldid).size} folds\n\nMeasure: {cv.name} \n\n"
    return head + table(cells, ["min", "1se"])
