"""Operating points of a membership score: thresholds at a target false-positive rate, TPR/FPR
counts, AUC (with ties), its DeLong interval, the maximal advantage and a ROC curve for charts.

Convention: a record is called a *member* when its score is ``>= threshold``. Thresholds are
chosen so that *at most* the target share of non-members is called a member: with tied scores
the threshold moves up past the tie, never randomises.
"""

from __future__ import annotations

import math

import numpy as np


def threshold_at_fpr(negatives: np.ndarray, fpr: float) -> float:
    """The smallest threshold at which at most ``floor(fpr * n)`` non-member scores are ``>=``
    it (``inf`` when that number is 0: nobody may be called a member)."""
    neg = np.sort(np.asarray(negatives, dtype=np.float64))
    n = len(neg)
    allowed = math.floor(fpr * n + 1e-9)
    if n == 0 or allowed <= 0:
        return math.inf
    if allowed >= n:
        return -math.inf
    # the allowed-th largest value; if the next one down ties with it, step above the tie
    t = neg[n - allowed]
    if neg[n - allowed - 1] == t:
        above = neg[neg > t]
        return float(above[0]) if len(above) else math.inf
    return float(t)


def count_at(scores: np.ndarray, threshold: float) -> int:
    """How many scores are called members (``>= threshold``)."""
    return int((np.asarray(scores) >= threshold).sum())


def auc(positives: np.ndarray, negatives: np.ndarray) -> float:
    """P(score of a member > score of a non-member) + 0.5 P(tie): the Mann–Whitney AUC."""
    return float(bootstrap_auc(positives, negatives, None)[0])


