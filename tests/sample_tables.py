"""Small mixed-type tables with known structure, for the encoder, neighbour and progress tests
(a helper module: tests import it by name; fixtures live in conftest.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def mixed_frame(n: int, rng: np.random.Generator, missing: float = 0.1,
                levels: int = 4) -> pd.DataFrame:
    """A small mixed table: two numeric columns (with outliers), two categoricals, missing."""
    x = rng.normal(50, 10, n)
    x[rng.random(n) < 0.02] *= 8  # outliers beyond the robust range
    df = pd.DataFrame({
        "x": x,
        "k": rng.integers(0, 20, n).astype(float),
        "c": rng.choice([f"l{i}" for i in range(levels)], n),
        "d": rng.choice(["a", "b"], n),
    })
    for col in ("x", "c"):
        df.loc[rng.random(n) < missing, col] = None
    return df
