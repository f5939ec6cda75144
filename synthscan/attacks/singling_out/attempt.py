"""The singling-out attack's computation as one job: mine the predicates, draw their random
baseline, evaluate both on train and holdout at equal size.

Pure array work on the rank-coded tables (no FAISS, no model), single-threaded: a scan sends it
to its worker process (``background``) so that it runs beside the neighbour searches. The
random streams travel with the job, so the answer is the same wherever it is computed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .mining import Mined, mine_multivariate, mine_univariate, random_baseline
from .predicates import Predicates, concat
from .success import EqualSizeRates, equal_size_success
from .tables import CodedColumns, CodedTable

#: (kind, "attack" or "baseline", predicates) in evaluation order
PredicateSet = tuple[str, str, Predicates]


@dataclass
class Attempt:
    """What the attack found: the mined predicates per kind, every set evaluated (attack and
    baseline per kind) and their success at equal size (None when nothing was mined)."""

    kinds: dict[str, Mined]
    sets: list[PredicateSet]
    rates: EqualSizeRates | None


@dataclass(frozen=True)
class SinglingOutJob:
    """One scan's singling-out attack (a ``background.Job``).

    ``requested`` = predicates per kind (univariate, multivariate); ``n_cols`` = columns per
    multivariate predicate; ``streams`` = the scan's random generators by use: "uni",
    "multi", "baseline" and "subsample".
    """

    coded: CodedColumns
    requested: tuple[int, int]
    n_cols: tuple[int, int]
    max_tries_factor: int
    repeats: int
    streams: dict[str, np.random.Generator]

    @property
    def rows(self) -> int:
        """Records over the three tables (what sizes the work)."""
        return int(sum(r.shape[1] for r in self.coded.ranks.values()))

    def run(self) -> Attempt:
        coded = self.coded
        synth = CodedTable(coded.ranks["synthetic"])
        n_uni, n_multi = self.requested
        kinds = {"univariate": mine_univariate(coded, synth, n_uni, self.streams["uni"])}
        p = len(coded.names)
        if p >= 2:
            shape = (min(self.n_cols[0], p), min(self.n_cols[1], p))
            kinds["multivariate"] = mine_multivariate(
                coded, synth, n_multi, shape, self.max_tries_factor * n_multi,
                self.streams["multi"])
        sets: list[PredicateSet] = []
        for name, mined in kinds.items():
            sets.append((name, "attack", mined.preds))
            sets.append((name, "baseline",
                         random_baseline(coded, mined.preds, self.streams["baseline"])))
        if not any(len(preds) for _, role, preds in sets if role == "attack"):
            return Attempt(kinds, sets, None)
        rates = equal_size_success(concat([s[2] for s in sets]).ordered_by(synth),
                                   CodedTable(coded.ranks["train"]),
                                   CodedTable(coded.ranks["holdout"]), self.repeats,
                                   self.streams["subsample"])
        return Attempt(kinds, sets, rates)
