"""The family registry (python/glmlx/families): one place that says what each family= value means."""
import re
from pathlib import Path

import numpy as np
import pytest

import glmlx
from glmlx import _control
from glmlx._ext_loader import _ext
from glmlx.families import FAMILIES, get_family

PKG = Path(glmlx.__file__).parent

# R glmnet 4.1's cv.glmnet type.measure choices per family (?cv.glmnet, glmnet.measures()), default first.
R_CV_MEASURES = {
    "gaussian": {"mse", "mae", "deviance"},
    "binomial": {"deviance", "class", "auc", "mse", "mae"},
    "poisson": {"deviance", "mse", "mae"},
    "multinomial": {"deviance", "class", "mse", "mae"},
    "mgaussian": {"mse", "deviance", "mae"},
}
R_DEFAULT = {"gaussian": "mse", "binomial": "deviance", "poisson": "deviance", "multinomial": "deviance",
             "mgaussian": "mse"}


def test_registry_holds_glmnets_families_in_order():
    assert list(FAMILIES) == ["gaussian", "binomial", "poisson", "multinomial", "mgaussian"]
    assert glmlx.glmnet.__module__  # the public API takes exactly these
    from glmlx.glmnet import FAMILIES as api_families
    assert api_families == tuple(FAMILIES)


@pytest.mark.parametrize("name", list(R_CV_MEASURES))
def test_cv_measures_are_rs(name):
    fam = get_family(name)
    assert set(fam.cv_measures) == R_CV_MEASURES[name]
    assert fam.default_measure == R_DEFAULT[name]
    assert set(fam.assess_measures) <= set(fam.cv_measures)


def test_link_inverses():
    eta = np.array([[-3.0, 0.0, 2.5], [1.0, -1.0, 0.5]])
    np.testing.assert_array_equal(get_family("gaussian").link_inverse(eta), eta)
    np.testing.assert_allclose(get_family("binomial").link_inverse(eta), 1 / (1 + np.exp(-eta)), rtol=1e-15)
    np.testing.assert_allclose(get_family("poisson").link_inverse(eta), np.exp(eta), rtol=1e-15)
    mu = get_family("multinomial").link_inverse(eta[:, :, None])
    np.testing.assert_allclose(mu.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(np.log(mu[:, 0] / mu[:, 1]), (eta[:, 0] - eta[:, 1])[:, None], rtol=1e-12)
    np.testing.assert_array_equal(get_family("mgaussian").link_inverse(eta), eta)


def test_every_glm_family_names_a_cpp_family():
    for fam in FAMILIES.values():
        if fam.solver == "glm":
            assert hasattr(_ext.GlmFamily, fam.cpp_family)
            assert fam.cv_losses is not None
        else:
            assert fam.cpp_family is None


def test_get_family_names_the_argument():
    with pytest.raises(ValueError, match=r"family must be one of 'gaussian', 'binomial'.*got 'gamma'"):
        get_family("gamma")
    with pytest.raises(ValueError, match="family must be one of"):
        get_family(None)


@pytest.mark.parametrize("name", list(FAMILIES))
def test_each_registered_family_fits(name):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((60, 4))
    eta = X[:, 0] - 0.5 * X[:, 1]
    y = {"gaussian": eta + rng.standard_normal(60),
         "binomial": (eta + rng.standard_normal(60) > 0).astype(int),
         "poisson": rng.poisson(np.exp(0.3 * eta)).astype(float),
         "multinomial": np.digitize(eta + rng.standard_normal(60), [-0.5, 0.5]),
         "mgaussian": np.column_stack([eta, -eta]) + rng.standard_normal((60, 2))}[name]
    fit = glmlx.glmnet(X, y, family=name, nlambda=10)
    assert fit.family == name and fit.lambdas.size >= 2
    pred = np.asarray(fit.predict(X[:5], type="response"))
    assert np.all(np.isfinite(pred))


def test_control_constants_are_glmnet_controls():
    # glmnet.control() defaults in R glmnet 4.1
    assert (_control.FDEV, _control.DEVMAX, _control.EPS, _control.BIG, _control.MNLAM) == \
        (1e-5, 0.999, 1e-6, 9.9e35, 5)
    assert (_control.PMIN, _control.EXMX, _control.PREC, _control.MXIT) == (1e-9, 250.0, 1e-10, 100)


def test_no_module_tests_family_names_outside_the_registry():
    # a family's meaning lives in glmlx/families/; elsewhere families are asked for attributes
    pattern = re.compile(r"""family\s*(==|!=|\bin\b|\bnot in\b)\s*[\(\[]?\s*["'](gaussian|binomial|poisson|"""
                         r"""multinomial|mgaussian)["']""")
    offenders = []
    for path in PKG.rglob("*.py"):
        if "families" in path.parts:
            continue
        for i, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(PKG)}:{i}: {line.strip()}")
    assert offenders == []


def test_no_duplicate_control_constants():
    pattern = re.compile(r"^(BIG|FDEV|DEVMAX|EPS|MNLAM|PMIN)\s*=", re.M)
    found = [p.name for p in PKG.rglob("*.py") if p.name != "_control.py" and pattern.search(p.read_text())]
    assert found == []
