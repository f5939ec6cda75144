"""The library's gate for pipelines: ``ScanResult.passed`` for each ``fail_on`` level,
``assert_ok()`` and the ``PrivacyRiskError`` it raises (naming the failing component and its
bounds), on hand-built results and on one real scan of the leaky sample."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import synthscan
from synthscan.config import ScanConfig
from synthscan.data.schema import Schema
from synthscan.errors import ExitCode, PrivacyRiskError
from synthscan.model import CheckResult, Missing, Risk
from synthscan.result import ScanResult
from synthscan.risk.policy import Policy
from synthscan.stats.bounds import Decision

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def decision(estimate: float, lower: float, upper: float) -> Decision:
    return Decision(estimate=estimate, lower=lower, upper=upper, lower_level=0.9975,
                    upper_level=0.95, sub_tests=1, worst="copies", binding="copies",
                    certifiable=0.01, standard_error=0.01)


FAILING = CheckResult(id="closeness", name="Closeness", criterion="distance", status="fail",
                      estimate=0.06, component=True, threshold=0.02,
                      decision=decision(0.06, 0.03, 0.09))
UNDECIDED = CheckResult(id="verbatim", name="Verbatim", criterion="copies", status="warn",
                        estimate=0.01, component=True, threshold=0.02,
                        decision=decision(0.01, -0.01, 0.04))
PASSING = CheckResult(id="verbatim", name="Verbatim", criterion="copies", status="pass",
                      estimate=0.0, component=True, threshold=0.02,
                      decision=decision(0.0, -0.01, 0.01))
SUPPORTING = CheckResult(id="exact_copies", name="Exact copies", criterion="copies",
                         status="info", estimate=0.5)


def result(verdict: str, fail_on: str, checks: list[CheckResult],
           missing: tuple[Missing, ...] = ()) -> ScanResult:
    return ScanResult(verdict=verdict, risk=Risk(upper_level=0.95, missing=missing),  # type: ignore[arg-type]
                      checks=checks, inputs=[], schema=Schema([]), encoding={},
                      config=ScanConfig(), policy=Policy(fail_on=fail_on), seed=0,
                      environment={})


CHECKS = {"low": [PASSING, SUPPORTING], "inconclusive": [UNDECIDED, SUPPORTING],
          "high": [FAILING, UNDECIDED, SUPPORTING]}


@pytest.mark.parametrize("fail_on,passes", [
    ("never", {"low", "inconclusive", "high"}),
    ("high", {"low", "inconclusive"}),
    ("inconclusive", {"low"}),
])
def test_passed_for_each_fail_on_level(fail_on: str, passes: set[str]) -> None:
    for verdict, checks in CHECKS.items():
        r = result(verdict, fail_on, checks)
        assert r.passed == (verdict in passes), (fail_on, verdict)
        if r.passed:
            r.assert_ok()  # returns quietly
        else:
            with pytest.raises(PrivacyRiskError):
                r.assert_ok()


def test_privacy_risk_error_names_the_failing_component_and_its_bounds() -> None:
    with pytest.raises(PrivacyRiskError) as info:
        result("high", "high", CHECKS["high"]).assert_ok()
    msg = str(info.value)
    assert msg.startswith("privacy risk verdict 'high' fails the policy (fail on high): ")
    assert ("closeness fail: estimate 6.00%, confirmed ≥ 3.00% (99.75%), certified ≤ 9.00% "
            "(95%), threshold 2.00%") in msg
    # under fail_on high, an undecided component is not a reason; supporting checks never are
    assert "verbatim" not in msg and "exact_copies" not in msg
    assert info.value.exit_code == ExitCode.POLICY_FAILED


def test_under_fail_on_inconclusive_undecided_and_missing_components_are_named() -> None:
    missing = (Missing("membership_inference", "needs a holdout"),)
    with pytest.raises(PrivacyRiskError) as info:
        result("inconclusive", "inconclusive", CHECKS["inconclusive"], missing).assert_ok()
    msg = str(info.value)
    assert "(fail on inconclusive)" in msg
    assert "verbatim warn: estimate 1.00%, confirmed ≥ -1.00% (99.75%), certified ≤ 4.00% (95%)" \
           in msg
    assert "membership_inference not decided (needs a holdout)" in msg


def test_assert_ok_on_a_real_scan_of_the_leaky_sample() -> None:
    r = synthscan.scan(SAMPLE / "train.csv", SAMPLE / "synthetic_leaky.csv",
                       holdout=SAMPLE / "holdout.csv", metadata=SAMPLE / "metadata.json",
                       config=synthscan.ScanConfig(checks=["verbatim"]))
    assert r.verdict == "high" and not r.passed
    with pytest.raises(PrivacyRiskError, match=r"verdict 'high' .*: verbatim fail: estimate "
                                               r"\d+\.\d\d%, confirmed ≥ \d+\.\d\d%"):
        r.assert_ok()
    lenient = dataclasses.replace(r, policy=dataclasses.replace(r.policy, fail_on="never"))
    assert lenient.passed
    lenient.assert_ok()
    # the lenient copy keeps the thresholds the verdict was decided with
    assert lenient.policy.high_thresholds == r.policy.high_thresholds
    assert r.policy.high_threshold("verbatim") == 0.0  # public release: any confirmed excess


def test_checks_run_searches_first_worker_work_next_preconditions_last_results_in_order():
    from synthscan.api import run_order
    from synthscan.attacks import default_checks

    checks = default_checks(True)
    order = [checks[i] for i in run_order(checks)]
    flags = [(c.precondition, c.in_worker) for c in order]
    assert flags == sorted(flags)  # here, then the worker's, then the preconditions
    assert order[0].id == checks[0 if not checks[0].precondition else 1].id  # stable within
    assert {c.id for c in order} == {c.id for c in checks}
    result = synthscan.scan(SAMPLE / "train.csv", SAMPLE / "synthetic_clean.csv",
                            holdout=SAMPLE / "holdout.csv", metadata=SAMPLE / "metadata.json")
    assert [c.id for c in result.checks] == [c.id for c in checks]  # as given, not as run
