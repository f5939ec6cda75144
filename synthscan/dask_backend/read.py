"""Inputs given as many files: a directory or a glob of Parquet (or CSV) files, read file by
file — on the workers when a Dask client is given, else in this process — with synthscan's own
per-format readers (the same missing tokens, text encoding and checks as a single file), and
joined into the frame that reading the same rows from one file gives.

* The files are the directory's entries (or the glob's matches) with a table suffix; names
  starting with ``_`` or ``.`` (``_SUCCESS``, ``_metadata``, ``.crc``) are skipped, and so are
  zero-byte files (an empty part). They are joined in natural file-name order (``part.2``
  before ``part.10``), so that a writer's part numbers give its row order.
* Every file must have the same columns (in any order: the first file's order is kept); a
  column's types are reconciled as one file would have read them: whole and fractional
  numbers give fractional numbers, a part where the column is all missing takes the others'
  type, a missing value makes whole numbers fractional and booleans objects. Numbers in one
  file but text in another is an error naming both files (one file would have read the
  column as text, which the parts cannot reproduce).
* The input's fingerprint is the SHA-256 of every file's name and SHA-256, in reading order.

This module imports no dask: the client is only called (``map``, ``gather``).
"""

from __future__ import annotations

import glob
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..data.delimited import read_csv
from ..data.files import CSV_SUFFIXES, PARQUET_SUFFIXES, TableName, check_path, suffix
from ..data.io import TableSource, file_sha256, probe_size, read_parquet
from ..data.probe import InputSize
from ..data.problems import name_list, problem
from ..errors import InputError, UsageError

#: characters that make a path a pattern
GLOB_CHARS = "*?["


def is_multi(source: object) -> bool:
    """Whether ``source`` names many files: a directory, or a pattern that is not itself the
    name of an existing file."""
    if not isinstance(source, (str, Path)):
        return False
    path = Path(source)
    if path.is_file():
        return False
    return path.is_dir() or any(ch in str(source) for ch in GLOB_CHARS)


def _natural(path: Path) -> list[Any]:
    """A sort key comparing runs of digits as numbers (``part.2`` < ``part.10``)."""
    return [int(tok) if tok.isdigit() else tok for tok in re.split(r"(\d+)", str(path))]


def _is_table(path: Path) -> bool:
    return (path.is_file() and not path.name.startswith(("_", "."))
            and suffix(path) in CSV_SUFFIXES + PARQUET_SUFFIXES)


def part_files(source: str | Path, table: TableName) -> list[Path]:
    """The table files ``source`` names, in reading order; a ``UsageError`` naming the pattern
    when it names none."""
    path = Path(source)
    if path.is_dir():
        entries = list(path.iterdir())
        nested = [e for e in entries if e.is_dir() and not e.name.startswith(("_", "."))]
        if nested:
            names = name_list(sorted(e.name for e in nested))
            raise problem(UsageError, str(source), f"holds subdirectories ({names}) that are "
                          f"not read (the {table} table)", "pass a glob that names every "
                          f"file, e.g. '{path / '**' / '*.parquet'}'")
    else:
        entries = [Path(p) for p in glob.glob(str(source), recursive=True)]
    files = sorted((p for p in entries if _is_table(p)), key=_natural)
    if not files:
        raise problem(UsageError, str(source), f"matches no Parquet or CSV file (the {table} "
                      "table)", "check the directory or pattern (and quote a pattern so that "
                      "the shell does not expand it)")
    return files


def read_part(path: str, table: TableName, missing_tokens: tuple[str, ...],
              encoding: str) -> tuple[pd.DataFrame | None, str]:
    """One file read as ``load_table`` reads a file, and its SHA-256; ``None`` for a zero-byte
    file (an empty part). Runs on a worker when the input is read on a cluster."""
    p = Path(path)
    if p.exists() and p.is_file() and p.stat().st_size == 0:
        return None, file_sha256(p)
    check_path(p, table)
    if suffix(p) in PARQUET_SUFFIXES:
        frame = read_parquet(p)
    else:
        frame = read_csv(p, table, missing_tokens, encoding)
    return frame, file_sha256(p)


@dataclass(frozen=True)
class _Part:
    name: str
    frame: pd.DataFrame


def _align_columns(parts: list[_Part], pattern: str) -> list[_Part]:
    """Every part with the first part's columns in its order; different column sets are an
    error naming both files."""
    first = parts[0]
    cols = list(first.frame.columns)
    out = [first]
    for part in parts[1:]:
        have = list(part.frame.columns)
        if set(have) != set(cols) or len(have) != len(cols):
            missing = [c for c in cols if c not in have]
            extra = [c for c in have if c not in cols]
            what = "; ".join(w for w in (f"lacks {name_list(missing)}" if missing else "",
                                         f"adds {name_list(extra)}" if extra else "") if w)
            raise problem(InputError, pattern, f"file {part.name} has other columns than "
                          f"{first.name} ({what or 'a column twice'})",
                          "write every file with the same columns",
                          column=(missing or extra or [None])[0])
        out.append(part if have == cols else _Part(part.name, part.frame[cols]))
    return out


def _kind(dtype: Any) -> str:
    if isinstance(dtype, pd.CategoricalDtype):
        return "categories"
    if pd.api.types.is_bool_dtype(dtype):
        return "booleans"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numbers"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "dates"
    return "text"


