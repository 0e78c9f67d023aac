"""Path and CV plots: drawn on the caller's Axes or a new figure, labelled, nothing overlapping; rendered to PNG."""
import numpy as np
import pytest

import glmlx

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def _data(family, n=120, p=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    eta = X[:, 0] - 0.8 * X[:, 1]
    y = {"gaussian": eta + rng.standard_normal(n), "binomial": (eta + rng.standard_normal(n) > 0) * 1.0,
         "poisson": rng.poisson(np.exp(0.4 * eta)) * 1.0,
         "multinomial": np.digitize(eta + rng.standard_normal(n), [-0.5, 0.5]),
         "mgaussian": np.c_[eta, -eta] + rng.standard_normal((n, 2))}[family]
    return X, y


def _boxes(fig, texts):
    r = fig.canvas.get_renderer()
    return [t.get_window_extent(r) for t in texts if t.get_visible() and t.get_text()]


def _tick_labels(ax):
    labels = list(ax.get_xticklabels())
    for child in ax.get_children():  # the secondary (top) axis
        if type(child).__name__ == "SecondaryAxis":
            labels += list(child.get_xticklabels())
    return labels


def _no_overlaps(boxes):
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), f"{a} overlaps {b}"


@pytest.mark.parametrize("xvar", ["lambda", "norm", "dev"])
@pytest.mark.parametrize("family", ["gaussian", "binomial", "poisson", "multinomial", "mgaussian"])
def test_path_plot_renders_and_nothing_overlaps(family, xvar, tmp_path):
    X, y = _data(family)
    fit = glmlx.glmnet(X, y, family=family)
    out = fit.plot(xvar=xvar, path=tmp_path / "p.png", label=True)
    axes = out if isinstance(out, list) else [out]
    assert len(axes) == (1 if family not in ("multinomial", "mgaussian") else np.asarray(fit.beta).shape[0])
    assert (tmp_path / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    fig = axes[0].figure
    fig.canvas.draw()
    for ax in axes:
        assert len(ax.get_lines()) == X.shape[1]
        # tick labels of each axis (bottom and the df labels on top) stay apart
        bottom = [t for t in ax.get_xticklabels()]
        _no_overlaps(_boxes(fig, bottom))
        _no_overlaps(_boxes(fig, _tick_labels(ax)[len(bottom):]))
    # a panel's title clears the panel above it (its x label and tick labels)
    for upper, lower in zip(axes, axes[1:]):
        title = _boxes(fig, [lower.title])[0]
        for box in _boxes(fig, [upper.xaxis.label] + list(upper.get_xticklabels())):
            assert not title.overlaps(box)
    plt.close(fig)


def test_path_plot_draws_on_the_given_axes_and_labels_curve_ends():
    X, y = _data("gaussian")
    import pandas as pd

    cols = [f"gene{j}" for j in range(X.shape[1])]
    fit = glmlx.glmnet(pd.DataFrame(X, columns=cols), y)
    fig, (a, b) = plt.subplots(1, 2)
    got = fit.plot(ax=b, label=True)
    assert got is b and len(b.get_lines()) == X.shape[1] and len(a.get_lines()) == 0
    end = fit.coef(s=float(np.asarray(fit.lambdas)[-1]))
    shown = {t.get_text() for t in b.texts}
    assert shown == {cols[j] for j in np.flatnonzero(np.asarray(end)[1:, 0])}
    assert not fit.plot(ax=a).texts  # label=False: no names
    plt.close(fig)


def test_multi_panel_needs_one_axes_per_panel():
    X, y = _data("multinomial")
    fit = glmlx.glmnet(X, y, family="multinomial")
    fig, axes = plt.subplots(3, 1)
    assert fit.plot(ax=axes) == list(axes)
    with pytest.raises(ValueError, match="3 panel"):
        fit.plot(ax=axes[0])
    plt.close(fig)


def test_cv_plot_on_given_axes_with_its_two_lambdas(tmp_path):
    X, y = _data("binomial")
    cv = glmlx.cv_glmnet(X, y, family="binomial", nfolds=4, seed=0)
    fig, ax = plt.subplots()
    assert cv.plot(ax=ax, path=tmp_path / "cv.png") is ax
    xs = sorted(line.get_xdata()[0] for line in ax.get_lines() if len(set(line.get_xdata())) == 1)
    np.testing.assert_allclose(xs, sorted(np.log([cv.lambda_min, cv.lambda_1se])))
    assert ax.get_ylabel() == cv.name
    fig.canvas.draw()
    _no_overlaps(_boxes(fig, _tick_labels(ax)[len(ax.get_xticklabels()):]))
    assert (tmp_path / "cv.png").stat().st_size > 1000
    plt.close(fig)
