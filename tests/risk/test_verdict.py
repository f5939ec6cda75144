"""The verdict rule against hand-worked cases: one-sided bounds, intersection–union `low`,
Bonferroni `high`, missing components, and the risk line in people."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from synthscan.model import CheckResult, Missing
from synthscan.risk.policy import Policy
from synthscan.risk.verdict import apply_policy
from synthscan.stats.bounds import SubTest, excess_lower, excess_upper

PLANNED = ["closeness", "membership_inference"]


def comp(id_: str, *tests: SubTest, unit_total: int = 10_000) -> CheckResult:
    return CheckResult(id=id_, name=id_, criterion="copies", component=True, tests=list(tests),
                       unit_total=unit_total, counts={"train_rows": 10_000})


def clean(label: str = "x") -> SubTest:
    return SubTest(label, 100, 10_000, 50, 5_000)  # r_T = r_H = 1%


def test_intersection_union_hand_worked_example():
    """Two components: closeness certified at 1% needs its upper bound < 0.01; membership's at
    5%. Low only when both are below; one above makes the scan inconclusive."""
    close = comp("closeness", clean("raw"), clean("relative"))
    mia = comp("membership_inference", SubTest("all", 300, 5_000, 25, 2_500))  # e = 5%
    ub_close = excess_upper(clean(), 0.05)
    ub_mia = excess_upper(mia.tests[0], 0.05)
    assert ub_close < 0.01 < 0.05 < ub_mia  # the hand check behind the expectations below
    checks, v = apply_policy([close, mia], Policy(), 0.05, PLANNED)
    assert [c.status for c in checks] == ["pass", "warn"]
    assert v.verdict == "inconclusive" and v.risk.undecided == ("membership_inference",)
    assert v.risk.upper == pytest.approx(ub_mia) and v.risk.binding == "membership_inference"
    mia_ok = comp("membership_inference", SubTest("all", 60, 5_000, 25, 2_500))
    checks, v = apply_policy([close, mia_ok], Policy(), 0.05, PLANNED)
    assert v.verdict == "low" and {c.status for c in checks} == {"pass"}
    assert v.risk.upper == pytest.approx(max(ub_close, excess_upper(mia_ok.tests[0], 0.05)))
    # the inputs are not modified: decided copies come back
    assert close.status == "info" and close.decision is None


def test_high_uses_the_family_adjusted_lower_bound():
    # K = 2 planned, m = 2 sub-tests: the lower bound is at alpha / 4
    leak = comp("closeness", SubTest("raw", 400, 10_000, 50, 5_000), clean("relative"))
    checks, v = apply_policy([leak, comp("membership_inference", clean())], Policy(), 0.05,
                             PLANNED)
    d = checks[0].decision
    assert d is not None and d.lower_level == pytest.approx(1 - 0.05 / 4)
    assert d.lower == pytest.approx(excess_lower(leak.tests[0], 0.05 / 4))
    assert d.lower > 0.01 and checks[0].status == "fail" and v.verdict == "high"
    assert v.risk.driver == "closeness" and v.risk.lower == pytest.approx(d.lower)


def test_a_skipped_or_errored_planned_component_blocks_low_and_is_named():
    skipped = CheckResult(id="membership_inference", name="m", criterion="membership",
                          component=True, status="skipped",
                          reason="holdout has 150 rows; membership inference needs at least 200")
    checks, v = apply_policy([comp("closeness", clean()), skipped], Policy(), 0.05, PLANNED)
    assert v.verdict == "inconclusive"
    assert v.risk.missing == (Missing("membership_inference", skipped.reason),)
    errored = CheckResult(id="membership_inference", name="m", criterion="membership",
                          component=True, status="error", reason="could not compute: ValueError")
    _, v = apply_policy([comp("closeness", clean()), errored], Policy(), 0.05, PLANNED)
    assert v.verdict == "inconclusive" and v.risk.missing[0].component == "membership_inference"
    # absent altogether
    _, v = apply_policy([comp("closeness", clean())], Policy(), 0.05, PLANNED)
    assert v.verdict == "inconclusive" and v.risk.missing[0].reason == "did not run"


def test_a_failing_component_still_makes_high_when_another_is_missing():
    leak = comp("closeness", SubTest("raw", 800, 10_000, 50, 5_000))
    _, v = apply_policy([leak], Policy(), 0.05, PLANNED)
    assert v.verdict == "high"


def test_vacuous_component_passes_with_its_reason():
    vac = CheckResult(id="closeness", name="c", criterion="copies", component=True,
                      status="skipped", reason="no record is unique", vacuous=True)
    _, v = apply_policy([vac, comp("membership_inference", clean())], Policy(), 0.05, PLANNED)
    assert v.verdict == "low" and v.risk.missing == ()


def test_a_vacuous_component_does_not_widen_the_family():
    """K counts the planned components with something to attack: with membership vacuous,
    closeness's two sub-tests are bounded at alpha / (1 x 2), not alpha / (2 x 2)."""
    leak = comp("closeness", SubTest("raw", 400, 10_000, 50, 5_000), clean("relative"))
    vac = CheckResult(id="membership_inference", name="m", criterion="membership",
                      component=True, status="skipped", reason="nothing to attack",
                      vacuous=True)
    checks, _ = apply_policy([leak, vac], Policy(), 0.05, PLANNED)
    d = checks[0].decision
    assert d is not None and d.lower_level == pytest.approx(1 - 0.05 / 2)
    assert d.lower == pytest.approx(excess_lower(leak.tests[0], 0.05 / 2))


