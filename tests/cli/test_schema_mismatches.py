"""Column sets that differ across the inputs or leave nothing to scan, end to end through
the command line: the error names the file and the column; columns are matched by name."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from _inputs import (
    FAST,
    SENTINEL,
    assert_error,
    assert_scanned,
    base_frame,
    comparable,
    csv_lines,
    run_cli,
    scan,
)

from synthscan.errors import EXIT_CANNOT_RUN, EXIT_OK


def test_duplicate_column_names_in_csv_header(trio: dict[str, Path], tmp_path: Path) -> None:
    lines = csv_lines(trio["holdout"])
    lines[0] = "age,income,age"
    p = tmp_path / "dup_header.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_error(scan(trio, holdout=p), EXIT_CANNOT_RUN, p, column="age")


def test_duplicate_column_names_in_a_dataframe() -> None:
    # the CLI cannot take a DataFrame: this case goes through the Python API
    from synthscan import SynthscanError
    from synthscan import scan as api_scan

    df = base_frame(1)
    dup = pd.concat([df, df[["age"]]], axis=1)
    with pytest.raises(SynthscanError) as info:
        api_scan(base_frame(1), dup, holdout=base_frame(2))
    msg = str(info.value)
    assert "<synthetic DataFrame>" in msg and "'age'" in msg and "\n" not in msg


def test_empty_column_name(trio: dict[str, Path], tmp_path: Path) -> None:
    lines = csv_lines(trio["synthetic"])
    lines[0] = "age,,color"
    p = tmp_path / "empty_name.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    line = assert_error(scan(trio, synthetic=p), EXIT_CANNOT_RUN, p,
                        contains=("column 2", "no name"))
    assert "Unnamed" not in line


def test_column_missing_in_synthetic(trio: dict[str, Path], tmp_path: Path) -> None:
    p = tmp_path / "synth_missing_col.csv"
    base_frame(3).drop(columns="income").to_csv(p, index=False)
    assert_error(scan(trio, synthetic=p), EXIT_CANNOT_RUN, p, column="income")


def test_extra_column_in_holdout(trio: dict[str, Path], tmp_path: Path) -> None:
    df = base_frame(2)
    df["notes"] = SENTINEL
    p = tmp_path / "holdout_extra.csv"
    df.to_csv(p, index=False)
    assert_error(scan(trio, holdout=p), EXIT_CANNOT_RUN, p, column="notes")


def test_numeric_in_train_text_in_synthetic(trio: dict[str, Path], tmp_path: Path) -> None:
    df = base_frame(3)
    df["age"] = df["age"].astype(object)
    df.loc[[4, 9], "age"] = SENTINEL
    p = tmp_path / "synth_text_age.csv"
    df.to_csv(p, index=False)
    line = assert_error(scan(trio, synthetic=p), EXIT_CANNOT_RUN, p, column="age")
    assert trio["train"].name in line, line


def test_columns_in_another_order_are_aligned_by_name(reference: dict, trio: dict[str, Path],
                                                      tmp_path: Path) -> None:
    p = tmp_path / "reordered.csv"
    base_frame(3)[["color", "income", "age"]].to_csv(p, index=False)
    assert comparable(assert_scanned(scan(trio, synthetic=p))) == comparable(reference)


def test_unicode_and_markup_column_names(tmp_path: Path) -> None:
    names = {"age": "<script>alert(1)</script>", "income": "名前", "color": 'a "quoted" col'}
    trio = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        p = tmp_path / f"{role}_names.csv"
        base_frame(seed).rename(columns=names).to_csv(p, index=False)
        trio[role] = p
    result = assert_scanned(scan(trio))
    assert [c["name"] for c in result["schema"]["columns"]] == list(names.values())
    out = tmp_path / "report"
    proc = run_cli("scan", trio["train"], trio["synthetic"], "--holdout", trio["holdout"],
                   "--out", out, "--format", "json,html", *FAST, cwd=tmp_path)
    assert proc.returncode == EXIT_OK and "Traceback" not in proc.stderr, proc.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_every_column_an_identifier(trio: dict[str, Path], tmp_path: Path) -> None:
    cfg = tmp_path / "all_ids.toml"
    cfg.write_text('[columns]\nage = "identifier"\nincome = "identifier"\n'
                   'color = "identifier"\n', encoding="utf-8")
    assert_error(scan(trio, "--config", cfg), EXIT_CANNOT_RUN, trio["train"],
                 contains=("no column is left",))


def test_every_column_ignored(trio: dict[str, Path], tmp_path: Path) -> None:
    cfg = tmp_path / "ignore_all.toml"
    cfg.write_text('[columns]\nage = "ignore"\nincome = "ignore"\ncolor = "identifier"\n',
                   encoding="utf-8")
    line = assert_error(scan(trio, "--config", cfg), EXIT_CANNOT_RUN, trio["train"],
                        contains=("no column is left", "ignored: 'age', 'income'",
                                  "identifiers: 'color'"))
    assert "()" not in line
