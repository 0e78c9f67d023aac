"""Bad input gets a clear error naming the argument; inputs R accepts work (reliability issue items 5, 7, 8)."""
import warnings

import mlx.core as mx
import numpy as np
import pytest

import glmlx
from glmlx.cli import main
from glmlx.gaussian import GlmnetWarning

RNG = np.random.default_rng(7)
X = RNG.normal(size=(60, 4))
Y = X[:, 0] + RNG.normal(size=60)
RESPONSES = {
    "gaussian": Y,
    "binomial": (Y > 0).astype(float),
    "poisson": RNG.poisson(2.0, 60).astype(float),
    "multinomial": RNG.integers(0, 3, 60),
    "mgaussian": np.c_[Y, RNG.normal(size=60)],
}
FAMILIES = list(RESPONSES)


# -- item 5: memory bounded by the grid's length -------------------------------------------------
@pytest.mark.parametrize("family", FAMILIES)
def test_huge_nlambda_is_rejected_before_allocating(family):
    with pytest.raises(ValueError, match=r"nlambda=1000000000 would need .* GiB .*limit is 4 GiB"):
        glmlx.glmnet(X, RESPONSES[family], family=family, nlambda=10**9)
    with pytest.raises(ValueError, match=r"nlambda=1000000000 would need"):
        glmlx.cv_glmnet(X, RESPONSES[family], family=family, nlambda=10**9, nfolds=3, seed=0)


def test_cv_counts_the_fold_paths_in_the_memory_bound():
    # 20M lambdas x 5 coefficients x 8 bytes = 0.75 GiB for one path, 8 GiB with the 10 folds beside it
    with pytest.raises(ValueError, match=r"nlambda=20000000 would need .* times 11 paths"):
        glmlx.cv_glmnet(X, Y, nlambda=20_000_000, nfolds=10, seed=0)


@pytest.mark.parametrize("family", ["gaussian", "binomial", "mgaussian"])
def test_too_long_user_lambdas_are_rejected(family):
    Xw = RNG.normal(size=(16, 100_000))  # 6000 lambdas x 100001 coefficients = 4.5 GiB
    y = RESPONSES[family][:16] if family != "binomial" else np.array([0, 1] * 8)
    with pytest.raises(ValueError, match=r"lambdas with 6000 values would need"):
        glmlx.glmnet(Xw, y, family=family, lambdas=np.linspace(1, 0.1, 6000))


# -- item 7: mgaussian constant responses, empty paths --------------------------------------------
def test_mgaussian_constant_response_says_so():
    Yc = np.ones((60, 2))
    with pytest.raises(ValueError, match=r"y is constant"):
        glmlx.glmnet(X, Yc, family="mgaussian")
    with pytest.raises(ValueError, match=r"y is constant"):
        glmlx.cv_glmnet(X, Yc, family="mgaussian", nfolds=3, seed=0)
    with pytest.raises(ValueError, match=r"y is constant"):
        glmlx.glmnet(X, np.zeros((60, 2)), family="mgaussian", fit_intercept=False)
    # one constant column among varying ones is fine without standardize_response
    fit = glmlx.glmnet(X, np.c_[Y, np.ones(60)], family="mgaussian")
    assert fit.lambdas.size > 1


def test_mgaussian_constant_column_with_standardize_response():
    Yc = np.c_[Y, np.full(60, 3.0)]
    with pytest.raises(ValueError, match=r"y column 1 is constant: standardize_response=True"):
        glmlx.glmnet(X, Yc, family="mgaussian", standardize_response=True)
    with pytest.raises(ValueError, match=r"y column 1 is constant: standardize_response=True"):
        glmlx.cv_glmnet(X, Yc, family="mgaussian", standardize_response=True, nfolds=3, seed=0)


def test_mgaussian_cv_names_the_fold_whose_training_rows_are_constant():
    Yc = np.ones((60, 2))
    foldid = np.repeat([1, 2, 3], 20)
    Yc[:20] = RNG.normal(size=(20, 2))  # only fold 1's rows vary: its training rows (folds 2, 3) do not
    with pytest.raises(ValueError, match=r"fold 1: training rows: y is constant"):
        glmlx.cv_glmnet(X, Yc, family="mgaussian", foldid=foldid)


@pytest.mark.parametrize("family", FAMILIES)
def test_empty_path_coef_and_predict_say_why(family):
    Xc = X.copy()
    Xc[:, 1] += Xc[:, 0]  # two correlated unpenalized variables: one pass cannot fit them
    with pytest.warns(GlmnetWarning):
        fit = glmlx.glmnet(Xc, RESPONSES[family], family=family, maxit=1, penalty_factor=[0, 0, 1, 1])
    assert fit.lambdas.size == 0
    with pytest.raises(ValueError, match=r"s: this fit's path is empty .*maxit"):
        fit.coef(s=0.1)
    with pytest.raises(ValueError, match=r"s: this fit's path is empty"):
        fit.predict(Xc, s=0.1)


