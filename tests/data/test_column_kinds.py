"""What each column is (``data.infer``, ``data.schema``): the kind detected from its values,
the role decided from kind, name and distinct values (identifiers), and declared roles
overriding inference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _loading import JAN_1_2021, load_csv_text, mixed, roles, schema_of

from synthscan.data.convert import to_numeric
from synthscan.data.infer import BIGINT_NOTE, detect_kind, refine_inferred
from synthscan.data.io import load_table


@pytest.mark.parametrize("values,kind", [
    ([1, 2, 3], "numeric"),
    ([1.5, np.nan, 2.0], "numeric"),
    (["1", " 2 ", "3.5"], "numeric"),
    ([True, False, True], "boolean"),
    ([True, None, False], "boolean"),
    (["True", "false", "TRUE"], "boolean"),
    (["a", "b", "a"], "categorical"),
    (["1", "2", "x"], "categorical"),
    (["2021-01-01", "2021-03-04 10:00:00", "2021-03-04T10:00:00+02:00"], "datetime"),
    (["2021-01-01", "9999-12-31"], "datetime"),
    ([None, None], "empty"),
    ([np.nan, np.nan], "empty"),
    ([[1, 2], [3]], "nested"),
    ([{"a": 1}, {"a": 2}], "nested"),
    (["12345678901234567890", "12345678901234567891"], "bigint"),
    ([2**60, 2**60 + 1], "bigint"),
])
def test_detect_kind(values: list, kind: str) -> None:
    assert detect_kind(pd.Series(values)) == kind


def test_detect_kind_of_typed_columns() -> None:
    assert detect_kind(pd.Series([1, None], dtype="Int64")) == "numeric"
    assert detect_kind(pd.Series([None, None], dtype="Int64")) == "empty"
    assert detect_kind(pd.Series([1.5, None], dtype="Float64")) == "numeric"
    assert detect_kind(pd.Series([None, None], dtype="Float64")) == "empty"
    assert to_numeric(pd.Series([1.5, None], dtype="Float64"), "t", "x").tolist()[0] == 1.5
    assert detect_kind(pd.Series(["a", None], dtype="string")) == "categorical"
    assert detect_kind(pd.Series(["a", "b"], dtype="category")) == "categorical"
    assert detect_kind(pd.Series(pd.to_datetime(["2021-01-01"]).tz_localize("UTC"))) == \
        "datetime"
    assert detect_kind(pd.Series(pd.to_timedelta([1, 2], unit="s"))) == "numeric"
    assert detect_kind(pd.Series([True, None], dtype="boolean")) == "boolean"


def test_kind_detection_on_distinct_values_keeps_mixed_bool_and_int_apart():
    assert detect_kind(pd.Series([1, True, 0, False], dtype=object)) == "categorical"
    assert detect_kind(pd.Series([True, False, True], dtype=object)) == "boolean"
    assert detect_kind(pd.Series(["3", "4", "3"] * 1000, dtype=object)) == "numeric"
    assert detect_kind(pd.Series(["2020-01-01", "2021-06-30"] * 500, dtype=object)) == "datetime"


def test_schema_roles_per_type() -> None:
    df = pd.DataFrame({
        "n": [1, 2, 3] * 10,
        "f": np.linspace(0, 1, 30),
        "c": ["x", "y", "z"] * 10,
        "b": ["True", "false", "TRUE"] * 10,
        "d": ["2021-01-01", "2021-01-02", "2021-01-03T00:00:00Z"] * 10,
    })
    specs, out = schema_of(df)
    assert roles(specs) == {"n": "numeric", "f": "numeric", "c": "categorical", "b": "boolean",
                            "d": "datetime"}
    assert out["train"]["b"].tolist()[:3] == ["True", "False", "True"]
    assert out["train"]["n"].dtype == np.float64
    assert out["train"]["c"].dtype == object


def test_boolean_strings_and_booleans_agree_across_inputs() -> None:
    train = pd.DataFrame({"flag": [True, False] * 15, "x": np.arange(30) * 1.5})
    synth = pd.DataFrame({"flag": ["true", "FALSE"] * 15, "x": np.arange(30) * 1.5})
    specs, out = schema_of(train, synth)
    assert specs["flag"].role == "boolean"
    assert out["train"]["flag"].tolist() == out["synthetic"]["flag"].tolist()


def test_parquet_types(tmp_path: Path) -> None:
    n = 30
    df = pd.DataFrame({
        "cat": pd.Series(["a", "b", "c"] * 10, dtype="category"),
        "when": pd.date_range("2021-01-01 01:00", periods=n, freq="h", tz="Europe/Amsterdam"),
        "flag": [True, False, None] * 10,
        "x": np.arange(n) * 0.5,
    })
    p = tmp_path / "t.parquet"
    df.to_parquet(p)
    raw, _ = load_table(p, "train")
    specs, out = schema_of(raw, pd.DataFrame({
        "cat": ["a", "b", "c"] * 10,
        "when": [t.isoformat() for t in df["when"]],
        "flag": ["True", "False", ""] * 10,
        "x": np.arange(n) * 0.5,
    }).replace("", None))
    assert roles(specs) == {"cat": "categorical", "when": "datetime", "flag": "boolean",
                            "x": "numeric"}
    assert out["train"]["when"].tolist()[0] == JAN_1_2021
    for col in ("cat", "when", "flag"):
        assert out["train"][col].tolist() == out["synthetic"][col].tolist()


def test_all_missing_and_constant_columns() -> None:
    df = mixed().assign(empty=np.nan, const="NL", one=1)
    specs, _ = schema_of(df)
    assert specs["empty"].note == "all values missing in the real data"
    assert specs["const"].note == "constant in the real data"
    assert specs["one"].note == "constant in the real data"
    train = mixed()
    specs, _ = schema_of(train, train.assign(income=np.nan))
    assert specs["income"].role == "numeric"


def test_mostly_numeric_text_column_gets_a_hint() -> None:
    df = mixed(60)
    df["score"] = (df["age"] % 5).astype(str)
    df.loc[[1, 7], "score"] = "?"
    specs, _ = schema_of(df)
    assert specs["score"].role == "categorical"
    assert "--missing-token" in specs["score"].note and "?" not in specs["score"].note


def test_identifier_inference() -> None:
    n = 60
    rng = np.random.default_rng(1)
    df = pd.DataFrame({
        "customer": [f"C{i:05d}" for i in rng.permutation(n)],
        "id": np.arange(1, n + 1),
        "row": np.arange(1000, 1000 + n),
        "customer_id": rng.choice(10**6, n, replace=False),
        "income": rng.normal(50_000, 10_000, n).round(2),
        "visits": rng.integers(0, 5, n),
        "color": rng.choice(["r", "g", "b"], n),
    })
    specs, out = schema_of(df)
    assert specs["customer"].role == "identifier"
    assert specs["id"].role == "identifier"
    assert specs["row"].role == "identifier"  # nearly consecutive integers
    assert specs["customer_id"].role == "identifier"  # unique integers, id-like name
    assert specs["income"].role == "numeric"  # unique floats are measurements, not ids
    assert specs["visits"].role == "numeric"
    assert specs["color"].role == "categorical"
    assert out["train"]["id"].tolist()[:2] == ["1", "2"]
    assert "inferred identifier" in specs["id"].note


def test_refine_inferred_hand_worked() -> None:
    ids = np.array([f"C{i}" for i in range(20)], dtype=object)
    assert refine_inferred("customer", "categorical", "", ids) == (
        "identifier", "inferred identifier: 20 distinct values in 20 real rows (an id or free "
        "text)")
    assert refine_inferred("acct", "categorical", BIGINT_NOTE, ids)[1].endswith(
        "(an id or free text); " + BIGINT_NOTE)
    rows = np.arange(100.0, 120.0)
    assert refine_inferred("n", "numeric", "", rows) == (
        "identifier", "inferred identifier: unique, nearly consecutive integers (a row number)")
    assert refine_inferred("n", "numeric", "", rows * 10)[0] == "numeric"  # not consecutive
    assert refine_inferred("n_id", "numeric", "", rows * 10)[0] == "identifier"  # id-like name
    assert refine_inferred("n", "numeric", "", rows + 0.5) == ("numeric", "")  # not integers
    marked = np.array(["1", "2"] * 10 + ["?", "?"], dtype=object)  # 20 of 22 are numbers
    role, note = refine_inferred("score", "categorical", "", marked)
    assert role == "categorical" and note.startswith("numbers except for 1 distinct text value")


def test_big_integer_codes_stay_distinct(tmp_path: Path) -> None:
    codes = [str(5 * 10**19 + 2 * i) for i in range(30)]  # equal as float64, distinct as text
    df = load_csv_text(tmp_path, "acct,x\n" + "".join(f"{c},{i % 3}\n"
                                                      for i, c in enumerate(codes)))
    specs, out = schema_of(df)
    assert specs["acct"].role == "identifier"
    assert out["train"]["acct"].tolist() == codes
    small = pd.DataFrame({"acct": [2**60 + i for i in range(30)], "x": [1, 2, 3] * 10})
    specs, out = schema_of(small)
    assert out["train"]["acct"].nunique() == 30


def test_declared_roles_override_inference() -> None:
    df = pd.DataFrame({"id": np.arange(60), "x": np.arange(60) % 4})
    specs, _ = schema_of(df, declared={"id": ("numeric", "config"),
                                       "x": ("categorical", "metadata")})
    assert roles(specs) == {"id": "numeric", "x": "categorical"}
    assert specs["x"].source == "metadata"
