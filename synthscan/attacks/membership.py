"""Membership inference without shadow generators: can someone holding the synthetic data tell
whether a given person's record was used to train the generator?

Design (cross-fitted, no generator needed). The holdout is split into K folds. For fold k the
non-member targets are the fold's records, the attacker's *reference* sample of the population
is the rest of the holdout, and the member targets are the k-th of K disjoint parts of *every*
training record (up to ``max_targets``): every person in the training data is tested, not a
sample the size of the holdout, so a leak of a few outliers is not missed by the draw. Every
target is scored from the synthetic data and its fold's reference only — never from the
targets themselves. Scores are pooled over folds.

Attack battery (larger score = "member"):

* ``classifier`` — density ratio: gradient boosting separates synthetic rows from reference rows;
  the log-odds plus ``log(n_reference / n_synthetic)`` estimate ``log p_S(x) / p_R(x)``;
* ``distance`` — calibrated distance ``d1(x, reference) - d1(x, synthetic)`` (mean per-column
  Gower distances to the nearest record);
* ``knn1``, ``knn5``, ``knn20`` — kNN density ratio
  ``log r_k(x, reference) - log r_k(x, synthetic)``. The size correction is the same for every
  target (every fold's reference has the same size up to one row), so it changes no ranking and
  is left out. k = 1 is the only scale that sees exact copies.

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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..model import CheckResult
from ..neighbors.engine import NeighborEngine
from ..stats import clopper_pearson
from ..stats.bounds import SubTest
from ..stats.roc import (
    bootstrap_auc,
    count_at,
    max_advantage,
    roc_loglog,
    threshold_at_fpr,
)
from .base import Attack
from .context import ScanContext
from .searches import real_to_synthetic

FPRS = (0.1, 0.01, 0.001)
KNN_KS = (1, 5, 20)
#: distances below this (mean per-column Gower units) count as equal in the log kNN scores
LOG_FLOOR = 1e-3
#: a false-positive rate is estimable when the evaluation non-members times it reach this
MIN_EXPECTED_FP = 10
#: isolation = mean distance to this many nearest real records
ISOLATION_K = 5
ATTACKS = ("classifier", "distance", *(f"knn{k}" for k in KNN_KS))


@dataclass
class Targets:
    """The cross-fitted design: which records are targets, their membership and fold."""

    table: np.ndarray  # "train" or "holdout" per target
    row: np.ndarray  # row index in its table
    member: np.ndarray  # bool
    fold: np.ndarray  # fold of the target
    reference: list[np.ndarray]  # per fold: holdout rows the attacker uses as the population
    half: np.ndarray  # 0 = selection half, 1 = evaluation half


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


# ---------------------------------------------------------------------------------- features


def classifier_features(frames: dict[str, pd.DataFrame], columns: list, roles: tuple[str, ...]
                        ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Native features for gradient boosting: numeric columns as they are (missing = NaN),
    categoricals as integer codes over the pooled levels (missing = NaN), flagged categorical
    when they have at most 250 levels (larger vocabularies are coded by frequency rank)."""
    out = {r: np.empty((len(frames[r]), len(columns)), dtype=np.float64) for r in roles}
    is_cat = np.zeros(len(columns), dtype=bool)
    for j, col in enumerate(columns):
        if col.is_numeric:
            for r in roles:
                out[r][:, j] = frames[r][col.name].to_numpy(dtype="float64")
            continue
        text = {r: frames[r][col.name].astype(object) for r in roles}
        pooled = pd.concat([t.dropna().astype(str) for t in text.values()], ignore_index=True)
        levels = pooled.value_counts(sort=True).index.tolist()  # most frequent first
        is_cat[j] = len(levels) <= 250
        for r in roles:
            vals = text[r]
            codes = pd.Index(levels).get_indexer(
                vals.where(vals.isna(), vals.astype(str))).astype(np.float64)
            codes[codes < 0] = np.nan
            out[r][:, j] = codes
    return out, is_cat


