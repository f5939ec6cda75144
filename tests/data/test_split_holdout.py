"""Splitting a real table into train and holdout (``data.split``)."""

from __future__ import annotations

import pandas as pd
import pytest

from synthscan.data.split import split_holdout
from synthscan.errors import UsageError


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