def test_supporting_checks_never_gate_low():
    support = CheckResult(id="data_copying", name="d", criterion="distance", status="info",
                          details={"finding": "evidence of copying"})
    _, v = apply_policy([comp("closeness", clean()), comp("membership_inference", clean()),
                         support], Policy(), 0.05, PLANNED)
    assert v.verdict == "low"


def test_verbatim_any_confirmed_excess_fails_in_public_release_only():
    # 12 of 600 unique training records reproduced, 0 of 600 holdout: e = 2%, above 0.1%
    v_test = SubTest("unique", 12, 600, 0, 600)
    lb = excess_lower(v_test, 0.05 / 2)
    assert lb > 0  # confirmed at alpha / (K m) with K = 2, m = 1
    checks, v = apply_policy([comp("verbatim", v_test, unit_total=600),
                              comp("closeness", clean())], Policy(), 0.05,
                             ["verbatim", "closeness"])
    assert checks[0].status == "fail" and checks[0].high_threshold == 0.0
    assert v.verdict == "high"
    # controlled access: high needs the bound above θ = 0.2%
    checks, _ = apply_policy([comp("verbatim", v_test, unit_total=600)],
                             Policy(preset="controlled-access"), 0.05, ["verbatim"])
    assert checks[0].high_threshold == 0.002
    assert checks[0].status == ("fail" if excess_lower(v_test, 0.05) > 0.002 else "warn")
    # a user who sets θ themselves gets it for both directions
    p = Policy(thresholds={"verbatim": 0.05})
    assert p.high_threshold("verbatim") == 0.05 and p.threshold("verbatim") == 0.05


def test_risk_line_in_people_and_guidance():
    close = comp("closeness", SubTest("raw", 190, 10_000, 50, 5_000))  # e = 0.9%: undecided
    # a threshold the user sets applies to both directions: high needs a confirmed excess > 1%
    policy = Policy(thresholds={"closeness": 0.01})
    checks, v = apply_policy([close, comp("membership_inference", clean())], policy, 0.05,
                             PLANNED)
    risk = v.risk.to_dict()
    assert checks[0].status == "warn" and v.verdict == "inconclusive"
    ub, lb = checks[0].decision.upper, checks[0].decision.lower
    assert 0 < lb < 0.01 < ub  # an excess is confirmed, but not one above θ
    # in the public preset any confirmed excess of near copies fails
    checks, v = apply_policy([close, comp("membership_inference", clean())], Policy(), 0.05,
                             PLANNED)
    assert checks[0].status == "fail" and checks[0].high_threshold == 0.0
    assert v.verdict == "high"
    assert risk["upper"] == pytest.approx(ub)
    assert risk["people"] == {"train_rows": 10_000, "at_most": math.ceil(ub * 10_000),
                              "of": 10_000, "unit": "training records",
                              "component": "closeness", "at_least": math.floor(lb * 10_000)}
    g = risk["decision_guidance"][0]
    assert g["component"] == "closeness" and g["threshold"] == 0.01
    assert g["certifiable"] == pytest.approx(checks[0].decision.certifiable)
    assert g["if_estimate_holds"] == "low" and g["factor"] > 1
    assert "holdout" in g["data"]


def test_reporting_interval_is_two_sided_at_alpha_of_the_worst_sub_test():
    t = SubTest("raw", 150, 10_000, 50, 5_000)
    checks, _ = apply_policy([comp("closeness", clean("relative"), t)], Policy(), 0.1,
                             ["closeness"])
    c = checks[0]
    assert c.estimate == pytest.approx(0.005)
    assert c.lower == pytest.approx(excess_lower(t, 0.05))
    assert c.upper == pytest.approx(excess_upper(t, 0.05))
    assert c.decision.upper_level == pytest.approx(0.9)


def test_detection_only_check_can_fail_the_release_but_never_gates_low():
    def nrs(delta: float, se: float) -> CheckResult:
        return CheckResult(id="nearest_record_share", name="n", criterion="distance",
                           estimate=delta, standard_error=se)

    comps = [comp("closeness", clean()), comp("membership_inference", clean())]
    # K = 3 (two planned + one detector): the lower bound is at alpha / 3
    checks, v = apply_policy([*comps, nrs(0.08, 0.02)], Policy(), 0.05, PLANNED,
                             ["nearest_record_share"])
    d = checks[2].decision
    assert d.lower == pytest.approx(0.08 - stats.norm.ppf(1 - 0.05 / 3) * 0.02)
    assert checks[2].status == "fail" and v.verdict == "high"
    assert v.risk.driver == "nearest_record_share"
    assert checks[0].decision.lower_level == pytest.approx(1 - 0.05 / 3)  # K·m = 3·1
    # no confirmed excess: the verdict is read from the components alone
    checks, v = apply_policy([*comps, nrs(0.01, 0.02)], Policy(), 0.05, PLANNED,
                             ["nearest_record_share"])
    assert checks[2].status == "info" and v.verdict == "low"


def test_people_line_counts_people_not_predicates():
    so = comp("singling_out", SubTest("multivariate", 600, 3_000, 450, 3_000), unit_total=3_000)
    so = so.replace(unit="predicates")
    close = comp("closeness", clean())
    checks, v = apply_policy([so, close], Policy(), 0.05, ["singling_out", "closeness"])
    risk = v.risk.to_dict()
    assert v.risk.binding == "singling_out"  # the largest bound is a share of predicates
    ub_close = checks[1].decision.upper
    assert risk["people"]["component"] == "closeness"
    assert risk["people"]["at_most"] == math.ceil(ub_close * 10_000)
