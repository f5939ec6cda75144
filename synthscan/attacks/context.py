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
        """Compute a shared intermediate (e.g. neighbour results) once per scan."""
        cache: dict[str, Any] = self.__dict__.setdefault("_memo", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]  # type: ignore[no-any-return]

    @cached_property
    def canon_data(self) -> CanonicalTables:
        """Canonical values over the non-identifier columns (what a copy of a person is)."""
        return CanonicalTables.from_coded(self.coded,
                                          [c.name for c in self.schema.distance_columns])

    @cached_property
    def canon_all(self) -> CanonicalTables:
        """Canonical values over every column, identifiers included."""
        return CanonicalTables.from_coded(self.coded, self.schema.names)

    @cached_property
    def coded(self) -> CodedColumns:
        """Every column of every table coded once on its pooled sorted levels (see
        ``encoding.coded``): the one categorical coding the checks share."""
        numeric = {c.name for c in self.schema.columns if c.is_numeric}
        return code_tables(self.frames, self.schema.names, numeric)
