"""Linkability (WP29 Opinion 05/2014): can the synthetic data link two sources about the same
real person, more often for training records than for holdout records?

The attacker holds two sources with disjoint columns A and B about a target. For each source
they look up the target's k nearest synthetic rows (Gower distance on that source's columns) and
link the two records when the two neighbour sets share a synthetic row. Learning the population
links training and holdout targets alike; only leakage links training targets more often.

Ties are real here: a column side with few distinct values puts thousands of synthetic rows at
the same distance. A target's k nearest rows are then drawn uniformly at random from the rows
tied at the k-th distance (independently on the two sides), and the target is credited with
the exact probability that the two sets share a row — never with whatever order the search
returned. The credit depends only on the target's column values, not on whether it is a
training or a holdout record, so ties cannot bias the comparison.

Modules: ``neighbors.sides`` (the per-side search), ``credit`` (the closed-form link credit),
``check`` (the check).
"""

from .check import Linkability
from .credit import link_credit, log_comb, overlap_counts, random_link_rate

__all__ = ["Linkability", "link_credit", "log_comb", "overlap_counts", "random_link_rate"]