def _classifier_scores(ctx: ScanContext, t: Targets) -> np.ndarray:
    from sklearn.ensemble import HistGradientBoostingClassifier

    cols = ctx.schema.distance_columns
    feats, is_cat = ctx.memo("mia:features", lambda: classifier_features(
        ctx.frames, cols, ("train", "holdout", "synthetic")))
    x_s = feats["synthetic"]
    x_targets = np.empty((len(t.row), x_s.shape[1]))
    for tab in ("train", "holdout"):
        sel = t.table == tab
        x_targets[sel] = feats[tab][t.row[sel]]
    scores = np.empty(len(t.row))
    rng = ctx.rng("mia:classifier")
    for k, ref in enumerate(t.reference):
        n_syn = min(len(x_s), MembershipInference.max_classifier_rows)
        syn_rows = (np.arange(len(x_s)) if n_syn == len(x_s)
                    else np.sort(rng.choice(len(x_s), n_syn, replace=False)))
        x = np.vstack([x_s[syn_rows], feats["holdout"][ref]])
        y = np.concatenate([np.ones(n_syn), np.zeros(len(ref))])
        clf = HistGradientBoostingClassifier(
            max_iter=100, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=20,
            early_stopping=False, categorical_features=is_cat if is_cat.any() else None,
            random_state=int(rng.integers(2**31 - 1)))
        _fit_with_threads(clf, x, y, ctx.config.threads)
        sel = np.flatnonzero(t.fold == k)
        with _openmp_limit(len(x), ctx.config.threads):  # prediction is OpenMP-parallel too
            scores[sel] = clf.decision_function(x_targets[sel]) + math.log(len(ref) / n_syn)
    return scores


#: below this many training rows boosting runs on one thread: the gain from more is small, and
#: OpenMP threads that wait on busy cores slow a fit down many times over
SINGLE_THREAD_ROWS = 50_000


@contextmanager
def _openmp_limit(n_rows: int, threads: int | None) -> Iterator[None]:
    """One OpenMP thread for a model trained on fewer than SINGLE_THREAD_ROWS rows, else
    ``threads`` (None: no limit)."""
    from threadpoolctl import threadpool_limits

    limit = 1 if n_rows < SINGLE_THREAD_ROWS else threads
    if limit is None:
        yield
        return
    with threadpool_limits(limits=int(limit), user_api="openmp"):
        yield


def _fit_with_threads(model: object, x: np.ndarray, y: np.ndarray, threads: int | None) -> None:
    with _openmp_limit(len(x), threads):
        model.fit(x, y)


