"""Hostile sizes (the red-team pass of issue #14), end to end through the command line:
compression bombs, duplicate-heavy tables, oversized settings and nested or aliased
config are refused under ``--max-memory`` before the work, with one clean line each."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _inputs import assert_error, assert_scanned, comparable, scan

from synthscan.errors import EXIT_CANNOT_RUN, EXIT_USAGE


def _rows_csv(n: int) -> bytes:
    """``n`` identical data rows: compress to almost nothing."""
    return b"age,income,color\n" + b"30,50000.5,red\n" * n


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make parsing a table fail loudly: a bomb must be refused before it is parsed."""
    import synthscan.data.io as io_mod

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the input was parsed before the memory check")

    monkeypatch.setattr(io_mod.pd, "read_csv", refuse)
    monkeypatch.setattr(io_mod, "read_parquet", refuse)


def test_gzip_bomb_is_charged_by_its_decompressed_size(trio: dict[str, Path], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import gzip

    p = tmp_path / "bomb.csv.gz"
    p.write_bytes(gzip.compress(_rows_csv(1_500_000), compresslevel=9))
    assert p.stat().st_size < 200_000
    _no_parsing(monkeypatch)
    assert_error(scan(trio, "--max-memory", "700MB", train=p), EXIT_CANNOT_RUN, p,
                 contains=("--max-memory", "decompressed"))


def test_zip_bomb_is_charged_by_its_decompressed_size(trio: dict[str, Path], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import zipfile

    p = tmp_path / "bomb.csv.zip"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("bomb.csv", _rows_csv(4_000_000))
    _no_parsing(monkeypatch)
    assert_error(scan(trio, "--max-memory", "700MB", synthetic=p), EXIT_CANNOT_RUN, p,
                 contains=("--max-memory",))


def test_parquet_bomb_is_charged_by_its_footer_row_count(trio: dict[str, Path], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 1_500_000
    p = tmp_path / "bomb.parquet"
    pq.write_table(pa.table({"age": np.full(n, 30), "income": np.full(n, 50000.5),
                             "color": pa.array(["red"] * n).dictionary_encode()}), p)
    assert p.stat().st_size < 200_000
    _no_parsing(monkeypatch)
    assert_error(scan(trio, "--max-memory", "700MB", holdout=p), EXIT_CANNOT_RUN, p,
                 contains=("--max-memory",))


def test_a_small_compressed_input_still_scans_under_a_limit(reference: dict,
                                                            trio: dict[str, Path],
                                                            tmp_path: Path) -> None:
    p = tmp_path / "train.csv.xz"
    pd.read_csv(trio["train"]).to_csv(p, index=False)
    result = assert_scanned(scan(trio, "--max-memory", "2GB", train=p))
    assert comparable(result) == comparable(reference)


def test_duplicate_heavy_tables_are_charged_for_singling_out(tmp_path: Path) -> None:
    paths = {}
    for role in ("train", "holdout", "synthetic"):
        paths[role] = tmp_path / f"dup_{role}.csv"
        paths[role].write_bytes(_rows_csv(1000))
    line = assert_error(scan(paths, "--max-memory", "1GB"), EXIT_CANNOT_RUN, "dup_",
                        contains=("identical rows", "drop duplicate rows", "--max-memory"))
    assert "singling out" in line


def test_duplicates_behind_a_unique_identifier_are_charged_too(tmp_path: Path) -> None:
    # the attacks ignore identifier columns: rows equal apart from their id are duplicates
    paths = {}
    for role in ("train", "holdout", "synthetic"):
        df = pd.DataFrame({"customer_id": [f"c{i}" for i in range(1000)], "age": 30,
                           "income": 50000.5, "color": "red"})
        paths[role] = tmp_path / f"dup_id_{role}.csv"
        df.to_csv(paths[role], index=False)
    cfg = tmp_path / "ids.toml"
    cfg.write_text('[columns]\ncustomer_id = "identifier"\n', encoding="utf-8")
    assert_error(scan(paths, "--config", cfg, "--max-memory", "1GB"), EXIT_CANNOT_RUN,
                 "dup_id_", contains=("identical rows",))


@pytest.mark.parametrize("key,value", [("bootstrap", "100000000"),
                                       ("permutations", "100000000"),
                                       ("singling_out_predicates", "100000000"),
                                       ("max_query_rows", "20000000000")])
def test_size_settings_have_an_upper_limit(trio: dict[str, Path], key: str, value: str) -> None:
    assert_error(scan(trio, "--set", f"{key}={value}"), EXIT_USAGE, "--set",
                 contains=(repr(key), "from"))


def test_size_settings_are_charged_under_max_memory(trio: dict[str, Path]) -> None:
    assert_error(scan(trio, "--set", "bootstrap=100000", "--max-memory", "700MB"),
                 EXIT_CANNOT_RUN, trio["train"].name, contains=("bootstrap=100000",
                                                               "lower those settings"))


def test_billion_laughs_yaml_is_refused_without_expanding_it(trio: dict[str, Path],
                                                            tmp_path: Path) -> None:
    lines = ["metric:", '  - &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"  - &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    cfg = tmp_path / "laughs.yaml"
    cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    line = assert_error(scan(trio, "--config", cfg), EXIT_USAGE, cfg,
                        contains=("anchors and aliases",))
    assert len(line) < 300 and "lol" not in line


def test_long_values_are_cut_in_config_messages(trio: dict[str, Path], tmp_path: Path) -> None:
    cfg = tmp_path / "long.yaml"
    cfg.write_text("metric: [" + ", ".join(["x" * 50] * 10_000) + "]\n", encoding="utf-8")
    line = assert_error(scan(trio, "--config", cfg), EXIT_USAGE, cfg, contains=("'metric'",))
    assert len(line) < 400


def test_metadata_nested_too_deeply(trio: dict[str, Path], tmp_path: Path) -> None:
    meta = tmp_path / "deep.json"
    meta.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert_error(scan(trio, "--metadata", meta), EXIT_USAGE, meta)


def test_config_nested_too_deeply(trio: dict[str, Path], tmp_path: Path) -> None:
    cfg = tmp_path / "deep.yaml"
    cfg.write_text("seed: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    assert_error(scan(trio, "--config", cfg), EXIT_USAGE, cfg)
