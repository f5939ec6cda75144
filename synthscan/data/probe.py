"""What reading an input will cost, found without parsing it, so that a memory limit can refuse
a decompression bomb or a huge Parquet file before pandas holds it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from .files import (
    PARQUET_SUFFIXES,
    READ_ERRORS,
    TableName,
    check_path,
    decompress_error,
    is_compressed,
    open_binary,
    suffix,
)
from .problems import problem

#: the delimiters a header line is split on (see ``delimited``)
DELIMITERS = (",", ";", "\t", "|")


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


def _parquet_size(path: Path) -> InputSize:
    """A Parquet file's rows, columns and uncompressed data size, from its footer."""
    try:
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(path).metadata
        data = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        return InputSize(path.name, int(data), int(meta.num_rows), int(meta.num_columns))
    except Exception as exc:  # pyarrow raises many types for bad files
        raise problem(InputError, path.name, f"could not be read as Parquet "
                      f"({type(exc).__name__})",
                      "check the file, or give it a .csv suffix if it is text") from None


def _stream_size(path: Path, stop_at: int | None, stop_rows: int | None) -> InputSize:
    """A compressed CSV decompressed as a stream: bytes and lines counted, nothing kept."""
    n_bytes = lines = 0
    header = b""
    complete = True
    try:
        with open_binary(path) as fh:
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
    except READ_ERRORS as exc:
        raise decompress_error(path, exc) from None
    first = header.split(b"\n", 1)[0]
    columns = max(first.count(d.encode()) for d in DELIMITERS) + 1 if first else 0
    return InputSize(path.name, n_bytes, max(lines - 1, 0), columns, complete)


def probe_size(path: Path, table: TableName, stop_at: int | None = None,
               stop_rows: int | None = None) -> InputSize:
    """The size of an input file's data before it is parsed: compressed CSVs are decompressed
    as a stream (counting bytes and lines, nothing kept; counting stops after ``stop_at``
    bytes or ``stop_rows`` lines), Parquet files are charged by their footer's row count. A
    truncated or damaged compressed file is an ``InputError`` here, before pandas sees it.
    ``table`` is the input's role in the scan (train, holdout, synthetic), for messages."""
    check_path(path, table)
    if suffix(path) in PARQUET_SUFFIXES:
        return _parquet_size(path)
    if not is_compressed(path):
        return InputSize(path.name, path.stat().st_size, 0, 0)
    return _stream_size(path, stop_at, stop_rows)