def _common(dtypes: list[Any]) -> Any:
    """The one type a column of these part types has in one file, or None if there is none."""
    if all(d == dtypes[0] for d in dtypes):
        return dtypes[0]
    if all(isinstance(d, pd.CategoricalDtype) for d in dtypes):
        cats = pd.Index(pd.concat([pd.Series(d.categories) for d in dtypes]).unique())
        return pd.CategoricalDtype(cats)
    plain = all(isinstance(d, np.dtype) for d in dtypes)
    if plain and all(d.kind in "iuf" for d in dtypes):
        return np.result_type(*dtypes)
    if plain and all(d.kind == "M" for d in dtypes):
        return np.result_type(*dtypes)
    return None


def _column_type(col: str, parts: list[_Part], pattern: str) -> Any:
    """The type of column ``col`` in the joined frame (see the module's rules)."""
    informative = [p for p in parts if p.frame[col].notna().any()]
    if not informative:
        dtypes = [p.frame[col].dtype for p in parts]
        return dtypes[0] if all(d == dtypes[0] for d in dtypes) else np.dtype(object)
    target = _common([p.frame[col].dtype for p in informative])
    if target is None:
        a = informative[0]
        b = next(p for p in informative
                 if _common([a.frame[col].dtype, p.frame[col].dtype]) is None)
        ka, kb = _kind(a.frame[col].dtype), _kind(b.frame[col].dtype)
        if ka == kb:
            ka, kb = str(a.frame[col].dtype), str(b.frame[col].dtype)
        raise problem(InputError, pattern, f"column {col!r} holds {ka} in {a.name} but {kb} "
                      f"in {b.name}", "write every file with the same column types, or pass "
                      "one file", column=col)
    has_missing = any(p.frame[col].isna().any() for p in parts)
    if has_missing and isinstance(target, np.dtype) and target.kind in "iu":
        return np.dtype(np.float64)
    if has_missing and isinstance(target, np.dtype) and target.kind == "b":
        return np.dtype(object)
    return target


def combine(parts: list[tuple[str, pd.DataFrame]], pattern: str) -> pd.DataFrame:
    """The parts (file name, frame) joined in order into one frame, as one file holding their
    rows would read (see the module's rules); ``pattern`` names the input in errors."""
    aligned = _align_columns([_Part(n, f) for n, f in parts], pattern)
    if len(aligned) == 1:
        return aligned[0].frame.reset_index(drop=True)
    types = {col: _column_type(col, aligned, pattern) for col in aligned[0].frame.columns}
    frames = []
    for part in aligned:
        frame = part.frame
        recast = {c: t for c, t in types.items() if frame[c].dtype != t}
        if recast:
            try:
                frame = frame.astype(recast)
            except (TypeError, ValueError):
                col = next(iter(recast))
                raise problem(InputError, pattern, f"column {col!r} of file {part.name} "
                              "cannot take the type of the other files", "write every file "
                              "with the same column types, or pass one file", column=col
                              ) from None
        frames.append(frame)
    rows = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(rows, ignore_index=True) if len(rows) > 1 else rows[0].reset_index(drop=True)


def _fingerprint(names: list[str], digests: list[str]) -> str:
    h = hashlib.sha256()
    for name, digest in zip(names, digests, strict=True):
        h.update(f"{name}\t{digest}\n".encode())
    return h.hexdigest()


def read_table(source: str | Path, table: TableName, missing_tokens: tuple[str, ...],
               encoding: str = "utf-8", client: Any = None) -> tuple[pd.DataFrame, TableSource]:
    """Read a multi-file input (``is_multi``): each file on a worker of ``client`` (or here
    when None), joined by ``combine``; returned with its ``TableSource`` (named by the
    pattern, fingerprinted over every file)."""
    pattern = str(source)
    files = part_files(source, table)
    root = Path(source) if Path(source).is_dir() else None
    names = [str(f.relative_to(root)) if root else str(f) for f in files]
    if client is not None:
        futures = client.map(read_part, [str(f) for f in files], table=table,
                             missing_tokens=tuple(missing_tokens), encoding=encoding,
                             pure=False)
        results = client.gather(futures)
    else:
        results = [read_part(str(f), table, tuple(missing_tokens), encoding) for f in files]
    parts = [(name, frame) for name, (frame, _) in zip(names, results, strict=True)
             if frame is not None]
    if not parts:
        raise problem(InputError, pattern, "every file is empty", f"export the {table} table "
                      "again")
    df = combine(parts, pattern)
    if df.shape[1] == 0:
        raise problem(InputError, pattern, "no columns found", f"export the {table} table again")
    if len(df) == 0:
        raise problem(InputError, pattern, "has a header but no data rows",
                      f"export the {table} table again")
    digest = _fingerprint(names, [d for _, d in results])
    return df, TableSource(table, pattern, pattern, digest, int(len(df)), int(df.shape[1]))


def probe(source: str | Path, table: TableName, stop_at: int | None = None,
          stop_rows: int | None = None) -> InputSize:
    """What reading a multi-file input costs (``probe_size`` summed over its files), for the
    memory guard: the parts end up in one frame."""
    sizes = [probe_size(f, table, stop_at, stop_rows) for f in part_files(source, table)
             if f.stat().st_size > 0]
    return InputSize(str(source), sum(s.data_bytes for s in sizes), sum(s.rows for s in sizes),
                     max((s.columns for s in sizes), default=0),
                     all(s.complete for s in sizes))
