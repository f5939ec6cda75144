"""Input tables: a path (CSV-like or Parquet) or a DataFrame becomes a raw pandas frame and a
``TableSource`` that says where it came from.

Nothing here interprets column types beyond what the file format says; that is ``schema``'s job.
Error messages name the file and what to do, and never quote a cell's value. Reading a format
lives in ``delimited`` and ``parquet``; sizing an input before reading it in ``probe``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from ..types import TABLES
from .delimited import read_csv
from .files import PARQUET_SUFFIXES, TableName, check_path, suffix
from .frames import duplicates, text_as_object
from .parquet import read_parquet
from .probe import InputSize, probe_size
from .problems import name_list, problem
from .text import is_text_encoding

__all__ = ["DEFAULT_MISSING_TOKENS", "PARQUET_SUFFIXES", "InputSize",
           "TableSource", "file_sha256", "is_text_encoding", "load_table", "probe_size",
           "read_parquet"]

#: Cell contents read as missing in every input, in addition to user-declared tokens.
DEFAULT_MISSING_TOKENS: tuple[str, ...] = ("", "NA", "N/A", "NaN", "nan", "NULL", "null", "None")


@dataclass(frozen=True)
class TableSource:
    """Where a table came from: its role in the scan, a display name and a content fingerprint."""

    table: TableName  # "train", "holdout" or "synthetic" ("real" for ``synthscan split``)
    name: str  # file name (or "<table> DataFrame") used in messages
    path: str | None
    sha256: str | None
    n_rows: int
    n_columns: int

    def to_dict(self) -> dict[str, object]:
        return {
            "role": self.table,
            "name": self.name,
            "path": self.path,
            "sha256": self.sha256,
            "rows": self.n_rows,
            "columns": self.n_columns,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TableSource:
        """A source as a result records it (``to_dict()``); ``ValueError`` when malformed."""
        role, name, rows, columns = data["role"], data["name"], data["rows"], data["columns"]
        path, digest = data.get("path"), data.get("sha256")
        if (role not in (*TABLES, "real") or not isinstance(name, str)
                or not all(_is_count(n) for n in (rows, columns))
                or not all(v is None or isinstance(v, str) for v in (path, digest))):
            raise ValueError("an input must have a role, a name, row and column counts")
        return cls(role, name, path, digest, rows, columns)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, read in chunks (inputs can be large)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _mask_tokens(df: pd.DataFrame, missing_tokens: tuple[str, ...]) -> pd.DataFrame:
    """Cells of a DataFrame equal to a missing-value token become missing (text-like columns
    only: a number column cannot hold a token)."""
    tokens = list(missing_tokens)
    for col in df.columns[[not (pd.api.types.is_numeric_dtype(t) or
                                pd.api.types.is_datetime64_any_dtype(t)
                                or pd.api.types.is_timedelta64_dtype(t))
                           for t in df.dtypes]]:
        s = df[col]
        hit = s.isin(tokens)
        if hit.any():
            if isinstance(s.dtype, pd.CategoricalDtype):
                s = s.astype(object)
            df[col] = s.mask(hit)
    return df


def _from_frame(frame: pd.DataFrame, name: str,
                missing_tokens: tuple[str, ...]) -> pd.DataFrame:
    """A caller's DataFrame as a raw table: a copy with text names and a fresh row index."""
    df = frame.reset_index(drop=True)  # a copy; duplicate index labels must not matter
    df.columns = [str(c) for c in df.columns]
    dups = duplicates(list(df.columns))
    if dups:
        raise problem(InputError, name, f"column name {name_list(dups)} appears more than once",
                      "rename or drop the duplicate", column=dups[0])
    df = text_as_object(df)
    return _mask_tokens(df, missing_tokens) if missing_tokens else df


def _from_file(path: Path, table: TableName, missing_tokens: tuple[str, ...],
               encoding: str) -> pd.DataFrame:
    """A file as a raw table, by its suffix (``check_path`` admits CSV-like and Parquet)."""
    check_path(path, table)
    if suffix(path) in PARQUET_SUFFIXES:
        return read_parquet(path)
    return read_csv(path, table, missing_tokens, encoding)


def load_table(
    source: str | Path | pd.DataFrame,
    table: TableName,
    missing_tokens: tuple[str, ...] = DEFAULT_MISSING_TOKENS,
    encoding: str = "utf-8",
) -> tuple[pd.DataFrame, TableSource]:
    """Load one input table from a path or a DataFrame; return it with its provenance.

    ``table`` is the input's role in the scan (train, holdout, synthetic), used in messages.
    """
    if isinstance(source, pd.DataFrame):
        name = f"<{table} DataFrame>"
        df = _from_frame(source, name, missing_tokens)
        path_str, digest = None, None
    else:
        path = Path(source)
        name = path.name
        df = _from_file(path, table, missing_tokens, encoding)
        path_str, digest = str(path), file_sha256(path)
    if df.shape[1] == 0:
        raise problem(InputError, name, "no columns found", f"export the {table} table again")
    if len(df) == 0:
        raise problem(InputError, name, "has a header but no data rows",
                      f"export the {table} table again")
    return df, TableSource(table, name, path_str, digest, int(len(df)), int(df.shape[1]))
