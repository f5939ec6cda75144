"""Membership inference without shadow generators: can someone holding the synthetic data tell
whether a given person's record was used to train the generator?

Design (cross-fitted, no generator needed). The holdout is split into K folds. For fold k the
non-member targets are the fold's records, the attacker's *reference* sample of the population
is the rest of the holdout, and the member targets are the k-th of K disjoint parts of *every*
training record (up to ``max_targets``): every person in the training data is tested, not a
sample the size of the holdout, so a leak of a few outliers is not missed by the draw. Every
target is scored from the synthetic data and its fold's reference only — never from the
targets themselves (the attack battery is in ``membership_scores``). Scores are pooled over
folds.

Honest selection: targets are split in two halves (members and non-members alike). The attack
and the threshold of each operating point are chosen on the first half; every reported TPR, FPR,
AUC and risk is measured on the second half, so choosing the best of the battery does not inflate
them. Per-attack figures on the second half are reported too (descriptive).

Risk on the common per-person scale: the excess ``TPR - FPR`` at the 1% operating point on the
evaluation half — the share of training people the attack flags beyond the rate at which it
flags people it never saw. When the evaluation half has fewer than 1,000 non-members the 1%
point is not estimable and the 10% point is used instead (said in the result). The same is
computed on the most isolated tenth of the targets (mean distance to the 5 nearest real records of
the attacker's reference, which never holds the target itself), with its own attack choice and
threshold from the selection half: outliers are where synthetic data leaks first. These are the
component's two sub-tests; the verdict bounds the worse.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..model import CheckResult
from ..stats import clopper_pearson
from ..stats.bounds import SubTest, worst_test
from ..stats.roc import (
    auc,
    auc_interval,
    count_at,
    max_advantage,
    roc_loglog,
    threshold_at_fpr,
)
from . import background
from .base import ATTACK_THRESHOLDS, Attack
from .context import ScanContext
from .membership_scores import (
    ATTACKS,
    Classifier,
    Targets,
    classifier_fits,
    classifier_scores,
    distance_scores,
    isolation,
)
from .searches import real_to_synthetic_search, summarized

__all__ = ["MembershipInference", "design", "isolation", "operating_points"]

FPRS = (0.1, 0.01, 0.001)
#: a false-positive rate is estimable when the evaluation non-members times it reach this
MIN_EXPECTED_FP = 10
#: the isolated part: targets at or above this quantile of isolation (the most isolated tenth)
ISOLATED_QUANTILE = 0.9
PART_LABELS = {"all": "all records", "most_isolated_decile": "most isolated tenth"}


def design(n_train: int, n_holdout: int, folds: int, max_targets: int,
           rng: np.random.Generator) -> Targets:
    """Cross-fitted targets: every training record as a member (a seeded sample of
    ``max_targets`` beyond) and every holdout record as a non-member (likewise); fold k's
    non-members are holdout fold k, its reference every other holdout record, its members the
    k-th part of the training targets."""
    m = min(n_train, max_targets)
    perm_h = rng.permutation(n_holdout)
    hold_folds = np.array_split(perm_h, folds)
    members = np.array_split(rng.permutation(n_train)[:m], folds)
    per_fold = max(1, max_targets // folds)
    table, row, member, fold, reference = [], [], [], [], []
    for k in range(folds):
        non = hold_folds[k][:per_fold]
        reference.append(np.sort(np.concatenate([hold_folds[j] for j in range(folds) if j != k])))
        for rows, is_member, name in ((members[k], True, "train"), (non, False, "holdout")):
            table.append(np.full(len(rows), name))
            row.append(rows)
            member.append(np.full(len(rows), is_member))
            fold.append(np.full(len(rows), k))
    member_a = np.concatenate(member)
    half = np.zeros(len(member_a), dtype=np.int64)
    for cls in (True, False):
        idx = np.flatnonzero(member_a == cls)
        half[rng.permutation(idx)[len(idx) // 2:]] = 1
    return Targets(np.concatenate(table), np.concatenate(row).astype(np.int64), member_a,
                   np.concatenate(fold), reference, half)


# ------------------------------------------------------------------------------- evaluation


def operating_points(neg_sel: np.ndarray, pos_ev: np.ndarray, neg_ev: np.ndarray,
                     alpha: float) -> list[dict[str, Any]]:
    """TPR and FPR at each target FPR: threshold from the selection half's non-members, counts
    and Clopper–Pearson intervals on the evaluation half, and the privacy-loss lower bound."""
    rows = []
    n_pos, n_neg = len(pos_ev), len(neg_ev)
    for f in FPRS:
        row: dict[str, Any] = {"fpr_target": f}
        if n_neg * f < MIN_EXPECTED_FP or len(neg_sel) * f < 1:
            row["estimable"] = False
            row["note"] = (f"not estimable with n = {n_neg} non-members (needs n × FPR ≥ "
                           f"{MIN_EXPECTED_FP}, i.e. {math.ceil(MIN_EXPECTED_FP / f):,})")
            rows.append(row)
            continue
        tau = threshold_at_fpr(neg_sel, f)
        tp, fp = count_at(pos_ev, tau), count_at(neg_ev, tau)
        tpr_lo, tpr_hi = clopper_pearson(tp, n_pos, alpha)
        fpr_lo, fpr_hi = clopper_pearson(fp, n_neg, alpha)
        eps = math.log(tpr_lo / fpr_hi) if tpr_lo > 0 and fpr_hi > 0 else 0.0
        row.update({"estimable": True, "tp": tp, "fp": fp, "n_members": n_pos,
                    "n_nonmembers": n_neg, "tpr": tp / n_pos, "tpr_interval": [tpr_lo, tpr_hi],
                    "fpr": fp / n_neg, "fpr_interval": [fpr_lo, fpr_hi],
                    "epsilon_lower_bound": max(0.0, eps), "threshold": tau})
        rows.append(row)
    return rows


def _selection_key(pos: np.ndarray, neg: np.ndarray, f: float) -> tuple[float, float]:
    tau = threshold_at_fpr(neg, f)
    tpr = count_at(pos, tau) / max(len(pos), 1)
    fpr = count_at(neg, tau) / max(len(neg), 1)
    return tpr - fpr, auc(pos, neg)


def _choose(scores: dict[str, np.ndarray], pos: np.ndarray, neg: np.ndarray, f: float
            ) -> tuple[str, dict[str, tuple[float, float]]]:
    """The attack with the largest TPR - FPR at ``f`` on the given targets, then AUC, then the
    battery's order; and every attack's (TPR - FPR, AUC)."""
    keys = {a: _selection_key(scores[a][pos], scores[a][neg], f) for a in ATTACKS}
    return max(ATTACKS, key=lambda a: (*keys[a], -ATTACKS.index(a))), keys


def _attack_table(per_attack: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One flat row per attack (for report tables): AUC and TPR at each estimable FPR."""
    rows = []
    for name, a in per_attack.items():
        row = {"attack": name, "auc": a["auc"], "auc_interval": a["auc_interval"],
               "max_advantage": a["max_advantage"]}
        for o in a["operating_points"]:
            label = f"true-positive rate at {o['fpr_target']:.1%} FPR".replace(".0%", "%")
            row[label] = [o["tpr"], *o["tpr_interval"]] if o["estimable"] else "not estimable"
        rows.append(row)
    return rows


