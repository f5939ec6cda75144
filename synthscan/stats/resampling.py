"""Permutation and bootstrap machinery for statistics that are linear in record labels, and the
Mann–Whitney test. Shared by the distance checks (and later attacks).

A *credit* statistic has the form ``p = Σ_r w_r L_r / Σ_r w_r`` where ``w_r >= 0`` is the credit
(e.g. synthetic nearest-neighbour credit) attached to real record r and ``L_r`` is 1 for train,
0 for holdout. Records with equal weight are exchangeable, so

* a label permutation (shuffle train/holdout labels over all records) draws how many train labels
  each equal-weight group receives: a multivariate hypergeometric draw over the groups;
* a cluster bootstrap over records (Poisson weights, one per record) draws, per group of equal
  weight and label, a Poisson(count) total.

Both cost O(replicates × groups), not O(replicates × records). Weights are put on a grid of
1/1024 to form groups; the statistic then differs from the exact one by at most 1/2048 of a
synthetic row per record (well below its standard error).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .intervals import normal_quantile
from .ranks import average_ranks, tie_term

WEIGHT_GRID = 1024


@dataclass
class CreditGroups:
    """Records grouped by (quantised weight, label)."""

    weight: np.ndarray  # (G,) quantised weight of the group
    n_train: np.ndarray  # (G,) records of the group labelled train
    n_holdout: np.ndarray  # (G,) records labelled holdout

    @property
    def total_weight(self) -> float:
        return float((self.weight * (self.n_train + self.n_holdout)).sum())

    def statistic(self) -> float:
        """Observed share of credit on train records."""
        tw = self.total_weight
        return float((self.weight * self.n_train).sum()) / tw if tw > 0 else math.nan


def group_credits(weights: np.ndarray, n_train: np.ndarray, n_holdout: np.ndarray,
                  n_train_total: int, n_holdout_total: int) -> CreditGroups:
    """Group credit-carrying units by quantised weight.

    A unit is a set of identical records (a deduplicated reference point) holding ``n_train``
    train and ``n_holdout`` holdout records, each record carrying the unit's weight. Records
    without credit form the zero group; their numbers follow from the totals.
    """
    w = np.round(np.asarray(weights, dtype=np.float64) * WEIGHT_GRID) / WEIGHT_GRID
    nt = np.asarray(n_train, dtype=np.int64)
    nh = np.asarray(n_holdout, dtype=np.int64)
    keep = w > 0
    w, nt, nh = w[keep], nt[keep], nh[keep]
    values, inv = np.unique(w, return_inverse=True)
    inv = inv.ravel()
    g_t = np.bincount(inv, weights=nt, minlength=len(values)).astype(np.int64)
    g_h = np.bincount(inv, weights=nh, minlength=len(values)).astype(np.int64)
    zero_t = n_train_total - int(g_t.sum())
    zero_h = n_holdout_total - int(g_h.sum())
    return CreditGroups(np.concatenate([[0.0], values]), np.concatenate([[zero_t], g_t]),
                        np.concatenate([[zero_h], g_h]))


def permutation_null(groups: CreditGroups, replicates: int,
                     rng: np.random.Generator) -> np.ndarray:
    """Statistic under ``replicates`` random train/holdout label permutations."""
    colors = (groups.n_train + groups.n_holdout).astype(np.int64)
    n_train = int(groups.n_train.sum())
    draws = rng.multivariate_hypergeometric(colors, n_train, size=replicates, method="marginals")
    return (draws @ groups.weight) / groups.total_weight


def permutation_p_value(observed: float, null: np.ndarray) -> float:
    """One-sided (greater) Monte Carlo p-value (1 + #{null >= observed}) / (1 + B)."""
    eps = 1e-12 * max(1.0, abs(observed))
    return float((1 + np.count_nonzero(null >= observed - eps)) / (1 + len(null)))


def poisson_bootstrap(groups: CreditGroups, replicates: int,
                      rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Cluster bootstrap over records: returns (credit share on train, train share of records)
    for each replicate; the second is pi0 re-estimated on the resampled records."""
    g = len(groups.weight)
    mt = rng.poisson(np.broadcast_to(groups.n_train, (replicates, g)))
    mh = rng.poisson(np.broadcast_to(groups.n_holdout, (replicates, g)))
    num = mt @ groups.weight
    den = num + mh @ groups.weight
    share = np.divide(num, den, out=np.full(replicates, np.nan), where=den > 0)
    nt, nh = mt.sum(axis=1), mh.sum(axis=1)
    pi0 = nt / np.maximum(nt + nh, 1)
    return share, pi0


def percentile_interval(values: np.ndarray, alpha: float) -> tuple[float, float]:
    v = values[np.isfinite(values)]
    if len(v) == 0:
        return math.nan, math.nan
    lo, hi = np.quantile(v, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


@dataclass
class MannWhitney:
    """Mann–Whitney U test of "x tends to be smaller than y"."""

    u: float  # U statistic of x: #{x < y} + 0.5 #{x = y}
    auc: float  # U / (n_x n_y): P(x < y) + 0.5 P(x = y)
    z: float  # standardised, tie-corrected; negative when x is smaller
    p_value: float  # one-sided, for x smaller than y
    n_x: int
    n_y: int


def mann_whitney_less(x: np.ndarray, y: np.ndarray) -> MannWhitney:
    """One-sided Mann–Whitney test that ``x`` is stochastically smaller than ``y``: scipy's
    tie-corrected normal approximation without continuity correction, computed as
    ``scipy.stats.mannwhitneyu(x, y, alternative="less", method="asymptotic",
    use_continuity=False)`` does (``z`` is the standard normal quantile of its p-value)."""
    from scipy.special import ndtr, ndtri

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    nx, ny = len(x), len(y)
    if nx == 0 or ny == 0:
        return MannWhitney(math.nan, math.nan, math.nan, math.nan, nx, ny)
    both = np.concatenate([x, y])
    u_greater = float(average_ranks(both)[:nx].sum()) - nx * (nx + 1) / 2  # counts x > y
    u_less = nx * ny - u_greater
    n = nx + ny
    sd = math.sqrt(nx * ny / 12 * ((n + 1) - tie_term(both) / (n * (n - 1))))
    if not sd > 0:  # every value tied: no evidence either way
        return MannWhitney(u_less, u_less / (nx * ny), 0.0, 0.5, nx, ny)
    p = float(ndtr(-(u_less - nx * ny / 2) / sd))
    return MannWhitney(u_less, u_less / (nx * ny), float(ndtri(p)), p, nx, ny)


def z_to_p_less(z: float) -> float:
    """One-sided p-value P(Z <= z) (``scipy.special.ndtr``)."""
    from scipy.special import ndtr

    return float(ndtr(z))


def min_detectable_shift(null_sd: float, alpha: float, power: float = 0.8) -> float:
    """Smallest true shift of a statistic detectable one-sided at ``alpha`` with ``power``,
    given its standard deviation under the null."""
    return (normal_quantile(1 - alpha) + normal_quantile(power)) * null_sd


@dataclass
class ClusteredAUC:
    """P(x < y) + 0.5 P(x = y) with a cluster-robust standard error."""

    auc: float
    se: float
    z: float  # (auc - 0.5) / se; positive when x tends to be smaller
    p_value: float  # one-sided, for x smaller than y
    n_x: int
    n_y: int
    clusters: int


def clustered_auc_less(x: np.ndarray, y: np.ndarray,
                       clusters_x: np.ndarray | None = None) -> ClusteredAUC:
    """Test that ``x`` tends to be smaller than ``y`` when the x values come in clusters.

    The AUC is the Mann–Whitney statistic. Its variance is DeLong's, except that the x-side
    term sums placement deviations within clusters first (a sandwich estimator): synthetic rows
    that share a nearest real record are not independent evidence. Without clusters this is
    DeLong's variance.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    nx, ny = len(x), len(y)
    if nx < 2 or ny < 2:
        return ClusteredAUC(math.nan, math.nan, math.nan, math.nan, nx, ny, 0)
    ys, xs = np.sort(y), np.sort(x)
    # placement of each x among y: P(y > x) + 0.5 P(y = x); of each y among x: P(x < y) + ...
    u = (ny - np.searchsorted(ys, x, side="right")
         + 0.5 * (np.searchsorted(ys, x, side="right") - np.searchsorted(ys, x, side="left"))) / ny
    v = (np.searchsorted(xs, y, side="left")
         + 0.5 * (np.searchsorted(xs, y, side="right") - np.searchsorted(xs, y, side="left"))) / nx
    auc = float(u.mean())
    if clusters_x is None:
        clusters_x = np.arange(nx)
    _, inv = np.unique(np.asarray(clusters_x), return_inverse=True)
    inv = inv.ravel()
    per_cluster = np.bincount(inv, weights=u - auc)
    var_x = float((per_cluster ** 2).sum()) / nx ** 2
    var_y = float(((v - auc) ** 2).sum()) / ny ** 2
    se = math.sqrt(var_x + var_y)
    if se == 0:
        return ClusteredAUC(auc, 0.0, 0.0, 0.5, nx, ny, int(inv.max() + 1))
    z = (auc - 0.5) / se
    return ClusteredAUC(auc, se, z, z_to_p_less(-z), nx, ny, int(inv.max() + 1))
