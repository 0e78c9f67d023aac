"""Test-wide pytest setup.

The fixture loaders and comparisons the tests share are plain functions in tests/fixture_data.py (imported as
``from fixture_data import ...``; pyproject.toml puts tests/ on pytest's pythonpath so every folder can).
Here: each test gets the marker of its folder, so ``pytest -m parity`` (or solvers, ops, api) picks a group
across a run over all of tests/, and ``-m "not solvers"`` leaves one out. See tests/README.md.
"""
from pathlib import Path

import pytest

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
