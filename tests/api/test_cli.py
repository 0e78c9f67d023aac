import csv
import os
import subprocess
import sys

import numpy as np
import pytest

from glmlx.cli import main


def table_rows(text):
    rows = {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| method"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0]] = cells
    return rows


def test_demo_table_results_and_plots(tmp_path, capsys):
    out = tmp_path / "demo"
    rc = main(["demo", "--n", "400", "--p", "6", "--seed", "3", "--out", str(out), "--repeats", "1",
               "--steps", "300", "--lr", "0.1", "--no-progress"])
    assert rc == 0
    text = capsys.readouterr().out
    rows = table_rows(text)
    names = list(rows)
    assert any(n.startswith("SGD, full batch (300 steps, lr 0.1)") for n in names)
    for want in ("lstsq QR (glmlx)", "lstsq QR, mx.compile (glmlx)", "lstsq Cholesky (glmlx)",
                 "numpy.linalg.lstsq (reference)"):
        assert want in rows, names
    # ||w - w*|| of the closed forms is the noise level (1e-2 * sqrt(p/n)), all equal.
    errs = {n: float(rows[n][3]) for n in names if rows[n][3] != "-"}  # "-": no w* to compare (logistic)
    ref = errs["numpy.linalg.lstsq (reference)"]
    assert ref < 5e-3
    for n in ("lstsq QR (glmlx)", "lstsq QR, mx.compile (glmlx)", "lstsq Cholesky (glmlx)"):
        assert errs[n] == pytest.approx(ref, rel=1e-6)
    lasso = next(n for n in names if n.startswith("glmlx.glmnet ("))
    cvrow = rows["glmlx.cv_glmnet (lambda_min)"]
    # glmnet stops the path once 99.9% of the deviance is explained, so the last lasso
    # coefficients are still slightly shrunk: within a few percent of w* (|w*| ~ sqrt(p))
    assert errs[lasso] < 0.1 and float(cvrow[3]) < 0.1
    assert "lambda_min" in cvrow[4] and "lambda_1se" in cvrow[4]
    # one table per problem; speeds only against that problem's reference (never the lasso vs numpy's lstsq)
    assert text.count("#### ") == 4 and "| vs numpy.linalg.lstsq |" in text
    if "scikit-learn lasso_path (same" in " ".join(names):
        sk = next(n for n in names if n.startswith("scikit-learn lasso_path"))
        assert rows[sk][2] == "1x" and float(rows[sk][4].rsplit(" ", 1)[1]) < 1e-3  # the same solution
        assert "| vs scikit-learn lasso_path |" in text and "| vs scikit-learn LassoCV |" in text
        lasso_cv = next(n for n in names if n.startswith("scikit-learn LassoCV"))
        glmlx_min, sk_min = cvrow[4].split()[1], rows[lasso_cv][4].split()[1]
        assert glmlx_min == sk_min  # same folds and grid: the same lambda_min
    sgd = next(n for n in names if n.startswith("SGD"))
    assert errs[sgd] < 1e-2  # 300 steps at lr 0.1 on a well-conditioned problem
    assert "path qr, rank 6" in rows["lstsq QR (glmlx)"][4]
    logistic = next(n for n in names if n.startswith("logistic lasso path"))
    assert "dev ratio" in rows[logistic][4]
    cv_err = float(rows["10-fold CV, misclassification (binomial)"][4].rsplit("CV error ", 1)[1])
    assert 0.0 <= cv_err < 0.5  # better than chance on a noisy linear signal
    with open(out / "results.csv") as fh:
        saved = list(csv.DictReader(fh))
    assert [r["method"] for r in saved] == names
    saved_ref = next(r for r in saved if r["method"] == "numpy.linalg.lstsq (reference)")
    assert float(saved_ref["coef_error_l2"]) == pytest.approx(ref, rel=1e-3)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "matplotlib is not installed" in text
    else:
        assert os.path.getsize(out / "loss_history.png") > 1000 and os.path.isfile(out / "timings.png")
        assert os.path.getsize(out / "coefficient_path.png") > 1000 and os.path.getsize(out / "cv_curve.png") > 1000


def test_demo_without_matplotlib_skips_plots(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    rc = main(["demo", "--n", "100", "--p", "3", "--out", str(tmp_path), "--repeats", "1", "--steps", "5",
               "--no-progress"])
    assert rc == 0
    assert "matplotlib is not installed: skipping the PNG plots" in capsys.readouterr().out
    assert os.path.isfile(tmp_path / "results.csv") and not os.path.exists(tmp_path / "loss_history.png")


def test_demo_reports_progress_and_runs_as_a_command(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "glmlx", "demo", "--n", "200", "--p", "4", "--repeats", "1",
                           "--steps", "40", "--out", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "SGD run 1/1: step 40/40" in proc.stderr
    assert "numpy.linalg.lstsq (reference)" in proc.stdout


def test_demo_rejects_bad_sizes(capsys):
    with pytest.raises(SystemExit):
        main(["demo", "--n", "1", "--p", "3"])
    assert "n must be >= 2" in capsys.readouterr().err


def make_data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    y = X @ np.array([2.0, -1.0, 0.5]) + 4.0 + 0.01 * rng.standard_normal(n)
    return X, y


def parse_coefs(text):
    coefs = {}
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("feature"))
    for ln in lines[start + 1:]:
        if ln.startswith("R^2"):
            break
        name, val = ln.rsplit(None, 1)
        coefs[name.strip()] = float(val)
    return coefs


def test_fit_csv(tmp_path, capsys):
    X, y = make_data()
    path = tmp_path / "data.csv"
    with open(path, "w") as fh:
        fh.write("a,b,y,c\n")
        for row, t in zip(X, y):
            fh.write(f"{row[0]:.17g},{row[1]:.17g},{t:.17g},{row[2]:.17g}\n")
    assert main(["fit", str(path), "--target", "y", "--method", "auto"]) == 0
    text = capsys.readouterr().out
    coefs = parse_coefs(text)
    ref = np.linalg.lstsq(np.c_[X, np.ones(len(y))], y, rcond=None)[0]
    assert list(coefs) == ["a", "b", "c", "(intercept)"]
    assert np.allclose(list(coefs.values()), ref, rtol=1e-5, atol=1e-6)
    assert "lstsq method=auto -> cholesky" in text and "R^2 (training) 0.99" in text

    assert main(["fit", str(path), "--target", "y", "--method", "qr", "--no-intercept", "--features", "a,c"]) == 0
    coefs = parse_coefs(capsys.readouterr().out)
    assert list(coefs) == ["a", "c"]
    assert np.allclose(list(coefs.values()), np.linalg.lstsq(X[:, [0, 2]], y, rcond=None)[0], rtol=1e-5)


def test_fit_npy_npz_and_gd(tmp_path, capsys):
    X, y = make_data(seed=1)
    np.save(tmp_path / "t.npy", np.c_[X, y])
    np.savez(tmp_path / "t.npz", X=X, y=y)
    ref = np.linalg.lstsq(np.c_[X, np.ones(len(y))], y, rcond=None)[0]
    for f in ("t.npy", "t.npz"):
        assert main(["fit", str(tmp_path / f), "--method", "svd"]) == 0
        coefs = parse_coefs(capsys.readouterr().out)
        assert list(coefs) == ["x0", "x1", "x2", "(intercept)"]
        assert np.allclose(list(coefs.values()), ref, rtol=1e-5, atol=1e-6)
    assert main(["fit", str(tmp_path / "t.npy"), "--method", "gd", "--loss", "huber", "--steps", "1500",
                 "--lr", "0.02"]) == 0
    text = capsys.readouterr().out
    assert "gradient descent (huber loss, adam" in text
    assert np.allclose(list(parse_coefs(text).values()), ref, atol=2e-2)


def test_fit_errors(tmp_path, capsys):
    path = tmp_path / "d.csv"
    path.write_text("a,b\n1,2\n3,x\n")
    assert main(["fit", str(path), "--target", "b", "--method", "auto"]) == 2
    assert "must be a number" in capsys.readouterr().err
    assert main(["fit", str(path), "--target", "b"]) == 2  # glmnet: a gaussian target must hold numbers
    assert "column 'b' must hold numbers" in capsys.readouterr().err
    path.write_text("a,b\n1,2\n3,4\n")
    assert main(["fit", str(path), "--target", "zz", "--method", "auto"]) == 2
    assert "target column 'zz' not found; columns are: a, b" in capsys.readouterr().err
    assert main(["fit", str(path), "--target", "zz"]) == 2
    assert "no column 'zz'; columns are: a, b" in capsys.readouterr().err
    assert main(["fit", str(path)]) == 2
    assert "--target is required" in capsys.readouterr().err
    assert main(["fit", str(tmp_path / "missing.csv"), "--target", "a"]) == 2
    assert "no such file" in capsys.readouterr().err
