"""Singling out (WP29 Opinion 05/2014): can predicates mined from the synthetic data isolate
exactly one real training record, more often than one holdout record?

An attacker holding the synthetic release writes predicates ("the only person with column a equal
to this and column b at least that") that each match exactly one synthetic row. A predicate
*succeeds* on a dataset when it matches exactly one of its records. Learning the population makes
predicates succeed on training and holdout records alike; only leakage makes them succeed more on
training records. Both rates are measured at equal dataset size (no parametric size correction).

Predicates are evaluated as vectorised range checks on integer-coded columns (never as query
strings), so any column name works.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..model import CheckResult
from ..stats.bounds import (
    SubTest,
    excess_upper,
    null_upper,
    reporting_interval,
    worst_test,
)
from .base import Attack
from .context import ScanContext

#: rank of a missing value; every present value has a rank >= 0
MISSING = -1
#: upper end of an open range ("at least v")
TOP = np.iinfo(np.int32).max
#: (predicate, record) matches held at once while evaluating
PAIR_BUDGET = 1 << 22

#: Anonymeter's published Adult setup (its example notebook): 500 univariate attacks,
#: 100 multivariate attacks on 4 columns. Its documented defaults are 500 attacks, 3 columns.
ANONYMETER_UNIVARIATE = 500
ANONYMETER_MULTIVARIATE = 100
ANONYMETER_N_COLS = 4
#: predicates requested per kind at least (unless the mode is "anonymeter"): the excess of a
#: kind is a share of its predicates, so their number sets its precision. At 3,000 a clean
#: release's one-sided 95% upper bound sits near 1-2 points, well below a 5% threshold.
MIN_PREDICATES = 3000


# ---------------------------------------------------------------------------- coded columns


@dataclass
class CodedColumns:
    """Distance columns of train, holdout and synthetic as int32 ranks on one pooled value order
    (equal values get equal ranks, order is kept, missing = -1), so a predicate on values is a
    range check on ranks, identical on every table."""

    names: list[str]
    numeric: np.ndarray  # (p,) bool
    ranks: dict[str, np.ndarray]  # role -> (p, n) int32
    #: numeric columns: largest rank whose value is <= the synthetic median (else -1)
    median_rank: np.ndarray

    @classmethod
    def from_context(cls, ctx: ScanContext) -> CodedColumns:
        specs = ctx.schema.distance_columns
        roles = [r for r in ("synthetic", "train", "holdout") if r in ctx.frames]
        sizes = [ctx.n(r) for r in roles]
        cuts = np.cumsum([0] + sizes)
        p = len(specs)
        ranks = {r: np.empty((p, n), dtype=np.int32) for r, n in zip(roles, sizes, strict=True)}
        median_rank = np.full(p, -1, dtype=np.int64)
        numeric = np.array([s.is_numeric for s in specs], dtype=bool)
        for j, spec in enumerate(specs):
            parts = [ctx.frames[r][spec.name] for r in roles]
            if spec.is_numeric:
                pooled = np.concatenate([s.to_numpy(dtype="float64") for s in parts])
            else:
                pooled = pd.concat(parts, ignore_index=True).astype(object)
                pooled = pooled.where(pooled.isna(), pooled.astype(str)).to_numpy()
            codes, uniques = pd.factorize(pooled, sort=True, use_na_sentinel=True)
            codes = codes.astype(np.int32)
            for i, r in enumerate(roles):
                ranks[r][j] = codes[cuts[i]:cuts[i + 1]]
            if spec.is_numeric:
                s_vals = parts[0].to_numpy(dtype="float64")
                s_vals = s_vals[~np.isnan(s_vals)]
                if len(s_vals):
                    med = float(np.median(s_vals))
                    median_rank[j] = int(np.searchsorted(np.asarray(uniques, dtype="float64"),
                                                         med, side="right")) - 1
        return cls([s.name for s in specs], numeric, ranks, median_rank)


class CodedTable:
    """One table's coded columns with per-column sorted orders for range lookups."""

    def __init__(self, ranks: np.ndarray) -> None:
        self.ranks = np.ascontiguousarray(ranks)
        self.p, self.n = self.ranks.shape
        self.flat = self.ranks.ravel()
        self.order = np.argsort(self.ranks, axis=1, kind="stable").astype(np.int32)
        self.sorted = np.take_along_axis(self.ranks, self.order, axis=1)

    def ranges(self, col: np.ndarray, lo: np.ndarray, hi: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
        """Start and end positions, in each column's sorted order, of the records with
        lo <= rank <= hi (one range per term)."""
        start = np.zeros(len(col), dtype=np.int64)
        end = np.zeros(len(col), dtype=np.int64)
        for j in np.unique(col):
            sel = col == j
            start[sel] = np.searchsorted(self.sorted[j], lo[sel], side="left")
            end[sel] = np.searchsorted(self.sorted[j], hi[sel], side="right")
        return start, end

    def matches(self, preds: Predicates) -> tuple[np.ndarray, np.ndarray]:
        """Every (predicate, record) pair where the record satisfies the predicate.

        The first term (the most selective on the synthetic data) is read off the sorted
        order; the other terms filter those candidates. Memory stays within PAIR_BUDGET pairs.
        """
        col, lo, hi = preds.col, preds.lo, preds.hi
        if col.shape[1] > 1:  # unused slots last (stable: the first term stays first)
            slot = np.argsort(col < 0, axis=1, kind="stable")
            col, lo, hi = (np.take_along_axis(a, slot, axis=1) for a in (col, lo, hi))
        start, end = self.ranges(col[:, 0], lo[:, 0], hi[:, 0])
        length = end - start
        out_p: list[np.ndarray] = []
        out_r: list[np.ndarray] = []
        ids = np.arange(len(col))
        chunk_of = np.cumsum(length) // PAIR_BUDGET
        for c in np.unique(chunk_of):
            sel = ids[chunk_of == c]
            lens = length[sel]
            total = int(lens.sum())
            if total == 0:
                continue
            pred = np.repeat(sel, lens)
            offs = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens)
            rows = self.order[col[pred, 0], start[pred] + offs].astype(np.int64)
            for t in range(1, col.shape[1]):
                c_t = col[pred, t]
                real = c_t >= 0
                if not real.all():  # pairs of predicates without a t-th term are complete
                    out_p.append(pred[~real])
                    out_r.append(rows[~real])
                    pred, rows, c_t = pred[real], rows[real], c_t[real]
                v = self.flat[c_t * self.n + rows]
                keep = (v >= lo[:, t][pred]) & (v <= hi[:, t][pred])
                pred, rows = pred[keep], rows[keep]
            out_p.append(pred)
            out_r.append(rows)
        if not out_p:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(out_p), np.concatenate(out_r)

    def counts(self, preds: Predicates) -> np.ndarray:
        pred, _ = self.matches(preds)
        return np.bincount(pred, minlength=len(preds))


