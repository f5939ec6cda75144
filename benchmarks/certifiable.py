"""What each size can certify: per risk component, the smallest threshold a clean release of
a given size is certified below, from the bound the verdict uses.

``python -m benchmarks.certifiable`` prints a Markdown table (used in docs/policy.md): for
n_train = 2 x n_holdout = n_synthetic, the threshold a clean scan is certified below in about
90% of scans, per component, and the smallest n_train whose figure is below each preset's θ.

It is a planning figure, computed, not measured: each sub-test's upper bound is the MOVER /
Clopper–Pearson bound of ``synthscan.stats.bounds`` at the typical control rate of that attack
(below), with the observed excess at its 90% quantile under no leak (the largest of m
sub-tests: its 0.9^(1/m) quantile). docs/validation.md has the measured `low` rates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.special import ndtri

from synthscan.risk.policy import PRESETS, load_checks
from synthscan.stats.bounds import SubTest, excess_upper

ALPHA = 0.05
SIZES = (500, 1_000, 2_000, 3_000, 5_000, 7_500, 10_000, 20_000, 50_000, 100_000)


@dataclass(frozen=True)
class Shape:
    """How a component's sub-tests scale with n_train (n_holdout = n_train / 2)."""

    component: str
    sub_tests: int
    rate: float  # typical control rate r_H of the binding sub-test
    note: str

    def counts(self, n_t: int) -> tuple[float, float]:
        n_h = n_t / 2
        if self.component == "verbatim":
            return n_t, n_h  # unique records: nearly all, on continuous data
        if self.component == "closeness":
            return n_t, n_h
        if self.component == "membership_inference":
            return n_t / 2, n_h / 2  # the evaluation half of every target
        if self.component == "singling_out":
            return 3_000, 3_000  # predicates per kind, compared at the holdout's size
        if self.component == "linkability":
            return min(n_h, 5_000), min(n_h, 5_000)  # targets per side (capped)
        return min(n_h, 5_000), min(n_h, 5_000)  # attribute inference: targets per side

    def rate_at(self, n_t: int) -> float:
        if self.component == "closeness":
            return min(0.1, max(0.01, 10 / (n_t / 2)))
        if self.component == "membership_inference":
            return 0.01 if n_t / 4 >= 1_000 else 0.1
        return self.rate


SHAPES = (
    Shape("verbatim", 1, 0.0, "unique training records; no chance reproduction"),
    Shape("closeness", 2, 0.01, "holdout's 1% quantile (raised to 10 expected records)"),
    Shape("membership_inference", 2, 0.01, "1% false positives (10% below 4,000 holdout rows)"),
    Shape("singling_out", 2, 0.3, "3,000 predicates per kind; success rate ~30%"),
    Shape("linkability", 4, 0.05, "2 splits x 2 k; link rate ~5%"),
    Shape("attribute_inference", 30, 0.5, "15 secrets x 2 attackers; accuracy ~50%"),
)


def certified_at(shape: Shape, n_t: int, quantile: float = 0.9) -> float:
    """The upper bound of a clean scan at the given quantile (worst of m sub-tests)."""
    n1, n2 = shape.counts(n_t)
    r = shape.rate_at(n_t)
    se = math.sqrt(r * (1 - r) * (1 / n1 + 1 / n2))
    z = float(ndtri(quantile ** (1 / shape.sub_tests)))
    k1 = min(n1, max(0.0, (r + z * se) * n1))
    return excess_upper(SubTest(shape.component, k1, n1, r * n2, n2), ALPHA)


def needed(shape: Shape, theta: float) -> int | None:
    for n in SIZES:
        if certified_at(shape, n) < theta:
            return n
    return None


def table() -> str:
    load_checks()  # the presets are filled by the checks' declarations
    head = "| component | " + " | ".join(f"{n:,}" for n in SIZES) + \
        " | public θ → n_train | controlled θ → n_train | assumption |"
    lines = [head, "|" + " --- |" * (len(SIZES) + 4)]
    for s in SHAPES:
        cells = [f"{100 * certified_at(s, n):.2f}%" for n in SIZES]
        need = []
        for preset in ("public-release", "controlled-access"):
            theta = PRESETS[preset][s.component]
            n = needed(s, theta)
            need.append(f"{100 * theta:g}% → " + (f"{n:,}" if n else f"> {SIZES[-1]:,}"))
        lines.append(f"| {s.component} | " + " | ".join(cells) + " | " + " | ".join(need)
                     + f" | {s.note} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print("Certified upper bound of a clean release in ~90% of scans, by n_train "
          "(n_holdout = n_train / 2):\n")
    print(table())
