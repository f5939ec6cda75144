"""The canary test: are the canaries that were handed over reproduced, or closely approached,
by the synthetic data more often than the ones left out?

Each canary went into the training file with probability ½, independently, so the left-out
canaries are a control group of the same kind of record: under no memorisation a synthetic row
lands near an included canary as often as near an excluded one. Two events per canary:

* *reproduced*: a synthetic row equals it on every compared (non-identifier) column;
* *close*: its nearest synthetic row is at most the holdout's 1% closeness distance away (the
  distance within which only 1% of real holdout records have a synthetic row; without a
  holdout, the training records' — smaller when copies are present, so stricter).

Each is a 2x2 comparison, included vs excluded, with the excess rate and its interval, decided
like every component (one-sided Clopper–Pearson MOVER bounds). The test is detection-only: a
confirmed excess fails the release (in the public-release preset any confirmed excess, as for
closeness), but with tens of canaries it cannot certify a small excess, so it never keeps a
verdict from ``low``. The unit is a planted canary, not a person.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..attacks.base import Attack
from ..attacks.context import ScanContext
from ..data.convert import convert, to_categorical
from ..data.schema import Schema
from ..errors import UsageError
from ..model import CheckResult
from ..stats.bounds import SubTest, reporting_interval, worst_test
from ..stats.dp_audit import AuditCounts
from . import CANARY_ID, DATA_DRIVING, HIGH_THRESHOLDS, THRESHOLDS
from .manifest import CanaryManifest

REPRODUCED = "reproduced exactly"
CLOSE = "within the holdout's 1% closeness distance"


def canary_frame(cells: list[dict[str, str]] | list[Any], schema: Schema, name: str
                 ) -> pd.DataFrame:
    """Canary cells (text) in the scan's canonical dtypes, column by column as every input is
    converted (numbers and dates to float, categories to canonical text)."""
    rows = [dict(c) for c in cells]
    out = {}
    for col in schema.columns:
        s = pd.Series([r.get(col.name) for r in rows], dtype=object)
        if col.role == "identifier":
            out[col.name] = to_categorical(s).to_numpy()
        else:
            out[col.name] = convert(s, col.role, name, col.name)
    return pd.DataFrame({k: pd.Series(v, dtype=v.dtype) for k, v in out.items()},
                        columns=schema.names)


def _check_columns(manifest: CanaryManifest, schema: Schema) -> None:
    missing = [c for c in schema.names if c not in manifest.columns]
    if missing:
        raise UsageError(f"{manifest.name}: has no canary values for column {missing[0]!r} of "
                         "the scan — plant canaries in the same training file you scan with "
                         "'synthscan canary plant'", source=manifest.name, column=missing[0],
                         key="canaries")


def _reproduced(rows: pd.DataFrame, others: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Per row of ``rows``: does some row of ``others`` equal it on every one of
    ``columns``?"""
    left = rows[columns].assign(_row=np.arange(len(rows)))
    hits = others[columns].drop_duplicates().merge(left, on=columns, how="inner")
    out = np.zeros(len(rows), dtype=bool)
    out[hits["_row"].to_numpy(dtype=np.int64)] = True
    return out


def _closeness_distance(ctx: ScanContext) -> tuple[float, str]:
    """The engine distance within which a canary counts as closely approached, and from
    which real records it came."""
    from ..attacks.closeness import holdout_threshold, quantile_for
    from ..attacks.searches import real_to_synthetic

    d = real_to_synthetic(ctx)[0][:, 0]
    n_t = ctx.n("train")
    if ctx.has_holdout:
        return holdout_threshold(d[n_t:], quantile_for(ctx.n("holdout"))), "holdout"
    return holdout_threshold(d[:n_t], quantile_for(n_t)), "train"


def canary_rows(ctx: ScanContext, manifest: CanaryManifest, table: str) -> np.ndarray:
    """Per row of ``table``: is it equal to a canary on every compared column (e.g. the
    handed-over training file was scanned instead of the original)?"""
    frame = canary_frame([c.values for c in manifest.canaries], ctx.schema, manifest.name)
    return _reproduced(ctx.frames[table], frame, [c.name for c in ctx.schema.distance_columns])


