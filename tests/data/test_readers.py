"""Reading one input (``data.io.load_table``): CSV dialects and encodings, missing-value
tokens, compression, Parquet indexes and nested columns, DataFrames, and the errors of
paths and malformed files. End to end through the command line: ``tests/cli``."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _loading import load_csv_text

from synthscan.data.infer import detect_kind
from synthscan.data.io import DEFAULT_MISSING_TOKENS, load_table
from synthscan.errors import InputError, UsageError


def test_csv_delimiters_are_sniffed(tmp_path: Path) -> None:
    for sep in (",", ";", "\t", "|"):
        df = load_csv_text(tmp_path, f"a{sep}b{sep}c\n1{sep}x{sep}2.5\n")
        assert list(df.columns) == ["a", "b", "c"] and df.iloc[0].tolist() == [1, "x", 2.5]


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


def test_parquet_index_handling(tmp_path: Path) -> None:
    df = pd.DataFrame({"id": [7, 8], "a": [1, 2]})
    named = tmp_path / "named.parquet"
    df.set_index("id").to_parquet(named)
    assert list(load_table(named, "train")[0].columns) == ["id", "a"]
    unnamed = tmp_path / "unnamed.parquet"
    df.set_axis([5, 5]).to_parquet(unnamed)
    assert list(load_table(unnamed, "train")[0].columns) == ["id", "a"]


def test_parquet_index_with_a_named_and_an_unnamed_level(tmp_path: Path) -> None:
    index = pd.MultiIndex.from_arrays([[7, 8], [0, 1]], names=["id", None])
    p = tmp_path / "multi.parquet"
    pd.DataFrame({"a": [1, 2]}, index=index).to_parquet(p)
    df, src = load_table(p, "holdout")
    assert list(df.columns) == ["id", "a"] and df["id"].tolist() == [7, 8]
    assert src.table == "holdout" and src.to_dict()["role"] == "holdout"  # JSON key unchanged


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
