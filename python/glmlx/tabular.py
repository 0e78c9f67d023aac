"""Data files for the command line: CSV (and Parquet with pyarrow), typed by column, as R's makeX encodes them.

Only the columns asked for are parsed (``--features`` first, so a string
column left out can never stop a fit). A column is numeric when every cell
parses as a number, else categorical. Categorical columns become one
indicator column per level, all levels kept (glmnet penalizes every level, so
none is dropped as a baseline), named as R's model.matrix names them: the
column name followed by the level. Missing cells ("", "NA", "NaN", a Parquet
null) are an error naming the row (1-based, header not counted) and the
column, unless rows with them are dropped.
"""
from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

import numpy as np

MISSING = ("", "NA", "NaN", "nan", "N/A")


class DataError(ValueError):
    """A data file the command line cannot use; the message says where and why."""


@dataclass
class Table:
    """Raw columns of a data file: name -> numpy array (float64, or object for text; None for missing)."""

    path: str
    columns: Dict[str, np.ndarray]
    nrows: int


@dataclass
class Encoding:
    """How raw columns become X's columns: the raw names in order, and the levels of the categorical ones."""

    features: List[str]
    levels: Dict[str, List[str]] = field(default_factory=dict)

    def column_names(self) -> List[str]:
        out = []
        for name in self.features:
            out += [f"{name}{lv}" for lv in self.levels[name]] if name in self.levels else [name]
        return out

    def to_json(self) -> dict:
        return {"features": self.features, "levels": self.levels}

    @classmethod
    def from_json(cls, d: dict) -> "Encoding":
        return cls(list(d["features"]), {k: list(v) for k, v in d["levels"].items()})


def split_names(spec: Optional[str]) -> List[str]:
    """Comma-separated names, trimmed, empty ones left out."""
    return [s.strip() for s in spec.split(",") if s.strip()] if spec else []


def _parquet(path: str):
    """pyarrow.parquet when ``path`` is a Parquet file (a DataError naming pyarrow when it is missing), else None."""
    if not os.path.isfile(path):
        raise DataError(f"no such file: {path}")
    if os.path.splitext(path)[1].lower() not in (".parquet", ".pq"):
        return None
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError(f"{path}: reading Parquet needs pyarrow (pip install pyarrow)") from None
    return pq


def _csv_header(path: str, reader) -> List[str]:
    header = next(reader, None)
    if not header:
        raise DataError(f"{path}: empty file (a CSV needs a header row)")
    return [h.strip() for h in header]


def read_table(path: str, wanted: Optional[Sequence[str]] = None) -> Table:
    """The columns ``wanted`` (all when None) of a CSV with a header row, or of a Parquet file."""
    pq = _parquet(path)
    if pq is not None:
        return _read_parquet(pq, path, wanted)
    with open(path, newline="", encoding="utf-8-sig") as fh:  # utf-8-sig: Excel's byte-order mark
        reader = csv.reader(fh)
        header = _csv_header(path, reader)
        take = _positions(path, header, wanted)
        cells: List[List[str]] = [[] for _ in take]
        for r, row in enumerate(reader, start=1):
            if not row:
                continue
            if len(row) != len(header):
                raise DataError(f"{path}: row {r} has {len(row)} cells, the header {len(header)}")
            for c, j in enumerate(take):
                cells[c].append(row[j].strip())
    if not cells or not cells[0]:
        raise DataError(f"{path}: no data rows after the header")
    return Table(path, {header[j]: _parse(values) for j, values in zip(take, cells)}, len(cells[0]))


def _positions(path: str, header: List[str], wanted) -> List[int]:
    if wanted is None:
        return list(range(len(header)))
    missing = [w for w in wanted if w not in header]
    if missing:
        raise DataError(f"{path}: no column {missing[0]!r}; columns are: {', '.join(header)}")
    return [header.index(w) for w in wanted]


