"""Inference of a column's role when no one declared it.

Each table's column gets a *kind* from its dtype and values (``detect_kind``); the kinds of all
tables are reconciled into one role (``align.reconcile``). The real data then decides whether a
numeric or categorical column is really an identifier (unique integers with an id-like name,
a row number, nearly all-distinct text) and which notes a column gets (all missing, constant,
numbers except for an undeclared missing-value marker).

Every decision here reads mergeable statistics (``colstats``), never the values themselves, so
that a table described whole (a local scan) and one described partition by partition on a
cluster (``dask_backend.schema``) get the same roles and notes. The questions are asked in two
rounds: ``real_facts`` for every column, then — only for the columns that ``wants_numbers`` or
``wants_distinct`` names — the number facts and the exact distinct count.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..types import Table
from .align import reconcile
from .colstats import (
    Ask,
    Kind,
    NumberFacts,
    RealFacts,
    decide_kind,
    distinct_count,
    kind_evidence,
    merge_facts,
    merge_numbers,
    number_facts,
    present_values,
    real_facts,
)

__all__ = ["BIGINT_NOTE", "Kind", "ask", "data_note", "describe_pieces", "detect_kind",
           "infer_role", "is_numeric", "refine", "refine_inferred", "settle", "settle_pieces",
           "wants_distinct", "wants_numbers"]

_ID_NAME = re.compile(r"(^|[^a-z0-9])(id|uuid|guid|key|pk|ssn|index|idx)$|^id([^a-z]|$)", re.I)
BIGINT_NOTE = "integers too large for exact arithmetic: compared as codes"
#: at least this many real values before a column can be an identifier, or get the hint
_MIN_ID_ROWS = 20
_MIN_HINT_ROWS = 10


def detect_kind(s: pd.Series) -> Kind:
    """Kind of one table's column: empty, boolean, numeric, datetime, categorical or nested.

    Integer columns too large for exact float64 arithmetic are "bigint" (treated as codes).
    """
    return decide_kind(kind_evidence(s))


def infer_role(column: str, kinds: Mapping[Table, Kind],
               names: Mapping[Table, str]) -> tuple[str, str]:
    """The role the tables' kinds agree on, and a note ("" or why big integers are codes)."""
    role = reconcile(column, kinds, names)
    if role == "bigint":
        return "categorical", BIGINT_NOTE
    return role, ""


def is_numeric(role: str) -> bool:
    """Whether a role's converted values are float64 (else object text)."""
    return role in ("numeric", "datetime")


def ask(role: str, source: str, note: str) -> Ask:
    """The optional real-data statistics a column with this role, source and note needs."""
    inferred = source == "inferred"
    return Ask(ident=inferred and role in ("numeric", "categorical"),
               head=inferred and role == "categorical" and not note)


def wants_numbers(role: str, source: str, note: str, facts: RealFacts) -> bool:
    """Whether the mostly-numbers hint needs the number facts: an inferred text column of at
    least ten real values whose first values are at least half numbers (the cheap look at the
    first values spares long text columns)."""
    if source != "inferred" or role != "categorical" or note or \
            facts.present < _MIN_HINT_ROWS:
        return False
    head = pd.Series(list(facts.head), dtype=object)
    return not pd.to_numeric(head, errors="coerce").notna().mean() < 0.5


def wants_distinct(role: str, source: str, facts: RealFacts) -> bool:
    """Whether the identifier question needs the exact distinct count: whole numbers that
    repeat within no piece, or text whose pieces' distinct counts could reach 95%."""
    if source != "inferred" or facts.present < _MIN_ID_ROWS:
        return False
    if role == "numeric":
        return facts.whole and not facts.repeats
    return role == "categorical" and facts.distinct_sum >= 0.95 * facts.present


