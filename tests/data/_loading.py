"""Helpers of the input-loading tests (``tests/data/test_*``): build a schema from frames under
fixed display names, read a CSV text through ``load_table``, and a small mixed table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from synthscan.data.io import DEFAULT_MISSING_TOKENS, load_table
from synthscan.data.schema import ColumnSpec, build_schema
from synthscan.types import Table

NAMES: dict[Table, str] = {"train": "train.csv", "holdout": "holdout.csv",
                           "synthetic": "synth.csv"}
JAN_1_2021 = 1_609_459_200  # 2021-01-01T00:00:00Z in seconds since the epoch (date -d ... +%s)


def schema_of(train: pd.DataFrame, synthetic: pd.DataFrame | None = None,
              holdout: pd.DataFrame | None = None, declared: dict | None = None,
              ) -> tuple[dict[str, ColumnSpec], dict[Table, pd.DataFrame]]:
    """Each column's spec by name, and the converted frames (synthetic defaults to train)."""
    frames: dict[Table, pd.DataFrame] = {"train": train,
                                         "synthetic": train if synthetic is None else synthetic}
    if holdout is not None:
        frames["holdout"] = holdout
    schema, out = build_schema(frames, NAMES, declared)
    return {c.name: c for c in schema.columns}, out


def roles(specs: dict) -> dict[str, str]:
    """Each column's role."""
    return {name: spec.role for name, spec in specs.items()}


def load_csv_text(tmp_path: Path, text: str, name: str = "t.csv") -> pd.DataFrame:
    """``text`` written to ``tmp_path/name`` and read back as the train table."""
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return load_table(p, "train", DEFAULT_MISSING_TOKENS)[0]


def mixed(n: int = 40, seed: int = 0) -> pd.DataFrame:
    """A small table: an int, a float and a two-level categorical column."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "age": rng.integers(18, 30, n),
        "income": rng.normal(50_000, 5_000, n),
        "color": rng.choice(["red", "blue"], n),
    })