# ---------------------------------------------------------------------------- predicates


@dataclass
class Predicates:
    """Conjunctions of range terms ``lo <= rank(column) <= hi``; unused term slots have
    col = -1. Equality: lo = hi = v; at least: (v, TOP); at most: (0, v) (missing excluded);
    is missing: (-1, -1)."""

    col: np.ndarray  # (P, W) int64
    lo: np.ndarray  # (P, W) int32
    hi: np.ndarray  # (P, W) int32

    def __len__(self) -> int:
        return len(self.col)

    @classmethod
    def empty(cls, width: int = 1) -> Predicates:
        return cls(np.zeros((0, width), np.int64), np.zeros((0, width), np.int32),
                   np.zeros((0, width), np.int32))

    def take(self, idx: np.ndarray) -> Predicates:
        return Predicates(self.col[idx], self.lo[idx], self.hi[idx])

    def widen(self, width: int) -> Predicates:
        pad = width - self.col.shape[1]
        if pad <= 0:
            return self
        n = len(self)
        return Predicates(np.hstack([self.col, np.full((n, pad), -1, np.int64)]),
                          np.hstack([self.lo, np.zeros((n, pad), np.int32)]),
                          np.hstack([self.hi, np.zeros((n, pad), np.int32)]))

    def keys(self) -> list[bytes]:
        """Canonical identity of each predicate (terms sorted by column)."""
        if len(self) == 0:
            return []
        big = np.iinfo(np.int64).max
        order = np.argsort(np.where(self.col >= 0, self.col, big), axis=1, kind="stable")
        c = np.take_along_axis(self.col, order, axis=1)
        lo = np.take_along_axis(self.lo, order, axis=1).astype(np.int64)
        hi = np.take_along_axis(self.hi, order, axis=1).astype(np.int64)
        stacked = np.ascontiguousarray(np.stack([c, lo, hi], axis=2).reshape(len(self), -1))
        return [row.tobytes() for row in stacked]

    def ordered_by(self, table: CodedTable) -> Predicates:
        """Terms sorted by how many records of ``table`` each matches (fewest first), so the
        first term prunes most; unused slots last."""
        n, w = self.col.shape
        size = np.full((n, w), np.iinfo(np.int64).max, dtype=np.int64)
        real = self.col >= 0
        if real.any():
            s, e = table.ranges(self.col[real], self.lo[real], self.hi[real])
            size[real] = e - s
        order = np.argsort(size, axis=1, kind="stable")
        return Predicates(np.take_along_axis(self.col, order, axis=1),
                          np.take_along_axis(self.lo, order, axis=1),
                          np.take_along_axis(self.hi, order, axis=1))