class MembershipInference(Attack):
    """Cross-fitted membership-inference attack battery; see the module docstring."""

    id = "membership_inference"
    name = "Membership inference (attack battery, cross-fitted)"
    criterion = "membership"
    thresholds = ATTACK_THRESHOLDS
    data_driving = "holdout rows (non-member targets and the attacker's reference)"

    def __init__(self, *, exposure_fpr: float = 0.001, min_holdout: int = 200,
                 max_targets: int = 200_000, max_listed: int = 10_000,
                 max_classifier_rows: int = 15_000, classifier_rounds: int = 100,
                 classifier_rate: float = 0.1, classifier_leaves: int = 31,
                 classifier_min_leaf: int = 20) -> None:
        #: targets per class (members and non-members) at most: every training record up to this
        self.max_targets = max_targets
        #: synthetic rows, and reference rows, the classifier attack trains on per fold at
        #: most (seeded samples beyond)
        self.max_classifier_rows = max_classifier_rows
        #: evaluation non-members needed for the 10% point (so the holdout needs twice this)
        self.min_holdout = min_holdout
        #: false-positive rate of the per-record exposure threshold
        self.exposure_fpr = exposure_fpr
        #: exposed training rows listed at most (row indices only)
        self.max_listed = max_listed
        #: the density-ratio classifier: boosting rounds, learning rate, leaves, leaf size
        self.classifier_rounds = classifier_rounds
        self.classifier_rate = classifier_rate
        self.classifier_leaves = classifier_leaves
        self.classifier_min_leaf = classifier_min_leaf

    def _too_small(self, ctx: ScanContext) -> CheckResult | None:
        n_t, n_h, n_s = ctx.n("train"), ctx.n("holdout"), ctx.n("synthetic")
        small = []
        if n_h < self.min_holdout:
            small.append(f"holdout has {n_h} rows; membership inference needs at least "
                         f"{self.min_holdout} (2,000 for the 1% false-positive point)")
        if n_t < self.min_holdout // 2:
            small.append(f"train has {n_t} rows; at least {self.min_holdout // 2} are needed")
        if n_s < 50:
            small.append(f"synthetic has {n_s} rows; at least 50 are needed")
        return self.skip("; ".join(small)) if small else None

    def prefetch(self, ctx: ScanContext) -> None:
        if self._too_small(ctx) is None:
            self._classifier(ctx)

    def _classifier(self, ctx: ScanContext) -> tuple[Targets, background.Pending]:
        """The targets and the density-ratio classifier's fold fits, submitted to the scan's
        worker process (once per scan: ``prefetch`` may have done it before the first check)."""
        def compute() -> tuple[Targets, background.Pending]:
            cfg = ctx.config
            t = design(ctx.n("train"), ctx.n("holdout"), cfg.mia_folds, self.max_targets,
                       ctx.rng("mia:design"))
            settings = Classifier(self.max_classifier_rows, self.classifier_rounds,
                                  self.classifier_rate, self.classifier_leaves,
                                  self.classifier_min_leaf)
            return t, background.submit(ctx, classifier_fits(ctx, t, settings))
        return ctx.memo(self.prefetch_key(), compute)

    def _scores(self, ctx: ScanContext, t: Targets, fits: background.Pending
                ) -> tuple[dict[str, np.ndarray], np.ndarray, list[dict[str, Any]]]:
        """Every attack's scores of every target, each target's isolation, and how each
        fold's reference search was done."""
        enc_t = np.empty((len(t.row), ctx.encoded["train"].shape[1]), dtype=np.float32)
        for tab in ("train", "holdout"):
            sel = t.table == tab
            enc_t[sel] = ctx.encoded[tab][t.row[sel]]
        # the fits run in the worker process while the distance attacks search here
        dist_scores, iso, searched = distance_scores(ctx, t, enc_t)
        scores = {"classifier": classifier_scores(t, fits.collect())}
        scores.update(dist_scores)
        return scores, iso, searched

    def run(self, ctx: ScanContext) -> CheckResult:
        if skip := self._too_small(ctx):
            return skip
        n_t, n_h, cfg = ctx.n("train"), ctx.n("holdout"), ctx.config
        t, fits = self._classifier(ctx)
        scores, iso, searched = self._scores(ctx, t, fits)
        ctx.forget(self.prefetch_key())
        halves = _Halves(t)
        n_neg_e = int(halves.neg_e.sum())
        op_fpr = 0.01 if n_neg_e * 0.01 >= MIN_EXPECTED_FP else 0.1
        if n_neg_e * op_fpr < MIN_EXPECTED_FP:
            return self.skip(f"the evaluation half has {n_neg_e} non-members; at least 100 are "
                             f"needed (a holdout of at least {self.min_holdout} rows)")
        # choose the attack on the selection half only
        best, keys = _choose(scores, halves.pos_s, halves.neg_s, op_fpr)
        per_attack = _per_attack(scores, keys, halves, cfg.alpha)
        risk, tests = _risk_parts(scores, halves, iso, best, op_fpr)
        driver = list(risk)[tests.index(worst_test(tests, cfg.alpha))]
        exposure = self._exposure(t, scores[best])
        op_row = next(o for o in per_attack[best]["operating_points"] if o["fpr_target"] == op_fpr)
        s = scores[best]
        return self.result(
            tests=tests, unit="training records", unit_total=n_t,
            counts={"train_rows": n_t, "holdout_rows": n_h,
                    "members_tested": int(t.member.sum()),
                    "nonmembers_tested": int((~t.member).sum()),
                    "evaluation_members": int(halves.pos_e.sum()),
                    "evaluation_nonmembers": n_neg_e, "folds": cfg.mia_folds,
                    "tp": op_row.get("tp"), "fp": op_row.get("fp"),
                    "exposed_records": exposure["records"]},
            details={
                "best_attack": best,
                "operating_fpr": op_fpr,
                "risk_parts": risk,
                "risk_driver": driver,
                "selection": "attack and thresholds chosen on one random half of the targets "
                             "(by TPR − FPR at the operating point, then AUC); every figure "
                             "measured on the other half",
                "design": f"{cfg.mia_folds}-fold cross-fitting over the holdout: non-members = "
                          "the fold, attacker's reference = the rest of the holdout, members = "
                          f"every training record (up to {self.max_targets:,}), split over the "
                          "folds",
                "attacks": per_attack,
                "attack_table": _attack_table(per_attack),
                "roc_curve": {**roc_loglog(s[halves.pos_e], s[halves.neg_e]),
                              "scale": "log",
                              "note": f"{best} attack on the evaluation half; the diagonal is "
                                      "chance"},
                "exposure": exposure,
                "isolation_cutoff": float(np.quantile(iso, ISOLATED_QUANTILE)),
                "reference_search": summarized(searched),
                # the distance attacks' nearest synthetic rows: the scan's shared search
                "synthetic_search": real_to_synthetic_search(ctx),
                "classifier_rows": f"at most {self.max_classifier_rows:,} synthetic and "
                                   f"{self.max_classifier_rows:,} reference rows per fold "
                                   "(seeded samples beyond)",
            },
        )

    def _exposure(self, t: Targets, s: np.ndarray) -> dict[str, Any]:
        """Members scoring above the ``exposure_fpr`` threshold set on all non-members."""
        all_neg = s[~t.member]
        tau = threshold_at_fpr(all_neg, self.exposure_fpr)
        fpr = count_at(all_neg, tau) / len(all_neg)
        exposed = t.member & (s >= tau)
        rows = t.row[np.flatnonzero(exposed)[np.argsort(-s[exposed], kind="stable")]]
        return {"fpr_target": self.exposure_fpr, "fpr_achieved": fpr,
                "records": int(exposed.sum()), "expected_by_chance": fpr * int(t.member.sum()),
                "train_rows": rows[: self.max_listed],
                "listed": int(min(len(rows), self.max_listed))}

    def summarize(self, result: CheckResult) -> str:
        if result.status in ("skipped", "error") or "risk_parts" not in result.details:
            return super().summarize(result)
        d, c = result.details, result.counts
        r = d["risk_parts"][d["risk_driver"]]
        exp = d["exposure"]
        text = (
            f"The strongest of {len(d['attacks'])} attacks ({r['attack']}, chosen on half of the "
            f"targets) flags {r['tp']} of {r['members']} training records ({r['tpr']:.2%}) "
            f"against {r['fp']} of {r['nonmembers']} holdout records ({r['fpr']:.2%}) at a "
            f"{r['fpr_target']:.0%} false-positive setting"
            + (" among the most isolated tenth of records"
               if d["risk_driver"] != "all" else "")
            + f": an excess of {r['excess']:+.2%} of training records. "
            f"AUC {d['attacks'][d['best_attack']]['auc']:.3f}. {exp['records']} of "
            f"{c['members_tested']} tested training records score above the "
            f"{exp['fpr_target']:.1%} false-positive threshold (about "
            f"{exp['expected_by_chance']:.1f} expected by chance)."
        )
        if d["operating_fpr"] != 0.01:
            text += (f" The 1% false-positive point needs a holdout of at least "
                     f"{2 * math.ceil(MIN_EXPECTED_FP / 0.01):,} rows; the 10% point was used.")
        return text


