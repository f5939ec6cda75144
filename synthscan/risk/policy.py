"""Policy: the risk threshold of each component, and presets. Thresholds are policy, not science.

Every component is on one scale: the excess share ``e = r_T - r_H`` of training data subjects
(records; predicates for singling out) for whom an event happens beyond what holdout records
show. A component *passes* (can be certified) when its upper bound is below θ, and *fails*
when its family-adjusted lower bound exceeds its ``high`` threshold — θ itself, except where a
preset is stricter: in the public-release preset any confirmed excess of verbatim reproduced
unique records fails. docs/policy.md tabulates the sizes each threshold needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError

PRESETS: dict[str, dict[str, float]] = {
    # strict: data meant for open publication
    "public-release": {
        "verbatim": 0.001,
        "closeness": 0.01,
        "nearest_record_share": 0.01,
        "distance_no_holdout": 0.01,
        "membership_inference": 0.05,
        "singling_out": 0.05,
        "linkability": 0.05,
        "attribute_inference": 0.05,
    },
    # looser: shared under contract with vetted parties
    "controlled-access": {
        "verbatim": 0.002,
        "closeness": 0.02,
        "nearest_record_share": 0.05,
        "distance_no_holdout": 0.02,
        "membership_inference": 0.10,
        "singling_out": 0.10,
        "linkability": 0.10,
        "attribute_inference": 0.10,
    },
}
#: thresholds for ``high`` where a preset is stricter than its θ (elsewhere θ itself): in a
#: public release any confirmed verbatim reproduction of a unique person fails
HIGH_PRESETS: dict[str, dict[str, float]] = {
    "public-release": {"verbatim": 0.0},
    "controlled-access": {},
}
DEFAULT_PRESET = "public-release"
FAIL_ON = ("high", "inconclusive", "never")


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
                              f"{', '.join(PRESETS)}")
        if self.fail_on not in FAIL_ON:
            raise ConfigError(f"policy.fail_on: must be one of {', '.join(FAIL_ON)}")
        merged = dict(PRESETS[self.preset])
        self.user_thresholds = frozenset(self.thresholds) | self.user_thresholds
        for key, value in self.thresholds.items():
            if key not in merged:
                raise ConfigError(f"policy.thresholds.{key}: unknown component — known: "
                                  f"{', '.join(sorted(merged))}")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                0 < value < 1
            ):
                raise ConfigError(f"policy.thresholds.{key}: must be a number between 0 and 1")
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
