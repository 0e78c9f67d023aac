"""The R fixtures every parity test reads (tests/fixtures/, made by scripts/*.R; tests never need R).

Importable from any test folder: pyproject.toml puts tests/ on pytest's pythonpath.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import numpy as np

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_dir(group: str) -> Path:
    """The folder of a fixture group: "glmnet" (gaussian), "glmnet_glm" (the other families), "assess"."""
    return FIXTURES / group


def fixture_cases(group: str, keep: Callable[[str], bool] = lambda stem: True) -> list:
    """The names of a group's .npz fixtures that ``keep`` accepts, sorted (pytest parametrization)."""
    return sorted(p.stem for p in fixture_dir(group).glob("*.npz") if keep(p.stem))


def load_fixture(group: str, case: str):
    """(arrays, params): a fixture's arrays by name, and the R call's parameters (its params_json)."""
    with np.load(fixture_dir(group) / f"{case}.npz") as z:
        d = {k: z[k] for k in z.files}
    return d, json.loads(str(d.pop("params_json")))
