"""Input files before parsing: which paths are tables, and their bytes, decompressed.

A path must be a readable, non-empty regular file with a known suffix (CSV-like, optionally
gzip/bzip2/xz/zip-compressed, or Parquet). A damaged or truncated compressed file, or a zip
archive that is not exactly one readable member, is an error that says how to fix it.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import zipfile
import zlib
from pathlib import Path
from typing import IO, Literal, cast

from ..errors import InputError, UsageError
from ..types import Table
from .problems import problem

#: an input's role, for messages: a scan's table, or the real table ``synthscan split`` splits
TableName = Table | Literal["real"]

CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".csv.zip", ".csv.bz2", ".csv.xz")
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
COMPRESSED = (".gz", ".bz2", ".xz", ".zip")

#: zip compression methods the standard library reads: stored, deflate, bzip2, lzma
_ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
#: exceptions of the decompressors for a damaged or truncated stream
DECOMPRESS_ERRORS: tuple[type[BaseException], ...] = (EOFError, zlib.error, lzma.LZMAError,
                                                      zipfile.BadZipFile, NotImplementedError,
                                                      RuntimeError)
#: what reading a (possibly compressed) file can raise besides a decoding error
READ_ERRORS: tuple[type[BaseException], ...] = (*DECOMPRESS_ERRORS, OSError, ValueError)


def suffix(path: Path) -> str:
    """The file type's suffix, compound ones (``.csv.gz``) included, in lower case."""
    name = path.name.lower()
    for suf in CSV_SUFFIXES + PARQUET_SUFFIXES:
        if name.endswith(suf):
            return suf
    return path.suffix.lower()


def is_compressed(path: Path) -> bool:
    """Whether the file's suffix says it is compressed (its bytes need a decompressor)."""
    return path.name.lower().endswith(COMPRESSED)


def check_path(path: Path, table: TableName) -> None:
    """The path is a readable, non-empty table file of a known type (``table``: its role)."""
    if not path.exists():
        raise problem(UsageError, str(path), f"no such file (the {table} table)", "check the path")
    if path.is_dir():
        raise problem(UsageError, str(path), "is a directory, not a table",
                      "pass a .csv or .parquet file")
    if not path.is_file():
        raise problem(UsageError, str(path), "is not a regular file (a pipe?)",
                      "save the table to a .csv or .parquet file and pass that")
    suf = suffix(path)
    if suf not in CSV_SUFFIXES + PARQUET_SUFFIXES:
        raise problem(UsageError, path.name, f"unknown file type {suf or '(none)'!r}",
                      "use .csv, .tsv or .parquet (export spreadsheets as CSV)")
    if path.stat().st_size == 0:
        raise problem(InputError, path.name, "the file is empty",
                      f"export the {table} table again")
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise problem(InputError, path.name, f"cannot be read ({reason})",
                      "check the file's permissions") from None


def _zip_member(path: Path) -> IO[bytes]:
    """The one file inside a zip archive, opened for reading."""
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise problem(InputError, path.name, "not a valid zip archive",
                      "zip the CSV file again, or drop the .zip suffix if it is plain text"
                      ) from None
    members = [m for m in zf.infolist() if not m.filename.endswith("/")]
    error = None
    if len(members) != 1:
        error = problem(InputError, path.name, f"the zip archive holds {len(members)} files",
                        "zip exactly one CSV file")
    elif members[0].flag_bits & 0x1:
        error = problem(InputError, path.name, "the zip archive is encrypted",
                        "unzip it and pass the CSV file, or zip it again without a password")
    elif members[0].compress_type not in _ZIP_METHODS:
        error = problem(InputError, path.name, "the zip archive uses a compression method "
                        f"Python cannot read (method {members[0].compress_type}, e.g. Deflate64)",
                        "unzip it and pass the CSV file, or zip it again with plain Deflate")
    if error is not None:
        zf.close()
        raise error
    try:
        return zf.open(members[0])
    except (RuntimeError, NotImplementedError, zipfile.BadZipFile, OSError) as exc:
        zf.close()
        raise problem(InputError, path.name, f"the zip archive cannot be opened "
                      f"({type(exc).__name__})", "unzip it and pass the CSV file") from None


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed according to its suffix."""
    name = path.name.lower()
    # (the decompressors' file objects are binary streams; typeshed does not call them IO)
    if name.endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    if name.endswith(".bz2"):
        return cast(IO[bytes], bz2.open(path, "rb"))
    if name.endswith(".xz"):
        return cast(IO[bytes], lzma.open(path, "rb"))
    if name.endswith(".zip"):
        return _zip_member(path)
    return path.open("rb")


def decompress_error(path: Path, exc: BaseException) -> InputError:
    """The error for a compressed file that ended early or is damaged."""
    what = ("is truncated" if isinstance(exc, EOFError)
            else f"is damaged ({type(exc).__name__})")
    return problem(InputError, path.name, f"the compressed file {what} and could not be "
                   "decompressed", "compress the CSV again (or copy it again in full), or drop "
                   "the compression suffix if it is plain text")
