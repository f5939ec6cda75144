"""Text encodings, delimiters and compression, end to end through the command line: an input
that can be read scans exactly like the plain UTF-8 trio; one that cannot names the
setting that fixes it, without a cell value."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from _inputs import SENTINEL, assert_error, assert_scanned, base_frame, comparable, scan

from synthscan.errors import EXIT_CANNOT_RUN, EXIT_USAGE


@pytest.mark.parametrize("sep,suffix", [(";", ".csv"), ("\t", ".tsv"), ("\t", ".csv"),
                                        ("|", ".txt")])
def test_other_delimiters_give_the_same_result(reference: dict, trio: dict[str, Path],
                                               tmp_path: Path, sep: str, suffix: str) -> None:
    converted = {}
    for role, p in trio.items():
        q = tmp_path / f"{role}_sep{suffix}"
        pd.read_csv(p).to_csv(q, sep=sep, index=False)
        converted[role] = q
    result = assert_scanned(scan(trio, train=converted["train"],
                                 synthetic=converted["synthetic"],
                                 holdout=converted["holdout"]))
    assert comparable(result) == comparable(reference)


def test_utf8_bom(reference: dict, trio: dict[str, Path], tmp_path: Path) -> None:
    p = tmp_path / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbf" + trio["train"].read_bytes())
    result = assert_scanned(scan(trio, train=p))
    assert [c["name"] for c in result["schema"]["columns"]] == ["age", "income", "color"]
    assert comparable(result) == comparable(reference)


def test_utf16_file_with_byte_order_mark(reference: dict, trio: dict[str, Path],
                                         tmp_path: Path) -> None:
    # Excel's "Unicode text" export: the byte-order mark says how to read it
    p = tmp_path / "utf16.csv"
    base_frame(1).to_csv(p, index=False, encoding="utf-16")
    assert comparable(assert_scanned(scan(trio, train=p))) == comparable(reference)


def test_utf16_without_byte_order_mark(reference: dict, trio: dict[str, Path],
                                       tmp_path: Path) -> None:
    p = tmp_path / "utf16le.csv"
    base_frame(1).to_csv(p, index=False, encoding="utf-16-le")
    line = assert_error(scan(trio, train=p), EXIT_CANNOT_RUN, p,
                        contains=("UTF-16", "--set encoding=utf-16-le"))
    assert "Parquet" not in line
    # the setting applies to every input: all three in UTF-16-LE scan like the UTF-8 trio
    converted = {}
    for role, src in trio.items():
        converted[role] = tmp_path / f"{role}_utf16le.csv"
        pd.read_csv(src).to_csv(converted[role], index=False, encoding="utf-16-le")
    result = assert_scanned(scan(trio, "--set", "encoding=utf-16-le", train=converted["train"],
                                 synthetic=converted["synthetic"],
                                 holdout=converted["holdout"]))
    assert comparable(result) == comparable(reference)


def test_non_utf8_bytes_hint_and_encoding_setting(trio: dict[str, Path],
                                                  tmp_path: Path) -> None:
    df = base_frame(1)
    df["color"] = df["color"].astype(object)
    df.loc[7, "color"] = f"{SENTINEL}_café"
    p = tmp_path / "latin1.csv"
    df.to_csv(p, index=False, encoding="latin-1")
    line = assert_error(scan(trio, train=p), EXIT_CANNOT_RUN, p,
                        absent=(SENTINEL, "café", "caf\ufffd"))
    # the hint must name something that exists: there is no --encoding option
    assert "--set encoding=" in line, line
    assert "--encoding" not in line, line
    result = assert_scanned(scan(trio, "--set", "encoding=latin-1", train=p))
    assert result["config"]["encoding"] == "latin-1"


def test_unknown_encoding_setting(trio: dict[str, Path]) -> None:
    line = assert_error(scan(trio, "--set", "encoding=no-such-codec"), EXIT_USAGE, "--set")
    assert "encoding" in line


@pytest.mark.parametrize("codec", ["rot13", "hex", "base64", "zlib"])
def test_non_text_codecs_are_refused(trio: dict[str, Path], codec: str) -> None:
    assert_error(scan(trio, "--set", f"encoding={codec}"), EXIT_USAGE, "--set",
                 contains=("'encoding'",))


def test_gzip_csv(reference: dict, trio: dict[str, Path], tmp_path: Path) -> None:
    p = tmp_path / "train.csv.gz"
    pd.read_csv(trio["train"]).to_csv(p, index=False)
    assert comparable(assert_scanned(scan(trio, train=p))) == comparable(reference)
