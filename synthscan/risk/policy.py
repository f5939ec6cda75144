"""Policy: the risk threshold of each component, and presets. Thresholds are policy, not science.

Every component is on one scale: the excess share ``e = r_T - r_H`` of training data subjects
(records; predicates for singling out) for whom an event happens beyond what holdout records
show. A component *passes* (can be certified) when its upper bound is below θ, and *fails*
when its family-adjusted lower bound exceeds its ``high`` threshold — θ itself, except where a
preset is stricter: in the public-release preset any confirmed excess of verbatim reproduced
unique records fails. docs/policy.md tabulates the sizes each threshold needs.

The thresholds are declared by the checks; the registry of checks registers them here and is
imported on first use of a ``Policy`` (not at import: that would load the whole scan stack).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from ..errors import ConfigError

#: the presets: public-release (data meant for open publication) is strict,
#: controlled-access (shared under contract with vetted parties) looser
PRESET_NAMES = ("public-release", "controlled-access")
#: preset -> component -> θ, filled from the checks' declarations (``register_component``)
PRESETS: dict[str, dict[str, float]] = {p: {} for p in PRESET_NAMES}
#: preset -> component -> the threshold for ``high`` where a preset is stricter than its θ
#: (elsewhere θ itself): in a public release any confirmed verbatim reproduction fails
HIGH_PRESETS: dict[str, dict[str, float]] = {p: {} for p in PRESET_NAMES}
#: component -> which rows drive its precision (what "more data" means for it)
DATA_DRIVING: dict[str, str] = {}
DEFAULT_PRESET = "public-release"
FAIL_ON = ("high", "inconclusive", "never")


def register_component(component: str, thresholds: Mapping[str, float],
                       high: Mapping[str, float] | None = None,
                       data_driving: str = "real and synthetic rows") -> None:
    """Declare a component's θ per preset (every preset), and stricter ``high`` thresholds."""
    missing = [p for p in PRESET_NAMES if p not in thresholds]
    if missing:
        raise ValueError(f"component {component!r} declares no threshold for preset "
                         f"{missing[0]!r}: set thresholds = {{preset: theta}} on its class")
    for preset in PRESET_NAMES:
        PRESETS[preset][component] = float(thresholds[preset])
        if high and preset in high:
            HIGH_PRESETS[preset][component] = float(high[preset])
    DATA_DRIVING[component] = data_driving


def load_checks() -> None:
    """Import the registry of checks, which registers every built-in component's thresholds
    here; a ``Policy`` calls it first so that it knows every component whatever the user
    imported. Imported here, not at the top: the registry imports this module."""
    import_module("synthscan.attacks.registry")


def unregister_component(component: str) -> None:
    for table in (*PRESETS.values(), *HIGH_PRESETS.values()):
        table.pop(component, None)
    DATA_DRIVING.pop(component, None)


@dataclass
class Policy:
    """Resolved thresholds per component and the verdict that fails a pipeline.

    ``thresholds`` (and ``high_thresholds``) given to the constructor are set on top of the
    preset's; after construction both hold the resolved tables. A θ the user sets applies to
    both directions, so its high threshold is θ too unless one is given. Resolving resolved
    tables changes nothing, so ``dataclasses.replace`` of a policy keeps them.
    """

    preset: str = DEFAULT_PRESET
    thresholds: dict[str, float] = field(default_factory=dict)
    fail_on: str = "high"
    high_thresholds: dict[str, float] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        load_checks()
        if self.preset not in PRESETS:
            raise ConfigError(f"policy.preset: unknown preset {self.preset!r} — use one of "
                              f"{', '.join(PRESETS)}", key="policy.preset")
        if self.fail_on not in FAIL_ON:
            raise ConfigError(f"policy.fail_on: must be one of {', '.join(FAIL_ON)}",
                              key="policy.fail_on")
        given, given_high = self.thresholds, self.high_thresholds
        merged = dict(PRESETS[self.preset])
        for key, value in given.items():
            _check_entry("thresholds", key, value, merged, closed=False)
            merged[key] = float(value)
        for key, value in given_high.items():
            _check_entry("high_thresholds", key, value, merged, closed=True)
        preset_high = HIGH_PRESETS[self.preset]
        self.thresholds = merged
        self.high_thresholds = {
            k: float(given_high.get(k, theta if k in given else preset_high.get(k, theta)))
            for k, theta in merged.items()}

    def threshold(self, component: str) -> float:
        """θ: the upper bound must be below it for the component to pass."""
        return self.thresholds[component]

    def high_threshold(self, component: str) -> float:
        """The lower bound must exceed this for the component to fail (θ unless the preset
        is stricter and the user did not set θ themselves)."""
        return self.high_thresholds[component]

    def to_dict(self) -> dict[str, Any]:
        return {"preset": self.preset, "thresholds": dict(self.thresholds),
                "high_thresholds": {k: self.high_thresholds[k] for k in self.thresholds},
                "fail_on": self.fail_on}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        """The policy a result was decided with, from its ``to_dict()``: the written tables
        as they are, whatever today's presets say (a missing high threshold is θ). Raises
        ``ValueError`` on a malformed table."""
        policy = cls(preset=data.get("preset", DEFAULT_PRESET),
                     fail_on=data.get("fail_on", "high"))
        thresholds = _shares(data.get("thresholds"), closed=False)
        high = _shares(data.get("high_thresholds"), closed=True)
        policy.thresholds = thresholds
        policy.high_thresholds = {k: high.get(k, theta) for k, theta in thresholds.items()}
        return policy


def _check_entry(table: str, key: str, value: Any, known: Mapping[str, float],
                 closed: bool) -> None:
    """A given threshold names a known component and is a share (``ConfigError`` if not)."""
    where = f"policy.{table}.{key}"
    if key not in known:
        raise ConfigError(f"{where}: unknown component — known: {', '.join(sorted(known))}",
                          key=where)
    if not _is_share(value, closed):
        raise ConfigError(f"{where}: must be a number between 0 and 1", key=where)


def _is_share(value: Any, closed: bool) -> bool:
    """A number in (0, 1), or in [0, 1) when ``closed`` (a high threshold may be 0)."""
    return (not isinstance(value, bool) and isinstance(value, (int, float))
            and (0 <= value < 1 if closed else 0 < value < 1))


def _shares(table: Any, closed: bool) -> dict[str, float]:
    """A written table of component -> share, checked (``ValueError`` names what is wrong)."""
    if table is None:
        return {}
    if not isinstance(table, Mapping) or not all(_is_share(v, closed) for v in table.values()):
        raise ValueError("policy thresholds must be a table of component = number in [0, 1)")
    return {str(k): float(v) for k, v in table.items()}
