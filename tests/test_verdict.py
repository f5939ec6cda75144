"""Three-way verdict, weakest link and decision guidance against hand-worked cases."""

from __future__ import annotations

import pytest

from synthscan.attacks.base import CheckResult
from synthscan.risk.policy import Policy
from synthscan.risk.verdict import apply_policy, more_data_needed


def comp(id_: str, est: float, lo: float, hi: float) -> CheckResult:
    return CheckResult(id=id_, name=id_, criterion="copies", component=True, estimate=est,
                       lower=lo, upper=hi)


def test_weakest_link_not_average():
    checks = [comp("exact_copies", 0.0, 0.0, 0.002), comp("nearest_record_share", 0.2, 0.1, 0.3)]
    v = apply_policy(checks, Policy())
    assert v.verdict == "high" and v.estimate == 0.2 and v.upper == 0.3
    assert v.driver == "nearest_record_share"
    assert [c.status for c in checks] == ["pass", "fail"]


def test_low_needs_every_upper_bound_below_its_threshold():
    checks = [comp("exact_copies", 0.0, 0.0, 0.005), comp("nearest_record_share", 0.0, 0.0, 0.02)]
    v = apply_policy(checks, Policy())
    assert v.verdict == "inconclusive"
    assert apply_policy(checks, Policy(preset="controlled-access")).verdict == "low"


def test_supporting_warning_keeps_verdict_from_low():
    checks = [comp("exact_copies", 0.0, 0.0, 0.005),
              CheckResult(id="data_copying", name="d", criterion="distance", status="warn")]
    assert apply_policy(checks, Policy()).verdict == "inconclusive"


def test_skipped_components_do_not_count_but_stay_listed():
    skipped = CheckResult.skipped("unique_reproduction", "u", "copies", "needs a holdout")
    checks = [comp("exact_copies", 0.0, 0.0, 0.005), skipped]
    v = apply_policy(checks, Policy())
    assert v.verdict == "low" and v.n_components == 1 and skipped.status == "skipped"


def test_more_data_needed_hand_worked():
    # estimate 0, upper 0.04, threshold 0.01: half-width must shrink 4x -> 16x the data
    assert more_data_needed(0.0, 0.0, 0.04, 0.01) == {"if_estimate_holds": "low", "factor": 16.0}
    # estimate 0.05, lower 0.0, threshold 0.03: gap 0.05 must shrink to 0.02 -> 6.25x
    assert more_data_needed(0.05, 0.0, 0.1, 0.03) == {"if_estimate_holds": "high", "factor": 6.2}
    assert more_data_needed(0.0099, 0.0, 0.5, 0.01)["factor"] is None


def test_guidance_in_result_for_undecided_components():
    checks = [comp("nearest_record_share", 0.0, 0.0, 0.04)]
    v = apply_policy(checks, Policy())
    g = v.risk_dict()["decision_guidance"]
    assert g[0]["component"] == "nearest_record_share" and g[0]["factor"] == pytest.approx(16.0)
    assert "holdout" in g[0]["data"]
