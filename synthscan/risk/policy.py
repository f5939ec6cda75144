"""Policy: the risk threshold of each component, and presets. Thresholds are policy, not science.

Every component is on one scale: the excess share ``e = r_T - r_H`` of training data subjects
(records; predicates for singling out) for whom an event happens beyond what holdout records
show. A component *passes* (can be certified) when its upper bound is below θ, and *fails*
when its family-adjusted lower bound exceeds its ``high`` threshold — θ itself, except where a
preset is stricter: in the public-release preset any confirmed excess of verbatim reproduced
unique records fails. docs/policy.md tabulates the sizes each threshold needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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


def unregister_component(component: str) -> None:
    for table in (*PRESETS.values(), *HIGH_PRESETS.values()):
        table.pop(component, None)
    DATA_DRIVING.pop(component, None)


@dataclass
class Policy:
    """Resolved thresholds per component and the verdict that fails a pipeline."""

    preset: str = DEFAULT_PRESET
    thresholds: dict[str, float] = field(default_factory=dict)
    fail_on: str = "high"
    user_thresholds: frozenset[str] = field(default_factory=frozenset, repr=False)

    def __post_init__(self) -> None:
        if self.preset not in PRESETS:
            raise ConfigError(f"policy.preset: unknown preset {self.preset!r} — use one of "
                              f"{', '.join(PRESETS)}", key="policy.preset")
        if self.fail_on not in FAIL_ON:
            raise ConfigError(f"policy.fail_on: must be one of {', '.join(FAIL_ON)}",
                              key="policy.fail_on")
        merged = dict(PRESETS[self.preset])
        self.user_thresholds = frozenset(self.thresholds) | self.user_thresholds
        for key, value in self.thresholds.items():
            if key not in merged:
                raise ConfigError(f"policy.thresholds.{key}: unknown component — known: "
                                  f"{', '.join(sorted(merged))}", key=f"policy.thresholds.{key}")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                0 < value < 1
            ):
                raise ConfigError(f"policy.thresholds.{key}: must be a number between 0 and 1",
                                  key=f"policy.thresholds.{key}")
            merged[key] = float(value)
        self.thresholds = merged

    def threshold(self, component: str) -> float:
        """θ: the upper bound must be below it for the component to pass."""
        return self.thresholds[component]

    def high_threshold(self, component: str) -> float:
        """The lower bound must exceed this for the component to fail (θ unless the preset
        is stricter and the user did not set θ themselves)."""
        if component in self.user_thresholds:
            return self.thresholds[component]
        return HIGH_PRESETS[self.preset].get(component, self.thresholds[component])

    def to_dict(self) -> dict[str, Any]:
        return {"preset": self.preset, "thresholds": dict(self.thresholds),
                "high_thresholds": {k: self.high_threshold(k) for k in self.thresholds},
                "fail_on": self.fail_on}
