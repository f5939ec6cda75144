"""Identifier replay: real identifier values (ids, e-mail addresses, names, phone numbers —
the columns whose role is ``identifier``) that reappear in the synthetic data.

Identifier columns are left out of every other comparison (a unique id would make every record
unique), so a real e-mail address pasted into an otherwise new synthetic row goes unseen there.
Here, per identifier column, the event for a real record is "its value occurs among the
synthetic values of that column", counted over training records (``k_t`` of the ``n_t`` with a
value) and holdout records (``k_h`` of ``n_h``): one sub-test per column, on the per-person
scale of every component. Values the generator makes up collide with training and holdout
values alike (the generator never saw the holdout), so chance cancels and only replay of
training values leaves an excess.

Values are compared by a keyed hash: HMAC-SHA256 with a random key drawn for each scan and
never stored or printed, of the value's text with surrounding spaces removed and case folded
(``Ann@Example.org`` and ``ann@example.org`` are one address; whole numbers have one form). No
value, hash or key leaves the check: the result holds counts, rates and training row indices.

A column whose holdout values are reproduced for more than ``max_chance_rate`` of holdout
records carries no evidence (its values are not distinctive: row numbers, codes from a small
space) and is reported, not tested; with no column left the component passes as vacuous.
"""

from __future__ import annotations

import hmac
import secrets

import numpy as np

from ..errors import ConfigError
from ..fmt import pct
from ..model import CheckResult
from ..stats.bounds import SubTest
from .base import Attack
from .context import ScanContext

#: bytes of the per-scan HMAC key
KEY_BYTES = 32


def _text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip().casefold()


def keyed_hashes(values: np.ndarray, key: bytes) -> np.ndarray:
    """HMAC-SHA256 (truncated to 16 bytes) of each value's normalised text; missing values
    (None, NaN, empty text) give None."""
    out = np.full(len(values), None, dtype=object)
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and v != v):
            continue
        text = _text(v)
        if text:
            out[i] = hmac.digest(key, text.encode("utf-8", "surrogatepass"), "sha256")[:16]
    return out


def replayed(real: np.ndarray, synthetic: set[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """(has a value, its value occurs among ``synthetic``) per real record."""
    present = np.array([h is not None for h in real], dtype=bool)
    hit = np.array([h is not None and h in synthetic for h in real], dtype=bool)
    return present, hit


class IdentifierReplay(Attack):
    """Real identifier values replayed in the synthetic data (see the module docstring)."""

    id = "identifier_replay"
    name = "Identifier replay: real identifier values in the synthetic data"
    criterion = "copies"
    thresholds = {"public-release": 0.001, "controlled-access": 0.002}
    high_thresholds = {"public-release": 0.0}
    data_driving = ("training and holdout records with an identifier value (each is a "
                    "target)")

    def __init__(self, *, max_chance_rate: float = 0.05, max_listed: int = 10_000) -> None:
        if not (isinstance(max_chance_rate, (int, float)) and 0 < max_chance_rate < 1):
            raise ConfigError(f"checks.{self.id}.max_chance_rate: must be between 0 and 1 — "
                              "e.g. 0.05", key=f"checks.{self.id}.max_chance_rate")
        #: a column whose holdout values are reproduced more often than this is not tested
        self.max_chance_rate = max_chance_rate
        #: training rows listed in the exposure list at most (row indices only)
        self.max_listed = max_listed

    def run(self, ctx: ScanContext) -> CheckResult:
        columns = ctx.schema.identifiers
        counts = {"train_rows": ctx.n("train"), "holdout_rows": ctx.n("holdout"),
                  "identifier_columns": len(columns)}
        if not columns:
            return self.skip("no identifier column (role identifier, from SDV metadata, the "
                             "columns setting or inference): no identifier value can be "
                             "replayed", vacuous=True, counts=counts)
        key = secrets.token_bytes(KEY_BYTES)  # this scan's only; never stored
        tests, per_column, untested = [], {}, {}
        exposed = np.zeros(ctx.n("train"), dtype=bool)
        for col in columns:
            h = {t: keyed_hashes(ctx.frames[t][col].to_numpy(dtype=object), key)
                 for t in ("train", "holdout", "synthetic")}
            synthetic = {v for v in h["synthetic"] if v is not None}
            has_t, hit_t = replayed(h["train"], synthetic)
            has_h, hit_h = replayed(h["holdout"], synthetic)
            n_t, k_t, n_h, k_h = (int(has_t.sum()), int(hit_t.sum()), int(has_h.sum()),
                                  int(hit_h.sum()))
            train_set = {v for v, ok in zip(h["train"], has_t, strict=True) if ok}
            hold_set = {v for v, ok in zip(h["holdout"], has_h, strict=True) if ok}
            n_s = sum(v is not None for v in h["synthetic"])
            per_column[col] = {
                "train_records": n_t, "train_records_replayed": k_t,
                "holdout_records": n_h, "holdout_records_replayed": k_h,
                "synthetic_rows_with_value": n_s,
                "share_synthetic_rows_equal_to_a_train_value":
                    sum(v in train_set for v in h["synthetic"] if v is not None) / max(n_s, 1),
                "share_synthetic_rows_equal_to_a_holdout_value":
                    sum(v in hold_set for v in h["synthetic"] if v is not None) / max(n_s, 1)}
            if n_t == 0 or n_h == 0 or n_s == 0:
                untested[col] = "no value in the training, holdout or synthetic data"
            elif k_h / n_h > self.max_chance_rate:
                untested[col] = (f"{pct(k_h / n_h)} of holdout records' values occur in the "
                                 "synthetic data by chance: the values are not distinctive")
            else:
                tests.append(SubTest(f"{col} replayed", k_t, n_t, k_h, n_h))
                exposed |= hit_t
        del key
        counts["identifier_columns_tested"] = len(tests)
        details = {"columns": per_column, "columns_not_tested": untested,
                   "comparison": "keyed hash (HMAC-SHA256, a random key per scan, never "
                                 "stored) of the trimmed, case-folded text"}
        if not tests:
            return self.skip("no identifier column has distinctive values to replay ("
                             + "; ".join(f"{c}: {r}" for c, r in untested.items()) + ")",
                             vacuous=True, counts=counts, details=details)
        rows = np.flatnonzero(exposed)
        details["exposure"] = {"train_rows": rows[: self.max_listed], "records": int(len(rows)),
                               "listed": int(min(len(rows), self.max_listed)),
                               "meaning": "training records whose identifier value occurs in "
                                          "the synthetic data; row indices only"}
        return self.result(tests=tests, counts=counts, details=details,
                           unit="training records", unit_total=ctx.n("train"))

    def summarize(self, result: CheckResult) -> str:
        if result.status in ("skipped", "error"):
            return super().summarize(result)
        parts = []
        for t in result.tests:
            parts.append(f"{t.label}: {int(t.k_t)} of {int(t.n_t)} training records "
                         f"({pct(t.k_t / t.n_t)}) against {int(t.k_h)} of {int(t.n_h)} holdout "
                         f"records ({pct(t.k_h / t.n_h)})")
        return ("Identifier values of real records that occur in the synthetic data — "
                + "; ".join(parts) + ".")
