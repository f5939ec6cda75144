"""The attacked columns coded for attribute inference, and what counts as a correct guess.

Categorical columns take the scan's shared coding (``ctx.coded``) ranked by frequency in the
real tables (train ∪ holdout), ties by level: the learner's category codes then cover the most
frequent levels first. Numeric columns keep their float values; a guess of a numeric secret is
correct within ``tau`` times a robust spread of the pooled real column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...encoding.coded import MISSING, REAL
from ...neighbors.subset import within
from ..context import ScanContext

#: the tables a column is coded for
TABLES = ("train", "holdout", "synthetic")


@dataclass
class Column:
    """One attackable column, coded for every table of the scan."""

    name: str
    numeric: bool
    #: per table: numeric values (NaN = missing), or category codes (levels by real frequency;
    #: n_seen = missing, n_seen + 1 = any level never seen in the real tables)
    values: dict[str, np.ndarray] = field(default_factory=dict)
    #: learner feature per table: numbers, or codes capped at max_codes - 1 with NaN = missing
    feature: dict[str, np.ndarray] = field(default_factory=dict)
    tolerance: float = 0.0
    spread: str = ""

    def success(self, guess: np.ndarray, truth: np.ndarray) -> np.ndarray:
        """1.0 per correct guess: within the tolerance (numeric) or the same code."""
        if self.numeric:
            return within(guess, truth, self.tolerance).astype(np.float64)
        return (guess == truth).astype(np.float64)

    def nn_labels(self, table: str, rows: np.ndarray | None = None) -> np.ndarray:
        """Reference secrets for the 1-NN credit: missing numeric values become +inf (they
        never match a present truth)."""
        values = self.values[table] if rows is None else self.values[table][rows]
        if self.numeric:
            return np.where(np.isnan(values), np.inf, values)
        return values.astype(np.float64)


def code_columns(ctx: ScanContext, names: list[str], tau: float,
                 max_codes: int) -> dict[str, Column]:
    """Values and learner features of the named columns for train, holdout and synthetic.
    Vocabularies and tolerances come from the pooled real tables (symmetric in train and
    holdout); learner codes are capped at ``max_codes - 1``."""
    specs = {c.name: c for c in ctx.schema.distance_columns}
    out = {}
    for name in names:
        col = Column(name, specs[name].is_numeric)
        if col.numeric:
            for t in TABLES:
                col.values[t] = col.feature[t] = ctx.frames[t][name].to_numpy(dtype="float64")
            real = np.concatenate([col.values["train"], col.values["holdout"]])
            col.tolerance, col.spread = numeric_tolerance(real[~np.isnan(real)], tau)
        else:
            coded = ctx.coded[name]
            n_seen = int((coded.occurrences(REAL) > 0).sum())
            for t in TABLES:
                rank = coded.frequency_codes(t, REAL)
                codes = np.where(rank >= n_seen, n_seen + 1, rank)
                codes[rank == MISSING] = n_seen
                col.values[t] = codes
                feat = np.minimum(codes, max_codes - 1).astype(np.float64)
                feat[codes == n_seen] = np.nan
                col.feature[t] = feat
        out[name] = col
    return out


def numeric_tolerance(values: np.ndarray, tau: float) -> tuple[float, str]:
    """``tau`` times a robust spread of the pooled real values, and which spread was used.

    The tolerance carries a relative slack of 1e-9 so that a difference equal to it in decimal
    (e.g. 24.6 - 24.3 against 0.3) counts as within despite binary rounding."""
    if len(values) == 0:
        return 0.0, "no observed values"
    slack = tau * (1 + 1e-9)
    q25, q75 = np.quantile(values, [0.25, 0.75])
    if q75 > q25:
        return slack * float(q75 - q25), "IQR"
    q01, q99 = np.quantile(values, [0.01, 0.99])
    if q99 > q01:
        return slack * float(q99 - q01), "1st-99th percentile span (IQR is 0)"
    lo, hi = float(values.min()), float(values.max())
    if hi > lo:
        return slack * (hi - lo), "min-max range (IQR and percentile span are 0)"
    return 0.0, "constant column (exact match)"
