"""Plots of a path and of a CV curve (matplotlib is an optional dependency: pip install "glmlx[plot]")."""
from __future__ import annotations

from typing import Optional

import numpy as np


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - exercised only without matplotlib
        raise ImportError("plotting needs matplotlib: pip install 'glmlx[plot]'") from exc
    return plt


def plot_path(fit, xvar: str = "lambda", path: Optional[str] = None):
    """Coefficient paths against log(lambda), the L1 norm or the deviance ratio (R's plot.glmnet);
    one panel per class or response for multinomial and mgaussian fits (R's plot.multnet)."""
    if xvar not in ("lambda", "norm", "dev"):
        raise ValueError(f"xvar must be 'lambda', 'norm' or 'dev', got {xvar!r}")
    plt = _pyplot()
    beta = np.asarray(fit.beta)
    panels = [beta] if beta.ndim == 2 else list(beta)
    names = [""] if beta.ndim == 2 else [f", {'class' if fit.family == 'multinomial' else 'response'} "
                                         f"{fit.classes[k] if fit.classes is not None else k}"
                                         for k in range(len(panels))]
    lam = np.asarray(fit.lambdas)
    label = {"lambda": "log(lambda)", "norm": "L1 norm", "dev": "fraction of deviance explained"}[xvar]
    fig, axes = plt.subplots(len(panels), 1, figsize=(7, 4.5 * len(panels)), squeeze=False)
    for ax, b, name in zip(axes[:, 0], panels, names):
        x = {"lambda": np.log(lam), "norm": np.abs(b).sum(axis=0), "dev": np.asarray(fit.dev_ratio)}[xvar]
        ax.plot(x, b.T, lw=1)
        ax.set_xlabel(label)
        ax.set_ylabel("coefficients")
        ax.set_title(f"{fit.family} path ({b.shape[0]} variables{name})")
        top = ax.secondary_xaxis("top")
        top.set_xticks(x[:: max(1, x.size // 8)])
        top.set_xticklabels(np.asarray(fit.df)[:: max(1, x.size // 8)])
    if path is not None:
        fig.savefig(path, dpi=120, bbox_inches="tight")
    return fig


def plot_cv(cv, path: Optional[str] = None):
    """CV error against log(lambda) with one-SE bars and the two chosen lambdas (R's plot.cv.glmnet)."""
    plt = _pyplot()
    lam = np.log(np.asarray(cv.lambdas))
    cvm, cvsd = np.asarray(cv.cvm), np.asarray(cv.cvsd)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.errorbar(lam, cvm, yerr=cvsd, fmt="o", ms=3, color="tab:red", ecolor="0.6", capsize=2)
    ax.axvline(np.log(cv.lambda_min), ls="--", color="0.3", label="lambda_min")
    ax.axvline(np.log(cv.lambda_1se), ls=":", color="0.3", label="lambda_1se")
    ax.set_xlabel("log(lambda)")
    ax.set_ylabel(cv.name)
    ax.legend()
    top = ax.secondary_xaxis("top")
    step = max(1, lam.size // 8)
    top.set_xticks(lam[::step])
    top.set_xticklabels(np.asarray(cv.nzero)[::step])
    if path is not None:
        fig.savefig(path, dpi=120, bbox_inches="tight")
    return fig
