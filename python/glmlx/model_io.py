"""Saving and loading fitted models: a versioned zip of .npy arrays and a JSON header, never a pickle.

Format "glmlx-model", version 1 (docs/MODEL_FORMAT.md): a zip archive with

- ``header.json``: ``{"format": "glmlx-model", "version": 1, "glmlx": <version>, "kind": "glmnet" | "cv_glmnet",
  "family", "dtype", "nobs", "npasses", "jerr", "nulldev", "user_lambda", "offset", "feature_names",
  "response_names", "classes_kind", cv fields ("type_measure", "name"), "metadata": {...}}``;
- ``arrays/<name>.npy``: numpy arrays written without pickles: ``lambdas``, ``a0``, ``beta``, ``dev_ratio``
  (float64, as the solver returned them), ``classes`` (text or numbers), and for CV ``cvm``, ``cvsd``, ``nzero``,
  ``foldid``.

Loading reads arrays with ``allow_pickle=False`` (an object array in the file is refused), checks the format
name and version, and rebuilds the GlmnetFit / CVGlmnet from the float64 arrays, so predictions after a reload
are the same bit for bit.
"""
from __future__ import annotations

import io
import json
import zipfile
from types import SimpleNamespace
from typing import Union

import mlx.core as mx
import numpy as np

from .cv import CVGlmnet
from .glmnet import GlmnetFit

FORMAT = "glmlx-model"
VERSION = 1


def _write_array(zf: zipfile.ZipFile, name: str, a: np.ndarray) -> None:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asarray(a), allow_pickle=False)
    zf.writestr(f"arrays/{name}.npy", buf.getvalue())


def _names(v):
    return None if v is None else [str(x) for x in v]


def save_model(model: Union[GlmnetFit, CVGlmnet], path, metadata: dict = None) -> None:
    """Write a GlmnetFit or CVGlmnet to ``path`` (format "glmlx-model" v1; see the module docstring).

    ``metadata``: JSON-serializable extras kept in the header (the command line keeps its column encoding there).
    """
    from . import __version__

    cv = model if isinstance(model, CVGlmnet) else None
    fit = cv.fit if cv is not None else model
    if not isinstance(fit, GlmnetFit):
        raise TypeError(f"model must be a GlmnetFit or CVGlmnet, got {type(model).__name__}")
    classes = fit.classes
    header = {"format": FORMAT, "version": VERSION, "glmlx": __version__,
              "kind": "cv_glmnet" if cv is not None else "glmnet", "family": fit.family,
              "dtype": str(fit.dtype).rsplit(".", 1)[-1], "nobs": int(fit.nobs), "npasses": int(fit.npasses),
              "jerr": int(fit.jerr), "nulldev": float(fit.nulldev), "user_lambda": bool(fit.user_lambda),
              "offset": bool(fit.offset), "feature_names": _names(fit.feature_names),
              "response_names": _names(fit.response_names),
              "classes_kind": None if classes is None else ("text" if np.asarray(classes).dtype.kind in "OUS"
                                                            else "number"),
              "metadata": metadata or {}}
    if cv is not None:
        header.update(type_measure=cv.type_measure, name=cv.name)
    try:
        text = json.dumps(header, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"metadata must be JSON-serializable: {exc}") from None
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("header.json", text)
        _write_array(zf, "lambdas", fit._lam_np)
        _write_array(zf, "a0", fit._a0_np)
        _write_array(zf, "beta", fit._beta_np)
        _write_array(zf, "dev_ratio", np.asarray(fit.dev_ratio, dtype=np.float64))
        if classes is not None:
            c = np.asarray(classes)
            _write_array(zf, "classes", c.astype(str) if c.dtype.kind in "OUS" else c)
        if cv is not None:
            _write_array(zf, "cvm", cv._cvm_np)
            _write_array(zf, "cvsd", np.asarray(cv.cvsd, dtype=np.float64))
            _write_array(zf, "nzero", np.asarray(cv.nzero))
            _write_array(zf, "foldid", np.asarray(cv.foldid))


def read_header(path) -> dict:
    """The JSON header of a model file, after checking it is one (a clear ValueError otherwise)."""
    try:
        with zipfile.ZipFile(path) as zf:
            header = json.loads(zf.read("header.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, UnicodeDecodeError):
        raise ValueError(f"{path}: not a glmlx model file (expected a zip archive with header.json; "
                         "save one with glmlx.save_model or `glmlx fit ... --save`)") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError(f"{path}: not a glmlx model file (format {header.get('format')!r})"
                         if isinstance(header, dict) else f"{path}: not a glmlx model file")
    if header.get("version") != VERSION:
        raise ValueError(f"{path}: model format version {header.get('version')!r}; this glmlx reads version "
                         f"{VERSION} (upgrade glmlx to read newer files)")
    return header


def load_model(path) -> Union[GlmnetFit, CVGlmnet]:
    """Read a model written by :func:`save_model`; its predictions equal the saved model's bit for bit."""
    return load_model_and_header(path)[0]


def load_model_and_header(path):
    """``(model, header)``: :func:`load_model`'s model and :func:`read_header`'s header, the file read once."""
    header = read_header(path)
    arrays = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("arrays/") and name.endswith(".npy"):
                try:
                    arrays[name[7:-4]] = np.lib.format.read_array(io.BytesIO(zf.read(name)), allow_pickle=False)
                except ValueError as exc:  # an object array: it would need a pickle
                    raise ValueError(f"{path}: {name} cannot be read without a pickle, which glmlx never "
                                     f"writes nor loads ({exc})") from None
    for need in ("lambdas", "a0", "beta", "dev_ratio"):
        if need not in arrays:
            raise ValueError(f"{path}: the model file lacks arrays/{need}.npy")
    result = SimpleNamespace(lambdas=arrays["lambdas"], a0=arrays["a0"], beta=arrays["beta"],
                             dev_ratio=arrays["dev_ratio"], nulldev=header["nulldev"], npasses=header["npasses"],
                             jerr=header["jerr"])
    classes = arrays.get("classes")
    if classes is not None and header.get("classes_kind") == "text":
        classes = classes.astype(object)
    names = header.get("feature_names")
    rnames = header.get("response_names")
    fit = GlmnetFit(header["family"], result, header["nobs"], header["user_lambda"], classes, header["offset"],
                    dtype=getattr(mx, header["dtype"]),
                    feature_names=None if names is None else np.asarray(names, dtype=object),
                    response_names=None if rnames is None else np.asarray(rnames, dtype=object))
    if header["kind"] != "cv_glmnet":
        return fit, header
    cv = CVGlmnet(fit, arrays["cvm"], arrays["cvsd"], arrays["foldid"], header["type_measure"], None)
    cv.nzero = mx.array(arrays["nzero"])
    cv.name = header["name"]
    return cv, header
