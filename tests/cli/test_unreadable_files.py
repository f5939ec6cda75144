"""Inputs that cannot be read as a table, end to end through the command line: missing or
empty files, malformed CSV text, corrupt or mislabelled formats, unreadable archives. Each
gives one clean error line naming the file (helpers and rules: ``_inputs.py``)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from _inputs import SENTINEL, assert_error, base_frame, csv_lines, run_cli, scan

from synthscan.errors import EXIT_CANNOT_RUN, EXIT_USAGE


def test_missing_file(trio: dict[str, Path]) -> None:
    missing = trio["train"].parent / "no_such_train.csv"
    assert_error(scan(trio, train=missing), EXIT_USAGE, missing)


def test_directory_instead_of_file(trio: dict[str, Path], tmp_path: Path) -> None:
    d = tmp_path / "synth_dir.csv"
    d.mkdir()
    assert_error(scan(trio, synthetic=d), EXIT_USAGE, d)


def test_missing_file_exits_2_in_every_command(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.csv"
    for args in (("scan", missing, missing), ("report", tmp_path / "nowhere.json"),
                 ("split", missing, "--out", tmp_path)):
        assert_error(run_cli(*args), EXIT_USAGE, "nowhere")


def test_empty_file(trio: dict[str, Path], tmp_path: Path) -> None:
    p = tmp_path / "empty_holdout.csv"
    p.write_bytes(b"")
    assert_error(scan(trio, holdout=p), EXIT_CANNOT_RUN, p, contains=("empty",))


def test_header_only(trio: dict[str, Path], tmp_path: Path) -> None:
    p = tmp_path / "header_only.csv"
    p.write_text("age,income,color\n", encoding="utf-8")
    assert_error(scan(trio, synthetic=p), EXIT_CANNOT_RUN, p, contains=("no data rows",))


def test_blank_lines_only_after_header(trio: dict[str, Path], tmp_path: Path) -> None:
    p = tmp_path / "header_blank.csv"
    p.write_text("age,income,color\n\n\n", encoding="utf-8")
    assert_error(scan(trio, synthetic=p), EXIT_CANNOT_RUN, p)


def test_ragged_row(trio: dict[str, Path], tmp_path: Path) -> None:
    lines = csv_lines(trio["train"])
    lines[10] += f",{SENTINEL}"
    p = tmp_path / "ragged.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_error(scan(trio, train=p), EXIT_CANNOT_RUN, p, contains=("line 11",))


def test_ragged_first_data_row_is_not_read_as_an_index(trio: dict[str, Path],
                                                       tmp_path: Path) -> None:
    # pandas silently turns the first column into the index when data rows have one field
    # more than the header, shifting every value one column to the left
    lines = csv_lines(trio["train"])
    lines[1] += f",{SENTINEL}"
    p = tmp_path / "ragged_first.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_error(scan(trio, train=p), EXIT_CANNOT_RUN, p, contains=("line 2",))


def test_trailing_delimiter_on_every_data_row(trio: dict[str, Path], tmp_path: Path) -> None:
    lines = csv_lines(trio["synthetic"])
    p = tmp_path / "trailing.csv"
    p.write_text("\n".join([lines[0]] + [ln + "," for ln in lines[1:]]) + "\n",
                 encoding="utf-8")
    assert_error(scan(trio, synthetic=p), EXIT_CANNOT_RUN, p)


def test_terminal_escapes_in_a_file_name_are_not_printed_raw(trio: dict[str, Path],
                                                             tmp_path: Path) -> None:
    p = tmp_path / "evil\x1b]0;pwned\x07\x1b[2J.csv"
    lines = csv_lines(trio["train"])
    lines[10] += ",extra"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = scan(trio, train=p)
    assert "\x1b" not in proc.stderr and "\x07" not in proc.stderr
    assert_error(proc, EXIT_CANNOT_RUN, "evil\\x1b]0;pwned\\x07\\x1b[2J.csv")


def test_unknown_suffix(trio: dict[str, Path], tmp_path: Path) -> None:
    p = tmp_path / "train.xlsx"
    p.write_bytes(b"PK\x03\x04 not really a workbook")
    assert_error(scan(trio, train=p), EXIT_USAGE, p, contains=(".xlsx",))


def test_parquet_garbage_bytes(trio: dict[str, Path], tmp_path: Path) -> None:
    p = tmp_path / "garbage.parquet"
    p.write_bytes(os.urandom(4096))
    assert_error(scan(trio, holdout=p), EXIT_CANNOT_RUN, p)


def test_parquet_file_with_csv_suffix(trio: dict[str, Path], tmp_path: Path) -> None:
    p = tmp_path / "really_parquet.csv"
    base_frame(3).to_parquet(p)
    assert_error(scan(trio, synthetic=p), EXIT_CANNOT_RUN, p, contains=("Parquet",))


@pytest.mark.parametrize("suffix", [".csv.gz", ".csv.xz", ".csv.bz2"])
def test_truncated_compressed_file(trio: dict[str, Path], tmp_path: Path, suffix: str) -> None:
    p = tmp_path / f"cut{suffix}"
    df = pd.concat([base_frame(1)] * 50, ignore_index=True)
    df.to_csv(p, index=False)
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
    for extra in ((), ("--max-memory", "4GB")):
        assert_error(scan(trio, *extra, train=p), EXIT_CANNOT_RUN, p,
                     contains=("truncated",) if suffix != ".csv.bz2" else ())


def _zip_with(tmp_path: Path, name: str, flag_bits: int = 0, method: int | None = None) -> Path:
    """A one-member zip whose header is patched: encryption flag, or compression method."""
    import struct
    import zipfile

    p = tmp_path / name
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("t.csv", trio_text())
    data = bytearray(p.read_bytes())
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(sig)
        if flag_bits:
            old = struct.unpack_from("<H", data, at + flag_at)[0]
            struct.pack_into("<H", data, at + flag_at, old | flag_bits)
        if method is not None:
            struct.pack_into("<H", data, at + flag_at + 2, method)
    p.write_bytes(bytes(data))
    return p


def trio_text() -> str:
    return base_frame(1).to_csv(index=False)


@pytest.mark.parametrize("name,flag_bits,method,text", [
    ("secret.csv.zip", 0x1, None, "encrypted"),
    ("deflate64.csv.zip", 0, 9, "Deflate64"),
])
def test_unreadable_zip_members(trio: dict[str, Path], tmp_path: Path, name: str,
                                flag_bits: int, method: int | None, text: str) -> None:
    p = _zip_with(tmp_path, name, flag_bits, method)
    for extra in ((), ("--max-memory", "4GB")):
        assert_error(scan(trio, *extra, train=p), EXIT_CANNOT_RUN, p, contains=(text,))
