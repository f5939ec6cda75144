"""Random train/holdout split of a real table, done *before* data goes to a generator.

Two methods:

* ``shuffle`` (the default): exactly ``round(n q)`` rows, drawn uniformly without replacement,
  form the holdout (q = the holdout fraction);
* ``bernoulli``: every row goes to the holdout independently with probability q, so every
  record enters training independently with probability 1 - q. One-run membership audits (the
  epsilon lower bound of a differential-privacy claim) assume exactly this; the holdout's size
  is then random (binomial).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import OutputError, UsageError
from .problems import problem

#: how rows are assigned to the holdout
METHODS = ("shuffle", "bernoulli")


def holdout_mask(n: int, holdout_fraction: float = 0.2, seed: int = 0,
                 method: str = "shuffle") -> np.ndarray:
    """Which of ``n`` rows go to the holdout (see the module docstring for the methods)."""
    if not 0 < holdout_fraction < 1:
        raise UsageError("holdout_fraction must be between 0 and 1 — e.g. 0.2",
                         key="holdout_fraction", hint="e.g. 0.2")
    if method not in METHODS:
        raise UsageError(f"unknown split method {method!r} — use {' or '.join(METHODS)}",
                         key="method", hint=f"use {' or '.join(METHODS)}")
    rng = np.random.default_rng(seed)
    if method == "bernoulli":
        mask = rng.random(n) < holdout_fraction
    else:
        mask = np.zeros(n, dtype=bool)
        n_h = int(round(n * holdout_fraction))
        if 0 < n_h < n:
            mask[rng.choice(n, size=n_h, replace=False)] = True
    n_h = int(mask.sum())
    if n_h < 1 or n - n_h < 1:
        hint = "both parts need at least one row"
        raise UsageError(f"cannot split {n} rows with holdout fraction {holdout_fraction} "
                         f"({method}) — {hint}", key="holdout_fraction", hint=hint)
    return mask


def split_holdout(df: pd.DataFrame, holdout_fraction: float = 0.2, seed: int = 0,
                  method: str = "shuffle") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split rows at random into (train, holdout); row order inside each is kept."""
    mask = holdout_mask(len(df), holdout_fraction, seed, method)
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
