"""The shared coding: codes against a brute-force ranking of the pooled values."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthscan.encoding.coded import MISSING, code_tables


def _frames() -> dict[str, pd.DataFrame]:
    return {
        "train": pd.DataFrame({"c": ["b", "a", None, "b"], "x": [2.0, -0.0, np.nan, 5.0]}),
        "holdout": pd.DataFrame({"c": ["c", "b", "a"], "x": [0.0, 1.5, 2.0]}),
        "synthetic": pd.DataFrame({"c": ["d", "a"], "x": [7.0, 1.5]}),
    }


def test_codes_are_ranks_of_the_pooled_sorted_values():
    frames = _frames()
    coded = code_tables(frames, ["c", "x"], {"x"})
    for name in ("c", "x"):
        col = coded[name]
        pooled = pd.concat([f[name] for f in frames.values()]).dropna()
        levels = sorted(set(pooled.astype(str) if name == "c" else pooled.astype(float)))
        assert list(col.levels) == levels
        for t, f in frames.items():
            want = [MISSING if pd.isna(v) else levels.index(str(v) if name == "c" else float(v))
                    for v in f[name]]
            assert col.codes[t].tolist() == want
    # -0.0 and 0.0 are one value
    assert coded["x"].codes["train"][1] == coded["x"].codes["holdout"][0]


def test_frequency_order_counts_real_tables_and_breaks_ties_by_level():
    col = code_tables(_frames(), ["c"], set())["c"]
    # real occurrences: a 2, b 3, c 1, d 0 -> b, a, c, d
    assert [col.levels[i] for i in col.frequency_order()] == ["b", "a", "c", "d"]
    # over every table: a 3, b 3 (tie -> level order), c 1, d 1
    assert [col.levels[i] for i in col.frequency_order(("train", "holdout", "synthetic"))] == [
        "a", "b", "c", "d"]
    assert col.frequency_codes("synthetic").tolist() == [3, 1]
    assert col.frequency_codes("train").tolist() == [0, 1, MISSING, 0]


def test_ranks_stack_columns():
    coded = code_tables(_frames(), ["c", "x"], {"x"})
    r = coded.ranks(["x", "c"], "holdout")
    assert r.shape == (2, 3) and r.dtype == np.int32
    assert r[1].tolist() == coded["c"].codes["holdout"].tolist()