def _parse(values: List[str]) -> np.ndarray:
    """float64 when every present cell is a number (missing cells NaN), else object (missing cells None)."""
    out = np.empty(len(values))
    for i, v in enumerate(values):
        if v in MISSING:
            out[i] = math.nan
            continue
        try:
            out[i] = float(v)
        except ValueError:
            return np.array([None if s in MISSING else s for s in values], dtype=object)
    return out


def _read_parquet(pq, path: str, wanted) -> Table:
    schema = pq.read_schema(path)
    take = [schema.names[j] for j in _positions(path, list(schema.names), wanted)]
    table = pq.read_table(path, columns=take)
    cols = {}
    for name in take:
        values = table.column(name).to_pylist()
        if all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in values):
            cols[name] = np.array([math.nan if v is None else float(v) for v in values])
        elif all(v is None or isinstance(v, bool) for v in values):
            cols[name] = np.array([math.nan if v is None else float(v) for v in values])
        else:
            cols[name] = np.array([None if v is None else str(v) for v in values], dtype=object)
    return Table(path, cols, table.num_rows)


def missing_rows(table: Table, names: Sequence[str]) -> np.ndarray:
    """Rows (0-based) with a missing cell in any of ``names``."""
    bad = np.zeros(table.nrows, dtype=bool)
    for name in names:
        col = table.columns[name]
        bad |= np.isnan(col) if col.dtype != object else np.array([v is None for v in col])
    return np.flatnonzero(bad)


def check_complete(table: Table, names: Sequence[str]) -> None:
    """A clear error at the first missing cell: its row (1-based, the header not counted) and column."""
    for r in missing_rows(table, names)[:1]:
        col = next(n for n in names if (np.isnan(table.columns[n][r]) if table.columns[n].dtype != object
                                        else table.columns[n][r] is None))
        raise DataError(f"{table.path}: missing value at row {r + 1} (data rows counted from 1, header "
                        f"excluded), column {col!r}; fill it in, or pass --na drop to leave such rows out")


def drop_rows(table: Table, rows: np.ndarray) -> Table:
    keep = np.setdiff1d(np.arange(table.nrows), rows)
    return Table(table.path, {k: v[keep] for k, v in table.columns.items()}, keep.size)


def make_encoding(table: Table, features: Sequence[str]) -> Encoding:
    """R's makeX levels: every level of each text column, sorted (as R's factor())."""
    levels = {n: sorted({str(v) for v in table.columns[n] if v is not None})
              for n in features if table.columns[n].dtype == object}
    return Encoding(list(features), levels)


def encode(table: Table, enc: Encoding) -> np.ndarray:
    """X (n, columns) for ``enc``: numbers as they are, text as 0/1 indicators of ``enc``'s levels."""
    parts = []
    for name in enc.features:
        col = table.columns[name]
        if name not in enc.levels:
            if col.dtype == object:
                raise DataError(f"{table.path}: column {name!r} holds text, but the model has it numeric")
            parts.append(col[:, None])
            continue
        levels = enc.levels[name]
        index = {lv: k for k, lv in enumerate(levels)}
        ind = np.zeros((table.nrows, len(levels)))
        for r, v in enumerate(col):
            k = index.get(str(v))
            if k is None:
                raise DataError(f"{table.path}: row {r + 1}, column {name!r}: level {v!r} was not seen when "
                                f"the model was fit (its levels: {', '.join(levels)})")
            ind[r, k] = 1.0
        parts.append(ind)
    return np.hstack(parts) if parts else np.empty((table.nrows, 0))


def feature_list(table_names: Sequence[str], features: Optional[str], exclude: Sequence[str]) -> List[str]:
    """``--features`` as given, or every column that is not the target, weights, offset or foldid."""
    chosen = split_names(features)
    if chosen:
        clash = [c for c in chosen if c in exclude]
        if clash:
            raise DataError(f"column {clash[0]!r} cannot be both a feature and the target/weights/offset/foldid")
        return chosen
    return [n for n in table_names if n not in exclude]


def header_names(path: str) -> List[str]:
    """The column names of a data file (reads only its header or schema)."""
    pq = _parquet(path)
    if pq is not None:
        return list(pq.read_schema(path).names)
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return _csv_header(path, csv.reader(fh))
