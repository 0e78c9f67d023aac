"""Test-wide setup: the shared fixture loaders, and each folder's marker.

The R fixtures every parity test reads (tests/fixtures/, made by scripts/*.R; tests never need R) are loaded
here: ``from conftest import load_fixture, fixture_cases, fixture_dir`` (pyproject.toml puts tests/ on pytest's
pythonpath, so every folder can). Each test also gets the marker of its folder, so ``pytest -m parity`` (or
solvers, ops, api) picks a group across a run over all of tests/. See tests/README.md.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

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


GROUPS = {
    "parity": "against R glmnet's committed outputs (tests/parity)",
    "solvers": "the path solvers: iterates, KKT conditions, threads, interrupts (tests/solvers)",
    "ops": "the MLX ops and the C++ embedding (tests/ops)",
    "api": "the public API, CLI, errors, plots and typing (tests/api)",
}
HERE = Path(__file__).resolve().parent


def pytest_configure(config):
    for name, what in GROUPS.items():
        config.addinivalue_line("markers", f"{name}: {what}")


def pytest_collection_modifyitems(config, items):
    for item in items:
        try:
            group = Path(item.path).resolve().relative_to(HERE).parts[0]
        except ValueError:
            continue
        if group in GROUPS:
            item.add_marker(getattr(pytest.mark, group))
