"""Plots of a path and of a CV curve, as R's plot.glmnet and plot.cv.glmnet.

matplotlib is an optional dependency: pip install "glmlx[plot]". Every plot
draws on the Axes given (``ax=``) or on a new figure, and returns its Axes.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .families import get_family

TOP_TICKS = 8  # at most this many degrees-of-freedom labels along the top axis
XLABELS = {"lambda": "log(lambda)", "norm": "L1 norm", "dev": "fraction of deviance explained"}


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - exercised only without matplotlib
        raise ImportError("plotting needs matplotlib: pip install 'glmlx[plot]'") from exc
    return plt


def _top_axis(ax, x: np.ndarray, counts: np.ndarray, title: str) -> None:
    """Counts (df, nonzero) along the top at evenly spaced x, as R's pretty() ticks labelled by approx().

    Ticks at the path's own points bunch up where x barely moves (xvar="dev"
    near the end of a path) and their labels run together; even spacing in x
    cannot.
    """
    lo, hi = float(np.min(x)), float(np.max(x))
    top = ax.secondary_xaxis("top")
    if hi > lo:
        at = np.linspace(lo, hi, TOP_TICKS)
        nearest = np.abs(x[None, :] - at[:, None]).argmin(axis=1)
        top.set_xticks(at)
        top.set_xticklabels([str(int(c)) for c in counts[nearest]])
    else:
        top.set_xticks([lo])
        top.set_xticklabels([str(int(counts[0]))])
    top.set_xlabel(title, fontsize="small")


def _axes_for(plt, ax, n: int):
    """The Axes to draw on: the caller's (one, or one per panel) or a new figure's, titles kept apart."""
    if ax is None:
        fig, axes = plt.subplots(n, 1, figsize=(7, 4.2 * n), squeeze=False, layout="constrained")
        return list(axes[:, 0])
    axes = list(np.atleast_1d(np.asarray(ax, dtype=object)).ravel())
    if len(axes) != n:
        raise ValueError(f"ax: this plot has {n} panel(s) (one per class or response), got {len(axes)} Axes")
    return axes


def _save(axes, path: Optional[str]) -> None:
    if path is not None:
        axes[0].figure.savefig(path, dpi=120, bbox_inches="tight")


def plot_path(fit, xvar: str = "lambda", path: Optional[str] = None, *, label: bool = False, ax=None):
    """Coefficient paths against log(lambda), the L1 norm or the deviance ratio (R's plot.glmnet);
    one panel per class or response for multinomial and mgaussian fits (R's plot.multnet).

    Parameters
    ----------
    fit : GlmnetFit
    xvar : "lambda", "norm" or "dev"
    path : str, optional      save the figure there (PNG, PDF, ... by extension)
    label : bool              name each curve at its end (R's label=TRUE): the feature names, else V1..Vp
    ax : matplotlib Axes, or a sequence of them (one per panel), optional

    Returns
    -------
    matplotlib Axes (one panel) or a list of Axes (multinomial, mgaussian)
    """
    if xvar not in XLABELS:
        raise ValueError(f"xvar must be 'lambda', 'norm' or 'dev', got {xvar!r}")
    plt = _pyplot()
    beta = fit._beta_np
    panels = [beta] if beta.ndim == 2 else list(beta)
    groups = fit.classes if fit.classes is not None else fit.response_names
    kind = "class" if get_family(fit.family).plot_predict_type == "class" else "response"
    names = [""] if beta.ndim == 2 else [f"{kind} {groups[k] if groups is not None else k + 1}: "
                                         for k in range(len(panels))]
    p = beta.shape[-2]
    vnames = list(fit.feature_names) if fit.feature_names is not None else [f"V{j + 1}" for j in range(p)]
    axes = _axes_for(plt, ax, len(panels))
    lam, df = fit._lam_np, np.asarray(fit.df)
    for a, b, name in zip(axes, panels, names):
        x = {"lambda": np.log(lam), "norm": np.abs(b).sum(axis=0),
             "dev": np.asarray(fit.dev_ratio, dtype=np.float64)}[xvar]
        a.plot(x, b.T, lw=1)
        a.set_xlabel(XLABELS[xvar])
        a.set_ylabel("coefficients")
        a.set_title(f"{name}{fit.family} path, {p} variables", fontsize="medium")
        if x.size:
            _top_axis(a, x, df, "variables in the model")
            if label:
                end = int(np.argmax(x)) if xvar != "lambda" else int(np.argmin(x))
                for j in np.flatnonzero(b[:, end]):
                    a.annotate(vnames[j], (x[end], b[j, end]), xytext=(3, 0), textcoords="offset points",
                               fontsize="x-small", va="center", annotation_clip=False)
    _save(axes, path)
    return axes[0] if len(axes) == 1 else axes


def plot_cv(cv, path: Optional[str] = None, *, ax=None):
    """CV error against log(lambda) with one-SE bars and the two chosen lambdas (R's plot.cv.glmnet).

    ``ax``: a matplotlib Axes to draw on (else a new figure); ``path``: save the figure there.
    Returns the Axes.
    """
    plt = _pyplot()
    a = _axes_for(plt, ax, 1)[0]
    lam = np.log(cv.fit._lam_np)
    cvm, cvsd = cv._cvm_np, np.asarray(cv.cvsd, dtype=np.float64)
    a.errorbar(lam, cvm, yerr=cvsd, fmt="o", ms=3, color="tab:red", ecolor="0.6", capsize=2)
    a.axvline(np.log(cv.lambda_min), ls="--", color="0.3", label="lambda_min")
    a.axvline(np.log(cv.lambda_1se), ls=":", color="0.3", label="lambda_1se")
    a.set_xlabel("log(lambda)")
    a.set_ylabel(cv.name)
    a.legend(fontsize="small")
    if lam.size:
        _top_axis(a, lam, np.asarray(cv.nzero), "nonzero coefficients")
    _save([a], path)
    return a
