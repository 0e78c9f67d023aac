"""`glmlx fit` (glmnet), `glmlx predict`, `glmlx show`, the model file and its Python API."""
import io
import json
import zipfile

import numpy as np
import pytest

import glmlx
from glmlx.cli import main

N = 240


@pytest.fixture(scope="module")
def data_csv(tmp_path_factory):
    rng = np.random.default_rng(0)
    x1, x2 = rng.standard_normal(N), rng.standard_normal(N)
    city = rng.choice(["Oslo", "Rome", "Lima"], N)
    eta = x1 - 0.5 * x2 + np.where(city == "Rome", 1.0, 0.0)
    cols = {
        "x1": x1, "x2": x2, "city": city, "note": rng.choice(["free text", "more, quoted"], N),
        "yb": np.where(rng.random(N) < 1 / (1 + np.exp(-eta)), "yes", "no"),
        "yg": eta + rng.standard_normal(N), "cnt": rng.poisson(np.exp(0.3 * eta)),
        "ym": np.digitize(eta + rng.standard_normal(N), [-0.5, 0.5]), "y2": -eta + rng.standard_normal(N),
        "w": rng.uniform(0.5, 2, N),
    }
    path = tmp_path_factory.mktemp("cli") / "d.csv"
    import csv

    with open(path, "w", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(cols)
        for i in range(N):
            wr.writerow([repr(float(v[i])) if v.dtype.kind == "f" else v[i] for v in cols.values()])
    return path, cols


def _onehot(cols, names):
    parts, labels = [], []
    for n in names:
        v = cols[n]
        if v.dtype.kind in "US":
            for lv in sorted(set(v)):
                parts.append((v == lv).astype(float))
                labels.append(f"{n}{lv}")
        else:
            parts.append(v.astype(float))
            labels.append(n)
    return np.column_stack(parts), labels


FAMILIES = {
    "gaussian": ["--target", "yg"],
    "binomial": ["--target", "yb"],
    "poisson": ["--target", "cnt"],
    "multinomial": ["--target", "ym"],
    "mgaussian": ["--target", "yg,y2"],
}


@pytest.mark.parametrize("family", FAMILIES)
def test_fit_save_predict_show_round_trip(family, data_csv, tmp_path, capsys):
    path, cols = data_csv
    model = tmp_path / "m.glmlx"
    rc = main(["fit", str(path), *FAMILIES[family], "--family", family, "--features", "x1,x2,city",
               "--weights", "w", "--save", str(model), "--no-progress"])
    assert rc == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert f"saved to {model}" in out and "cityRome" in out
    # the CLI's fit is glmnet's on the one-hot design, by R's makeX
    X, names = _onehot(cols, ["x1", "x2", "city"])
    y = {"gaussian": cols["yg"], "binomial": cols["yb"], "poisson": cols["cnt"], "multinomial": cols["ym"],
         "mgaussian": np.c_[cols["yg"], cols["y2"]]}[family]
    ref = glmlx.glmnet(X, y, family=family, weights=cols["w"])
    loaded = glmlx.load_model(model)
    assert list(loaded.feature_names) == names
    np.testing.assert_array_equal(loaded._beta_np, ref._beta_np)
    # predict writes CSV; its numbers are the loaded model's predictions exactly (repr round trip)
    kind = "class" if family in ("binomial", "multinomial") else "response"
    csv_out = tmp_path / "p.csv"
    assert main(["predict", str(model), str(path), "--s", "0.05", "--type", kind, "-o", str(csv_out)]) == 0
    lines = csv_out.read_text().splitlines()
    with pytest.warns(UserWarning, match="fitted with feature names"):  # numpy X for a model with names
        want = np.asarray(loaded.predict(X, s=0.05, type=kind)).reshape(N, -1)
    assert len(lines) == N + 1
    got = [ln.split(",") for ln in lines[1:]]
    if kind == "class":
        assert [g[0] for g in got] == [str(v) for v in want[:, 0]]
    else:
        np.testing.assert_array_equal(np.array(got, dtype=float), want)
    capsys.readouterr()
    assert main(["show", str(model)]) == 0
    shown = capsys.readouterr().out
    assert "Df  %Dev" in shown and f"family {family}" in shown and str(ref).split("\n\n", 1)[1] in shown


def test_cv_model_round_trip_and_its_table(data_csv, tmp_path, capsys):
    path, cols = data_csv
    model = tmp_path / "cv.glmlx"
    assert main(["fit", str(path), "--target", "yb", "--family", "binomial", "--alpha", "0.5", "--cv", "4",
                 "--measure", "auc", "--seed", "3", "--features", "x1,x2,city", "--save", str(model)]) == 0
    out = capsys.readouterr().out
    assert "Measure: AUC" in out and "lambda_1se =" in out
    cv = glmlx.load_model(model)
    assert isinstance(cv, glmlx.CVGlmnet) and cv.type_measure == "auc"
    X, _ = _onehot(cols, ["x1", "x2", "city"])
    ref = glmlx.cv_glmnet(X, cols["yb"], family="binomial", alpha=0.5, nfolds=4, type_measure="auc", seed=3)
    assert cv.lambda_1se == ref.lambda_1se and cv.lambda_min == ref.lambda_min
    assert str(cv) == str(ref)
    assert main(["predict", str(model), str(path)]) == 0  # default s: lambda_1se, as R
    printed = np.array(capsys.readouterr().out.splitlines()[1:], dtype=float)
    np.testing.assert_array_equal(printed, np.asarray(ref.predict(X, type="response"))[:, 0])


def test_save_and_load_model_api_is_exact_and_keeps_dtype(tmp_path):
    rng = np.random.default_rng(4)
    X = rng.standard_normal((80, 5)).astype(np.float32)
    y = X[:, 0] + rng.standard_normal(80)
    for model in (glmlx.glmnet(X, y), glmlx.cv_glmnet(X, y, nfolds=4, seed=0),
                  glmlx.glmnet(X.astype(np.float64), rng.integers(0, 3, 80), family="multinomial")):
        path = tmp_path / "m.glmlx"
        glmlx.save_model(model, path)
        back = glmlx.load_model(path)
        assert type(back) is type(model)
        fit, fit_back = getattr(model, "fit", model), getattr(back, "fit", back)
        assert fit_back.dtype == fit.dtype
        np.testing.assert_array_equal(np.asarray(back.predict(X, s=0.01)), np.asarray(model.predict(X, s=0.01)))
        assert str(back) == str(model)


def test_model_files_are_checked_and_never_unpickled(tmp_path, data_csv):
    path, _ = data_csv
    with pytest.raises(ValueError, match="not a glmlx model file"):
        glmlx.load_model(path)
    fit = glmlx.glmnet(np.random.default_rng(5).standard_normal((30, 3)), np.arange(30.0))
    good = tmp_path / "good.glmlx"
    glmlx.save_model(fit, good)
    # a newer version, and an archive carrying an object (pickled) array, are refused
    for name, change in [("newer", lambda h, zf: (json.dumps({**h, "version": 99}), None)),
                         ("pickled", lambda h, zf: (json.dumps(h), np.array([{"evil": 1}], dtype=object)))]:
        with zipfile.ZipFile(good) as zf:
            header = json.loads(zf.read("header.json"))
            items = {n: zf.read(n) for n in zf.namelist()}
        text, obj = change(header, None)
        items["header.json"] = text.encode()
        if obj is not None:
            buf = io.BytesIO()
            np.lib.format.write_array(buf, obj, allow_pickle=True)
            items["arrays/classes.npy"] = buf.getvalue()
        bad = tmp_path / f"{name}.glmlx"
        with zipfile.ZipFile(bad, "w") as zf:
            for n, b in items.items():
                zf.writestr(n, b)
        with pytest.raises(ValueError, match="version 99" if name == "newer" else "without a pickle"):
            glmlx.load_model(bad)


def test_missing_values_are_named_by_row_and_column_unless_dropped(tmp_path, capsys):
    path = tmp_path / "na.csv"
    path.write_text("a,b,y\n1,2,3\n2,,5\n3,1,NA\n4,4,4\n5,3,1\n6,0,2\n")
    assert main(["fit", str(path), "--target", "y"]) == 2
    err = capsys.readouterr().err
    assert "missing value at row 2 (data rows counted from 1, header excluded), column 'b'" in err
    assert main(["fit", str(path), "--target", "y", "--na", "drop", "--save", str(tmp_path / "m.glmlx")]) == 0
    fit = glmlx.load_model(tmp_path / "m.glmlx")
    kept = np.array([[1, 2, 3], [4, 4, 4], [5, 3, 1], [6, 0, 2]], dtype=float)
    np.testing.assert_array_equal(fit._beta_np, glmlx.glmnet(kept[:, :2], kept[:, 2])._beta_np)


def test_features_are_chosen_before_parsing_and_unseen_levels_are_errors(data_csv, tmp_path, capsys):
    path, _ = data_csv
    # "note" holds free text (with commas): left out by --features, it is never parsed
    assert main(["fit", str(path), "--target", "yg", "--features", "x1,x2", "--save", str(tmp_path / "m")]) == 0
    capsys.readouterr()
    new = tmp_path / "new.csv"
    new.write_text("x2,x1,city\n1,2,Paris\n")  # other column order and an extra column are fine
    assert main(["predict", str(tmp_path / "m"), str(new)]) == 0
    assert main(["fit", str(path), "--target", "yg", "--features", "x1,city", "--save", str(tmp_path / "c")]) == 0
    capsys.readouterr()
    assert main(["predict", str(tmp_path / "c"), str(new)]) == 2
    assert "row 1, column 'city': level 'Paris' was not seen" in capsys.readouterr().err
    assert main(["show", str(path)]) == 2
    assert "not a glmlx model file" in capsys.readouterr().err


def test_parquet_gives_the_csv_fit(data_csv, tmp_path, capsys):
    pq = pytest.importorskip("pyarrow.parquet")
    pa = pytest.importorskip("pyarrow")
    path, cols = data_csv
    pq.write_table(pa.table({k: list(v) for k, v in cols.items()}), tmp_path / "d.parquet")
    for src, out in ((path, "a.glmlx"), (tmp_path / "d.parquet", "b.glmlx")):
        assert main(["fit", str(src), "--target", "yb", "--family", "binomial", "--features", "x1,x2,city",
                     "--save", str(tmp_path / out)]) == 0
    a, b = glmlx.load_model(tmp_path / "a.glmlx"), glmlx.load_model(tmp_path / "b.glmlx")
    np.testing.assert_array_equal(a._beta_np, b._beta_np)
    assert a.feature_names.tolist() == b.feature_names.tolist()


def test_exclude_and_penalty_factor_name_raw_columns(data_csv, tmp_path, capsys):
    path, cols = data_csv
    assert main(["fit", str(path), "--target", "yg", "--features", "x1,x2,city", "--exclude", "city",
                 "--penalty-factor", "x1=0", "--save", str(tmp_path / "m")]) == 0
    fit = glmlx.load_model(tmp_path / "m")
    X, _ = _onehot(cols, ["x1", "x2", "city"])
    ref = glmlx.glmnet(X, cols["yg"], exclude=[2, 3, 4], penalty_factor=[0, 1, 1, 1, 1])
    np.testing.assert_array_equal(fit._beta_np, ref._beta_np)
    assert np.all(fit._beta_np[2:] == 0) and np.all(fit._beta_np[0, 1:] != 0)


def test_progress_bar_when_asked(data_csv, capsys):
    path, _ = data_csv
    assert main(["fit", str(path), "--target", "yg", "--features", "x1,x2", "--progress", "--cv", "3"]) == 0
    assert "| 100%" in capsys.readouterr().err
    assert main(["fit", str(path), "--target", "yg", "--features", "x1,x2"]) == 0  # not a terminal: quiet
    assert capsys.readouterr().err == ""
