"""Unit tests of input loading (``data.io`` and the readers), schema inference, alignment and
conversion (``data.schema``, ``infer``, ``align``, ``convert``) and SDV metadata reading
(``data.metadata``). No subprocesses: see test_bad_inputs.py for the end-to-end corpus."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthscan.data.convert import to_categorical, to_datetime_seconds, to_numeric
from synthscan.data.frames import duplicates
from synthscan.data.infer import BIGINT_NOTE, detect_kind, refine_inferred
from synthscan.data.io import DEFAULT_MISSING_TOKENS, InputSize, load_table, probe_size
from synthscan.data.metadata import read_sdv_metadata
from synthscan.data.problems import name_list
from synthscan.data.schema import build_schema
from synthscan.data.split import split_holdout
from synthscan.errors import ConfigError, InputError, UsageError
from synthscan.types import Table

NAMES: dict[Table, str] = {"train": "train.csv", "holdout": "holdout.csv",
                           "synthetic": "synth.csv"}
JAN_1_2021 = 1_609_459_200  # 2021-01-01T00:00:00Z in seconds since the epoch (date -d ... +%s)


def schema_of(train: pd.DataFrame, synthetic: pd.DataFrame | None = None,
              holdout: pd.DataFrame | None = None, declared: dict | None = None):
    frames: dict[Table, pd.DataFrame] = {"train": train,
                                         "synthetic": train if synthetic is None else synthetic}
    if holdout is not None:
        frames["holdout"] = holdout
    schema, out = build_schema(frames, NAMES, declared)
    return {c.name: c for c in schema.columns}, out


def roles(specs: dict) -> dict[str, str]:
    return {name: spec.role for name, spec in specs.items()}


def load_csv_text(tmp_path: Path, text: str, name: str = "t.csv", **kw) -> pd.DataFrame:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return load_table(p, "train", DEFAULT_MISSING_TOKENS, **kw)[0]


def mixed(n: int = 40, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "age": rng.integers(18, 30, n),
        "income": rng.normal(50_000, 5_000, n),
        "color": rng.choice(["red", "blue"], n),
    })


# --------------------------------------------------------------------------------------------
# kind detection per type


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
def testdetect_kind(values: list, kind: str) -> None:
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


# --------------------------------------------------------------------------------------------
# canonical categories


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


# --------------------------------------------------------------------------------------------
# identifiers


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


def test_declared_roles_override_inference() -> None:
    df = pd.DataFrame({"id": np.arange(60), "x": np.arange(60) % 4})
    specs, _ = schema_of(df, declared={"id": ("numeric", "config"),
                                       "x": ("categorical", "metadata")})
    assert roles(specs) == {"id": "numeric", "x": "categorical"}
    assert specs["x"].source == "metadata"


def test_ignored_and_unknown_declared_columns() -> None:
    df = mixed()
    specs, out = schema_of(df, df.drop(columns="color"), declared={"color": ("ignore", "config")})
    assert "color" not in specs and "color" not in out["train"]
    with pytest.raises(InputError, match="'colour'"):
        schema_of(df, declared={"colour": ("categorical", "config")})


def test_every_column_an_identifier_is_an_error() -> None:
    df = mixed()
    with pytest.raises(InputError, match="no column is left"):
        schema_of(df, declared={c: ("identifier", "config") for c in df.columns})


# --------------------------------------------------------------------------------------------
# alignment and cross-input agreement


def test_columns_aligned_by_name_regardless_of_order() -> None:
    train, synth = mixed(seed=1), mixed(seed=2)
    specs, out = schema_of(train, synth[["color", "age", "income"]])
    assert list(out["synthetic"].columns) == ["age", "income", "color"]
    assert out["synthetic"]["color"].tolist() == synth["color"].tolist()
    assert out["synthetic"]["age"].tolist() == synth["age"].astype(float).tolist()


def test_missing_and_extra_columns_named() -> None:
    train = mixed()
    with pytest.raises(InputError) as info:
        schema_of(train, train.drop(columns="income"))
    assert "synth.csv" in str(info.value) and "'income'" in str(info.value)
    with pytest.raises(InputError, match="'extra'"):
        schema_of(train, train.assign(extra=1))


def test_numeric_versus_text_names_both_files_and_no_value() -> None:
    train = mixed()
    synth = train.assign(age=train["age"].astype(object))
    synth.loc[3, "age"] = "SENTINEL_AGE"
    with pytest.raises(InputError) as info:
        schema_of(train, synth)
    msg = str(info.value)
    assert "synth.csv" in msg and "train.csv" in msg and "'age'" in msg
    assert "SENTINEL" not in msg


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


def test_duplicate_index_of_dataframe_input() -> None:
    train = mixed().set_axis([0] * 40)
    specs, out = schema_of(train)
    assert len(out["train"]) == 40 and isinstance(out["train"].index, pd.RangeIndex)


# --------------------------------------------------------------------------------------------
# reading files


def test_csv_delimiters_are_sniffed(tmp_path: Path) -> None:
    for sep in (",", ";", "\t", "|"):
        df = load_csv_text(tmp_path, f"a{sep}b{sep}c\n1{sep}x{sep}2.5\n")
        assert list(df.columns) == ["a", "b", "c"] and df.iloc[0].tolist() == [1, "x", 2.5]


def test_utf8_bom_is_not_part_of_the_first_name(tmp_path: Path) -> None:
    p = tmp_path / "bom.csv"
    p.write_bytes("\ufeffage,name\n1,é\n".encode())
    df, src = load_table(p, "train")
    assert list(df.columns) == ["age", "name"] and df["name"].tolist() == ["é"]
    assert src.sha256 and src.n_rows == 1
    df, _ = load_table(p, "train", encoding="UTF8")
    assert list(df.columns) == ["age", "name"]


def test_latin1_needs_the_encoding_setting(tmp_path: Path) -> None:
    p = tmp_path / "l1.csv"
    p.write_bytes("name,n\ncaf\xe9,1\n".encode("latin-1"))
    with pytest.raises(InputError, match='set its encoding .e.g. encoding = "latin-1"') as info:
        load_table(p, "train")
    assert (info.value.source, info.value.key, info.value.column) == ("l1.csv", "encoding", None)
    assert "--" not in str(info.value)  # the setting's name, not a command-line flag
    assert load_table(p, "train", encoding="latin-1")[0]["name"].tolist() == ["café"]


def test_utf16_and_binary_files(tmp_path: Path) -> None:
    p = tmp_path / "u16.csv"
    p.write_bytes("a,b\n1,2\n".encode("utf-16"))  # with a byte-order mark: read as UTF-16
    assert load_table(p, "train")[0].iloc[0].tolist() == [1, 2]
    assert load_table(p, "train", encoding="latin-1")[0].iloc[0].tolist() == [1, 2]
    p.write_bytes("a,b\n1,2\n".encode("utf-16-le"))  # no mark: recognised, with the fix
    with pytest.raises(InputError, match="UTF-16-LE text without a byte-order mark .* "
                       'set encoding = "utf-16-le"') as info:
        load_table(p, "train")
    assert info.value.key == "encoding" and str(info.value.hint).endswith('encoding = "utf-16-le"')
    p.write_bytes("a,b\n1,2\n".encode("utf-16-be"))
    with pytest.raises(InputError, match="UTF-16-BE text without a byte-order mark"):
        load_table(p, "train")
    assert load_table(p, "train", encoding="utf-16-be")[0].iloc[0].tolist() == [1, 2]
    p.write_bytes(bytes(range(256)) * 4)  # real binary data
    with pytest.raises(InputError, match="binary data"):
        load_table(p, "train")
    p.write_bytes("a,b\n1,2\n".encode("utf-16-le"))
    assert load_table(p, "train", encoding="UTF-16LE")[0].iloc[0].tolist() == [1, 2]
    with pytest.raises(UsageError, match="not a known text encoding"):
        load_table(p, "train", encoding="klingon")
    q = tmp_path / "actually.csv"
    pd.DataFrame({"a": [1]}).to_parquet(q)
    with pytest.raises(InputError, match="Parquet"):
        load_table(q, "train")


def test_ragged_rows(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="line 3 has 4 fields where the header has 3"):
        load_csv_text(tmp_path, "a,b,c\n1,2,3\n4,5,6,SENTINEL\n")
    with pytest.raises(InputError, match="line 2 has 4 fields") as info:
        load_csv_text(tmp_path, "a,b,c\n1,2,3,SENTINEL\n4,5,6\n")  # pandas: silent index
    assert "SENTINEL" not in str(info.value)


def test_all_empty_csv_column(tmp_path: Path) -> None:
    df = load_csv_text(tmp_path, "a,b\n1,\n2,\n")
    assert df["b"].isna().all()
    assert detect_kind(df["b"]) == "empty"


def test_missing_tokens_in_csv(tmp_path: Path) -> None:
    text = "a,b\n1,x\n?,NA\n3,\n"
    df = load_csv_text(tmp_path, text)
    assert df["a"].dtype == object and df["b"].isna().sum() == 2
    p = tmp_path / "q.csv"
    p.write_text(text, encoding="utf-8")
    df, _ = load_table(p, "train", DEFAULT_MISSING_TOKENS + ("?",))
    assert df["a"].tolist()[0] == 1 and np.isnan(df["a"].tolist()[1])


def test_compressed_csv(tmp_path: Path) -> None:
    gz = tmp_path / "t.csv.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as fh:
        fh.write("a;b\n1;2\n")
    assert load_table(gz, "train")[0].iloc[0].tolist() == [1, 2]
    zp = tmp_path / "t.csv.zip"
    with zipfile.ZipFile(zp, "w") as zf:
        zf.writestr("t.csv", "a,b\n1,2\n")
    assert load_table(zp, "train")[0].iloc[0].tolist() == [1, 2]
    bad = tmp_path / "plain.csv.gz"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="decompress"):
        load_table(bad, "train")


def test_path_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        load_table(tmp_path / "nope.csv", "train")
    with pytest.raises(UsageError, match="directory"):
        load_table(tmp_path, "train")
    x = tmp_path / "t.xlsx"
    x.write_bytes(b"x")
    with pytest.raises(UsageError, match="unknown file type"):
        load_table(x, "train")
    e = tmp_path / "e.csv"
    e.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        load_table(e, "train")


def test_duplicate_columns(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="'a'"):
        load_csv_text(tmp_path, "a,b,a\n1,2,3\n")
    df = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(InputError, match="<train DataFrame>: column name 'a'"):
        load_table(df, "train")
    mixed_names = pd.DataFrame([[1, 2]], columns=[1, "1"])  # equal once names are text
    with pytest.raises(InputError, match="'1'"):
        load_table(mixed_names, "train")


def test_dataframe_missing_tokens() -> None:
    df = pd.DataFrame({
        "a": ["x", "?", "y", ""],
        "b": pd.Series(["?", "u", "v", "u"], dtype="category"),
        "c": pd.Series(["?", "p", None, "q"], dtype="string"),
        "n": [1.0, 2.0, 3.0, 4.0],
    })
    out, src = load_table(df, "synthetic", DEFAULT_MISSING_TOKENS + ("?",))
    assert out["a"].isna().tolist() == [False, True, False, True]
    assert out["a"].tolist()[2] == "y"  # no forward fill
    assert out["b"].isna().tolist() == [True, False, False, False]
    assert out["c"].isna().tolist() == [True, False, True, False]
    assert out["n"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert df["a"].tolist()[1] == "?"  # the caller's frame is not modified
    assert src.name == "<synthetic DataFrame>" and src.path is None


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


def test_parquet_index_handling(tmp_path: Path) -> None:
    df = pd.DataFrame({"id": [7, 8], "a": [1, 2]})
    named = tmp_path / "named.parquet"
    df.set_index("id").to_parquet(named)
    assert list(load_table(named, "train")[0].columns) == ["id", "a"]
    unnamed = tmp_path / "unnamed.parquet"
    df.set_axis([5, 5]).to_parquet(unnamed)
    assert list(load_table(unnamed, "train")[0].columns) == ["id", "a"]


def test_parquet_nested_and_garbage(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    p = tmp_path / "s.parquet"
    pq.write_table(pa.table({"a": [1], "s": [{"k": "SENTINEL"}]}), p)
    with pytest.raises(InputError, match="'s'") as info:
        load_table(p, "train")
    assert "SENTINEL" not in str(info.value)
    g = tmp_path / "g.parquet"
    g.write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match="Parquet"):
        load_table(g, "train")


# --------------------------------------------------------------------------------------------
# SDV metadata


def write_json(tmp_path: Path, data: object, name: str = "metadata.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data), encoding="utf-8")
    return p


SINGLE = {
    "METADATA_SPEC_VERSION": "SINGLE_TABLE_V1",
    "primary_key": "user_id",
    "alternate_keys": ["ssn"],
    "columns": {
        "user_id": {"sdtype": "id", "regex_format": "U[0-9]{6}"},
        "ssn": {"sdtype": "ssn"},
        "age": {"sdtype": "numerical", "computer_representation": "Int64"},
        "joined": {"sdtype": "datetime", "datetime_format": "%Y-%m-%d"},
        "active": {"sdtype": "boolean"},
        "plan": {"sdtype": "categorical"},
        "email": {"sdtype": "email", "pii": True},
        "city": {"sdtype": "city", "pii": False},
        "account": {"sdtype": "numerical"},
    },
}


def test_sdv_single_table(tmp_path: Path) -> None:
    assert read_sdv_metadata(write_json(tmp_path, SINGLE)) == {
        "user_id": "identifier", "ssn": "identifier", "age": "numeric", "joined": "datetime",
        "active": "boolean", "plan": "categorical", "email": "identifier",
        "city": "categorical", "account": "numeric",
    }


def test_sdv_primary_key_overrides_sdtype(tmp_path: Path) -> None:
    meta = {"primary_key": "account", "columns": {"account": {"sdtype": "numerical"},
                                                  "x": {"sdtype": "categorical"}}}
    assert read_sdv_metadata(write_json(tmp_path, meta))["account"] == "identifier"


def test_sdv_multi_table(tmp_path: Path) -> None:
    one = {"METADATA_SPEC_VERSION": "V1", "relationships": [],
           "tables": {"users": SINGLE}}
    assert read_sdv_metadata(write_json(tmp_path, one))["email"] == "identifier"
    two = {"tables": {"users": SINGLE, "orders": {"primary_key": "order_id", "columns": {
        "order_id": {"sdtype": "id"}, "amount": {"sdtype": "numerical"}}}}}
    path = write_json(tmp_path, two, "two.json")
    with pytest.raises(ConfigError, match="2 tables") as info:
        read_sdv_metadata(path)
    assert " — " in str(info.value)
    assert read_sdv_metadata(path, table="orders") == {"order_id": "identifier",
                                                       "amount": "numeric"}
    with pytest.raises(ConfigError, match="no table 'items'"):
        read_sdv_metadata(path, table="items")


def test_sdv_metadata_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{\"columns\": ", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid JSON"):
        read_sdv_metadata(bad)
    with pytest.raises(ConfigError, match="no 'columns'"):
        read_sdv_metadata(write_json(tmp_path, {"tables_": {}}))
    with pytest.raises(ConfigError, match="'x' has no 'sdtype'"):
        read_sdv_metadata(write_json(tmp_path, {"columns": {"x": {}}}))
    with pytest.raises(ConfigError, match="expected a JSON object"):
        read_sdv_metadata(write_json(tmp_path, [1, 2]))
    with pytest.raises(ConfigError, match="not an object"):
        read_sdv_metadata(write_json(tmp_path, {"tables": {"t": 3}}))
    with pytest.raises(ConfigError, match="no such metadata file"):
        read_sdv_metadata(tmp_path / "missing.json")
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps(SINGLE).encode())
    assert read_sdv_metadata(bom)["age"] == "numeric"


def test_float32_input_equals_float64_input() -> None:
    vals = [0.1, 2.675, 1e-8, 123456.79]
    f32 = to_numeric(pd.Series(np.array(vals, dtype="float32")), "t", "x").tolist()
    assert f32 == vals  # exact-copy checks compare these bit for bit


def test_sniffing_breaks_ties_with_the_first_data_line(tmp_path: Path) -> None:
    df = load_csv_text(tmp_path, "price, EUR;qty\n3;4\n")
    assert list(df.columns) == ["price, EUR", "qty"]


def test_decimal_commas_in_semicolon_files(tmp_path: Path) -> None:
    df = load_csv_text(tmp_path, "a;b;c;d\n1,5;1.234,5;x,1;7\n-2,25;12;y;8\n")
    assert df["a"].tolist() == [1.5, -2.25]
    assert df["b"].tolist() == [1234.5, 12.0]
    assert df["c"].tolist() == ["x,1", "y"]  # text stays text
    df = load_csv_text(tmp_path, "a,b\n\"1,5\",2\n")  # comma-delimited: a quoted "1,5" is text
    assert df["a"].tolist() == ["1,5"]


def test_kind_detection_on_distinct_values_keeps_mixed_bool_and_int_apart():
    assert detect_kind(pd.Series([1, True, 0, False], dtype=object)) == "categorical"
    assert detect_kind(pd.Series([True, False, True], dtype=object)) == "boolean"
    assert detect_kind(pd.Series(["3", "4", "3"] * 1000, dtype=object)) == "numeric"
    assert detect_kind(pd.Series(["2020-01-01", "2021-06-30"] * 500, dtype=object)) == "datetime"


# --------------------------------------------------------------------------------------------
# structured errors: the facts of a message as fields, and the setting named in its words


def _declared_typo() -> None:
    schema_of(mixed(), declared={"colour": ("categorical", "config")})


def _metadata_typo() -> None:
    schema_of(mixed(), declared={"colour": ("categorical", "metadata")})


def _text_among_numbers() -> None:
    train = mixed()
    synth = train.assign(age=train["age"].astype(object))
    synth.loc[3, "age"] = "SENTINEL_AGE"
    schema_of(train, synth)


@pytest.mark.parametrize("call,source,column,key", [
    (lambda: to_numeric(pd.Series(["1", "SENTINEL"]), "t.csv", "x"), "t.csv", "x",
     "missing_tokens"),
    (lambda: to_numeric(pd.Series([1.0, 1e200]), "t.csv", "x"), "t.csv", "x", "columns.x"),
    (lambda: to_datetime_seconds(pd.Series(["SENTINEL"]), "t.csv", "when"), "t.csv", "when",
     "columns.when"),
    (_text_among_numbers, "synth.csv", "age", "missing_tokens"),
    (lambda: schema_of(mixed(), mixed().drop(columns="income")), "synth.csv", "income",
     "columns.income"),
    (_declared_typo, "train.csv", "colour", "columns.colour"),
    (_metadata_typo, "train.csv", "colour", "metadata"),
    (lambda: schema_of(mixed(), declared={c: ("ignore", "config") for c in ("age", "income")}
                       | {"color": ("identifier", "config")}), "train.csv", None, "columns"),
])
def test_errors_carry_source_column_and_key(call, source: str, column: str | None,
                                            key: str) -> None:
    with pytest.raises(InputError) as info:
        call()
    err, msg = info.value, str(info.value)
    assert (err.source, err.column, err.key) == (source, column, key)
    assert msg.startswith(f"{source}: ") and msg.endswith(f" — {err.hint}")
    assert column is None or repr(column) in msg
    assert key in str(err.hint)  # the hint names the setting that fixes it ...
    assert "--" not in msg and "SENTINEL" not in msg  # ... not a flag, and never a value


def test_metadata_errors_carry_the_metadata_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        read_sdv_metadata(write_json(tmp_path, {"columns": {"x": {}}}))
    assert (info.value.source, info.value.column, info.value.key) == ("metadata.json", "x",
                                                                      "metadata")
    with pytest.raises(ConfigError) as info:
        read_sdv_metadata(tmp_path / "missing.json")
    assert info.value.key == "metadata" and "--metadata" not in str(info.value)


def test_several_missing_columns_are_named_with_one_hint() -> None:
    train = mixed()
    with pytest.raises(InputError) as info:
        schema_of(train, train.drop(columns=["income", "age"]))
    assert (info.value.column, info.value.key) == ("age", "columns.age")  # train's order
    assert info.value.hint == 'add them, or declare each as columns.<name> = "ignore"'
    with pytest.raises(InputError) as info:
        schema_of(train, train.assign(extra=1))
    assert info.value.hint == 'drop it, or declare columns.extra = "ignore"'


def test_name_list_and_duplicates_hand_worked() -> None:
    assert name_list(["a", "b"]) == "'a', 'b'"
    assert name_list(list("abcdefg")) == "'a', 'b', 'c', 'd', 'e' (and 2 more)"
    assert duplicates(["a", "b", "b", "a", "b", "c"]) == ["b", "a"]


def test_duplicates_brute_force() -> None:
    rng = np.random.default_rng(3)
    for _ in range(200):
        names = [str(v) for v in rng.integers(0, 5, int(rng.integers(0, 9)))]
        # oracle: names seen before at some position, in the order of their second occurrence
        second: dict[str, int] = {}
        for i, name in enumerate(names):
            if name in names[:i]:
                second.setdefault(name, i)
        assert duplicates(names) == sorted(second, key=second.__getitem__)


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


def test_parquet_index_with_a_named_and_an_unnamed_level(tmp_path: Path) -> None:
    index = pd.MultiIndex.from_arrays([[7, 8], [0, 1]], names=["id", None])
    p = tmp_path / "multi.parquet"
    pd.DataFrame({"a": [1, 2]}, index=index).to_parquet(p)
    df, src = load_table(p, "holdout")
    assert list(df.columns) == ["id", "a"] and df["id"].tolist() == [7, 8]
    assert src.table == "holdout" and src.to_dict()["role"] == "holdout"  # JSON key unchanged


def test_sdv_composite_and_sequence_keys(tmp_path: Path) -> None:
    meta = {"alternate_keys": [["a", "b"], 3], "sequence_key": "s",
            "columns": {c: {"sdtype": "numerical"} for c in ("a", "b", "s", "x")}}
    assert read_sdv_metadata(write_json(tmp_path, meta)) == {
        "a": "identifier", "b": "identifier", "s": "identifier", "x": "numeric"}


def test_split_holdout_sizes_order_and_errors() -> None:
    df = pd.DataFrame({"i": range(10)})
    train, holdout = split_holdout(df, 0.3, seed=1)
    assert (len(train), len(holdout)) == (7, 3)
    assert sorted(train["i"].tolist() + holdout["i"].tolist()) == list(range(10))
    assert train["i"].is_monotonic_increasing and holdout["i"].is_monotonic_increasing
    for frame, fraction in ((df, 1.5), (df.head(1), 0.5)):
        with pytest.raises(UsageError) as info:
            split_holdout(frame, fraction)
        assert info.value.key == "holdout_fraction" and "--" not in str(info.value)
