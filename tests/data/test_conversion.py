"""Converting a column to its canonical values (``data.convert``): seconds since the epoch
for dates, float64 for numbers, canonical text for categories, so equal values in
different inputs or types compare equal; errors name the column, never a value."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _loading import JAN_1_2021, load_csv_text, schema_of

from synthscan.data.convert import to_categorical, to_datetime_seconds, to_numeric
from synthscan.errors import InputError


def test_datetime_seconds_hand_checked() -> None:
    s = pd.Series(["2021-01-01T00:00:00Z", "2021-01-01T02:00:00+02:00", "2021-01-01",
                   "2020-12-31T19:00:00-05:00", None, "1970-01-02"])
    sec = to_datetime_seconds(s, "t.csv", "d").tolist()
    assert sec[:4] == [JAN_1_2021] * 4  # naive times are read as UTC
    assert np.isnan(sec[4])
    assert sec[5] == 86_400


def test_datetime_seconds_of_typed_and_far_dates() -> None:
    aware = pd.Series(pd.to_datetime(["2021-01-01 01:00"]).tz_localize("Europe/Amsterdam"))
    assert to_datetime_seconds(aware, "t", "d").tolist() == [JAN_1_2021]
    naive = pd.Series(pd.to_datetime(["2021-01-01"]))
    assert to_datetime_seconds(naive, "t", "d").tolist() == [JAN_1_2021]
    # "no end date" sentinels lie beyond pandas' nanosecond range
    far = to_datetime_seconds(pd.Series(["9999-12-31", "2021-01-01"]), "t", "d").tolist()
    assert far == [253_402_214_400, JAN_1_2021]
    us = pd.Series(np.array(["3000-01-01"], dtype="datetime64[us]"))
    assert to_datetime_seconds(us, "t", "d").tolist() == [32_503_680_000]


def test_datetime_errors_name_the_column_and_no_value() -> None:
    with pytest.raises(InputError) as info:
        to_datetime_seconds(pd.Series(["2021-01-01", "SENTINEL_DATE"]), "t.csv", "when")
    assert "t.csv" in str(info.value) and "'when'" in str(info.value)
    assert "SENTINEL" not in str(info.value)
    with pytest.raises(InputError):  # numbers are not silently read as nanoseconds
        to_datetime_seconds(pd.Series([1_600_000_000, 5]), "t.csv", "when")


def test_to_numeric_errors() -> None:
    with pytest.raises(InputError) as info:
        to_numeric(pd.Series(["1", "SENTINEL_NUM"]), "t.csv", "x")
    assert "'x'" in str(info.value) and "SENTINEL" not in str(info.value)
    with pytest.raises(InputError, match="infinite"):
        to_numeric(pd.Series([1.0, np.inf]), "t.csv", "x")
    assert to_numeric(pd.Series([" 2 ", None]), "t", "x").tolist()[0] == 2.0
    assert to_numeric(pd.Series(pd.to_timedelta([90], unit="s")), "t", "x").tolist() == [90.0]


def test_float32_input_equals_float64_input() -> None:
    vals = [0.1, 2.675, 1e-8, 123456.79]
    f32 = to_numeric(pd.Series(np.array(vals, dtype="float32")), "t", "x").tolist()
    assert f32 == vals  # exact-copy checks compare these bit for bit


def test_to_categorical_canonicalises_numbers_consistently() -> None:
    as_int = to_categorical(pd.Series([3, 10, -2]))
    as_float = to_categorical(pd.Series([3.0, 10.0, -2.0, np.nan]))
    as_obj = to_categorical(pd.Series([3, 10.0, np.int64(-2)], dtype=object))
    as_cat = to_categorical(pd.Series([3.0, 10.0, -2.0]).astype("category"))
    assert as_int.tolist() == as_float.tolist()[:3] == as_obj.tolist() == as_cat.tolist() \
        == ["3", "10", "-2"]
    assert as_float.tolist()[3] is None
    assert to_categorical(pd.Series([0.1, 2.5])).tolist() == ["0.1", "2.5"]
    assert to_categorical(pd.Series(np.array([0.1], dtype="float32"))).tolist() == ["0.1"]
    assert to_categorical(pd.Series([True, False, None])).tolist() == ["True", "False", None]
    assert to_categorical(pd.Series(["a", None, "true"])).tolist() == ["a", None, "True"]


def test_csv_int_column_and_float_column_with_missing_match(tmp_path: Path) -> None:
    # the same codes: an int column in train, a float column (it has a gap) in synthetic
    train = load_csv_text(tmp_path, "code,x\n" + "".join(f"{i % 7},{i}\n" for i in range(30)))
    synth = load_csv_text(tmp_path, "code,x\n,0\n" + "".join(f"{i % 7},{i}\n"
                                                          for i in range(1, 30)), "s.csv")
    assert train["code"].dtype.kind == "i" and synth["code"].dtype.kind == "f"
    specs, out = schema_of(train, synth, declared={"code": ("categorical", "config")})
    assert out["train"]["code"].tolist()[1:] == out["synthetic"]["code"].tolist()[1:]
