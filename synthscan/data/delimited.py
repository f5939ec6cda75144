"""Reading delimited text (CSV, TSV, ...) into a raw table, with errors that say how to fix
the file: the delimiter is sniffed from the header, the header must name every column once,
and a row with more fields than the header is refused (pandas would silently shift it)."""

from __future__ import annotations

import csv
import lzma
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import InputError
from .files import READ_ERRORS, TableName, decompress_error
from .frames import default_index, duplicates, text_as_object
from .probe import DELIMITERS
from .problems import name_list, problem
from .text import check_encoding, check_text, decode_error, open_text, text_encoding

if TYPE_CHECKING:
    from _csv import Reader

_DECIMAL_COMMA = r"^\s*[+-]?(\d+|\d{1,3}(\.\d{3})+),\d+\s*$"
_PLAIN_INT = r"^\s*[+-]?\d+\s*$"


@contextmanager
def _records(path: Path, delimiter: str, encoding: str) -> Iterator[Reader]:
    """The file's records as the csv module reads them (no limit on a field's size)."""
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, 2**31 - 1))
    try:
        with open_text(path, encoding) as fh:
            yield csv.reader(fh, delimiter=delimiter)
    finally:
        csv.field_size_limit(old_limit)


def _sniff_delimiter(path: Path, encoding: str) -> str:
    """Pick the delimiter from the header line: the candidate that splits it into most fields.
    A tie (a header like ``price, EUR;qty``) goes to the candidate that splits the first data
    line into as many fields as the header."""
    try:
        with open_text(path, encoding) as fh:
            header = fh.readline()
            first = fh.readline()
    except UnicodeError as exc:
        raise decode_error(path, exc, encoding) from None
    except InputError:
        raise
    except READ_ERRORS as exc:  # gzip/bz2/lzma errors included
        raise decompress_error(path, exc) from None

    def fields(line: str, d: str) -> int:
        try:
            return len(next(csv.reader([line.rstrip("\r\n")], delimiter=d), []))
        except csv.Error:
            return line.count(d) + 1

    counts = {d: header.count(d) for d in DELIMITERS}
    consistent = {d: bool(first.strip()) and fields(header, d) == fields(first, d)
                  for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], consistent[d], d == ","))
    return best if counts[best] > 0 else ","


def _header_fields(path: Path, delimiter: str, encoding: str) -> list[str]:
    """The header's field names as the csv module reads them."""
    with _records(path, delimiter, encoding) as records:
        try:
            return next(records, [])
        except UnicodeError as exc:
            raise decode_error(path, exc, encoding) from None
        except (csv.Error, OSError, EOFError, ValueError):
            return []


def _check_header(path: Path, delimiter: str, encoding: str) -> None:
    """Every column of the header has a name, and no name occurs twice."""
    header = _header_fields(path, delimiter, encoding)
    empty = [i + 1 for i, h in enumerate(header) if not h.lstrip("\ufeff").strip()]
    if empty and len(header) > 1:
        where = f"column {empty[0]}" + (f" (and {len(empty) - 1} more)" if len(empty) > 1
                                          else "")
        raise problem(InputError, path.name, f"{where} of the header has no name",
                      "name it, or drop the column (a saved row index? write the file with "
                      "index=False)")
    dups = duplicates([h.lstrip("\ufeff") for h in header])
    if dups:
        raise problem(InputError, path.name, f"column name {name_list(dups)} appears more than "
                      "once in the header", "rename or drop the duplicate", column=dups[0])


def _first_long_row(path: Path, delimiter: str, encoding: str) -> tuple[int, int, int] | None:
    """(line, fields, header fields) of the first row with more fields than the header."""
    try:
        with _records(path, delimiter, encoding) as reader:
            width = len(next(reader, []))
            for row in reader:
                if len(row) > width:
                    return reader.line_num, len(row), width
    except (csv.Error, UnicodeDecodeError, OSError, EOFError, ValueError):
        return None
    return None


def _first_record_longer(path: Path, delimiter: str, encoding: str) -> bool:
    """Whether the first data record has more fields than the header."""
    try:
        with _records(path, delimiter, encoding) as reader:
            header = next(reader, [])
            first = next(reader, None)
    except (csv.Error, UnicodeError, OSError, EOFError, ValueError):
        return False
    return first is not None and len(first) > len(header)


def _parser_reason(msg: str) -> str:
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
    if m:
        return f"line {m.group(2)} has {m.group(3)} fields where the header has {m.group(1)}"
    return "malformed CSV"


def _parse(path: Path, table: TableName, delimiter: str, missing_tokens: tuple[str, ...],
           encoding: str) -> pd.DataFrame:
    """pandas' parse of the file, its exceptions turned into errors that name the fix."""
    try:
        return pd.read_csv(path, sep=delimiter, keep_default_na=False,
                           na_values=list(missing_tokens), encoding=encoding, low_memory=False,
                           skipinitialspace=False)
    except UnicodeError as exc:
        raise decode_error(path, exc, encoding) from None
    except pd.errors.EmptyDataError:
        raise problem(InputError, path.name, "no header and no data",
                      f"export the {table} table again") from None
    except pd.errors.ParserError as exc:
        raise problem(InputError, path.name, _parser_reason(str(exc)),
                      "fix the file (unquoted delimiter inside a value, or a truncated line?)"
                      ) from None
    except (EOFError, zlib.error, lzma.LZMAError, NotImplementedError) as exc:
        raise decompress_error(path, exc) from None
    except (OSError, ValueError, OverflowError, csv.Error, zipfile.BadZipFile,
            RuntimeError) as exc:
        raise problem(InputError, path.name, f"could not be read as CSV ({type(exc).__name__})",
                      "check the file format") from None


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


def read_csv(path: Path, table: TableName, missing_tokens: tuple[str, ...],
             encoding: str) -> pd.DataFrame:
    """Read a delimited text file; the delimiter is taken from the header line."""
    check_encoding(path, encoding)
    encoding = text_encoding(path, encoding)
    check_text(path, encoding)
    delimiter = _sniff_delimiter(path, encoding)
    _check_header(path, delimiter, encoding)
    df = _parse(path, table, delimiter, missing_tokens, encoding)
    if not default_index(df.index) or _first_record_longer(path, delimiter, encoding):
        # pandas silently turns the leading field(s) into the index when data rows have more
        # fields than the header: every value would land one column to the left (pandas 3
        # stores such an index of evenly spaced integers as a RangeIndex, hence the second
        # test on the first record, whose width is what pandas decides by)
        long_row = _first_long_row(path, delimiter, encoding)
        where = (f"line {long_row[0]} has {long_row[1]} fields where the header has "
                 f"{long_row[2]}" if long_row else "data rows have more fields than the header")
        raise problem(InputError, path.name, where, "fix the file (a delimiter at the end of "
                      "each line, or an unquoted delimiter inside a value?)")
    df.columns = [str(c) for c in df.columns]
    df = text_as_object(df)
    if delimiter != ",":
        df = _decimal_commas(df)
    return df