def _identifier_reason(name: str, role: str, facts: RealFacts,
                       distinct: int | None) -> str | None:
    """Reason to treat a column as an identifier, or None."""
    n = facts.present
    if n < _MIN_ID_ROWS or distinct is None:
        return None  # (not asked: a repeat within a piece, too few distinct values, ...)
    if role == "numeric":
        if not facts.whole or distinct < n:
            return None  # ids are unique integers
        if _ID_NAME.search(name):
            return "unique integers with an id-like name"
        if facts.vmax - facts.vmin + 1 <= 2 * n:
            return "unique, nearly consecutive integers (a row number)"
        return None
    if distinct >= 0.95 * n:
        return f"{distinct} distinct values in {n} real rows (an id or free text)"
    return None


def _numbers_hint(facts: RealFacts, numbers: NumberFacts | None) -> str:
    """A hint for a text column that is numbers except for a few markers (\"?\", \"-\", ...):
    usually a numeric column whose missing-value marker was not declared."""
    if numbers is None:
        return ""
    n_markers = len(numbers.markers)
    if numbers.numbers / facts.present >= 0.9 and 0 < n_markers <= 3:
        return (f"numbers except for {n_markers} distinct text value(s); if they mean "
                "'missing', declare them as missing_tokens (--missing-token on the command "
                "line) and the column becomes numeric")
    return ""


def refine(name: str, role: str, note: str, facts: RealFacts, numbers: NumberFacts | None,
           distinct: int | None) -> tuple[str, str]:
    """An inferred role and note after a look at the real data: a text column gets the
    undeclared-marker hint, a unique one becomes an identifier (``numbers`` and ``distinct``:
    None when ``wants_numbers`` / ``wants_distinct`` did not ask for them)."""
    if role == "categorical" and not note:
        note = _numbers_hint(facts, numbers)
    if role in ("numeric", "categorical"):
        reason = _identifier_reason(name, role, facts, distinct)
        if reason:
            return "identifier", "; ".join(n for n in (f"inferred identifier: {reason}", note)
                                           if n)
    return role, note


def data_note(role: str, facts: RealFacts) -> str:
    """Note on a column that carries no information in the real data."""
    if facts.present == 0:
        return "all values missing in the real data"
    if facts.present < facts.rows:
        return ""
    constant = facts.vmin == facts.vmax if is_numeric(role) else len(facts.few) == 1
    return "constant in the real data" if constant else ""


def settle(name: str, role: str, source: str, note: str, facts: RealFacts,
           numbers: NumberFacts | None, distinct: int | None) -> tuple[str, str]:
    """A column's final role and note: inferred roles refined, then the data note."""
    if source == "inferred":
        role, note = refine(name, role, note, facts, numbers, distinct)
    if role != "identifier" and not note:
        note = data_note(role, facts)
    return role, note


def describe_pieces(role: str, source: str, note: str, pieces: Sequence[np.ndarray]
                    ) -> tuple[RealFacts, NumberFacts | None, int | None]:
    """The statistics ``settle`` reads, of converted real values held here piece by piece in
    row order (train, then holdout); a cluster merges the same statistics of its partitions."""
    numeric = is_numeric(role)
    wanted = ask(role, source, note)
    facts = merge_facts(*[real_facts(p, numeric, wanted) for p in pieces])
    numbers = (merge_numbers(*[number_facts(p) for p in pieces])
               if wants_numbers(role, source, note, facts) else None)
    distinct = (distinct_count([present_values(p, numeric) for p in pieces], numeric)
                if wants_distinct(role, source, facts) else None)
    return facts, numbers, distinct


def settle_pieces(name: str, role: str, source: str, note: str,
                  pieces: Sequence[np.ndarray]) -> tuple[str, str]:
    """``settle`` on converted real values held here (``describe_pieces``)."""
    return settle(name, role, source, note, *describe_pieces(role, source, note, pieces))


def refine_inferred(name: str, role: str, note: str, pooled: np.ndarray) -> tuple[str, str]:
    """``refine`` of an inferred role on the pooled real values (converted) held here."""
    return refine(name, role, note, *describe_pieces(role, "inferred", note, [pooled]))
