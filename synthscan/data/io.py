"""Reading input tables (CSV, Parquet, DataFrames) into raw pandas frames with clear errors.

Nothing here interprets column types beyond what the file format says; that is ``schema``'s job.
Error messages name the file and what to do, and never quote a cell's value.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import InputError, UsageError

#: Cell contents read as missing in every input, in addition to user-declared tokens.
DEFAULT_MISSING_TOKENS: tuple[str, ...] = ("", "NA", "N/A", "NaN", "nan", "NULL", "null", "None")

CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".csv.zip", ".csv.bz2", ".csv.xz")
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
_DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class TableSource:
    """Where a table came from: its role in the scan, a display name and a content fingerprint."""

    role: str  # "train", "holdout" or "synthetic"
    name: str  # file name (or "<role> DataFrame") used in messages
    path: str | None
    sha256: str | None
    n_rows: int
    n_columns: int

    def to_dict(self) -> dict:
        return {
            "role": self.role,
            "name": self.name,
            "path": self.path,
            "sha256": self.sha256,
            "rows": self.n_rows,
            "columns": self.n_columns,
        }


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, read in chunks (inputs can be large)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suf in CSV_SUFFIXES + PARQUET_SUFFIXES:
        if name.endswith(suf):
            return suf
    return path.suffix.lower()


def _check_path(path: Path, role: str) -> None:
    if not path.exists():
        raise UsageError(f"{path}: no such file (the {role} table) — check the path")
    if path.is_dir():
        raise UsageError(f"{path}: is a directory, not a table — pass a .csv or .parquet file")
    if path.stat().st_size == 0:
        raise InputError(f"{path.name}: the file is empty — export the {role} table again")


def _sniff_delimiter(path: Path, encoding: str) -> str:
    """Pick the delimiter from the header line: the candidate that splits it into most fields."""
    opener = _open_text(path, encoding)
    with opener as fh:
        try:
            header = fh.readline()
        except UnicodeDecodeError as exc:
            raise _decode_error(path, exc, encoding) from None
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] > 0 else ","


def _open_text(path: Path, encoding: str):
    import bz2
    import gzip
    import lzma

    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.open(path, "rt", encoding=encoding, newline="")
    if name.endswith(".bz2"):
        return bz2.open(path, "rt", encoding=encoding, newline="")
    if name.endswith(".xz"):
        return lzma.open(path, "rt", encoding=encoding, newline="")
    return path.open("r", encoding=encoding, newline="")


def _decode_error(path: Path, exc: UnicodeDecodeError, encoding: str) -> InputError:
    return InputError(
        f"{path.name}: bytes at offset {exc.start} are not valid {encoding} text — "
        "re-save the file as UTF-8 or pass --encoding (e.g. --encoding latin-1)"
    )


def _header_duplicates(path: Path, delimiter: str, encoding: str) -> list[str]:
    if path.name.lower().endswith(".zip"):
        return []
    with _open_text(path, encoding) as fh:
        try:
            header = next(csv.reader(fh, delimiter=delimiter), [])
        except UnicodeDecodeError as exc:
            raise _decode_error(path, exc, encoding) from None
        except csv.Error:
            return []
    header = [h.lstrip("\ufeff") for h in header]
    seen: set[str] = set()
    dups: list[str] = []
    for h in header:
        if h in seen and h not in dups:
            dups.append(h)
        seen.add(h)
    return dups


def read_csv(path: Path, role: str, missing_tokens: tuple[str, ...], encoding: str) -> pd.DataFrame:
    """Read a delimited text file; the delimiter is taken from the header line."""
    delimiter = _sniff_delimiter(path, encoding)
    dups = _header_duplicates(path, delimiter, encoding)
    if dups:
        raise InputError(
            f"{path.name}: column name {_names(dups)} appears more than once in the header — "
            "rename or drop the duplicate"
        )
    try:
        df = pd.read_csv(
            path,
            sep=delimiter,
            keep_default_na=False,
            na_values=list(missing_tokens),
            encoding=encoding if encoding.lower() not in ("utf-8", "utf8") else "utf-8-sig",
            low_memory=False,
            skipinitialspace=False,
        )
    except UnicodeDecodeError as exc:
        raise _decode_error(path, exc, encoding) from None
    except pd.errors.EmptyDataError:
        raise InputError(
            f"{path.name}: no header and no data — export the {role} table again"
        ) from None
    except pd.errors.ParserError as exc:
        raise InputError(
            f"{path.name}: {_parser_reason(str(exc))} — fix the file (unquoted delimiter inside a "
            "value, or a truncated line?)"
        ) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path.name}: could not be read as CSV ({type(exc).__name__}) — "
                         "check the file format") from None
    df.columns = [str(c) for c in df.columns]
    return df


def _parser_reason(msg: str) -> str:
    import re

    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
    if m:
        return f"line {m.group(2)} has {m.group(3)} fields where the header has {m.group(1)}"
    return "malformed CSV"


def read_parquet(path: Path, role: str) -> pd.DataFrame:
    """Read a Parquet file; nested columns are rejected by the schema step."""
    try:
        import pyarrow.parquet as pq

        table = pq.read_table(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for bad files
        raise InputError(
            f"{path.name}: could not be read as Parquet ({type(exc).__name__}) — "
            "check the file, or give it a .csv suffix if it is text"
        ) from None
    names = list(table.column_names)
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise InputError(f"{path.name}: column name {_names(dups)} appears more than once — "
                         "rename or drop the duplicate")
    import pyarrow as pa

    nested = [f.name for f in table.schema if pa.types.is_nested(f.type)]
    if nested:
        raise InputError(
            f"{path.name}: column {_names(nested)} holds nested values (struct/list/map) — "
            "flatten it into plain columns or drop it"
        )
    df = table.to_pandas()
    df.columns = [str(c) for c in df.columns]
    return df


def _names(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    more = f" (and {len(names) - limit} more)" if len(names) > limit else ""
    return shown + more


def load_table(
    source: str | Path | pd.DataFrame,
    role: str,
    missing_tokens: tuple[str, ...] = DEFAULT_MISSING_TOKENS,
    encoding: str = "utf-8",
) -> tuple[pd.DataFrame, TableSource]:
    """Load one input table from a path or a DataFrame; return it with its provenance."""
    if isinstance(source, pd.DataFrame):
        df = source.copy()
        name = f"<{role} DataFrame>"
        if df.columns.duplicated().any():
            dups = list(dict.fromkeys(df.columns[df.columns.duplicated()].astype(str)))
            raise InputError(f"{name}: column name {_names(dups)} appears more than once — "
                             "rename or drop the duplicate")
        df.columns = [str(c) for c in df.columns]
        if missing_tokens:
            obj = df.select_dtypes(include=["object", "string"]).columns
            if len(obj):
                df[obj] = df[obj].replace(list(missing_tokens), None)
        path_str, digest = None, None
    else:
        path = Path(source)
        _check_path(path, role)
        name = path.name
        suffix = _suffix(path)
        if suffix in PARQUET_SUFFIXES:
            df = read_parquet(path, role)
        elif suffix in CSV_SUFFIXES:
            df = read_csv(path, role, missing_tokens, encoding)
        else:
            raise UsageError(
                f"{path.name}: unknown file type {suffix or '(none)'!r} — use .csv or .parquet"
            )
        path_str, digest = str(path), file_sha256(path)
    if df.shape[1] == 0:
        raise InputError(f"{name}: no columns found — export the {role} table again")
    if len(df) == 0:
        raise InputError(f"{name}: has a header but no data rows — export the {role} table again")
    return df, TableSource(role, name, path_str, digest, int(len(df)), int(df.shape[1]))
