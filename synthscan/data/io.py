"""Reading input tables (CSV, Parquet, DataFrames) into raw pandas frames with clear errors.

Nothing here interprets column types beyond what the file format says; that is ``schema``'s job.
Error messages name the file and what to do, and never quote a cell's value.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import lzma
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pandas as pd

from ..errors import InputError, UsageError

#: Cell contents read as missing in every input, in addition to user-declared tokens.
DEFAULT_MISSING_TOKENS: tuple[str, ...] = ("", "NA", "N/A", "NaN", "nan", "NULL", "null", "None")

#: zip compression methods the standard library reads: stored, deflate, bzip2, lzma
_ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
#: exceptions of the decompressors for a damaged or truncated stream
_DECOMPRESS_ERRORS: tuple[type[BaseException], ...] = (EOFError, zlib.error, lzma.LZMAError,
                                                       zipfile.BadZipFile, NotImplementedError,
                                                       RuntimeError)

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
    if not path.is_file():
        raise UsageError(f"{path}: is not a regular file (a pipe?) — save the table to a .csv "
                         "or .parquet file and pass that")
    suffix = _suffix(path)
    if suffix not in CSV_SUFFIXES + PARQUET_SUFFIXES:
        raise UsageError(f"{path.name}: unknown file type {suffix or '(none)'!r} — use .csv, "
                         ".tsv or .parquet (export spreadsheets as CSV)")
    if path.stat().st_size == 0:
        raise InputError(f"{path.name}: the file is empty — export the {role} table again")
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise InputError(f"{path.name}: cannot be read ({exc.strerror or type(exc).__name__}) "
                         "— check the file's permissions") from None


def _sniff_delimiter(path: Path, encoding: str) -> str:
    """Pick the delimiter from the header line: the candidate that splits it into most fields.
    A tie (a header like ``price, EUR;qty``) goes to the candidate that splits the first data
    line into as many fields as the header."""
    try:
        with _open_text(path, encoding) as fh:
            header = fh.readline()
            first = fh.readline()
    except UnicodeError as exc:
        raise _decode_error(path, exc, encoding) from None
    except InputError:
        raise
    except (*_DECOMPRESS_ERRORS, OSError, ValueError) as exc:  # gzip/bz2/lzma errors included
        raise _decompress_error(path, exc) from None

    def fields(line: str, d: str) -> int:
        try:
            return len(next(csv.reader([line.rstrip("\r\n")], delimiter=d), []))
        except csv.Error:
            return line.count(d) + 1

    counts = {d: header.count(d) for d in _DELIMITERS}
    consistent = {d: bool(first.strip()) and fields(header, d) == fields(first, d)
                  for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: (counts[d], consistent[d], d == ","))
    return best if counts[best] > 0 else ","


def is_text_encoding(encoding: object) -> bool:
    """True for a codec that turns bytes into text (not rot13, hex, base64, zlib, ...)."""
    if not isinstance(encoding, str) or not encoding or len(encoding) > 100:
        return False
    try:
        "a".encode(encoding)
        b"a".decode(encoding)
    except LookupError:
        return False
    except (UnicodeError, ValueError, TypeError):
        return True  # a text codec that cannot encode this sample (e.g. one-way codecs)
    return True


def _short(value: object, limit: int = 40) -> str:
    """``repr`` of a setting's value, cut to ``limit`` characters (never a data value)."""
    import reprlib

    r = reprlib.Repr()
    r.maxstring = r.maxother = limit
    return r.repr(value)


