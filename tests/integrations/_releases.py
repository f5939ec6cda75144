"""Two small releases of the sample data for the pipeline adapters' tests.

The real data are the first 300 training and 150 holdout rows of ``sample_data``; the clean
release is the first 300 synthetic rows, and the leaky one the same rows with the first 60
replaced by verbatim copies of the first 60 training records (the synthetic ``person_id``
kept). Only the two copy checks run (``settings.toml``), so that a scan takes well under a
second: the clean release is ``inconclusive`` at this size (it passes the default policy), the
leaky one ``high`` — its verbatim excess is exactly 60/300 - 0/150 = 0.2.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
N_TRAIN, N_HOLDOUT, N_COPIES = 300, 150, 60
CHECKS = ("verbatim", "closeness")


@dataclass(frozen=True)
class Releases:
    train: Path
    holdout: Path
    clean: Path
    leaky: Path
    settings: Path  # selects the two copy checks

    @property
    def overrides(self) -> dict[str, object]:
        """The same selection as a settings mapping."""
        return {"checks": list(CHECKS)}


def write_releases(directory: Path) -> Releases:
    train = pd.read_csv(SAMPLE / "train.csv").head(N_TRAIN)
    holdout = pd.read_csv(SAMPLE / "holdout.csv").head(N_HOLDOUT)
    clean = pd.read_csv(SAMPLE / "synthetic_clean.csv").head(N_TRAIN)
    leaky = clean.copy()
    copied = [c for c in train.columns if c != "person_id"]
    leaky.loc[: N_COPIES - 1, copied] = train.loc[: N_COPIES - 1, copied].to_numpy()
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, frame in (("train", train), ("holdout", holdout), ("clean", clean),
                        ("leaky", leaky)):
        paths[name] = directory / f"{name}.csv"
        frame.to_csv(paths[name], index=False)
    settings = directory / "settings.toml"
    settings.write_text("checks = [" + ", ".join(f'"{c}"' for c in CHECKS) + "]\n",
                        encoding="utf-8")
    return Releases(settings=settings, **paths)
