"""Mixed-type encoder: tables -> dense float32 vectors whose L1 distance is the Gower distance.

Distance between records x and y over the p distance columns (``MixedEncoder.distance_scale``
divides by p to get the mean per-column distance in [0, 1.5]):

* numeric (datetimes included): ``|c(x) - c(y)|`` with ``u = (v - q01) / (q99 - q01)`` from the
  pooled real data and ``c(u) = u`` inside [0, 1]; beyond the robust range the tails are
  compressed smoothly (``1 + t*tanh((u-1)/t)`` above, ``-t*tanh(-u/t)`` below, t = 0.25) so that
  outliers stay distinguishable yet no column contributes more than 1.5. Inside the robust range
  this is exactly Gower's ``min(1, |x - y| / range)``.
* categorical: 0 if equal, 1 if different. Levels are coded on a cross-polytope (level 2i at
  +1/2 on axis i, level 2i+1 at -1/2 on it), which needs half the dimensions of one-hot and gives
  L1 distance exactly 1 between any two distinct levels.
* missing values are a value: both missing -> 0, exactly one missing -> 1 (categorical: its own
  level; numeric: two mirrored axes plus an indicator, see ``_NUM_MISSING``). Categories never
  seen in the real data share one "unseen" level at distance 1 from every real level.

All coordinates lie on a dyadic grid chosen so that every L1 sum is exact in float32: equal
distances are bit-for-bit equal whatever the summation order or thread count, so ties are exact.

Fitting is symmetric: statistics come from the pooled real data (train ∪ holdout), never from
one side, and are invariant to the order of the inputs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.schema import ColumnSpec

TAIL = 0.25
_LOWER_Q, _UPPER_Q = 0.01, 0.99
#: the quantiles of the robust range, as ``np.quantile`` is asked for them
QUANTILES = (_LOWER_Q, _UPPER_Q)
#: numeric missing value on the (c/2, -c/2, indicator) axes: L1 distance 1 to every present value
_NUM_MISSING = (0.625, 0.125, 0.25)
_MISSING_LEVEL = "\x00missing"


@dataclass(frozen=True)
class ColumnStats:
    """All the encoder learns about one distance column. Every field can be merged from
    partial statistics over pieces of the data (counts, flags, extremes, level sets and two
    order statistics per quantile), which is how a cluster fits the same encoder."""

    name: str
    #: a missing value in the real tables or in the ``others``
    any_missing: bool
    #: numeric: present real values, ``np.quantile(values, [0.01, 0.99])`` (linear) and extremes
    n_values: int = 0
    quantiles: tuple[float, float] = (0.0, 0.0)
    vmin: float = 0.0
    vmax: float = 0.0
    #: categorical: the sorted distinct present real values, as text
    levels: tuple[str, ...] = ()


@dataclass
class NumericCoding:
    name: str
    lo: float
    span: float
    offset: int
    with_missing: bool
    note: str = ""


@dataclass
class CategoricalCoding:
    name: str
    levels: list[str]  # real levels, sorted; the missing level (if any) is among them
    offset: int
    n_dims: int

    @property
    def unseen_code(self) -> int:
        return len(self.levels)


def compress_tails(u: np.ndarray, t: float = TAIL) -> np.ndarray:
    """Identity on [0, 1]; smooth, bounded, monotone compression outside it."""
    out = np.asarray(u, dtype="float64").copy()
    hi = out > 1
    lo = out < 0
    out[hi] = 1 + t * np.tanh((out[hi] - 1) / t)
    out[lo] = -t * np.tanh(-out[lo] / t)
    return out


class MixedEncoder:
    """Fit on pooled real data; transform any table with the same schema to float32 vectors.

    Parameters
    ----------
    metric : "l1" (exact Gower distance) or "l2" (Euclidean variant: categorical mismatch
        contributes 1 to the squared distance, numeric differences contribute their square).
    """

    def __init__(self, metric: str = "l1") -> None:
        if metric not in ("l1", "l2"):
            raise ValueError("metric must be 'l1' or 'l2'")
        self.metric = metric

    # ------------------------------------------------------------------ fitting
    def fit(
        self,
        real: list[pd.DataFrame],
        columns: list[ColumnSpec],
        others: list[pd.DataFrame] | None = None,
    ) -> MixedEncoder:
        """Learn ranges and vocabularies from the pooled ``real`` tables.

        ``others`` (the synthetic table) only decides whether a column needs a missing-value
        slot; no statistic is learned from it.
        """
        stats = {spec.name: column_stats(spec, real, others or [])
                 for spec in columns if spec.in_distance}
        return self.fit_stats(columns, stats)

    def fit_stats(self, columns: list[ColumnSpec], stats: Mapping[str, ColumnStats]
                  ) -> MixedEncoder:
        """Build the coding from each distance column's statistics (``column_stats``, or the
        same figures merged from partial statistics, e.g. ``dask_backend.encode``): the one
        place ranges, slots and levels are decided, so every way of fitting agrees."""
        self._slices: dict[str, slice] | None = None
        self.columns_ = [c for c in columns if c.in_distance]
        if not self.columns_:
            raise ValueError("no distance columns to encode")
        self.numeric_: list[NumericCoding] = []
        self.categorical_: list[CategoricalCoding] = []
        offset = 0
        for spec in self.columns_:
            st = stats[spec.name]
            any_missing = st.any_missing
            if spec.is_numeric:
                lo, span, note = _range_from(st)
                width = (3 if any_missing else 1) if self.metric == "l1" else (
                    2 if any_missing else 1)
                self.numeric_.append(NumericCoding(spec.name, lo, span, offset, any_missing, note))
                offset += width
            else:
                levels = list(st.levels)
                if any_missing:
                    levels.append(_MISSING_LEVEL)
                n_codes = len(levels) + 1  # + the shared "unseen" level
                n_dims = (n_codes + 1) // 2 if self.metric == "l1" else n_codes
                self.categorical_.append(CategoricalCoding(spec.name, levels, offset, n_dims))
                offset += n_dims
        self.dim_ = offset
        self.n_columns_ = len(self.columns_)
        max_sum = 1.5 * self.n_columns_
        int_bits = max(1, math.ceil(math.log2(max_sum + 1)))
        self.grid_bits_ = max(4, 23 - int_bits)
        return self

    # ------------------------------------------------------------------ transforming
    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """Encode a table (same schema as the fitted ones) as a C-contiguous float32 array."""
        n = len(frame)
        out = np.zeros((n, self.dim_), dtype=np.float32)
        step = 2.0 ** -self.grid_bits_
        for nc in self.numeric_:
            v = frame[nc.name].to_numpy(dtype="float64")
            miss = np.isnan(v)
            if not nc.with_missing and miss.any():
                raise ValueError(f"column {nc.name!r} has missing values but was fitted without "
                                 "a missing slot: pass that table in fit(others=...)")
            c = compress_tails((np.where(miss, nc.lo, v) - nc.lo) / nc.span)
            if self.metric == "l1":
                half = np.round(c / 2 / step) * step
                out[:, nc.offset] = half
                if nc.with_missing:
                    out[:, nc.offset + 1] = -half
                    a, b, w = _NUM_MISSING
                    out[miss, nc.offset] = a
                    out[miss, nc.offset + 1] = b
                    out[miss, nc.offset + 2] = w
                else:
                    out[:, nc.offset] = 2 * half  # one axis carries c itself (still on the grid)
            else:
                out[:, nc.offset] = c
                if nc.with_missing:
                    out[miss, nc.offset] = 0.5
                    out[miss, nc.offset + 1] = 1.0
        rows = np.arange(n)
        for cc in self.categorical_:
            codes = self._codes(frame[cc.name], cc)
            if self.metric == "l1":
                sign = np.where(codes % 2 == 0, 0.5, -0.5).astype(np.float32)
                out[rows, cc.offset + codes // 2] = sign
            else:
                out[rows, cc.offset + codes] = np.float32(math.sqrt(0.5))
        return out

    @staticmethod
    def _codes(values: pd.Series, cc: CategoricalCoding) -> np.ndarray:
        text = values.astype(object).where(values.notna(), _MISSING_LEVEL)
        # positions in the fitted levels, -1 for a level the real data lacks (pd.Categorical
        # with such values is deprecated in pandas 3)
        codes = pd.Index(cc.levels).get_indexer(text).astype(np.int64)
        codes[codes < 0] = cc.unseen_code
        return codes

    def column_slices(self) -> dict[str, slice]:
        """The encoded dimensions of each distance column. The distance is a sum over columns,
        so the distance on a subset of columns is the same metric on the union of their slices
        (e.g. for linkability or attribute inference on known columns)."""
        cached = self.__dict__.get("_slices")
        if cached is not None:
            return dict(cached)
        out = {}
        for nc in self.numeric_:
            width = (3 if nc.with_missing else 1) if self.metric == "l1" else (
                2 if nc.with_missing else 1)
            out[nc.name] = slice(nc.offset, nc.offset + width)
        for cc in self.categorical_:
            out[cc.name] = slice(cc.offset, cc.offset + cc.n_dims)
        self._slices = out
        return dict(out)

    def dims_of(self, names: list[str]) -> np.ndarray:
        """Sorted encoded dimension indices of the distance columns ``names``."""
        sl = self.column_slices()
        missing = [n for n in names if n not in sl]
        if missing:
            raise KeyError(f"not distance columns: {missing}")
        if not names:
            return np.zeros(0, dtype=np.int64)
        return np.sort(np.concatenate([np.arange(sl[n].start, sl[n].stop) for n in names]))

    # ------------------------------------------------------------------ description
    @property
    def distance_scale(self) -> float:
        """Divide an L1 engine distance by this to get the mean per-column distance."""
        return float(self.n_columns_)

    def to_units(self, d: np.ndarray | float) -> np.ndarray:
        """Engine distances in the units reports state (``units``): under L1 the mean
        per-column Gower distance (``d / p``); under L2 the engine returns squared distances,
        so the Euclidean distance on the Gower encoding (``sqrt(d)``). The one conversion."""
        d = np.asarray(d, dtype=np.float64)
        if self.metric == "l1":
            return d / self.distance_scale
        return np.sqrt(np.maximum(d, 0.0))

    @property
    def units(self) -> str:
        """What ``to_units`` returns, in words."""
        return ("mean per-column Gower distance" if self.metric == "l1"
                else "Euclidean distance on the Gower encoding")

    def describe(self) -> dict:
        """A summary for the result (no data values: ranges are not reported)."""
        return {
            "metric": self.metric,
            "distance": "gower" if self.metric == "l1" else "euclidean-on-gower-encoding",
            "columns": self.n_columns_,
            "dimensions": self.dim_,
            "fitted_on": "train+holdout pooled",
            "numeric_scaling": "1st-99th percentile range of the pooled real data; "
            "tails beyond it compressed (bounded at 1.5 per column)",
            "grid_bits": self.grid_bits_,
            "notes": {nc.name: nc.note for nc in self.numeric_ if nc.note},
        }


def column_stats(spec: ColumnSpec, real: list[pd.DataFrame],
                 others: list[pd.DataFrame]) -> ColumnStats:
    """One distance column's statistics over the pooled ``real`` tables (missing values also
    looked for in ``others``)."""
    pooled = pd.concat([f[spec.name] for f in real], ignore_index=True)
    any_missing = bool(pooled.isna().any()) or any(bool(o[spec.name].isna().any())
                                                   for o in others)
    if not spec.is_numeric:
        return ColumnStats(spec.name, any_missing,
                           levels=tuple(sorted({str(v) for v in pooled.dropna().unique()})))
    vals = pooled.to_numpy(dtype="float64")
    vals = vals[~np.isnan(vals)]
    if len(vals) == 0:
        return ColumnStats(spec.name, any_missing)
    q_lo, q_hi = np.quantile(vals, [_LOWER_Q, _UPPER_Q])
    return ColumnStats(spec.name, any_missing, len(vals), (float(q_lo), float(q_hi)),
                       float(vals.min()), float(vals.max()))


def _range_from(st: ColumnStats) -> tuple[float, float, str]:
    """(lo, span, note) of a numeric column: its 1st-99th percentile range, else min-max.
    ``+ 0.0`` turns a -0.0 bound into 0.0: which zero a selection returns is arbitrary."""
    if st.n_values == 0:
        return 0.0, 1.0, "no observed values"
    lo, hi = st.quantiles
    span = hi - lo
    if span > 0:
        return lo + 0.0, span, ""
    vmin, vmax = st.vmin, st.vmax
    if vmax > vmin:
        return vmin + 0.0, vmax - vmin, "range from min-max (1st and 99th percentiles coincide)"
    return vmin + 0.0, 1.0, "constant"
