"""Mining singling-out predicates from the synthetic data, and the random baseline.

What an attacker holding only the synthetic release can write: predicates that each match
exactly one synthetic row. Univariate ones are read off the value counts; multivariate ones are
drawn from random rows on random column subsets and kept when they isolate their row. The
baseline has the same shapes with values drawn from the real data instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..context import subset
from .predicates import Predicates, concat, same_shapes, terms_for_values
from .tables import MISSING, TOP, CodedColumns, CodedTable


@dataclass
class Mined:
    """Predicates isolating one synthetic row, and how they were found."""

    preds: Predicates
    requested: int
    tries: int
    shapes: dict[str, int | list[int]]


def mine_univariate(coded: CodedColumns, synth: CodedTable, requested: int,
                    rng: np.random.Generator) -> Mined:
    """Single-column predicates matching exactly one synthetic row: every extreme ('at most the
    minimum', 'at least the maximum' of a numeric column) and 'is missing' that does, then a
    uniform sample of values occurring once (any column type, as in Anonymeter)."""
    strong: list[tuple[int, int, int]] = []  # (column, lo, hi)
    rare_c, rare_v = [], []
    for j in range(synth.p):
        values, counts = np.unique(synth.sorted[j], return_counts=True)
        present = values >= 0
        if values[0] == MISSING and counts[0] == 1:
            strong.append((j, MISSING, MISSING))
        once = values[present & (counts == 1)]
        rare_c.append(np.full(len(once), j))
        rare_v.append(once)
        if coded.numeric[j] and present.sum() > 1:
            pv, pc = values[present], counts[present]
            if pc[0] == 1:
                strong.append((j, 0, int(pv[0])))
            if pc[-1] == 1:
                strong.append((j, int(pv[-1]), TOP))
    rc = np.concatenate(rare_c) if rare_c else np.zeros(0, np.int64)
    rv = np.concatenate(rare_v) if rare_v else np.zeros(0, np.int64)
    n_strong = min(len(strong), requested)
    pick_strong = np.sort(rng.permutation(len(strong))[:n_strong]).astype(np.int64)
    n_rare = min(len(rc), requested - n_strong)
    pick_rare = np.sort(rng.choice(len(rc), n_rare, replace=False)) if n_rare else \
        np.zeros(0, np.int64)
    terms = np.asarray(strong, np.int64).reshape(-1, 3)[pick_strong]
    col = np.concatenate([terms[:, 0], rc[pick_rare]])
    lo = np.concatenate([terms[:, 1], rv[pick_rare]])
    hi = np.concatenate([terms[:, 2], rv[pick_rare]])
    preds = Predicates(col[:, None].astype(np.int64), lo[:, None].astype(np.int32),
                       hi[:, None].astype(np.int32))
    return Mined(preds, requested, len(strong) + len(rc),
                 {"extremes_and_missing": int(n_strong), "values_occurring_once": int(n_rare)})


#: from this many columns, a shape's columns are drawn one by one instead of by ranking a row
#: of random keys per predicate (an (n, p) sort: 8 s for 50,000 candidates over 3,000 columns)
WIDE = 64


def random_shapes(coded: CodedColumns, n: int, n_cols: tuple[int, int],
                  rng: np.random.Generator) -> np.ndarray:
    """(n, max columns) random distinct column indices in random order, -1 beyond each
    predicate's size."""
    p = len(coded.names)
    lo_c, hi_c = min(n_cols[0], p), min(n_cols[1], p)
    width = hi_c
    k = rng.integers(lo_c, hi_c + 1, size=n)
    if p < WIDE:
        cols = np.argsort(rng.random((n, p)), axis=1)[:, :width].astype(np.int64)
    else:
        cols = _distinct_draws(n, p, width, rng)
    cols[np.arange(width)[None, :] >= k[:, None]] = -1
    return cols


def _distinct_draws(n: int, p: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """(n, width) column indices, each row ``width`` distinct draws from ``range(p)`` in the
    order drawn (sampling without replacement: a draw equal to an earlier one in its row is
    drawn again)."""
    cols = np.empty((n, width), dtype=np.int64)
    for j in range(width):
        c = rng.integers(0, p, size=n)
        again = (cols[:, :j] == c[:, None]).any(axis=1)
        while again.any():
            c[again] = rng.integers(0, p, size=int(again.sum()))
            again = (cols[:, :j] == c[:, None]).any(axis=1)
        cols[:, j] = c
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


def screen_sizes(n: int) -> list[int]:
    """Sizes of the screening subsets of a table of ``n`` rows: 256 rows, then eight times more
    at each step while below a quarter of the table, and that quarter last (none for a table
    under 1,024 rows). Starting at a fixed 256 rows matters: a broad candidate matches tens of
    rows of even a 1/32 subset, and those matches are what a screen costs."""
    quarter = n // 4
    sizes = []
    m = 256
    while m < quarter:
        sizes.append(m)
        m *= 8
    if quarter >= 256:
        sizes.append(quarter)
    return sizes


def _screens(synth: CodedTable, rng: np.random.Generator
             ) -> list[tuple[CodedTable, np.ndarray]]:
    """Random subsets of the synthetic rows (``screen_sizes``) used to reject, cheaply and
    exactly, candidates matching a second row: a match in a subset is a match. Each screen
    costs a candidate about its share of a full match, so the common candidates die where they
    are cheap."""
    out = []
    for m in screen_sizes(synth.n):
        rows = subset(rng, synth.n, m)
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
    c = np.where(like.col >= 0, like.col, 0)
    return same_shapes(like, pooled[c, rng.integers(0, pooled.shape[1], size=c.shape)])
