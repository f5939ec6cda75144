"""The checks a scan runs, in order. Adding a check = one module + one line here.

Each check class declares ``component`` (does it enter the risk score?) and ``needs_holdout``
(True: runs only with a holdout; False: only without one, as its fallback; None: always).
"""

from __future__ import annotations

from ..errors import ConfigError
from .base import Check, CheckResult, ScanContext
from .closeness import Closeness
from .copies import ExactCopies, Verbatim
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
    Verbatim,
    Closeness,
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


def planned_components(has_holdout: bool, only: list[str] | None = None) -> list[str]:
    """The risk components this scan sets out to decide: every selected component except the
    no-holdout fallbacks when a holdout is given. One that cannot run (e.g. needs a holdout
    that is missing) stays planned and so keeps the verdict from ``low``."""
    return [cls.id for cls in selected(only) if getattr(cls, "component", False)
            and not (has_holdout and getattr(cls, "needs_holdout", None) is False)]


def detectors(has_holdout: bool, only: list[str] | None = None) -> list[str]:
    """Detection-only checks: they can raise ``high`` (and so join the Bonferroni family) but
    never gate ``low``."""
    return [cls.id for cls in selected(only) if getattr(cls, "detection_only", False)
            and applicable(cls, has_holdout)]


def family_size(has_holdout: bool, only: list[str] | None = None) -> int:
    """The Bonferroni family for ``high``: planned components and detection-only checks."""
    return len(planned_components(has_holdout, only)) + len(detectors(has_holdout, only))


__all__ = ["Check", "CheckResult", "ScanContext", "default_checks", "detectors",
           "family_size", "planned_components"]
