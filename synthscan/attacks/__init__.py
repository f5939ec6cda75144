"""The checks a scan runs, in order. Adding a check = one module + one line here.

Each check class declares ``component`` (does it enter the risk score?) and ``needs_holdout``
(True: runs only with a holdout; False: only without one, as its fallback; None: always).
"""

from __future__ import annotations

from ..errors import ConfigError
from .base import Check, CheckResult, ScanContext
from .copies import ExactCopies, UniqueReproduction
from .distance import (
    DataCopying,
    DistanceNoHoldout,
    NearestNeighbourDistanceRatio,
    NearestRecordShare,
)
from .inference import AttributeInference
from .linkability import Linkability
from .membership import MembershipInference
from .singling_out import SinglingOut

CHECK_CLASSES: list[type] = [
    ExactCopies,
    UniqueReproduction,
    NearestRecordShare,
    DataCopying,
    NearestNeighbourDistanceRatio,
    DistanceNoHoldout,
    MembershipInference,
    SinglingOut,
    Linkability,
    AttributeInference,
]


CHECK_IDS = [cls.id for cls in CHECK_CLASSES]


def applicable(cls: type, has_holdout: bool) -> bool:
    need = getattr(cls, "needs_holdout", None)
    return need is None or need == has_holdout


def selected(only: list[str] | None = None) -> list[type]:
    """The check classes named in ``only`` (all when empty), in registry order."""
    if not only:
        return list(CHECK_CLASSES)
    unknown = [c for c in only if c not in CHECK_IDS]
    if unknown:
        raise ConfigError(f"checks: unknown check {unknown[0]!r} — known: {', '.join(CHECK_IDS)}")
    return [cls for cls in CHECK_CLASSES if cls.id in only]


def default_checks(has_holdout: bool, only: list[str] | None = None) -> list[Check]:
    """The checks to run, given whether a holdout exists (and the selection, if any)."""
    return [cls() for cls in selected(only)
            if applicable(cls, has_holdout) or getattr(cls, "needs_holdout", None) is True]


def family_size(has_holdout: bool, only: list[str] | None = None) -> int:
    """Number of risk components that will run: the Bonferroni family."""
    return sum(1 for cls in selected(only)
               if getattr(cls, "component", False) and applicable(cls, has_holdout))


__all__ = ["Check", "CheckResult", "ScanContext", "default_checks", "family_size"]
