"""Sizing an input before reading it (``data.io.probe_size``): what a compressed CSV
decompresses to, so the memory check can refuse it unparsed."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

from synthscan.data.io import InputSize, probe_size
from synthscan.errors import InputError


def test_probe_size_counts_what_a_compressed_csv_decompresses_to(tmp_path: Path) -> None:
    text = b"a;b;c\n" + b"1;2;3\n" * 5000
    gz = tmp_path / "t.csv.gz"
    gz.write_bytes(gzip.compress(text))
    assert probe_size(gz, "train") == InputSize("t.csv.gz", len(text), 5000, 3, True)
    assert not probe_size(gz, "train", stop_rows=10).complete
    plain = tmp_path / "t.csv"
    plain.write_bytes(text)
    assert probe_size(plain, "train") == InputSize("t.csv", len(text), 0, 0, True)
    zp = tmp_path / "two.csv.zip"
    with zipfile.ZipFile(zp, "w") as zf:
        zf.writestr("a.csv", "a\n1\n")
        zf.writestr("b.csv", "a\n1\n")
    with pytest.raises(InputError, match="holds 2 files") as info:
        probe_size(zp, "train")
    assert (info.value.source, info.value.key) == ("two.csv.zip", None)