def _is_utf8(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed according to its suffix."""
    import bz2
    import gzip
    import lzma

    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.open(path, "rb")
    if name.endswith(".bz2"):
        return bz2.open(path, "rb")
    if name.endswith(".xz"):
        return lzma.open(path, "rb")
    if name.endswith(".zip"):
        try:
            zf = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise InputError(f"{path.name}: not a valid zip archive — zip the CSV file again, "
                             "or drop the .zip suffix if it is plain text") from None
        members = [m for m in zf.infolist() if not m.filename.endswith("/")]
        if len(members) != 1:
            zf.close()
            raise InputError(f"{path.name}: the zip archive holds {len(members)} files — zip "
                             "exactly one CSV file")
        member = members[0]
        if member.flag_bits & 0x1:
            zf.close()
            raise InputError(f"{path.name}: the zip archive is encrypted — unzip it and pass "
                             "the CSV file, or zip it again without a password")
        if member.compress_type not in _ZIP_METHODS:
            zf.close()
            raise InputError(f"{path.name}: the zip archive uses a compression method Python "
                             f"cannot read (method {member.compress_type}, e.g. Deflate64) — "
                             "unzip it and pass the CSV file, or zip it again with plain "
                             "Deflate")
        try:
            return zf.open(member)
        except (RuntimeError, NotImplementedError, zipfile.BadZipFile, OSError) as exc:
            zf.close()
            raise InputError(f"{path.name}: the zip archive cannot be opened "
                             f"({type(exc).__name__}) — unzip it and pass the CSV file") from None
    return path.open("rb")


@dataclass(frozen=True)
class InputSize:
    """What reading one input will cost, found without parsing it (see ``probe_size``).

    ``data_bytes`` is the text a CSV decompresses to (its size when not compressed), or the
    uncompressed column data of a Parquet file; ``rows`` is the number of lines (CSV, counted
    while decompressing; 0 for a plain CSV, which is charged by its size) or the row count in a
    Parquet footer. ``complete`` is False when counting stopped at ``stop_at`` bytes."""

    name: str
    data_bytes: int
    rows: int
    columns: int
    complete: bool = True


def probe_size(path: Path, role: str, stop_at: int | None = None,
               stop_rows: int | None = None) -> InputSize:
    """The size of an input file's data before it is parsed: compressed CSVs are decompressed
    as a stream (counting bytes and lines, nothing kept; counting stops after ``stop_at``
    bytes or ``stop_rows`` lines), Parquet files are charged by their footer's row count. A
    truncated or damaged compressed file is an ``InputError`` here, before pandas sees it."""
    _check_path(path, role)
    suffix = _suffix(path)
    if suffix in PARQUET_SUFFIXES:
        try:
            import pyarrow.parquet as pq

            meta = pq.ParquetFile(path).metadata
            data = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
            return InputSize(path.name, int(data), int(meta.num_rows), int(meta.num_columns))
        except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for bad files
            raise InputError(f"{path.name}: could not be read as Parquet ({type(exc).__name__})"
                             " — check the file, or give it a .csv suffix if it is text") from None
    if not path.name.lower().endswith((".gz", ".bz2", ".xz", ".zip")):
        return InputSize(path.name, path.stat().st_size, 0, 0)
    n_bytes = lines = 0
    header = b""
    complete = True
    try:
        with _open_binary(path) as fh:
            while block := fh.read(1 << 20):
                if len(header) < 65536 and b"\n" not in header:
                    header += block[:65536]
                n_bytes += len(block)
                lines += block.count(b"\n")
                if ((stop_at is not None and n_bytes > stop_at)
                        or (stop_rows is not None and lines > stop_rows)):
                    complete = False
                    break
    except InputError:
        raise
    except (*_DECOMPRESS_ERRORS, OSError, ValueError) as exc:
        raise _decompress_error(path, exc) from None
    first = header.split(b"\n", 1)[0]
    columns = max(first.count(d.encode()) for d in _DELIMITERS) + 1 if first else 0
    return InputSize(path.name, n_bytes, max(lines - 1, 0), columns, complete)


def _decompress_error(path: Path, exc: BaseException) -> InputError:
    what = ("is truncated" if isinstance(exc, EOFError)
            else f"is damaged ({type(exc).__name__})")
    return InputError(f"{path.name}: the compressed file {what} and could not be decompressed — "
                      "compress the CSV again (or copy it again in full), or drop the "
                      "compression suffix if it is plain text")


def text_encoding(path: Path, encoding: str) -> str:
    """The encoding to read ``path`` with: a byte-order mark at the start of the file decides
    (UTF-8, UTF-16, UTF-32); otherwise the configured ``encoding``, where UTF-8 also drops a
    mark so that it never becomes part of the first column's name."""
    try:
        with _open_binary(path) as fh:
            head = fh.read(4)
    except InputError:
        raise
    except (*_DECOMPRESS_ERRORS, OSError, ValueError) as exc:
        raise _decompress_error(path, exc) from None
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    return "utf-8-sig" if _is_utf8(encoding) else encoding


def _open_text(path: Path, encoding: str) -> IO[str]:
    return io.TextIOWrapper(_open_binary(path), encoding=encoding, newline="")


def _decode_error(path: Path, exc: UnicodeError, encoding: str) -> InputError:
    where = f"bytes at offset {exc.start}" if isinstance(exc, UnicodeDecodeError) else "the text"
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    return InputError(
        f"{path.name}: {where} are not valid {encoding} text — re-save the file as UTF-8, or "
        "set its encoding with --set encoding=latin-1 (or encoding = \"latin-1\" in --config)"
    )


def _check_text(path: Path, encoding: str) -> None:
    """Reject binary files up front, with a message that says what they are."""
    if path.name.lower().endswith((".gz", ".bz2", ".xz", ".zip")) or codecs.lookup(
        encoding
    ).name.startswith(("utf-16", "utf-32")):
        return
    with path.open("rb") as fh:
        head = fh.read(8192)
    if b"\x00" in head:
        if head.startswith(b"PAR1"):
            raise InputError(f"{path.name}: holds a Parquet file, not CSV text — give it the "
                             ".parquet suffix")
        utf16 = _utf16_without_bom(head)
        if utf16:
            raise InputError(f"{path.name}: looks like {utf16.upper()} text without a "
                             "byte-order mark — re-save it as UTF-8, or read it with --set "
                             f"encoding={utf16}")
        raise InputError(f"{path.name}: holds binary data, not CSV text — pass a CSV file "
                         "(export spreadsheets as CSV), or give a Parquet file the .parquet "
                         "suffix")


def _utf16_without_bom(head: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" when the bytes look like mostly-ASCII UTF-16 text (a zero in
    nearly every other byte), else None."""
    even, odd = head[0:len(head) - len(head) % 2:2], head[1::2]
    if len(odd) < 2:
        return None
    for name, zeros, chars in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) >= 0.9 * len(zeros) and chars.count(0) <= 0.1 * len(chars):
            return name
    return None


def _header_fields(path: Path, delimiter: str, encoding: str) -> list[str]:
    """The header's field names as the csv module reads them (no limit on field size)."""
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, 2**31 - 1))
    try:
        with _open_text(path, encoding) as fh:
            try:
                return next(csv.reader(fh, delimiter=delimiter), [])
            except UnicodeError as exc:
                raise _decode_error(path, exc, encoding) from None
            except (csv.Error, OSError, EOFError, ValueError):
                return []
    finally:
        csv.field_size_limit(old_limit)


