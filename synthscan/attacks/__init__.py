"""The checks a scan runs, in order. Adding a check = one module + one line here."""

from __future__ import annotations

from .base import Check, CheckResult, ScanContext
from .copies import ExactCopies, UniqueReproduction


def default_checks() -> list[Check]:
    return [ExactCopies(), UniqueReproduction()]


#: component checks that need a holdout (for the Bonferroni family size)
NEEDS_HOLDOUT = {"unique_reproduction"}
COMPONENTS = ("exact_copies", "unique_reproduction")

__all__ = ["Check", "CheckResult", "ScanContext", "default_checks", "COMPONENTS", "NEEDS_HOLDOUT"]