class CanaryTest(Attack):
    """Included vs left-out canaries: reproduced, and closely approached (module docstring)."""

    id = CANARY_ID
    name = "Canaries: planted records handed over vs left out"
    criterion = "membership"
    needs_holdout = None
    detection_only = True
    thresholds = THRESHOLDS
    high_thresholds = HIGH_THRESHOLDS
    data_driving = DATA_DRIVING
    unit = "canaries"

    def __init__(self, *, manifest: CanaryManifest | None = None) -> None:
        self.manifest = manifest

    def events(self, ctx: ScanContext) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
        """(included, reproduced, close) per canary, and how "close" was measured."""
        from ..neighbors.engine import NeighborEngine

        m = self.manifest
        if m is None:
            raise ValueError("no canary manifest")
        _check_columns(m, ctx.schema)
        frame = canary_frame([c.values for c in m.canaries], ctx.schema, m.name)
        columns = [c.name for c in ctx.schema.distance_columns]
        reproduced = _reproduced(frame, ctx.frames["synthetic"], columns)
        enc = ctx.encoder.transform(frame)
        d = NeighborEngine(ctx.encoded["synthetic"], ctx.config.metric,
                           ctx.config.threads).kneighbors(enc, 1)[0][:, 0]
        tau, ref = _closeness_distance(ctx)
        close = reproduced | (d <= tau)
        included = np.array([c.included for c in m.canaries])
        how = {"close_distance": float(ctx.encoder.to_units(tau)), "close_reference": ref,
               "distance_units": ctx.encoder.units,
               "nearest_synthetic_median": {
                   "included": _median(ctx, d[included]), "excluded": _median(ctx, d[~included])}}
        return included, reproduced, close, how

    def run(self, ctx: ScanContext) -> CheckResult:
        included, reproduced, close, how = self.events(ctx)
        n_in, n_out = int(included.sum()), int((~included).sum())
        if n_in == 0 or n_out == 0:
            return self.skip(f"{n_in} canaries were handed over and {n_out} left out: both "
                             "groups are needed — plant more canaries")
        tests = [SubTest(f"canaries {label}", int((ev & included).sum()), n_in,
                         int((ev & ~included).sum()), n_out)
                 for label, ev in ((REPRODUCED, reproduced), (CLOSE, close))]
        alpha = ctx.config.alpha
        worst = worst_test(tests, alpha)
        lo, hi = reporting_interval(worst, alpha)
        guesses = audit_counts(included, close, self.manifest.inclusion_probability
                               if self.manifest else 0.5)
        return self.result(
            tests=tuple(tests), estimate=worst.estimate, lower=lo, upper=hi, level=1 - alpha,
            unit="canaries", unit_total=n_in + n_out,
            counts={"canaries": n_in + n_out, "included": n_in, "excluded": n_out,
                    "included_reproduced": tests[0].k_t, "excluded_reproduced": tests[0].k_h,
                    "included_close": tests[1].k_t, "excluded_close": tests[1].k_h},
            details={**how, "guesses": {"in": guesses.r_in, "in_right": guesses.v_in,
                                        "out": guesses.r_out, "out_right": guesses.v_out},
                     "design": "each canary handed over with probability 1/2 (seeded, secret "
                               "manifest); left-out canaries are the control group"})

    def summarize(self, result: CheckResult) -> str:
        if result.status in ("skipped", "error") or "included" not in result.counts:
            return super().summarize(result)
        c, d = result.counts, result.decision
        text = (f"{c['included_close']} of {c['included']} handed-over canaries have a synthetic "
                f"row within the closeness distance ({c['included_reproduced']} reproduced "
                f"exactly), against {c['excluded_close']} of {c['excluded']} left-out canaries "
                f"({c['excluded_reproduced']} reproduced)")
        if result.lower is not None and result.upper is not None and result.level:
            text += (f": an excess of {result.estimate:+.0%} of canaries "
                     f"({result.level:.0%} interval {result.lower:+.0%} to {result.upper:+.0%})")
        if d is not None:
            text += (f"; confirmed at least {max(d.lower, 0):.0%} ({d.lower_level:.1%} "
                     "one-sided)")
        return text + "."


def _median(ctx: ScanContext, d: np.ndarray) -> float | None:
    return float(ctx.encoder.to_units(np.median(d))) if len(d) else None


def audit_counts(included: np.ndarray, close: np.ndarray, q: float) -> AuditCounts:
    """The one-run audit's guesses on the canaries, every canary guessed (the number of
    guesses is fixed in advance): "in" when it is closely approached, "out" otherwise."""
    inc, near = np.asarray(included, bool), np.asarray(close, bool)
    return AuditCounts(len(inc), q, int(near.sum()), int((near & inc).sum()),
                       int((~near).sum()), int((~near & ~inc).sum()))