def _header_duplicates(path: Path, delimiter: str, encoding: str) -> list[str]:
    header = [h.lstrip("\ufeff") for h in _header_fields(path, delimiter, encoding)]
    seen: set[str] = set()
    dups: list[str] = []
    for h in header:
        if h in seen and h not in dups:
            dups.append(h)
        seen.add(h)
    return dups


def _first_long_row(path: Path, delimiter: str, encoding: str) -> tuple[int, int, int] | None:
    """(line, fields, header fields) of the first row with more fields than the header."""
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, 2**31 - 1))
    try:
        with _open_text(path, encoding) as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            width = len(next(reader, []))
            for row in reader:
                if len(row) > width:
                    return reader.line_num, len(row), width
    except (csv.Error, UnicodeDecodeError, OSError, EOFError, ValueError):
        return None
    finally:
        csv.field_size_limit(old_limit)
    return None


def read_csv(path: Path, role: str, missing_tokens: tuple[str, ...], encoding: str) -> pd.DataFrame:
    """Read a delimited text file; the delimiter is taken from the header line."""
    if not is_text_encoding(encoding):
        raise UsageError(f"{path.name}: encoding {_short(encoding)} is not a known text "
                         "encoding — use e.g. --set encoding=utf-8, latin-1 or cp1252")
    encoding = text_encoding(path, encoding)
    _check_text(path, encoding)
    delimiter = _sniff_delimiter(path, encoding)
    header = _header_fields(path, delimiter, encoding)
    empty = [i + 1 for i, h in enumerate(header) if not h.lstrip("\ufeff").strip()]
    if empty and len(header) > 1:
        where = f"column {empty[0]}" + (f" (and {len(empty) - 1} more)" if len(empty) > 1
                                          else "")
        raise InputError(f"{path.name}: {where} of the header has no name — name it, or drop "
                         "the column (a saved row index? write the file with index=False)")
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
            encoding=encoding,
            low_memory=False,
            skipinitialspace=False,
        )
    except UnicodeError as exc:
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
    except (EOFError, zlib.error, lzma.LZMAError, NotImplementedError) as exc:
        raise _decompress_error(path, exc) from None
    except (OSError, ValueError, OverflowError, csv.Error, zipfile.BadZipFile,
            RuntimeError) as exc:
        raise InputError(f"{path.name}: could not be read as CSV ({type(exc).__name__}) — "
                         "check the file format") from None
    if not _default_index(df.index) or _first_record_longer(path, delimiter, encoding):
        # pandas silently turns the leading field(s) into the index when data rows have more
        # fields than the header: every value would land one column to the left (pandas 3
        # stores such an index of evenly spaced integers as a RangeIndex, hence the second
        # test on the first record, whose width is what pandas decides by)
        long_row = _first_long_row(path, delimiter, encoding)
        where = (f"line {long_row[0]} has {long_row[1]} fields where the header has "
                 f"{long_row[2]}" if long_row else "data rows have more fields than the header")
        raise InputError(f"{path.name}: {where} — fix the file (a delimiter at the end of each "
                         "line, or an unquoted delimiter inside a value?)")
    df.columns = [str(c) for c in df.columns]
    df = _text_as_object(df)
    if delimiter != ",":
        df = _decimal_commas(df)
    return df