class _Halves:
    """Selection-half and evaluation-half masks of members and non-members."""

    def __init__(self, t: Targets) -> None:
        sel, ev = t.half == 0, t.half == 1
        self.pos_s, self.neg_s = sel & t.member, sel & ~t.member
        self.pos_e, self.neg_e = ev & t.member, ev & ~t.member


def _per_attack(scores: dict[str, np.ndarray], keys: dict[str, tuple[float, float]],
                h: _Halves, alpha: float) -> dict[str, dict[str, Any]]:
    """Every attack's figures on the evaluation half (descriptive)."""
    out = {}
    for a in ATTACKS:
        s = scores[a]
        value, auc_lo, auc_hi = auc_interval(s[h.pos_e], s[h.neg_e], alpha)
        out[a] = {"selection_score": keys[a][0], "auc": value,
                  "auc_interval": [auc_lo, auc_hi],
                  "max_advantage": max_advantage(s[h.pos_e], s[h.neg_e]),
                  "operating_points": operating_points(s[h.neg_s], s[h.pos_e], s[h.neg_e],
                                                       alpha)}
    return out


def _risk_parts(scores: dict[str, np.ndarray], h: _Halves, iso: np.ndarray, best: str,
                op_fpr: float) -> tuple[dict[str, dict[str, Any]], list[SubTest]]:
    """The risk overall and on the most isolated tenth of the targets: each part has its own
    attack choice and threshold from the selection half (isolated records score differently
    from typical ones); its rates are measured on the evaluation half."""
    vulnerable = iso >= float(np.quantile(iso, ISOLATED_QUANTILE))
    risk, tests = {}, []
    for part, mask in (("all", np.ones(len(iso), bool)), ("most_isolated_decile", vulnerable)):
        ps, ns, pm, nm = h.pos_s & mask, h.neg_s & mask, h.pos_e & mask, h.neg_e & mask
        n_p, n_n = int(pm.sum()), int(nm.sum())
        if n_p == 0 or n_n == 0 or ns.sum() == 0:
            continue
        if part == "all":
            f, attack = op_fpr, best
        else:  # 1% when the part's selection non-members allow one false positive
            f = 0.01 if ns.sum() * 0.01 >= 1 else 0.1
            attack = _choose(scores, ps, ns, f)[0]
        tau = threshold_at_fpr(scores[attack][ns], f)
        tp, fp = count_at(scores[attack][pm], tau), count_at(scores[attack][nm], tau)
        tests.append(SubTest(f"{PART_LABELS[part]}: {attack} at {f:.0%} false positives",
                             tp, n_p, fp, n_n))
        risk[part] = {"attack": attack, "fpr_target": f, "tp": tp, "members": n_p, "fp": fp,
                      "nonmembers": n_n, "tpr": tp / n_p, "fpr": fp / n_n,
                      "excess": tp / n_p - fp / n_n}
    return risk, tests
