"""Singling out (WP29 Opinion 05/2014): can predicates mined from the synthetic data isolate
exactly one real training record, more often than one holdout record?

An attacker holding the synthetic release writes predicates ("the only person with column a equal
to this and column b at least that") that each match exactly one synthetic row. A predicate
*succeeds* on a dataset when it matches exactly one of its records. Learning the population makes
predicates succeed on training and holdout records alike; only leakage makes them succeed more on
training records. Both rates are measured at equal dataset size (no parametric size correction).

Predicates are evaluated as vectorised range checks on integer-coded columns (never as query
strings), so any column name works. Modules: ``tables`` (rank-coded tables, range lookups),
``predicates`` (the predicate algebra), ``mining`` (what the attacker writes, and the random
baseline), ``success`` (success at equal size), ``check`` (the check), ``summary`` (its sentence).
"""

from .check import MIN_PREDICATES, SinglingOut
from .mining import mine_multivariate, random_baseline
from .predicates import Predicates
from .tables import TOP, CodedColumns, CodedTable

__all__ = ["MIN_PREDICATES", "TOP", "CodedColumns", "CodedTable", "Predicates", "SinglingOut",
           "mine_multivariate", "random_baseline"]