def _distance_scores(ctx: ScanContext, t: Targets, encoded_targets: np.ndarray
                     ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Calibrated distance and kNN log-ratio scores from nearest-neighbour distances to the
    synthetic data and to the fold's reference; and each target's isolation: its mean distance
    to the 5 nearest records of that reference (real records, never the target itself).
    Distances to the synthetic data come from the scan's shared real -> synthetic search."""
    metric, threads = ctx.config.metric, ctx.config.threads
    kmax = max(KNN_KS)

    def to_units(d: np.ndarray) -> np.ndarray:
        d = d.astype(np.float64)
        return d / ctx.encoder.distance_scale if metric == "l1" else np.sqrt(d)

    real_row = np.where(t.table == "train", t.row, ctx.n("train") + t.row)
    d_syn = to_units(real_to_synthetic(ctx)[0][real_row])
    d_ref = np.empty((len(t.row), kmax))
    for k, ref in enumerate(t.reference):
        sel = np.flatnonzero(t.fold == k)
        eng = NeighborEngine(ctx.encoded["holdout"][ref], metric, threads)
        d = to_units(eng.kneighbors(encoded_targets[sel], kmax)[0])
        if d.shape[1] < kmax:  # tiny reference: repeat the farthest
            d = np.hstack([d, np.repeat(d[:, -1:], kmax - d.shape[1], axis=1)])
        d_ref[sel] = d
    if d_syn.shape[1] < kmax:
        d_syn = np.hstack([d_syn, np.repeat(d_syn[:, -1:], kmax - d_syn.shape[1], axis=1)])
    out = {"distance": d_ref[:, 0] - d_syn[:, 0]}
    for k in KNN_KS:
        out[f"knn{k}"] = (np.log(d_ref[:, k - 1] + LOG_FLOOR)
                          - np.log(d_syn[:, k - 1] + LOG_FLOOR))
    return out, d_ref[:, :ISOLATION_K].mean(axis=1)


def isolation(ctx: ScanContext, encoded_rows: np.ndarray) -> np.ndarray:
    """Mean distance of each row (a real record) to its 5 nearest other real records in
    train ∪ holdout: large = an outlier, the records synthetic data leaks first. (The check
    itself measures isolation against the attacker's reference, which it has searched already;
    this full version serves experiments and tests.)"""
    real = np.vstack([ctx.encoded["train"], ctx.encoded["holdout"]])
    eng = NeighborEngine(real, ctx.config.metric, ctx.config.threads)
    d = eng.kneighbors(encoded_rows, ISOLATION_K + 1)[0].astype(np.float64)[:, 1:]  # not itself
    d = d / ctx.encoder.distance_scale if ctx.config.metric == "l1" else np.sqrt(d)
    return d.mean(axis=1)


# ------------------------------------------------------------------------------- evaluation


def operating_points(pos_sel: np.ndarray, neg_sel: np.ndarray, pos_ev: np.ndarray,
                     neg_ev: np.ndarray, alpha: float) -> list[dict]:
    """TPR and FPR at each target FPR: threshold from the selection half, counts and
    Clopper–Pearson intervals on the evaluation half, and the privacy-loss lower bound."""
    rows = []
    n_pos, n_neg = len(pos_ev), len(neg_ev)
    for f in FPRS:
        row: dict = {"fpr_target": f}
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


def _auc_interval(pos: np.ndarray, neg: np.ndarray, reps: int, alpha: float,
                  rng: np.random.Generator) -> tuple[float, float, float]:
    est = float(bootstrap_auc(pos, neg, None)[0])
    wp = rng.poisson(1.0, (reps, len(pos))).astype(np.float64)
    wn = rng.poisson(1.0, (reps, len(neg))).astype(np.float64)
    boot = bootstrap_auc(pos, neg, (wp, wn))
    boot = boot[np.isfinite(boot)]
    lo, hi = np.quantile(boot, [alpha / 2, 1 - alpha / 2]) if len(boot) else (0.0, 1.0)
    return est, float(lo), float(hi)


def _selection_key(pos: np.ndarray, neg: np.ndarray, f: float) -> tuple[float, float]:
    tau = threshold_at_fpr(neg, f)
    tpr = count_at(pos, tau) / max(len(pos), 1)
    fpr = count_at(neg, tau) / max(len(neg), 1)
    return tpr - fpr, float(bootstrap_auc(pos, neg, None)[0])


def _attack_table(per_attack: dict) -> list[dict]:
    """One flat row per attack (for report tables): AUC and TPR at each estimable FPR."""
    rows = []
    for name, a in per_attack.items():
        row = {"attack": name, "auc": a["auc"], "auc_95_ci": a["auc_interval"],
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
    component = True
    needs_holdout = True
    thresholds = {"public-release": 0.05, "controlled-access": 0.1}
    data_driving = "holdout rows (non-member targets and the attacker's reference)"
    #: targets per class (members and non-members) at most: every training record up to this
    max_targets = 200_000
    #: synthetic rows the classifier attack trains on at most (a seeded sample beyond)
    max_classifier_rows = 15_000
    #: evaluation non-members needed for the 10% point (so the holdout needs twice this)
    min_holdout = 200
    exposure_fpr = 0.001
    max_listed = 10_000

    def run(self, ctx: ScanContext) -> CheckResult:
        n_t, n_h, n_s = ctx.n("train"), ctx.n("holdout"), ctx.n("synthetic")
        cfg = ctx.config
        folds = cfg.mia_folds
        small = []
        if n_h < self.min_holdout:
            small.append(f"holdout has {n_h} rows; membership inference needs at least "
                         f"{self.min_holdout} (2,000 for the 1% false-positive point)")
        if n_t < self.min_holdout // 2:
            small.append(f"train has {n_t} rows; at least {self.min_holdout // 2} are needed")
        if n_s < 50:
            small.append(f"synthetic has {n_s} rows; at least 50 are needed")
        if small:
            return self.skip("; ".join(small))

        t = design(n_t, n_h, folds, self.max_targets, ctx.rng("mia:design"))
        enc_t = np.empty((len(t.row), ctx.encoded["train"].shape[1]), dtype=np.float32)
        for tab in ("train", "holdout"):
            sel = t.table == tab
            enc_t[sel] = ctx.encoded[tab][t.row[sel]]
        scores = {"classifier": _classifier_scores(ctx, t)}
        dist_scores, iso = _distance_scores(ctx, t, enc_t)
        scores.update(dist_scores)

        sel_half, ev_half = t.half == 0, t.half == 1
        pos_s, neg_s = sel_half & t.member, sel_half & ~t.member
        pos_e, neg_e = ev_half & t.member, ev_half & ~t.member
        n_neg_e = int(neg_e.sum())
        op_fpr = 0.01 if n_neg_e * 0.01 >= MIN_EXPECTED_FP else 0.1
        if n_neg_e * op_fpr < MIN_EXPECTED_FP:
            return self.skip(f"the evaluation half has {n_neg_e} non-members; at least 100 are "
                             f"needed (a holdout of at least {self.min_holdout} rows)")

        # choose the attack on the selection half only
        keys = {a: _selection_key(s[pos_s], s[neg_s], op_fpr) for a, s in scores.items()}
        best = max(ATTACKS, key=lambda a: (keys[a][0], keys[a][1], -ATTACKS.index(a)))

        rng = ctx.rng("mia:bootstrap")
        per_attack = {}
        for a in ATTACKS:
            s = scores[a]
            auc, auc_lo, auc_hi = _auc_interval(s[pos_e], s[neg_e], cfg.bootstrap, cfg.alpha,
                                                rng)
            per_attack[a] = {
                "selection_score": keys[a][0],
                "auc": auc, "auc_interval": [auc_lo, auc_hi],
                "max_advantage": max_advantage(s[pos_e], s[neg_e]),
                "operating_points": operating_points(s[pos_s], s[neg_s], s[pos_e], s[neg_e],
                                                     cfg.alpha),
            }
        s = scores[best]

        # the risk, overall and on the most isolated tenth of the targets. Each part has its
        # own attack choice and threshold from the selection half (isolated records score
        # differently from typical ones); its rates are measured on the evaluation half.
        cut = float(np.quantile(iso, 0.9))
        vulnerable = iso >= cut
        risk, tests = {}, []
        labels = {"all": "all records", "most_isolated_decile": "most isolated tenth"}
        for part, mask in (("all", np.ones(len(s), bool)), ("most_isolated_decile", vulnerable)):
            ps, ns, pm, nm = pos_s & mask, neg_s & mask, pos_e & mask, neg_e & mask
            n_p, n_n = int(pm.sum()), int(nm.sum())
            if n_p == 0 or n_n == 0 or ns.sum() == 0:
                continue
            if part == "all":
                f, attack = op_fpr, best
            else:  # 1% when the part's selection non-members allow one false positive
                f = 0.01 if ns.sum() * 0.01 >= 1 else 0.1
                attack = max(ATTACKS, key=lambda a: (*_selection_key(
                    scores[a][ps], scores[a][ns], f), -ATTACKS.index(a)))
            tau = threshold_at_fpr(scores[attack][ns], f)
            tp, fp = count_at(scores[attack][pm], tau), count_at(scores[attack][nm], tau)
            tests.append(SubTest(f"{labels[part]}: {attack} at {f:.0%} false positives",
                                 tp, n_p, fp, n_n))
            risk[part] = {"attack": attack, "fpr_target": f, "tp": tp, "members": n_p, "fp": fp,
                          "nonmembers": n_n, "tpr": tp / n_p, "fpr": fp / n_n,
                          "excess": tp / n_p - fp / n_n}
        driver = max(risk, key=lambda k: risk[k]["excess"])
        r = risk[driver]

        # per-record exposure: members above the 0.1%-FPR threshold over all non-members
        all_neg = s[~t.member]
        tau_exp = threshold_at_fpr(all_neg, self.exposure_fpr)
        fpr_exp = count_at(all_neg, tau_exp) / len(all_neg)
        exposed_mask = t.member & (s >= tau_exp)
        order = np.flatnonzero(exposed_mask)[np.argsort(-s[exposed_mask], kind="stable")]
        exposed_rows = t.row[order]
        n_members = int(t.member.sum())

        best_ops = per_attack[best]["operating_points"]
        op_row = next(o for o in best_ops if o["fpr_target"] == op_fpr)
        summary = (
            f"The strongest of {len(ATTACKS)} attacks ({r['attack']}, chosen on half of the "
            f"targets) flags {r['tp']} of {r['members']} training records "
            f"({r['tpr']:.2%}) against {r['fp']} of {r['nonmembers']} holdout records "
            f"({r['fpr']:.2%}) at a {r['fpr_target']:.0%} false-positive setting"
            + (" among the most isolated tenth of records" if driver != "all" else "")
            + f": an excess of {r['excess']:+.2%} of training records. "
            f"AUC {per_attack[best]['auc']:.3f}. {int(exposed_mask.sum())} of {n_members} "
            f"tested training records score above the 0.1% false-positive threshold "
            f"(about {fpr_exp * n_members:.1f} expected by chance)."
        )
        if op_fpr != 0.01:
            summary += (" The 1% false-positive point needs a holdout of at least 2,000 rows; "
                        "the 10% point was used.")
        ev_pos, ev_neg = s[pos_e], s[neg_e]
        return self.result(
            tests=tests, unit="training records", unit_total=n_t, summary=summary,
            counts={"train_rows": n_t, "holdout_rows": n_h, "members_tested": n_members,
                    "nonmembers_tested": int((~t.member).sum()),
                    "evaluation_members": int(pos_e.sum()), "evaluation_nonmembers": n_neg_e,
                    "folds": folds, "tp": op_row.get("tp"), "fp": op_row.get("fp"),
                    "exposed_records": int(exposed_mask.sum())},
            details={
                "best_attack": best,
                "operating_fpr": op_fpr,
                "risk_parts": risk,
                "risk_driver": driver,
                "selection": "attack and thresholds chosen on one random half of the targets "
                             "(by TPR − FPR at the operating point, then AUC); every figure "
                             "measured on the other half",
                "design": f"{folds}-fold cross-fitting over the holdout: non-members = the "
                          "fold, attacker's reference = the rest of the holdout, members = "
                          f"every training record (up to {self.max_targets:,}), split over the "
                          "folds",
                "attacks": per_attack,
                "attack_table": _attack_table(per_attack),
                "roc_curve": {**roc_loglog(ev_pos, ev_neg),
                               "scale": "log",
                               "note": f"{best} attack on the evaluation half; the diagonal is "
                                       "chance"},
                "exposure": {"fpr_target": self.exposure_fpr, "fpr_achieved": fpr_exp,
                             "records": int(exposed_mask.sum()),
                             "expected_by_chance": fpr_exp * n_members,
                             "train_rows": exposed_rows[: self.max_listed],
                             "listed": int(min(len(exposed_rows), self.max_listed))},
                "isolation_cutoff": cut,
            },
        )
