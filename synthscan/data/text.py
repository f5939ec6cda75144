"""Text encodings of CSV inputs: which codec to read a file with, and clear errors when the
bytes are not text in it (another encoding, UTF-16 without a byte-order mark, binary data).

The fix is the ``encoding`` setting; messages name it and never quote the undecodable bytes.
"""

from __future__ import annotations

import codecs
import io
import reprlib
from pathlib import Path
from typing import IO

from ..errors import InputError, UsageError
from .files import READ_ERRORS, decompress_error, is_compressed, open_binary
from .problems import problem

_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


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
    r = reprlib.Repr()
    r.maxstring = r.maxother = limit
    return r.repr(value)


def check_encoding(path: Path, encoding: str) -> None:
    """The ``encoding`` setting names a text codec."""
    if not is_text_encoding(encoding):
        raise problem(UsageError, path.name, f"encoding {_short(encoding)} is not a known text "
                      "encoding", "use a text encoding such as utf-8, latin-1 or cp1252 (e.g. "
                      'encoding = "latin-1")', key="encoding")


def _is_utf8(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def text_encoding(path: Path, encoding: str) -> str:
    """The encoding to read ``path`` with: a byte-order mark at the start of the file decides
    (UTF-8, UTF-16, UTF-32); otherwise the configured ``encoding``, where UTF-8 also drops a
    mark so that it never becomes part of the first column's name."""
    try:
        with open_binary(path) as fh:
            head = fh.read(4)
    except InputError:
        raise
    except READ_ERRORS as exc:
        raise decompress_error(path, exc) from None
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    return "utf-8-sig" if _is_utf8(encoding) else encoding


def open_text(path: Path, encoding: str) -> IO[str]:
    """The file as text (decompressed), with line endings kept for the csv module."""
    return io.TextIOWrapper(open_binary(path), encoding=encoding, newline="")


def decode_error(path: Path, exc: UnicodeError, encoding: str) -> InputError:
    """The error for bytes that are not text in ``encoding``."""
    where = f"bytes at offset {exc.start}" if isinstance(exc, UnicodeDecodeError) else "the text"
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    return problem(InputError, path.name, f"{where} are not valid {encoding} text",
                   're-save the file as UTF-8, or set its encoding (e.g. encoding = "latin-1")',
                   key="encoding")


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


def check_text(path: Path, encoding: str) -> None:
    """Reject binary files up front, with a message that says what they are."""
    if is_compressed(path) or codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")):
        return
    with path.open("rb") as fh:
        head = fh.read(8192)
    if b"\x00" not in head:
        return
    if head.startswith(b"PAR1"):
        raise problem(InputError, path.name, "holds a Parquet file, not CSV text",
                      "give it the .parquet suffix")
    utf16 = _utf16_without_bom(head)
    if utf16:
        raise problem(InputError, path.name, f"looks like {utf16.upper()} text without a "
                      "byte-order mark", f're-save it as UTF-8, or set encoding = "{utf16}"',
                      key="encoding")
    raise problem(InputError, path.name, "holds binary data, not CSV text",
                  "pass a CSV file (export spreadsheets as CSV), or give a Parquet file the "
                  ".parquet suffix")
