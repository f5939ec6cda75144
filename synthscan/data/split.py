"""Random train/holdout split of a real table, done *before* data goes to a generator."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import OutputError, UsageError
from .problems import problem


def split_holdout(df: pd.DataFrame, holdout_fraction: float = 0.2,
                  seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split rows uniformly at random into (train, holdout); row order inside each is kept."""
    if not 0 < holdout_fraction < 1:
        raise UsageError("holdout_fraction must be between 0 and 1 — e.g. 0.2",
                         key="holdout_fraction", hint="e.g. 0.2")
    n = len(df)
    n_h = int(round(n * holdout_fraction))
    if n_h < 1 or n - n_h < 1:
        hint = "both parts need at least one row"
        raise UsageError(f"cannot split {n} rows with holdout fraction {holdout_fraction} — "
                         f"{hint}", key="holdout_fraction", hint=hint)
    rng = np.random.default_rng(seed)
    mask = np.zeros(n, dtype=bool)
    mask[rng.choice(n, size=n_h, replace=False)] = True
    return df.loc[~mask].reset_index(drop=True), df.loc[mask].reset_index(drop=True)


def write_split(train: pd.DataFrame, holdout: pd.DataFrame, paths: list[Path],
                parquet: bool) -> None:
    """Write the two parts (CSV or Parquet) to ``paths`` (train first); the directory is
    created when missing. A symlink at an output's name is replaced, never followed."""
    import os

    try:
        paths[0].parent.mkdir(parents=True, exist_ok=True)
        for frame, p in zip((train, holdout), paths, strict=True):
            tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
            if parquet:
                frame.to_parquet(tmp, index=False)
            else:
                frame.to_csv(tmp, index=False)
            os.replace(tmp, p)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise problem(OutputError, str(paths[0].parent), f"cannot write there ({reason})",
                      "choose another directory, or free space there") from None
