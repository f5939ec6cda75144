"""Multi-file inputs (``dask_backend.read``): a table split into several Parquet or CSV files,
read file by file on the workers (or here without a client), equals the same rows read from one
file by ``load_table`` — the oracle — column types included; and the errors name the pattern."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthscan.dask_backend.read import combine, is_multi, part_files, read_table
from synthscan.data.io import DEFAULT_MISSING_TOKENS, load_table
from synthscan.errors import InputError, UsageError

TOKENS = DEFAULT_MISSING_TOKENS + ("?",)


def table(n: int = 120, seed: int = 3) -> pd.DataFrame:
    """Mixed columns: whole numbers, fractions, text with missing cells, booleans, dates as
    text, and a column that is missing in a whole run of rows (so in some parts only)."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "age": rng.integers(18, 90, n),
        "income": np.round(rng.normal(50_000, 9_000, n), 2),
        "city": rng.choice(["Oslo", "Bergen", "Tromsø", "?"], n).astype(object),
        "member": rng.random(n) < 0.4,
        "joined": rng.choice(["2020-01-03", "2021-06-30", "2019-12-31"], n).astype(object),
        "score": rng.integers(0, 5, n).astype(float),
    })
    df.loc[rng.random(n) < 0.1, "income"] = np.nan
    df.loc[40:79, "score"] = np.nan  # all missing in the middle part(s)
    df.loc[90:95, "age"] = np.nan  # whole numbers with a gap in one part: fractional in one file
    return df


def write_csv_parts(df: pd.DataFrame, directory: Path, bounds: list[int],
                    name: str = "part-{}.csv") -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for i, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        df.iloc[a:b].to_csv(directory / name.format(i), index=False)


def write_parquet_parts(df: pd.DataFrame, directory: Path, bounds: list[int]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for i, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        # part.N without padding: natural order must put part.10 after part.2
        df.iloc[a:b].to_parquet(directory / f"part.{i}.parquet", index=False)


BOUNDS = [0, 10, 10, 40, 60, 80, 81, 100, 101, 102, 110, 120]  # 11 parts, one of them empty


@pytest.mark.parametrize("on_cluster", [True, False])
def test_parquet_parts_equal_the_one_file(tmp_path, dask_client, on_cluster):
    df = table()
    df.to_parquet(tmp_path / "whole.parquet", index=False)
    write_parquet_parts(df, tmp_path / "parts", BOUNDS)
    (tmp_path / "parts" / "_SUCCESS").write_bytes(b"")  # a writer's marker: not a table
    one, _ = load_table(tmp_path / "whole.parquet", "train", TOKENS)
    client = dask_client if on_cluster else None
    many, src = read_table(tmp_path / "parts", "train", TOKENS, client=client)
    pd.testing.assert_frame_equal(many, one)
    assert (src.n_rows, src.n_columns, src.name) == (120, 6, str(tmp_path / "parts"))
    by_glob, _ = read_table(str(tmp_path / "parts" / "part.*.parquet"), "train", TOKENS,
                            client=client)
    pd.testing.assert_frame_equal(by_glob, one)


def test_csv_parts_equal_the_one_file_types_reconciled(tmp_path, dask_client):
    df = table()
    df.to_csv(tmp_path / "whole.csv", index=False)
    write_csv_parts(df, tmp_path / "parts", BOUNDS)
    one, _ = load_table(tmp_path / "whole.csv", "train", TOKENS)
    many, _ = read_table(str(tmp_path / "parts" / "*.csv"), "train", TOKENS, client=dask_client)
    # one file reads "age" as fractions (a gap), "member" as booleans and "score" as numbers
    # although some parts hold whole numbers, no gap, or only missing cells
    assert one["age"].dtype == np.float64 and one["city"].isna().sum() > 0
    pd.testing.assert_frame_equal(many, one)


def test_rows_follow_natural_file_name_order(tmp_path):
    df = pd.DataFrame({"i": np.arange(12)})
    write_parquet_parts(df, tmp_path / "p", list(range(13)))  # part.0 ... part.11
    names = [p.name for p in part_files(tmp_path / "p", "train")]
    assert names[:3] == ["part.0.parquet", "part.1.parquet", "part.2.parquet"]
    assert names[-1] == "part.11.parquet"
    many, _ = read_table(tmp_path / "p", "train", TOKENS)
    assert many["i"].tolist() == list(range(12))


def test_fingerprint_covers_every_file(tmp_path):
    df = table()
    write_parquet_parts(df, tmp_path / "p", [0, 60, 120])
    _, before = read_table(tmp_path / "p", "train", TOKENS)
    again = read_table(tmp_path / "p", "train", TOKENS)[1]
    assert before.sha256 == again.sha256 and before.sha256 is not None
    changed = df.iloc[60:].copy()
    changed.iloc[0, 1] += 1.0
    changed.to_parquet(tmp_path / "p" / "part.1.parquet", index=False)
    _, after = read_table(tmp_path / "p", "train", TOKENS)
    assert after.sha256 != before.sha256


def test_columns_that_differ_name_both_files(tmp_path, dask_client):
    d = tmp_path / "p"
    d.mkdir()
    pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}).to_parquet(d / "part-0.parquet")
    pd.DataFrame({"a": [3], "c": ["z"]}).to_parquet(d / "part-1.parquet")
    with pytest.raises(InputError) as exc:
        read_table(d, "train", TOKENS, client=dask_client)
    msg = str(exc.value)
    assert msg.startswith(str(d)) and "part-1.parquet" in msg and "part-0.parquet" in msg
    assert "'b'" in msg and "'c'" in msg and "\n" not in msg


