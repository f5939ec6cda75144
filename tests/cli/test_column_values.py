"""Unusual column types and values, end to end through the command line: missing-value
tokens, empty and constant columns, infinite and extreme numbers, dates, integers beyond
int64, Parquet's typed and nested columns. Each scans or names the column, never a value."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _inputs import (
    SENTINEL,
    assert_error,
    assert_scanned,
    base_frame,
    csv_lines,
    roles,
    scan,
)

from synthscan.errors import EXIT_CANNOT_RUN, EXIT_OK, EXIT_POLICY_FAILED


def test_question_mark_missing_token(trio: dict[str, Path], tmp_path: Path) -> None:
    df = base_frame(1)
    df["income"] = df["income"].astype(object)
    df.loc[[3, 17, 40], "income"] = "?"
    p = tmp_path / "train_qmark.csv"
    df.to_csv(p, index=False)
    line = assert_error(scan(trio, train=p), EXIT_CANNOT_RUN, p, column="income",
                        absent=("'?'", '"?"'))
    assert "--missing-token" in line
    result = assert_scanned(scan(trio, "--missing-token", "?", train=p))
    assert roles(result)["income"] == "numeric"


def test_question_mark_in_every_input_is_not_silent(tmp_path: Path) -> None:
    paths = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        df = base_frame(seed)
        df["income"] = df["income"].astype(object)
        df.loc[[3, 17], "income"] = "?"
        paths[role] = tmp_path / f"{role}_q.csv"
        df.to_csv(paths[role], index=False)
    result = assert_scanned(scan(paths))
    income = next(c for c in result["schema"]["columns"] if c["name"] == "income")
    assert income["role"] != "numeric" and "--missing-token" in income["note"]
    fixed = assert_scanned(scan(paths, "--missing-token", "?"))
    assert roles(fixed)["income"] == "numeric"


def test_all_missing_column(tmp_path: Path) -> None:
    paths = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        df = base_frame(seed)
        df["empty"] = ""
        paths[role] = tmp_path / f"{role}_empty_col.csv"
        df.to_csv(paths[role], index=False)
    result = assert_scanned(scan(paths))
    assert "empty" in roles(result)


def test_all_missing_column_in_synthetic_only(trio: dict[str, Path], tmp_path: Path) -> None:
    df = base_frame(3)
    df["income"] = np.nan
    p = tmp_path / "synth_income_empty.csv"
    df.to_csv(p, index=False)
    assert roles(assert_scanned(scan(trio, synthetic=p)))["income"] == "numeric"


def test_constant_column(tmp_path: Path) -> None:
    paths = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        df = base_frame(seed)
        df["country"] = "NL"
        df["one"] = 1
        paths[role] = tmp_path / f"{role}_const.csv"
        df.to_csv(paths[role], index=False)
    assert_scanned(scan(paths))


@pytest.mark.parametrize("token", ["inf", "-inf", "Infinity"])
def test_infinities(trio: dict[str, Path], tmp_path: Path, token: str) -> None:
    lines = csv_lines(trio["synthetic"])
    age, _income, color = lines[5].split(",")
    lines[5] = f"{age},{token},{color}"
    p = tmp_path / "synth_inf.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    line = assert_error(scan(trio, synthetic=p), EXIT_CANNOT_RUN, p, column="income",
                        absent=(SENTINEL, "-inf", "Infinity"))
    assert not re.search(r"\binf\b", line), line


@pytest.mark.parametrize("value", ["1.7e308", "-1.7e308", "1e150"])
def test_extreme_finite_values_name_the_column(trio: dict[str, Path], tmp_path: Path,
                                               value: str) -> None:
    lines = csv_lines(trio["synthetic"])
    age, _income, color = lines[5].split(",")
    lines[5] = f"{age},{value},{color}"
    p = tmp_path / "synth_huge_values.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    line = assert_error(scan(trio, synthetic=p), EXIT_CANNOT_RUN, p, column="income",
                        absent=(SENTINEL, value))
    assert "rescale" in line


def test_large_but_safe_values_scan(tmp_path: Path) -> None:
    paths = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        df = base_frame(seed)
        df["income"] = df["income"] * 1e90
        paths[role] = tmp_path / f"{role}_1e95.csv"
        df.to_csv(paths[role], index=False)
    result = assert_scanned(scan(paths), (EXIT_OK, EXIT_POLICY_FAILED))
    assert all("could not compute" not in (c.get("reason") or "") for c in result["checks"])


def test_datetimes_with_mixed_time_zones(tmp_path: Path) -> None:
    paths = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        df = base_frame(seed)
        rng = np.random.default_rng(seed + 100)
        stamps = pd.Timestamp("2021-01-01", tz="UTC") + pd.to_timedelta(
            rng.integers(0, 365 * 24 * 3600, len(df)), unit="s")
        df["seen"] = [
            (t.tz_convert("Europe/Amsterdam").isoformat() if i % 2 else
             t.strftime("%Y-%m-%dT%H:%M:%SZ")) for i, t in enumerate(stamps)
        ]
        paths[role] = tmp_path / f"{role}_tz.csv"
        df.to_csv(paths[role], index=False)
    assert any("+01:00" in v or "+02:00" in v for v in pd.read_csv(paths["train"])["seen"])
    assert roles(assert_scanned(scan(paths)))["seen"] == "datetime"


def test_dates_that_do_not_parse(trio: dict[str, Path], tmp_path: Path) -> None:
    cfg = tmp_path / "dates.toml"
    cfg.write_text('[columns]\ncolor = "datetime"\n', encoding="utf-8")
    assert_error(scan(trio, "--config", cfg), EXIT_CANNOT_RUN, trio["train"], column="color",
                 absent=("red", "green", "blue"))


def test_ints_that_overflow_int64(tmp_path: Path) -> None:
    paths = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        df = base_frame(seed)
        # 20-digit codes: too large for int64, and distinct codes that are equal as float64
        df["account"] = [str(10**19 * 5 + 2 * i + seed * 1000) for i in range(len(df))]
        paths[role] = tmp_path / f"{role}_bigint.csv"
        df.to_csv(paths[role], index=False)
    result = assert_scanned(scan(paths))
    assert roles(result)["account"] in ("identifier", "categorical")


def test_parquet_struct_column(trio: dict[str, Path], tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    df = base_frame(3)
    table = pa.table({
        "age": df["age"], "income": df["income"],
        "color": pa.array([{"name": SENTINEL, "code": i} for i in range(len(df))]),
    })
    p = tmp_path / "synth_struct.parquet"
    pq.write_table(table, p)
    assert_error(scan(trio, synthetic=p), EXIT_CANNOT_RUN, p, column="color")


def test_parquet_list_column_in_object_cells(trio: dict[str, Path], tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    df = base_frame(3)
    table = pa.table({"age": df["age"], "income": df["income"],
                      "color": pa.array([[SENTINEL, str(i)] for i in range(len(df))])})
    p = tmp_path / "synth_list.parquet"
    pq.write_table(table, p)
    assert_error(scan(trio, synthetic=p), EXIT_CANNOT_RUN, p, column="color")


def test_parquet_categorical_and_tz_aware_datetime(tmp_path: Path) -> None:
    paths = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        df = base_frame(seed)
        df["color"] = df["color"].astype("category")
        df["seen"] = pd.Timestamp("2021-06-01", tz="Europe/Amsterdam") + pd.to_timedelta(
            np.arange(len(df)) * 3600 * (seed + 1), unit="s")
        df["flag"] = df["age"] > 50
        paths[role] = tmp_path / f"{role}_typed.parquet"
        # synthetic as CSV: the same values must mean the same thing across formats
        if role == "synthetic":
            paths[role] = tmp_path / f"{role}_typed.csv"
            df.to_csv(paths[role], index=False)
        else:
            df.to_parquet(paths[role], index=False)
    result = assert_scanned(scan(paths))
    assert roles(result) == {"age": "numeric", "income": "numeric", "color": "categorical",
                             "seen": "datetime", "flag": "boolean"}