def _default_index(index: pd.Index) -> bool:
    """0, 1, 2, ... without a name: the index pandas gives a table without an index column."""
    return (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1
            and index.name is None)


def _first_record_longer(path: Path, delimiter: str, encoding: str) -> bool:
    """Whether the first data record has more fields than the header."""
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, 2**31 - 1))
    try:
        with _open_text(path, encoding) as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            header = next(reader, [])
            first = next(reader, None)
    except (csv.Error, UnicodeError, OSError, EOFError, ValueError):
        return False
    finally:
        csv.field_size_limit(old_limit)
    return first is not None and len(first) > len(header)


def _text_as_object(df: pd.DataFrame) -> pd.DataFrame:
    """pandas 3 reads text into its ``str`` dtype, pandas 2 into ``object``: the raw tables
    hold object text in both, so that everything after loading sees the same types."""
    for col, dtype in df.dtypes.items():
        if isinstance(dtype, pd.StringDtype) and dtype.na_value is not pd.NA:
            df[col] = df[col].astype(object)
    return df


_DECIMAL_COMMA = r"^\s*[+-]?(\d+|\d{1,3}(\.\d{3})+),\d+\s*$"
_PLAIN_INT = r"^\s*[+-]?\d+\s*$"


def _decimal_commas(df: pd.DataFrame) -> pd.DataFrame:
    """Text columns of a non-comma-delimited file that hold numbers written with a decimal
    comma (``1234,5`` or ``1.234,5``, the European convention) become numbers."""
    # text columns: object dtype (pandas 2) or the str dtype (pandas 3)
    text_cols = [c for c, t in df.dtypes.items()
                 if pd.api.types.is_object_dtype(t) or isinstance(t, pd.StringDtype)]
    for col in text_cols:
        s = df[col]
        text = s[s.notna()]
        if not len(text) or not all(isinstance(v, str) for v in text.head(1000)):
            continue
        text = text.astype(str)
        comma = text.str.match(_DECIMAL_COMMA)
        if comma.any() and (comma | text.str.match(_PLAIN_INT)).all():
            plain = text.str.strip().str.replace(".", "", regex=False).str.replace(
                ",", ".", regex=False)
            df[col] = pd.to_numeric(plain).reindex(s.index)
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
    try:
        df = table.to_pandas()
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for odd columns
        raise InputError(
            f"{path.name}: could not be converted to a table ({type(exc).__name__}) — check the "
            "column types (plain numbers, text, booleans and dates are supported)"
        ) from None
    if not _default_index(df.index):
        # a pandas index saved in the file: named levels are data, unnamed ones row numbers
        unnamed = [i for i, n in enumerate(df.index.names) if n is None]
        if len(unnamed) == df.index.nlevels:
            df = df.reset_index(drop=True)
        else:
            if unnamed:
                df = df.reset_index(level=unnamed, drop=True)
            df = df.reset_index()
    df.columns = [str(c) for c in df.columns]
    return _text_as_object(df)


def _names(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    more = f" (and {len(names) - limit} more)" if len(names) > limit else ""
    return shown + more


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


def load_table(
    source: str | Path | pd.DataFrame,
    role: str,
    missing_tokens: tuple[str, ...] = DEFAULT_MISSING_TOKENS,
    encoding: str = "utf-8",
) -> tuple[pd.DataFrame, TableSource]:
    """Load one input table from a path or a DataFrame; return it with its provenance."""
    if isinstance(source, pd.DataFrame):
        df = source.reset_index(drop=True)  # a copy; duplicate index labels must not matter
        name = f"<{role} DataFrame>"
        df.columns = [str(c) for c in df.columns]
        if df.columns.duplicated().any():
            dups = list(dict.fromkeys(df.columns[df.columns.duplicated()]))
            raise InputError(f"{name}: column name {_names(dups)} appears more than once — "
                             "rename or drop the duplicate")
        df = _text_as_object(df)
        if missing_tokens:
            df = _mask_tokens(df, missing_tokens)
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
        else:  # pragma: no cover - _check_path rejects unknown suffixes first
            raise UsageError(f"{path.name}: unknown file type — use .csv or .parquet")
        path_str, digest = str(path), file_sha256(path)
    if df.shape[1] == 0:
        raise InputError(f"{name}: no columns found — export the {role} table again")
    if len(df) == 0:
        raise InputError(f"{name}: has a header but no data rows — export the {role} table again")
    return df, TableSource(role, name, path_str, digest, int(len(df)), int(df.shape[1]))
