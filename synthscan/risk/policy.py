"""Policy: the risk threshold of each component, and presets. Thresholds are policy, not science.

A component's threshold θ is the excess success (0-1 scale) above which the release is judged to
leak: e.g. θ = 0.01 for copies means "more than 1% of synthetic rows are copies of training
records beyond what the holdout explains".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError

PRESETS: dict[str, dict[str, float]] = {
    # strict: data meant for open publication
    "public-release": {
        "exact_copies": 0.01,
        "unique_reproduction": 0.01,
        "nearest_record_share": 0.01,
        "distance_no_holdout": 0.01,
        "membership_inference": 0.05,
        "singling_out": 0.05,
        "linkability": 0.05,
        "attribute_inference": 0.05,
    },
    # looser: shared under contract with vetted parties
    "controlled-access": {
        "exact_copies": 0.02,
        "unique_reproduction": 0.05,
        "nearest_record_share": 0.05,
        "distance_no_holdout": 0.05,
        "membership_inference": 0.10,
        "singling_out": 0.10,
        "linkability": 0.10,
        "attribute_inference": 0.10,
    },
}
DEFAULT_PRESET = "public-release"
FAIL_ON = ("high", "inconclusive", "never")


@dataclass
class Policy:
    """Resolved thresholds per component and the verdict that fails a pipeline."""

    preset: str = DEFAULT_PRESET
    thresholds: dict[str, float] = field(default_factory=dict)
    fail_on: str = "high"

    def __post_init__(self) -> None:
        if self.preset not in PRESETS:
            raise ConfigError(f"policy.preset: unknown preset {self.preset!r} — use one of "
                              f"{', '.join(PRESETS)}")
        if self.fail_on not in FAIL_ON:
            raise ConfigError(f"policy.fail_on: must be one of {', '.join(FAIL_ON)}")
        merged = dict(PRESETS[self.preset])
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
        return self.thresholds[component]

    def to_dict(self) -> dict[str, Any]:
        return {"preset": self.preset, "thresholds": dict(self.thresholds),
                "fail_on": self.fail_on}
