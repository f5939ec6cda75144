"""The checks a scan runs, in order, and the plan derived from them.

Adding a check is one module (a subclass of ``Attack``) and one line in ``CHECKS`` below; its
policy thresholds are registered from the class. ``register`` adds a plug-in at run time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .. import canaries as _canaries
from ..errors import ConfigError
from ..risk.policy import register_component, unregister_component
from .base import Attack
from .closeness import Closeness
from .copies import ExactCopies, Verbatim
from .copying import DataCopying, NearestNeighbourDistanceRatio
from .distance import DistanceNoHoldout, NearestRecordShare
from .holdout_validity import HoldoutValidity
from .identifier_replay import IdentifierReplay
from .inference import AttributeInference
from .linkability import Linkability
from .membership import MembershipInference
from .singling_out import SinglingOut

CHECKS: list[type[Attack]] = [
    HoldoutValidity,
    ExactCopies,
    Verbatim,
    IdentifierReplay,
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


def _declare(cls: type[Attack]) -> None:
    if cls.component or cls.detection_only:
        register_component(cls.id, cls.thresholds, cls.high_thresholds, cls.data_driving)


def register(cls: type[Attack]) -> type[Attack]:
    """Add a check (a plug-in) after the built-in ones; usable as a class decorator."""
    if any(c.id == cls.id for c in CHECKS):
        raise ValueError(f"a check with id {cls.id!r} is already registered")
    _declare(cls)
    CHECKS.append(cls)
    return cls


def unregister(check_id: str) -> None:
    """Remove a registered check (the inverse of ``register``)."""
    CHECKS[:] = [c for c in CHECKS if c.id != check_id]
    unregister_component(check_id)


for _cls in CHECKS:
    _declare(_cls)

# planted canaries: a detection-only check run only when a canary manifest is given (not in
# CHECKS, so that other scans' families do not grow); its thresholds are policy like any other
register_component(_canaries.CANARY_ID, _canaries.THRESHOLDS, _canaries.HIGH_THRESHOLDS,
                   _canaries.DATA_DRIVING)


def check_ids() -> list[str]:
    return [cls.id for cls in CHECKS]


def applicable(cls: type[Attack], has_holdout: bool) -> bool:
    return cls.needs_holdout is None or cls.needs_holdout == has_holdout


def selected(only: Sequence[str] | None = None) -> list[type[Attack]]:
    """The check classes named in ``only`` (all when empty), in registry order."""
    if not only:
        return list(CHECKS)
    ids = check_ids()
    unknown = [c for c in only if c not in ids]
    if unknown:
        raise ConfigError(f"checks: unknown check {unknown[0]!r} — known: {', '.join(ids)}",
                          key="checks")
    return [cls for cls in CHECKS if cls.id in only]


def instantiate(cls: type[Attack], params: Mapping[str, Any] | None = None) -> Attack:
    """``cls(**params)``; an unknown or invalid knob is a ``ConfigError`` naming
    ``checks.<id>.<knob>``."""
    params = dict(params or {})
    known = cls.param_names()
    for key in params:
        if key not in known:
            hint = f"known: {', '.join(known)}" if known else "this check takes no settings"
            raise ConfigError(f"checks.{cls.id}.{key}: unknown setting — {hint}",
                              key=f"checks.{cls.id}.{key}")
    return cls(**params)


def default_checks(has_holdout: bool, only: Sequence[str] | None = None,
                   params: Mapping[str, Mapping[str, Any]] | None = None) -> list[Attack]:
    """The checks to run, given whether a holdout exists, the selection and each check's
    settings (``params[id]``). A check that needs a missing holdout is kept: the pipeline
    reports it as skipped."""
    params = params or {}
    unknown = [k for k in params if k not in check_ids()]
    if unknown:
        raise ConfigError(f"checks.{unknown[0]}: unknown check — known: "
                          f"{', '.join(check_ids())}", key=f"checks.{unknown[0]}")
    return [instantiate(cls, params.get(cls.id)) for cls in selected(only)
            if applicable(cls, has_holdout) or cls.needs_holdout is True]


def planned_components(has_holdout: bool, only: Sequence[str] | None = None) -> list[str]:
    """The risk components this scan sets out to decide: every selected component except the
    no-holdout fallbacks when a holdout is given. One that cannot run (e.g. needs a holdout
    that is missing) stays planned and so keeps the verdict from ``low``."""
    return [cls.id for cls in selected(only) if cls.component
            and not (has_holdout and cls.needs_holdout is False)]


def detectors(has_holdout: bool, only: Sequence[str] | None = None) -> list[str]:
    """Detection-only checks: they can raise ``high`` (and so join the Bonferroni family) but
    never gate ``low``."""
    return [cls.id for cls in selected(only) if cls.detection_only
            and applicable(cls, has_holdout)]


def preconditions(has_holdout: bool, only: Sequence[str] | None = None) -> list[str]:
    """Checks of the calibration's assumptions (holdout validity): a failed one keeps the
    verdict from ``low``, never makes it ``high``, and is not in the Bonferroni family."""
    return [cls.id for cls in selected(only) if cls.precondition
            and applicable(cls, has_holdout)]


def family_size(has_holdout: bool, only: Sequence[str] | None = None) -> int:
    """The Bonferroni family for ``high``: planned components and detection-only checks."""
    return len(planned_components(has_holdout, only)) + len(detectors(has_holdout, only))
