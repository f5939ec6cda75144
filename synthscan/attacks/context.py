"""The scan context: everything checks share, computed once per scan."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from ..config import ScanConfig
from ..data.schema import Schema
from ..encoding.coded import CodedTables as CodedColumns
from ..encoding.coded import code_tables
from ..encoding.encoder import MixedEncoder
from ..encoding.hashing import CanonicalTables
from ..model import SplitVerification

T = TypeVar("T")

#: ``memo`` keys read by one step of one check only, computed through ``memo`` but not kept for
#: the rest of the scan: the gradient-boosting features of membership inference (float64,
#: every row of their tables x every column: ~0.5 GB at a million rows per table). A second
#: reader would get the same value, computed again.
NOT_KEPT = frozenset({"mia:features"})


def subset(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    """Row indices ``0..n-1``: all of them when ``size >= n``, else a sorted uniform sample of
    ``size`` without replacement drawn from ``rng``."""
    if size >= n:
        return np.arange(n)
    return np.sort(rng.choice(n, size, replace=False))


@dataclass
class ScanContext:
    """Everything checks share, computed once: aligned tables, encodings, neighbour indexes."""

    config: ScanConfig
    schema: Schema
    frames: dict[str, pd.DataFrame]
    names: dict[str, str]
    encoder: MixedEncoder
    encoded: dict[str, np.ndarray]
    #: the split manifest train and holdout were verified against, when one was given
    split_verification: SplitVerification | None = None
    #: the Dask client (``distributed.Client``) the scan runs on, or None for a local scan;
    #: checks hand their heavy steps to ``dask_backend`` when it is set
    client: Any = None

    def __post_init__(self) -> None:
        # every real record once: train and holdout rows in one array (``real_encoded``, what
        # the searches over train ∪ holdout read), the tables' own entries views of it
        t, h = self.encoded.get("train"), self.encoded.get("holdout")
        if (isinstance(t, np.ndarray) and isinstance(h, np.ndarray) and t.ndim == h.ndim == 2
                and t.dtype == h.dtype and t.shape[1] == h.shape[1]):
            real = np.concatenate([t, h])
            self.encoded["train"], self.encoded["holdout"] = real[:len(t)], real[len(t):]
            self.__dict__["real_encoded"] = real

    @cached_property
    def real_encoded(self) -> np.ndarray:
        """Encoded train rows followed by encoded holdout rows, one array (with a holdout, the
        tables' entries in ``encoded`` are views of it)."""
        parts = [self.encoded[r] for r in ("train", "holdout") if r in self.encoded]
        return parts[0] if len(parts) == 1 else np.vstack(parts)

    @property
    def has_holdout(self) -> bool:
        return "holdout" in self.frames

    def n(self, role: str) -> int:
        return len(self.frames[role]) if role in self.frames else 0

    def rng(self, name: str) -> np.random.Generator:
        """A generator private to one named use, derived from the scan seed: adding or
        reordering checks never changes another check's random draws."""
        digest = hashlib.sha256(f"{self.config.seed}:{name}".encode()).digest()
        return np.random.default_rng(int.from_bytes(digest[:8], "little"))

    @cached_property
    def query_rows(self) -> np.ndarray:
        """Synthetic rows used as queries by distance statistics: all of them, or a uniform
        sample of ``config.max_query_rows`` when the release is larger. The real reference set is
        never sampled."""
        return self.subset("query-rows", self.n("synthetic"), self.config.max_query_rows)

    @property
    def queries_sampled(self) -> bool:
        return len(self.query_rows) < self.n("synthetic")

    def subset(self, name: str, n: int, size: int) -> np.ndarray:
        """All of ``0..n-1``, or a sorted uniform sample of ``size`` of them drawn from the
        stream ``name`` (see ``rng``)."""
        return subset(self.rng(name), n, size)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """Compute a shared intermediate (e.g. neighbour results) once per scan (a key in
        ``NOT_KEPT`` is computed for its caller and not kept)."""
        if key in NOT_KEPT:
            return compute()
        cache: dict[str, Any] = self.__dict__.setdefault("_memo", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]  # type: ignore[no-any-return]

    def forget(self, key: str) -> Any:
        """Drop a shared intermediate (``memo``) and return it (None when there was none)."""
        return self.__dict__.get("_memo", {}).pop(key, None)

    @cached_property
    def canon_data(self) -> CanonicalTables:
        """Canonical values over the non-identifier columns (what a copy of a person is)."""
        return self._canonical([c.name for c in self.schema.distance_columns])

    @cached_property
    def canon_all(self) -> CanonicalTables:
        """Canonical values over every column, identifiers included."""
        return self._canonical(self.schema.names)

    def _canonical(self, columns: list[str]) -> CanonicalTables:
        """``CanonicalTables.from_coded(self.coded, columns)``, each column's arrays made once
        and shared by every column set that holds the column (``canon_data`` and
        ``canon_all`` would otherwise each hold a float64 copy of every distance column)."""
        made: dict[str, dict[str, np.ndarray]] = self.__dict__.setdefault("_canonical_columns", {})
        for c in columns:
            if c not in made:
                one = CanonicalTables.from_coded(self.coded, [c])
                made[c] = {t: arrays[0] for t, arrays in one.tables.items()}
        return CanonicalTables(list(columns), {t: [made[c][t] for c in columns]
                                               for t in self.coded.tables})

    @cached_property
    def coded(self) -> CodedColumns:
        """Every column of every table coded once on its pooled sorted levels (see
        ``encoding.coded``): the one categorical coding the checks share."""
        numeric = {c.name for c in self.schema.columns if c.is_numeric}
        return code_tables(self.frames, self.schema.names, numeric)
