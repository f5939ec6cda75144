"""The attacks (checks): one module each, a shared ``Attack`` interface and a registry.

Adding a check = one module with an ``Attack`` subclass + one line in ``registry.CHECKS``.
"""

from __future__ import annotations

from .base import Attack
from .context import ScanContext
from .registry import (
    CHECKS,
    applicable,
    check_ids,
    default_checks,
    detectors,
    family_size,
    planned_components,
    preconditions,
    register,
    selected,
    unregister,
)

__all__ = ["Attack", "CHECKS", "ScanContext", "applicable", "check_ids", "default_checks",
           "detectors", "family_size", "planned_components", "preconditions", "register",
           "selected",
           "unregister"]
