"""assess_glmnet, roc_glmnet and confusion_glmnet against R glmnet 4.1-6 (scripts/assess_fixtures.R)."""

import numpy as np
import pytest

import glmlx
from glmlx.assess import ASSESS_MEASURES
from conftest import fixture_dir

FIX = fixture_dir("assess")
CASES = sorted(p.name for p in FIX.iterdir() if p.is_dir())


def load(case):
    d = FIX / case
    read = lambda name: np.loadtxt(d / name, delimiter=",", ndmin=2)  # noqa: E731
    out = {"family": (d / "family.txt").read_text().strip(), "x_train": read("x_train.csv"),
           "x_test": read("x_test.csv"), "y_train": read("y_train.csv"), "y_test": read("y_test.csv"),
           "w_train": np.loadtxt(d / "w_train.txt"), "w_test": np.loadtxt(d / "w_test.txt"),
           "s": np.loadtxt(d / "s.txt")}
    if (d / "pred.shape").exists():
        out["pred"] = np.loadtxt(d / "pred.csv").reshape([int(v) for v in (d / "pred.shape").read_text().split()])
    else:
        out["pred"] = read("pred.csv")
    if out["family"] != "mgaussian":
        out["y_train"], out["y_test"] = out["y_train"][:, 0], out["y_test"][:, 0]
    out["assess"] = {m: np.loadtxt(d / f"assess_{m}.txt", ndmin=1) for m in ASSESS_MEASURES[out["family"]]}
    out["roc"] = [read(f"roc_{j}.csv") for j in (1, 2, 3) if (d / f"roc_{j}.csv").exists()]
    out["confusion"] = [(read(f"confusion_{j}.csv"), (d / f"confusion_{j}_rows.txt").read_text().split(),
                         (d / f"confusion_{j}_cols.txt").read_text().split())
                        for j in (1, 2, 3) if (d / f"confusion_{j}.csv").exists()]
    return out


def _weights(d, case):
    return d["w_test"] if case.endswith("weights") else None


@pytest.mark.parametrize("case", CASES)
def test_assess_of_r_predictions_equals_r(case):
    """The measures alone: glmlx's assess of R's own link predictions gives R's numbers."""
    d = load(case)
    got = glmlx.assess_glmnet(d["pred"], newy=d["y_test"], weights=_weights(d, case), family=d["family"])
    assert list(got) == list(ASSESS_MEASURES[d["family"]])
    for m, want in d["assess"].items():
        np.testing.assert_allclose(got[m], want, rtol=1e-13, atol=1e-15, err_msg=m)


@pytest.mark.parametrize("case", CASES)
def test_assess_of_a_glmlx_fit_equals_r(case):
    d = load(case)
    fit = glmlx.glmnet(d["x_train"], d["y_train"], family=d["family"], weights=d["w_train"])
    got = glmlx.assess_glmnet(fit, d["x_test"], d["y_test"], weights=_weights(d, case), s=d["s"])
    for m, want in d["assess"].items():
        np.testing.assert_allclose(got[m], want, rtol=1e-9, atol=1e-12, err_msg=m)


@pytest.mark.parametrize("case", [c for c in CASES if c.startswith("binomial")])
def test_roc_equals_r(case):
    d = load(case)
    curves = glmlx.roc_glmnet(d["pred"], newy=d["y_test"])
    assert len(curves) == len(d["roc"]) == 3
    for c, want in zip(curves, d["roc"]):
        np.testing.assert_allclose(np.c_[c.fpr, c.tpr], want, rtol=1e-14)
    fit = glmlx.glmnet(d["x_train"], d["y_train"], family="binomial", weights=d["w_train"])
    one = glmlx.roc_glmnet(fit, d["x_test"], d["y_test"], s=d["s"][0])
    np.testing.assert_allclose(np.c_[one.fpr, one.tpr], d["roc"][0], rtol=1e-12)