def bootstrap_auc(positives: np.ndarray, negatives: np.ndarray,
                  weights: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
    """AUC under per-record weights, vectorised over replicates.

    weights : ``(w_pos (B, n_pos), w_neg (B, n_neg))`` resampling weights (e.g. Poisson or
        multinomial counts), or None for the plain AUC (one replicate of unit weights).
    Scores are ranked once; each replicate costs O(n).
    """
    pos = np.asarray(positives, dtype=np.float64)
    neg = np.asarray(negatives, dtype=np.float64)
    if weights is None:
        wp, wn = np.ones((1, len(pos))), np.ones((1, len(neg)))
    else:
        wp, wn = (np.asarray(w, dtype=np.float64) for w in weights)
    values, inv = np.unique(np.concatenate([pos, neg]), return_inverse=True)
    ip, ineg = inv[: len(pos)], inv[len(pos):]
    g = len(values)
    out = np.empty(len(wp))
    for b in range(len(wp)):
        pos_w = np.bincount(ip, weights=wp[b], minlength=g)
        neg_w = np.bincount(ineg, weights=wn[b], minlength=g)
        below = np.cumsum(neg_w) - neg_w  # non-member weight strictly below each value
        num = float((pos_w * (below + 0.5 * neg_w)).sum())
        den = float(pos_w.sum() * neg_w.sum())
        out[b] = num / den if den > 0 else math.nan
    return out


def auc_interval(positives: np.ndarray, negatives: np.ndarray, alpha: float
                 ) -> tuple[float, float, float]:
    """AUC and its two-sided ``1 - alpha`` interval (DeLong's variance, on the logit scale).

    DeLong's estimate of the AUC's variance is ``var(V10) / m + var(V01) / n`` over the
    placements: each member's share of non-members scoring below it (ties count half), each
    non-member's share of members scoring above it. The interval is a normal interval for
    ``logit(AUC)`` mapped back, so it stays inside (0, 1). At perfect separation (AUC 0 or 1),
    where DeLong's variance is 0, the interval is one-sided, from the AUC moved in by half a
    pair, with Hanley and McNeil's standard error there: it never collapses to a point.
    Sorting once: O((m + n) log(m + n)). (NaN, 0, 1) when either side is empty.
    """
    from scipy.special import ndtri

    pos = np.sort(np.asarray(positives, dtype=np.float64))
    neg = np.sort(np.asarray(negatives, dtype=np.float64))
    m, n = len(pos), len(neg)
    if m == 0 or n == 0:
        return math.nan, 0.0, 1.0
    v10 = (np.searchsorted(neg, pos, "left") + np.searchsorted(neg, pos, "right")) / (2.0 * n)
    v01 = 1.0 - (np.searchsorted(pos, neg, "left") + np.searchsorted(pos, neg, "right")) / (2.0 * m)
    a = float(v10.mean())
    var = ((v10.var(ddof=1) if m > 1 else 0.0) / m) + ((v01.var(ddof=1) if n > 1 else 0.0) / n)
    z = float(ndtri(1.0 - alpha / 2.0))
    half = 0.5 / (m * n)
    a_c = min(max(a, half), 1.0 - half)
    if a_c != a:  # perfect separation: DeLong's variance is 0; Hanley–McNeil's at a_c
        q1, q2 = a_c / (2.0 - a_c), 2.0 * a_c * a_c / (1.0 + a_c)
        sd = math.sqrt((a_c * (1 - a_c) + (m - 1) * (q1 - a_c**2)
                        + (n - 1) * (q2 - a_c**2)) / (m * n))
        return (a, max(0.0, a_c - z * sd), 1.0) if a == 1.0 else (a, 0.0, min(1.0, a_c + z * sd))
    se = math.sqrt(max(var, 0.0)) / (a * (1.0 - a))
    centre = math.log(a / (1.0 - a))
    lo, hi = (1.0 / (1.0 + math.exp(-(centre + s * z * se))) for s in (-1.0, 1.0))
    return a, min(lo, a), max(hi, a)


def max_advantage(positives: np.ndarray, negatives: np.ndarray) -> float:
    """``max over thresholds of TPR - FPR`` (the Kolmogorov–Smirnov distance of the two score
    distributions, one-sided towards members)."""
    pos = np.sort(np.asarray(positives, dtype=np.float64))
    neg = np.sort(np.asarray(negatives, dtype=np.float64))
    if len(pos) == 0 or len(neg) == 0:
        return math.nan
    cuts = np.unique(np.concatenate([pos, neg]))
    tpr = 1.0 - np.searchsorted(pos, cuts, side="left") / len(pos)
    fpr = 1.0 - np.searchsorted(neg, cuts, side="left") / len(neg)
    return float(max(0.0, (tpr - fpr).max()))


def roc_loglog(positives: np.ndarray, negatives: np.ndarray,
               points: int = 40) -> dict[str, list[float]]:
    """TPR at log-spaced FPRs from ``1/n_neg`` to 1, for a log-log ROC chart (a diagonal is
    chance)."""
    neg = np.asarray(negatives, dtype=np.float64)
    pos = np.asarray(positives, dtype=np.float64)
    n = len(neg)
    if n == 0 or len(pos) == 0:
        return {"x": [], "tpr": [], "chance": []}
    grid = np.unique(np.clip(np.logspace(math.log10(1.0 / n), 0.0, points), 1.0 / n, 1.0))
    xs, ys = [], []
    for f in grid:
        t = threshold_at_fpr(neg, float(f))
        fp = count_at(neg, t) / n
        tp = count_at(pos, t) / len(pos)
        if fp > 0:
            xs.append(fp)
            ys.append(tp)
    order = np.argsort(xs, kind="stable")
    xs_sorted = [float(xs[i]) for i in order]
    ys_sorted = [float(ys[i]) for i in order]
    keep_x: list[float] = []
    keep_y: list[float] = []
    for x, y in zip(xs_sorted, ys_sorted, strict=True):
        if keep_x and x == keep_x[-1]:
            keep_y[-1] = max(keep_y[-1], y)
        else:
            keep_x.append(x)
            keep_y.append(y)
    return {"x": keep_x, "tpr": keep_y, "chance": list(keep_x)}