def test_columns_in_another_order_are_aligned(tmp_path):
    d = tmp_path / "p"
    d.mkdir()
    pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}).to_parquet(d / "part-0.parquet")
    pd.DataFrame({"b": ["z"], "a": [3]}).to_parquet(d / "part-1.parquet")
    many, _ = read_table(d, "train", TOKENS)
    assert list(many.columns) == ["a", "b"] and many["a"].tolist() == [1, 2, 3]


def test_numbers_in_one_file_and_text_in_another_is_an_error(tmp_path):
    d = tmp_path / "p"
    d.mkdir()
    pd.DataFrame({"a": [1, 2]}).to_csv(d / "part-0.csv", index=False)
    pd.DataFrame({"a": ["x7", "y"]}).to_csv(d / "part-1.csv", index=False)
    with pytest.raises(InputError, match=r"column 'a' holds numbers in part-0.csv but text in "
                                         r"part-1.csv") as exc:
        read_table(d, "train", TOKENS)
    assert "x7" not in str(exc.value)  # never a value


def test_no_matching_file_names_the_pattern(tmp_path):
    pattern = str(tmp_path / "nothing-*.parquet")
    assert is_multi(pattern)
    with pytest.raises(UsageError, match=r"nothing-\*\.parquet: matches no Parquet or CSV file"):
        read_table(pattern, "holdout", TOKENS)
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="matches no Parquet or CSV file"):
        read_table(tmp_path / "empty", "holdout", TOKENS)


def test_a_file_whose_name_has_glob_characters_is_one_file(tmp_path):
    path = tmp_path / "data[1].csv"
    pd.DataFrame({"a": [1]}).to_csv(path, index=False)
    assert not is_multi(path) and is_multi(tmp_path) and not is_multi(pd.DataFrame())


def test_an_unreadable_part_is_the_readers_error_naming_the_file(tmp_path, dask_client):
    d = tmp_path / "p"
    d.mkdir()
    pd.DataFrame({"a": [1]}).to_parquet(d / "part-0.parquet")
    (d / "part-1.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match=r"part-1\.parquet: could not be read as Parquet"):
        read_table(d, "train", TOKENS, client=dask_client)


def test_combine_takes_categories_and_missing_booleans_as_one_file_would():
    cat = pd.CategoricalDtype(["a", "b", "c"])
    first = pd.DataFrame({"c": pd.Series(["a", "b"], dtype=cat), "f": [True, False]})
    second = pd.DataFrame({"c": pd.Series(["c"], dtype=cat), "f": [None]})
    out = combine([("0", first), ("1", second)], "p/*")
    assert out["c"].dtype == cat and out["c"].tolist() == ["a", "b", "c"]
    assert out["f"].dtype == object and out["f"].tolist()[:2] == [True, False]
    assert pd.isna(out["f"].iloc[2])


def test_nested_directories_are_refused(tmp_path):
    (tmp_path / "p" / "year=2020").mkdir(parents=True)
    pd.DataFrame({"a": [1]}).to_parquet(tmp_path / "p" / "year=2020" / "x.parquet")
    with pytest.raises(UsageError, match=r"subdirectories \('year=2020'\)"):
        part_files(tmp_path / "p", "train")
    assert len(part_files(str(tmp_path / "p" / "**" / "*.parquet"), "train")) == 1