@pytest.mark.parametrize("case", [c for c in CASES if c.startswith(("binomial", "multinomial"))])
def test_confusion_equals_r(case):
    d = load(case)
    fit = glmlx.glmnet(d["x_train"], d["y_train"], family=d["family"], weights=d["w_train"])
    tables = glmlx.confusion_glmnet(fit, d["x_test"], d["y_test"], s=d["s"])
    assert len(tables) == len(d["confusion"]) == 3
    for t, (counts, rows, cols) in zip(tables, d["confusion"]):
        np.testing.assert_array_equal(t.counts, counts)
        assert [f"{float(v):g}" for v in t.predicted] == [f"{float(v):g}" for v in rows]
        assert [f"{float(v):g}" for v in t.true] == [f"{float(v):g}" for v in cols]
        assert t.percent_correct == pytest.approx(np.trace(counts) / counts.sum())
    assert "Percent Correct" in str(tables[0]) and "Total" in str(tables[0])


def test_cv_result_is_assessed_at_lambda_1se_as_r():
    d = load("binomial")
    cv = glmlx.cv_glmnet(d["x_train"], d["y_train"], family="binomial", nfolds=4, seed=0)
    got = glmlx.assess_glmnet(cv, d["x_test"], d["y_test"])
    want = glmlx.assess_glmnet(cv.fit, d["x_test"], d["y_test"], s=cv.lambda_1se)
    assert got.keys() == want.keys()
    for m in got:
        np.testing.assert_array_equal(got[m], want[m])
    at_min = glmlx.assess_glmnet(cv, d["x_test"], d["y_test"], s="lambda_min")
    assert at_min["deviance"].shape == (1,)


def test_labels_are_aligned_with_the_fit_classes():
    d = load("binomial")
    labels = np.where(d["y_train"] > 0, "yes", "no")
    fit = glmlx.glmnet(d["x_train"], labels, family="binomial")
    a = glmlx.assess_glmnet(fit, d["x_test"], np.where(d["y_test"] > 0, "yes", "no"), s=d["s"])
    b = glmlx.assess_glmnet(glmlx.glmnet(d["x_train"], d["y_train"], family="binomial"), d["x_test"],
                            d["y_test"], s=d["s"])
    for m in a:
        np.testing.assert_allclose(a[m], b[m], rtol=1e-12)
    with pytest.raises(ValueError, match="never saw"):
        glmlx.assess_glmnet(fit, d["x_test"], np.where(d["y_test"] > 0, "yes", "maybe"), s=d["s"])


def test_bad_arguments_are_clear_errors():
    d = load("gaussian")
    fit = glmlx.glmnet(d["x_train"], d["y_train"])
    with pytest.raises(ValueError, match="newx is required"):
        glmlx.assess_glmnet(fit, newy=d["y_test"])
    with pytest.raises(ValueError, match="family is required"):
        glmlx.assess_glmnet(d["pred"], newy=d["y_test"])
    with pytest.raises(ValueError, match="binomial"):
        glmlx.roc_glmnet(fit, d["x_test"], d["y_test"])
    with pytest.raises(ValueError, match="binomial and multinomial"):
        glmlx.confusion_glmnet(fit, d["x_test"], d["y_test"])
    with pytest.raises(ValueError, match="weights"):
        glmlx.assess_glmnet(fit, d["x_test"], d["y_test"], weights=-np.ones(len(d["y_test"])))


@pytest.mark.parametrize("case", CASES)
def test_print_fit_and_cv_show_rs_tables(case):
    """print(fit) and print(cv) show R's print.glmnet / print.cv.glmnet tables character for character."""
    d = load(case)
    fit = glmlx.glmnet(d["x_train"], d["y_train"], family=d["family"], weights=d["w_train"])
    want = (FIX / case / "print_fit.txt").read_text().rstrip("\n")
    assert str(fit).split("\n\n", 1)[1] == want
    foldid = np.arange(len(d["y_train"])) % 4 + 1
    cv = glmlx.cv_glmnet(d["x_train"], d["y_train"], family=d["family"], weights=d["w_train"], foldid=foldid)
    got = str(cv)
    assert got.split("\n\n", 1)[1].rstrip() == (FIX / case / "print_cv.txt").read_text().rstrip()
    table = fit.summary()
    assert list(table.columns) == ["Df", "%Dev", "Lambda"] and len(table) == np.asarray(fit.lambdas).size
    assert cv.summary().loc["min", "Index"] == cv.index_min + 1