# -- item 8: unclear errors -------------------------------------------------------------------------
@pytest.mark.parametrize("family", FAMILIES)
def test_maxit_beyond_int32_is_named(family):
    with pytest.raises(ValueError, match=r"maxit must be at most 2\*\*31 - 1"):
        glmlx.glmnet(X, RESPONSES[family], family=family, maxit=2**31)
    # dfmax/pmax beyond p mean "no limit": accepted at any size
    fit = glmlx.glmnet(X, RESPONSES[family], family=family, dfmax=2**40, pmax=2**40, maxit=2**31 - 1)
    assert fit.lambdas.size > 1


@pytest.mark.parametrize("family", FAMILIES)
def test_reversed_views_are_accepted_and_left_alone(family):
    y = RESPONSES[family]
    yr, Xr = y[::-1], X[::-1]
    y_before, X_before = yr.copy(), Xr.copy()
    fit = glmlx.glmnet(Xr, yr, family=family)
    ref = glmlx.glmnet(np.ascontiguousarray(Xr), np.ascontiguousarray(yr), family=family)
    # (a reversed X may be summed in another order: equal to rounding)
    np.testing.assert_allclose(np.asarray(fit.coef()), np.asarray(ref.coef()), rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(yr, y_before)
    np.testing.assert_array_equal(Xr, X_before)


def test_lambda_min_ratio_zero_is_accepted_in_every_family_as_r():
    # R takes lambda.min.ratio = 0 in every family (glmnet floors it at eps = 1e-6); mgaussian refused it
    for family in FAMILIES:
        zero = glmlx.glmnet(X, RESPONSES[family], family=family, lambda_min_ratio=0)
        floor = glmlx.glmnet(X, RESPONSES[family], family=family, lambda_min_ratio=1e-6)
        np.testing.assert_array_equal(np.asarray(zero.lambdas), np.asarray(floor.lambdas))
        with pytest.raises(ValueError, match=r"lambda_min_ratio must be less than 1"):
            glmlx.glmnet(X, RESPONSES[family], family=family, lambda_min_ratio=1.0)
        with pytest.raises(ValueError, match=r"lambda_min_ratio"):
            glmlx.glmnet(X, RESPONSES[family], family=family, lambda_min_ratio=-0.1)


def test_string_s_is_a_type_error_naming_s():
    fit = glmlx.glmnet(X, Y)
    with pytest.raises(TypeError, match=r"s must be a lambda value .*'lambda_min' and 'lambda_1se'"):
        fit.coef(s="min")
    with pytest.raises(TypeError, match=r"s must be a lambda value"):
        fit.predict(X, s="lambda_min")
    with pytest.raises(TypeError, match=r"s must be a lambda value"):
        fit.coef(s=["0.1"])
    cv = glmlx.cv_glmnet(X, Y, nfolds=3, seed=0)
    np.testing.assert_allclose(np.asarray(cv.coef(s="lambda_min")), np.asarray(fit.coef(s=cv.lambda_min)),
                               rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("betas", [0.9, "ab", None])
def test_fit_gd_betas_must_be_a_pair(betas):
    with pytest.raises(TypeError, match=r"betas must be a pair of numbers"):
        glmlx.fit_gd(X, Y, betas=betas, steps=5)


def test_fit_gd_betas_pair_values_checked():
    with pytest.raises(ValueError, match=r"betas must be two numbers in \[0, 1\)"):
        glmlx.fit_gd(X, Y, betas=(0.9,), steps=5)


@pytest.mark.parametrize("family", FAMILIES)
def test_complex_y_is_refused_in_every_family(family):
    yc = RESPONSES[family] + 1j
    with pytest.raises(TypeError, match=r"y must be real"):
        glmlx.glmnet(X, yc, family=family)
    with pytest.raises(TypeError, match=r"y must be real"):
        glmlx.cv_glmnet(X, yc, family=family, nfolds=3, seed=0)


def test_stream_cpu_accepted_gpu_refused_by_glmnet_and_cv_without_a_gpu():
    for stream in (None, mx.cpu, mx.Device(mx.cpu), mx.default_stream(mx.cpu)):
        assert glmlx.glmnet(X, Y, stream=stream).lambdas.size > 1
        assert glmlx.cv_glmnet(X, Y, stream=stream, nfolds=3, seed=0).lambdas.size > 1
    for fn in (glmlx.glmnet, lambda *a, **k: glmlx.cv_glmnet(*a, nfolds=3, seed=0, **k)):
        if not mx.is_available(mx.gpu):  # (a GPU build runs it: tests/api/test_device_stream.py)
            with pytest.raises(ValueError, match=r"stream: this MLX build has no GPU"):
                fn(X, Y, stream=mx.gpu)
        with pytest.raises(TypeError, match=r"stream must be None, an mx.Stream or an mx.Device"):
            fn(X, Y, stream="gpu")


@pytest.mark.parametrize("family", FAMILIES)
def test_nlambda_one_is_a_one_point_path_at_lambda_max(family):
    # R: glmnet(x, y, nlambda = 1) is one point with no penalized variable in (R labels it 9.9e35)
    y = RESPONSES[family]
    one = glmlx.glmnet(X, y, family=family, nlambda=1)
    full = glmlx.glmnet(X, y, family=family)
    assert one.lambdas.size == 1 and one.jerr == 0
    np.testing.assert_allclose(float(one.lambdas[0]), float(full.lambdas[0]), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(one.coef()), np.asarray(full.coef())[..., :1], rtol=1e-10, atol=1e-12)
    assert np.all(np.asarray(one.beta) == 0)
    # any s gives that point; predict works
    np.testing.assert_allclose(np.asarray(one.coef(s=0.01)), np.asarray(one.coef()), rtol=0, atol=0)
    assert np.asarray(one.predict(X, s=0.01)).shape[0] == 60
    cv = glmlx.cv_glmnet(X, y, family=family, nlambda=1, nfolds=3, seed=0)
    assert cv.lambdas.size == 1 and np.isfinite(np.asarray(cv.cvm)).all()


def test_nlambda_zero_still_refused():
    with pytest.raises(ValueError, match=r"nlambda must be"):
        glmlx.glmnet(X, Y, nlambda=0)


# -- CLI ----------------------------------------------------------------------------------------
def _run_cli(args, capsys):
    try:
        rc = main(args)
    except SystemExit as exc:  # argparse's parser.error
        rc = exc.code
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return rc, out


def test_cli_header_only_csv(tmp_path, capsys):
    path = tmp_path / "h.csv"
    path.write_text("a,b,y\n")
    rc, out = _run_cli(["fit", str(path), "--target", "y"], capsys)
    assert rc != 0 and "no data rows after the header" in out.err and str(path) in out.err
    assert len(out.err.strip().splitlines()) == 1


def test_cli_bom_header(tmp_path, capsys):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfa,b,y\n1,2,3\n2,3,5\n3,1,2\n4,4,4\n")
    rc, out = _run_cli(["fit", str(path), "--target", "y"], capsys)
    assert rc == 0
    assert "\ufeff" not in out.out
    rc, out = _run_cli(["fit", str(path), "--target", "a"], capsys)  # the first column is found by name
    assert rc == 0


@pytest.mark.parametrize("content", [b"garbage", b"\x93NUMPY\x01\x00v\x00{'descr'"])
def test_cli_corrupt_npy_names_the_file(tmp_path, capsys, content):
    path = tmp_path / "bad.npy"
    path.write_bytes(content)
    rc, out = _run_cli(["fit", str(path)], capsys)
    assert rc != 0 and str(path) in out.err and ".npy" in out.err
    assert "pickled" not in out.err
    assert len(out.err.strip().splitlines()) == 1


def test_cli_corrupt_npz_names_the_file(tmp_path, capsys):
    path = tmp_path / "bad.npz"
    path.write_bytes(b"PK\x03\x04junk")
    rc, out = _run_cli(["fit", str(path)], capsys)
    assert rc != 0 and str(path) in out.err


def test_cli_one_row_csv_fails(tmp_path, capsys):
    path = tmp_path / "one.csv"
    path.write_text("a,b,y\n1,2,3\n")
    rc, out = _run_cli(["fit", str(path), "--target", "y"], capsys)
    assert rc != 0 and "need at least 2 data rows" in out.err
    assert "nan" not in out.out


def test_cli_constant_target_reports_r2_undefined(tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_text("a,b,y\n1,2,3\n2,3,3\n1,1,3\n")
    rc, out = _run_cli(["fit", str(path), "--target", "y", "--method", "auto"], capsys)
    assert rc == 0 and "R^2 (training) undefined (constant target)" in out.out
    rc, out = _run_cli(["fit", str(path), "--target", "y"], capsys)  # glmnet, as R: a clear error
    assert rc == 2 and "y is constant" in out.err


def test_cli_demo_out_existing_file(tmp_path, capsys):
    path = tmp_path / "taken"
    path.write_text("x")
    rc, out = _run_cli(["demo", "--out", str(path), "--n", "50", "--p", "3", "--repeats", "1", "--steps", "5",
                        "--no-progress"], capsys)
    assert rc == 2 and "--out" in out.err and "existing file" in out.err
    assert path.read_text() == "x"