def concat(parts: list[Predicates]) -> Predicates:
    width = max([p.col.shape[1] for p in parts] + [1])
    parts = [p.widen(width) for p in parts]
    return Predicates(np.vstack([p.col for p in parts]), np.vstack([p.lo for p in parts]),
                      np.vstack([p.hi for p in parts]))


def terms_for_values(coded: CodedColumns, col: np.ndarray, val: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi) of the terms describing value ranks ``val`` of columns ``col``: categorical
    equality; numeric 'at least v' above the synthetic median, else 'at most v'; a missing
    value gives 'is missing'. Unused slots (col = -1) get (0, 0)."""
    used = col >= 0
    c = np.where(used, col, 0)
    num = coded.numeric[c] & used
    above = val > coded.median_rank[c]
    lo = np.where(num & ~above, 0, val)
    hi = np.where(num & above, TOP, val)
    miss = used & (val == MISSING)
    lo = np.where(miss, MISSING, np.where(used, lo, 0))
    hi = np.where(miss, MISSING, np.where(used, hi, 0))
    return lo.astype(np.int32), hi.astype(np.int32)


@dataclass
class Mined:
    """Predicates isolating one synthetic row, and how they were found."""

    preds: Predicates
    requested: int
    tries: int
    shapes: dict[str, int]


def mine_univariate(coded: CodedColumns, synth: CodedTable, requested: int,
                    rng: np.random.Generator) -> Mined:
    """Single-column predicates matching exactly one synthetic row: every extreme ('at most the
    minimum', 'at least the maximum' of a numeric column) and 'is missing' that does, then a
    uniform sample of values occurring once (any column type, as in Anonymeter)."""
    strong_c, strong_lo, strong_hi = [], [], []
    rare_c, rare_v = [], []
    for j in range(synth.p):
        col = synth.sorted[j]
        values, counts = np.unique(col, return_counts=True)
        present = values >= 0
        if values[0] == MISSING and counts[0] == 1:
            strong_c.append(j)
            strong_lo.append(MISSING)
            strong_hi.append(MISSING)
        once = values[present & (counts == 1)]
        rare_c.append(np.full(len(once), j))
        rare_v.append(once)
        if coded.numeric[j] and present.any():
            pv, pc = values[present], counts[present]
            if pc[0] == 1 and len(pv) > 1:
                strong_c.append(j)
                strong_lo.append(0)
                strong_hi.append(int(pv[0]))
            if pc[-1] == 1 and len(pv) > 1:
                strong_c.append(j)
                strong_lo.append(int(pv[-1]))
                strong_hi.append(TOP)
    rc = np.concatenate(rare_c) if rare_c else np.zeros(0, np.int64)
    rv = np.concatenate(rare_v) if rare_v else np.zeros(0, np.int64)
    n_strong = min(len(strong_c), requested)
    pick_strong = np.sort(rng.permutation(len(strong_c))[:n_strong]).astype(np.int64)
    n_rare = min(len(rc), requested - n_strong)
    pick_rare = np.sort(rng.choice(len(rc), n_rare, replace=False)) if n_rare else \
        np.zeros(0, np.int64)
    col = np.concatenate([np.asarray(strong_c, np.int64)[pick_strong], rc[pick_rare]])
    lo = np.concatenate([np.asarray(strong_lo, np.int64)[pick_strong], rv[pick_rare]])
    hi = np.concatenate([np.asarray(strong_hi, np.int64)[pick_strong], rv[pick_rare]])
    preds = Predicates(col[:, None].astype(np.int64), lo[:, None].astype(np.int32),
                       hi[:, None].astype(np.int32))
    return Mined(preds, requested, len(strong_c) + len(rc),
                 {"extremes_and_missing": int(n_strong), "values_occurring_once": int(n_rare)})


def random_shapes(coded: CodedColumns, n: int, n_cols: tuple[int, int],
                  rng: np.random.Generator) -> np.ndarray:
    """(n, max columns) random distinct column indices, -1 beyond each predicate's size."""
    p = len(coded.names)
    lo_c, hi_c = min(n_cols[0], p), min(n_cols[1], p)
    width = hi_c
    k = rng.integers(lo_c, hi_c + 1, size=n)
    cols = np.argsort(rng.random((n, p)), axis=1)[:, :width].astype(np.int64)
    cols[np.arange(width)[None, :] >= k[:, None]] = -1
    return cols


def mine_multivariate(coded: CodedColumns, synth: CodedTable, requested: int,
                      n_cols: tuple[int, int], max_tries: int,
                      rng: np.random.Generator) -> Mined:
    """Predicates from random synthetic rows on random column subsets, kept when they match
    exactly that one synthetic row (distinct predicates only), within ``max_tries`` candidates."""
    screens = _screens(synth, rng)
    found: list[Predicates] = []
    seen: set[bytes] = set()
    n_found = tries = 0
    rate = 0.25
    while n_found < requested and tries < max_tries:
        need = requested - n_found
        batch = int(min(max_tries - tries, max(256, 1.5 * need / max(rate, 0.01)), 50_000))
        rows = rng.integers(0, synth.n, size=batch)
        cols = random_shapes(coded, batch, n_cols, rng)
        vals = np.where(cols >= 0, synth.ranks[np.maximum(cols, 0), rows[:, None]], 0)
        lo, hi = terms_for_values(coded, cols, vals)
        cand = Predicates(cols, lo, hi).ordered_by(synth)
        tries += batch
        single = _isolating(cand, rows, synth, screens)
        rate = max(len(single), 1) / batch
        keep = []
        for i, key in zip(single, cand.take(single).keys(), strict=True):
            if key not in seen:
                seen.add(key)
                keep.append(i)
                if n_found + len(keep) >= requested:
                    break
        n_found += len(keep)
        found.append(cand.take(np.asarray(keep, dtype=np.int64)))
    preds = concat(found) if found else Predicates.empty(n_cols[1])
    return Mined(preds, requested, tries, {"columns_per_predicate": list(n_cols)})


def _screens(synth: CodedTable, rng: np.random.Generator
             ) -> list[tuple[CodedTable, np.ndarray]]:
    """Random subsets of the synthetic rows (about 1/32 and 1/4 of them) used to reject, cheaply
    and exactly, candidates matching a second row: a match in a subset is a match."""
    out = []
    for frac in (1 / 32, 1 / 4):
        m = int(synth.n * frac)
        if m < 256:
            continue
        rows = np.sort(rng.choice(synth.n, m, replace=False))
        member = np.zeros(synth.n, dtype=bool)
        member[rows] = True
        out.append((CodedTable(synth.ranks[:, rows]), member))
    return out


def _isolating(cand: Predicates, source: np.ndarray, synth: CodedTable,
               screens: list[tuple[CodedTable, np.ndarray]]) -> np.ndarray:
    """Indices of candidates matching no synthetic row but their source row: screened on the
    subsets first (exact rejections), confirmed on all rows."""
    alive = np.arange(len(cand))
    for table, member in screens:
        if not len(alive):
            break
        own = member[source[alive]].astype(np.int64)
        alive = alive[table.counts(cand.take(alive)) - own == 0]
    if not len(alive):
        return alive
    return alive[synth.counts(cand.take(alive)) == 1]


def random_baseline(coded: CodedColumns, like: Predicates, rng: np.random.Generator
                    ) -> Predicates:
    """Predicates of the same shapes (columns and kind of term) as ``like`` whose values are
    drawn at random from each column's pooled real (train ∪ holdout) marginal: not derived from
    the synthetic data, so training and holdout records should fare alike."""
    if len(like) == 0:
        return like
    pooled = np.hstack([coded.ranks["train"], coded.ranks["holdout"]])
    used = like.col >= 0
    c = np.where(used, like.col, 0)
    val = pooled[c, rng.integers(0, pooled.shape[1], size=c.shape)]
    kind_eq = like.lo == like.hi
    kind_ge = like.hi == TOP
    lo = np.where(kind_eq, val, np.where(kind_ge, val, 0))
    hi = np.where(kind_eq, val, np.where(kind_ge, TOP, val))
    miss = val == MISSING
    lo = np.where(miss, MISSING, lo)
    hi = np.where(miss, MISSING, hi)
    lo = np.where(used, lo, 0).astype(np.int32)
    hi = np.where(used, hi, 0).astype(np.int32)
    return Predicates(like.col.copy(), lo, hi)


# ---------------------------------------------------------------------------- equal-size rates


@dataclass
class EqualSizeRates:
    """Per-predicate success (matches exactly one record) on train and holdout at equal size."""

    train: np.ndarray  # (P,) float: share of subsamples where it succeeded (0/1 without)
    holdout: np.ndarray
    train_all_rows: np.ndarray  # success on all training rows (not size-matched; informative)
    size: int
    repeats: int
    subsampled: str  # "train", "holdout" or "none"


def equal_size_success(preds: Predicates, train: CodedTable, holdout: CodedTable,
                       repeats: int, rng: np.random.Generator) -> EqualSizeRates:
    """Success of each predicate on the holdout and on train at the holdout's size: the larger
    table is subsampled (without replacement) to the smaller one's size ``repeats`` times and
    its success averaged, so a dataset's size cannot make one side look safer."""
    n_p = len(preds)
    tp, tr = train.matches(preds)
    hp, hr = holdout.matches(preds)
    t_full = np.bincount(tp, minlength=n_p) == 1
    h_full = np.bincount(hp, minlength=n_p) == 1
    size = min(train.n, holdout.n)
    if train.n == holdout.n:
        return EqualSizeRates(t_full.astype(float), h_full.astype(float), t_full, size, 1,
                              "none")
    big_n, pairs = (train.n, (tp, tr)) if train.n > holdout.n else (holdout.n, (hp, hr))
    acc = np.zeros(n_p)
    for _ in range(repeats):
        keep = np.zeros(big_n)
        keep[rng.choice(big_n, size, replace=False)] = 1.0
        acc += np.bincount(pairs[0], weights=keep[pairs[1]], minlength=n_p) == 1
    acc /= repeats
    if train.n > holdout.n:
        return EqualSizeRates(acc, h_full.astype(float), t_full, size, repeats, "train")
    return EqualSizeRates(t_full.astype(float), acc, t_full, size, repeats, "holdout")


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _pts(x: float) -> str:
    return f"{100 * x + 0.0:.1f}"


def _pp(x: float) -> str:
    return f"{_pts(x)} percentage points"


# ---------------------------------------------------------------------------- the check


class SinglingOut(Attack):
    """WP29 singling out: predicates mined from the synthetic data that isolate exactly one
    synthetic row, tested on training vs holdout records at equal size.

    Two kinds of predicates, each requested ``max(config.singling_out_predicates,
    MIN_PREDICATES)`` times (the precision of the excess is set by the number of predicates,
    not by the data size; ``config.mode == "anonymeter"`` keeps Anonymeter's counts):

    * univariate: every numeric extreme ('at most the synthetic minimum', 'at least the
      maximum') and 'is missing' that isolates one synthetic row, topped up with a uniform
      sample of values occurring once in the synthetic data (any column type);
    * multivariate: a random synthetic row and 2-6 random columns; numeric 'at least' / 'at
      most' its value depending on whether it lies above the synthetic median, categorical
      equality, 'is missing' for a missing value. Kept when it matches that row only; at most
      ``max_tries_factor`` x requested candidates are tried, a shortfall is reported.

    A predicate succeeds on a dataset when it matches exactly one of its records. Success on the
    holdout uses all its rows; on train it is averaged over ``repeats`` seeded subsamples of
    the holdout's size (the holdout is subsampled instead when it is the larger).

    Sub-tests: one per kind that found predicates, ``SubTest(kind, k_t, P, k_h, P)`` with the
    (fractional, subsample-averaged) successes on train and holdout out of its P predicates;
    the estimand is the absolute excess ``r_T - r_H`` (unit: a predicate, not a person). The
    verdict decides from them (``stats.bounds.decide``); the check reports the worst kind's
    excess with its two-sided ``1 - alpha`` interval. Equal size dilutes a leak when train is
    the larger: copying every training record gives an excess near n_H / n_T, not 1. A
    random-predicate baseline (same shapes, values from the pooled real marginals) is
    evaluated identically as a sanity check; its excess should be near 0.

    ``config.mode == "anonymeter"``: Anonymeter's published Adult setup (500 univariate,
    100 multivariate predicates on exactly 4 columns); synthscan's equal-size comparison
    replaces Anonymeter's fitted size correction of the control rate.
    """

    id = "singling_out"
    name = "Singling out (WP29)"
    criterion = "singling_out"
    component = True
    needs_holdout = True
    thresholds = {"public-release": 0.05, "controlled-access": 0.1}
    data_driving = "holdout rows and predicates (predicates are compared at the holdout's size)"

    def __init__(self, repeats: int = 10, max_tries_factor: int = 100,
                 n_cols: tuple[int, int] = (2, 6), min_predicates: int = MIN_PREDICATES
                 ) -> None:
        self.repeats = int(repeats)
        self.max_tries_factor = int(max_tries_factor)
        self.n_cols = (int(n_cols[0]), int(n_cols[1]))
        self.min_predicates = int(min_predicates)

    def _setup(self, ctx: ScanContext) -> tuple[int, int, tuple[int, int]]:
        if ctx.config.mode == "anonymeter":
            return ANONYMETER_UNIVARIATE, ANONYMETER_MULTIVARIATE, (ANONYMETER_N_COLS,) * 2
        n = max(int(ctx.config.singling_out_predicates), self.min_predicates)
        return n, n, self.n_cols

    def run(self, ctx: ScanContext) -> CheckResult:
        if skip := self.too_small(ctx, ("train", "holdout", "synthetic")):
            return skip
        coded = CodedColumns.from_context(ctx)
        if not coded.names:
            return self.skip("needs at least 1 attackable column (none left after "
                             "identifiers and ignored columns)")
        synth = CodedTable(coded.ranks["synthetic"])
        train = CodedTable(coded.ranks["train"])
        holdout = CodedTable(coded.ranks["holdout"])
        n_uni, n_multi, n_cols = self._setup(ctx)
        kinds: dict[str, Mined] = {
            "univariate": mine_univariate(coded, synth, n_uni, ctx.rng("singling_out:uni"))}
        p = len(coded.names)
        if p >= 2:
            shape = (min(n_cols[0], p), min(n_cols[1], p))
            kinds["multivariate"] = mine_multivariate(
                coded, synth, n_multi, shape, self.max_tries_factor * n_multi,
                ctx.rng("singling_out:multi"))
        base_rng = ctx.rng("singling_out:baseline")
        sets = []
        for name, mined in kinds.items():
            sets.append((name, "attack", mined.preds))
            sets.append((name, "baseline", random_baseline(coded, mined.preds, base_rng)))
        sizes = [len(s[2]) for s in sets]
        if sum(sizes[0::2]) == 0:
            # vacuous: an attacker holding this release cannot write a predicate that isolates
            # one of its rows, so this attack has nothing to work on (the verdict counts it as
            # passed and the result says why)
            return self.skip(
                "no predicate isolating a single synthetic row was found (no value occurs once "
                f"and {kinds['multivariate'].tries if 'multivariate' in kinds else 0} random "
                "multi-column candidates each matched several synthetic rows): an attacker "
                "holding this release has no singling-out predicate to try", vacuous=True)
        allp = concat([s[2] for s in sets]).ordered_by(synth)
        rates = equal_size_success(allp, train, holdout, self.repeats,
                                   ctx.rng("singling_out:subsample"))
        alpha = ctx.config.alpha
        per_kind, tests = self._per_kind(sets, sizes, kinds, rates, alpha)
        worst = worst_test(tests, alpha)
        lower, upper = reporting_interval(worst, alpha)
        details = self._details(ctx, per_kind, worst, tests, rates, n_uni, alpha)
        summary = self._summary(per_kind, worst, lower, upper, rates, alpha, len(tests))
        counts = {"train_rows": ctx.n("train"), "holdout_rows": ctx.n("holdout"),
                  "synthetic_rows": ctx.n("synthetic"), "compared_size": rates.size,
                  "subsample_repeats": rates.repeats,
                  "predicates_evaluated": int(sum(t.n_t for t in tests))}
        for name, k in per_kind.items():
            counts[f"{name}_requested"] = k["requested"]
            counts[f"{name}_found"] = k["found"]
        return self.result(
            estimate=worst.estimate, lower=lower, upper=upper, summary=summary,
            counts=counts, details=details, tests=tests, unit="predicates",
            unit_total=int(worst.n_t))

    @staticmethod
    def _per_kind(sets: list[tuple[str, str, Predicates]], sizes: list[int],
                  kinds: dict[str, Mined], rates: EqualSizeRates, alpha: float
                  ) -> tuple[dict[str, dict], list[SubTest]]:
        """Per kind: its sub-test (when it found predicates) and descriptive figures, all on
        the absolute scale; the random baseline alongside."""
        bounds = np.cumsum([0] + sizes)
        per_kind: dict[str, dict] = {}
        tests: list[SubTest] = []
        for i, (name, role, preds) in enumerate(sets):
            sl = slice(bounds[i], bounds[i + 1])
            n_p = len(preds)
            k_t = min(float(rates.train[sl].sum()), float(n_p))
            k_h = min(float(rates.holdout[sl].sum()), float(n_p))
            entry: dict = {"predicates": n_p, "train_successes": round(k_t, 6),
                           "holdout_successes": round(k_h, 6), "train_rate": None,
                           "holdout_rate": None, "excess": None, "interval": None}
            if n_p:
                label = name if role == "attack" else f"{name} (random baseline)"
                test = SubTest(label, k_t, n_p, k_h, n_p)
                entry.update({"train_rate": test.rate_t, "holdout_rate": test.rate_h,
                              "excess": test.estimate,
                              "interval": list(reporting_interval(test, alpha))})
            if role == "baseline":
                per_kind[name]["random_baseline"] = entry
                continue
            mined = kinds[name]
            entry.update({
                "requested": mined.requested, "found": n_p, "candidates_tried": mined.tries,
                "shortfall": mined.requested - n_p,
                "train_rate_all_rows": float(rates.train_all_rows[sl].mean()) if n_p else None,
                "composition": mined.shapes,
            })
            if n_p:
                tests.append(test)
                entry["upper_bound"] = excess_upper(test, alpha)
                entry["certifiable"] = null_upper(test, alpha)
                entry["room"] = 1.0 - test.rate_h
            per_kind[name] = entry
        return per_kind, tests

    @staticmethod
    def _details(ctx: ScanContext, per_kind: dict[str, dict], worst: SubTest,
                 tests: list[SubTest], rates: EqualSizeRates, requested: int,
                 alpha: float) -> dict:
        conf = f"{1 - alpha:.0%}"
        details: dict = {
            "kinds": per_kind,
            "worst_kind": worst.label,
            "scale": ("absolute excess r_T - r_H: the share of predicates that single out "
                      "exactly one training record minus the share that single out exactly "
                      "one holdout record; the unit is a predicate, not a person"),
            "intervals": (f"'interval': two-sided {conf} (one-sided Clopper–Pearson MOVER "
                          f"limits at alpha / 2); 'upper_bound': one-sided {conf}, what the "
                          "verdict reads; 'certifiable': the upper bound with no leak; "
                          "'room' (1 - r_H) is context only"),
            "sub_tests": len(tests),
            "predicates_per_kind": {
                "requested": requested, "configured": ctx.config.singling_out_predicates,
                "minimum": None if ctx.config.mode == "anonymeter" else MIN_PREDICATES},
            "equal_size": {"size": rates.size, "subsampled": rates.subsampled,
                           "repeats": rates.repeats,
                           "note": "success on the larger of train / holdout is averaged over "
                                   "random subsamples of the smaller one's size"},
            "success": "a predicate succeeds on a dataset when it matches exactly one record",
            "dilution_note": ("when train is larger than the holdout, a predicate isolating a "
                              "copied training record succeeds only in subsamples containing "
                              "it: full copying scores an excess of about n_holdout / n_train, "
                              "not 1"),
            "mode": ctx.config.mode,
        }
        few = [f"{name}: {k['found']} of {k['requested']} requested"
               for name, k in per_kind.items()
               if k["found"] < min(k["requested"], MIN_PREDICATES)]
        if few:
            details["precision_note"] = (
                f"too few predicates were found ({'; '.join(few)}): the bounds are wider "
                f"than with {MIN_PREDICATES} per kind, so a small excess may not be "
                "certifiable (see each kind's 'certifiable')")
        if ctx.config.mode == "anonymeter":
            details["anonymeter"] = {
                "setup": "Anonymeter's published Adult setup: 500 univariate attacks, 100 "
                         "multivariate attacks on 4 columns (its defaults: 500 attacks, 3 "
                         "columns)",
                "differences": "Anonymeter corrects the control success for dataset size with "
                               "a fitted model and reports (r_T - r_H) / (1 - r_H); synthscan "
                               "compares at equal size by subsampling and reports r_T - r_H. "
                               "Anonymeter drops duplicate rows first; synthscan does not "
                               "(identical records cannot be singled out). Multivariate "
                               "predicates use distance columns only.",
            }
        return details

    @staticmethod
    def _summary(per_kind: dict, worst: SubTest, lower: float, upper: float,
                 rates: EqualSizeRates, alpha: float, m: int) -> str:
        conf = f"{1 - alpha:.0%}"
        wk = per_kind[worst.label]
        sub = (f"; the {rates.subsampled} side averaged over {rates.repeats} random subsamples"
               if rates.subsampled != "none" else "")
        text = (
            "Singling out: rules written from the synthetic data, each describing exactly one "
            "synthetic row, are tried on training records and on holdout records the generator "
            f"never saw, compared on {rates.size} records each{sub}. In the worse of {m} kind(s) "
            f"of rules ({_kind_label(worst.label, wk)}), {_pct(worst.rate_t)} of "
            f"{wk['found']} rules single out exactly one training record "
            f"({worst.k_t:.1f} rules) against {_pct(worst.rate_h)} for holdout records "
            f"({worst.k_h:.1f}): an excess of {_pp(worst.estimate)} ({conf} interval "
            f"{_pts(lower)} to {_pp(upper)}). The unit is a rule, not a person. ")
        parts = []
        for name, k in per_kind.items():
            label = _kind_label(name, k)
            if not k["predicates"]:
                parts.append(f"{label}: none of {k['requested']} requested could be found")
                continue
            lo, hi = k["interval"]
            parts.append(
                f"{label} ({k['found']} of {k['requested']} requested found): "
                f"{_pct(k['train_rate'])} training vs {_pct(k['holdout_rate'])} holdout, "
                f"excess {_pp(k['excess'])} ({conf} interval {_pts(lo)} to {_pp(hi)})")
        text += "Per kind: " + "; ".join(parts) + ". "
        short = [_kind_label(n, k) for n, k in per_kind.items() if k["shortfall"] > 0]
        if short:
            text += (f"Fewer rules than requested could be found ({', '.join(short)}): the "
                     "estimate rests on fewer attacks, as its interval shows. ")
        base = ", ".join(_pp(k["random_baseline"]["excess"])
                         for k in per_kind.values() if k["predicates"])
        text += (f"Rules of the same shapes with values drawn from the real data instead: excess "
                 f"{base} (a sanity check, expected near 0). A low figure means this attack "
                 "found no excess, not that the data is anonymous.")
        return text


def _kind_label(name: str, k: dict) -> str:
    if name == "univariate":
        return "one-column rules (rare values, extremes)"
    lo, hi = k["composition"]["columns_per_predicate"]
    return f"rules on {lo} columns" if lo == hi else f"rules on {lo}–{hi} columns"
