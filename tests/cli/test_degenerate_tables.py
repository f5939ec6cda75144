"""Degenerate tables, end to end through the command line: copies of the training data, a
few rows, thousands of columns, a huge cell. Each gives a result or one clean error line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _inputs import SENTINEL, assert_clean_outcome, assert_scanned, base_frame, scan

from synthscan.errors import EXIT_OK, EXIT_POLICY_FAILED


def test_holdout_identical_to_train(trio: dict[str, Path]) -> None:
    assert_scanned(scan(trio, holdout=trio["train"]), (EXIT_OK, EXIT_POLICY_FAILED))


def test_synthetic_identical_to_train(trio: dict[str, Path]) -> None:
    proc = scan(trio, synthetic=trio["train"])
    result = assert_scanned(proc, (EXIT_POLICY_FAILED,))
    assert result["verdict"] == "high"


def _tiny(tmp_path: Path, n: int) -> dict[str, Path]:
    paths = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        paths[role] = tmp_path / f"{role}_{n}.csv"
        base_frame(seed, n).to_csv(paths[role], index=False)
    return paths


@pytest.mark.parametrize("n", [1, 3])
def test_tiny_tables(tmp_path: Path, n: int) -> None:
    paths = _tiny(tmp_path, n)
    assert_clean_outcome(scan(paths), paths["train"], warnings_ok=True)


def test_tiny_tables_print_no_warnings(tmp_path: Path) -> None:
    paths = _tiny(tmp_path, 3)
    assert_clean_outcome(scan(paths), paths["train"])


def test_one_data_row_synthetic_copy(trio: dict[str, Path], tmp_path: Path) -> None:
    p = tmp_path / "one_row.csv"
    pd.read_csv(trio["train"]).head(1).to_csv(p, index=False)
    assert_clean_outcome(scan(trio, synthetic=p), p)


def test_very_wide_table(tmp_path: Path) -> None:
    # 3,000 columns: far past every per-check cap on columns (attribute inference samples 50
    # secrets and 200 learner columns), so it exercises the same paths as 10,000 in a third of
    # the time
    n_cols, n_rows = 3_000, 30
    paths = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        rng = np.random.default_rng(seed)
        data = np.round(rng.normal(size=(n_rows, n_cols)), 3)
        df = pd.DataFrame(data, columns=[f"c{j}" for j in range(n_cols)])
        paths[role] = tmp_path / f"{role}_wide.csv"
        df.to_csv(paths[role], index=False)
    result = assert_scanned(scan(paths))
    assert len(result["schema"]["columns"]) == n_cols


def test_huge_single_cell(trio: dict[str, Path], tmp_path: Path) -> None:
    df = base_frame(3)
    df["color"] = df["color"].astype(object)
    df.loc[11, "color"] = SENTINEL + "x" * (50 * 2**20)
    p = tmp_path / "synth_huge_cell.csv"
    df.to_csv(p, index=False)
    assert p.stat().st_size > 50 * 2**20
    proc = scan(trio, synthetic=p)
    assert SENTINEL not in proc.stderr
    assert_scanned(proc)
