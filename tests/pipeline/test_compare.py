"""Release comparison: the difference bounds against hand-worked Clopper–Pearson limits and a
simulation of dependent scans; ``synthscan compare`` and ``scan --baseline`` on the sample data's
clean and leaky releases; every way two results can fail to be comparable."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_runner import run_cli
from scipy.stats import beta

import synthscan
from synthscan.comparison import change_bounds
from synthscan.errors import EXIT_OK, EXIT_POLICY_FAILED, EXIT_USAGE, UsageError
from synthscan.stats.bounds import SubTest, excess_lower, excess_upper


def cp(k: float, n: float, a: float, upper: bool) -> float:
    """One-sided Clopper–Pearson limit, written out from the beta quantiles."""
    if upper:
        return 1.0 if k >= n else float(beta.ppf(1 - a, k + 1, n - k))
    return 0.0 if k <= 0 else float(beta.ppf(a, k, n - k + 1))


# ------------------------------------------------------------------------------ the bounds


def test_bounds_without_control_are_clopper_pearson_limits_at_half_alpha() -> None:
    old, new = SubTest("copy", 3, 1000), SubTest("copy", 30, 1000)
    lower, upper = change_bounds([old], [new], 0.05)
    assert lower == pytest.approx(cp(30, 1000, 0.025, False) - cp(3, 1000, 0.025, True))
    assert upper == pytest.approx(cp(30, 1000, 0.025, True) - cp(3, 1000, 0.025, False))
    assert 0 < lower < 0.027 < upper


def test_bounds_with_control_follow_the_mover_formula() -> None:
    old = SubTest("event", 40, 2000, 30, 1500)
    new = SubTest("event", 90, 2000, 31, 1500)
    a = 0.025

    def mover_lower(t: SubTest) -> float:
        return t.estimate - math.hypot(t.rate_t - cp(t.k_t, t.n_t, a, False),
                                       cp(t.k_h, t.n_h, a, True) - t.rate_h)

    def mover_upper(t: SubTest) -> float:
        return t.estimate + math.hypot(cp(t.k_t, t.n_t, a, True) - t.rate_t,
                                       t.rate_h - cp(t.k_h, t.n_h, a, False))

    lower, upper = change_bounds([old], [new], 0.05)
    assert lower == pytest.approx(mover_lower(new) - mover_upper(old), abs=1e-9)
    assert upper == pytest.approx(mover_upper(new) - mover_lower(old), abs=1e-9)


def test_the_lower_bound_of_a_maximum_splits_alpha_over_its_sub_tests() -> None:
    """Only the side whose maximum is bounded from below pays for the number of sub-tests."""
    old = [SubTest("a", 10, 1000, 9, 1000), SubTest("b", 12, 1000, 10, 1000)]
    new = [SubTest("a", 60, 1000, 9, 1000), SubTest("b", 11, 1000, 10, 1000),
           SubTest("c", 20, 1000, 15, 1000)]
    lower, upper = change_bounds(old, new, 0.1)
    assert lower == pytest.approx(max(excess_lower(t, 0.05 / 3) for t in new)
                                  - max(excess_upper(t, 0.05) for t in old))
    assert upper == pytest.approx(max(excess_upper(t, 0.05) for t in new)
                                  - max(excess_lower(t, 0.05 / 2) for t in old))
    estimate = max(t.estimate for t in new) - max(t.estimate for t in old)
    assert lower < estimate < upper


def test_the_bounds_hold_when_the_scans_are_negatively_dependent() -> None:
    """Two scans of the same 400 targets whose events are exact opposites (a record one release
    reproduces, the other does not): the difference has twice the variance independence
    assumes. An independent-samples MOVER interval misses far more often than alpha; the union
    bound does not."""
    rng = np.random.default_rng(7)
    n, alpha, reps = 400, 0.05, 2000
    union_misses = naive_misses = 0
    for _ in range(reps):
        k_old = int(rng.binomial(n, 0.5))
        old, new = SubTest("e", k_old, n), SubTest("e", n - k_old, n)  # true change: 0
        union_misses += change_bounds([old], [new], alpha)[0] > 0
        naive = (new.estimate - old.estimate) - math.hypot(
            new.estimate - excess_lower(new, alpha), excess_upper(old, alpha) - old.estimate)
        naive_misses += naive > 0
    assert naive_misses / reps > 0.08  # the scenario is hard: independence undercovers
    assert union_misses / reps <= alpha


# ------------------------------------------------------------------------- the sample data


def copied_share(inputs: dict[str, Path]) -> float:
    """The share of (unique) training rows the leaky release reproduces on every column but the
    id, counted with pandas; the clean release reproduces none, nor any holdout row."""
    train, leaky = (pd.read_csv(inputs[k]).drop(columns="person_id")
                    for k in ("train", "synthetic_leaky"))
    assert not train.duplicated().any()
    return len(train.merge(leaky.drop_duplicates())) / len(train)


def test_compare_names_the_components_a_leaky_release_made_worse(
        sample_scans: dict[str, Path], sample_inputs: dict[str, Path]) -> None:
    proc = run_cli("compare", sample_scans["clean"], sample_scans["leaky"])
    assert proc.returncode == EXIT_POLICY_FAILED, proc.stderr
    rows = {line.split()[0]: line for line in proc.stdout.splitlines() if line.strip()}
    assert rows["verbatim"].endswith("WORSE") and rows["closeness"].endswith("WORSE")
    assert not rows["singling_out"].endswith("WORSE")
    failed = proc.stderr.strip().splitlines()[-1]
    assert failed.startswith("Comparison failed: verbatim, closeness") and "exit code 1" in failed

    doc = json.loads(run_cli("compare", sample_scans["clean"], sample_scans["leaky"],
                             "--format", "json").stdout)
    assert doc["passed"] is False and set(doc["worse"]) == {"verbatim", "closeness"}
    verbatim = next(c for c in doc["components"] if c["id"] == "verbatim")
    assert verbatim["change"] == pytest.approx(copied_share(sample_inputs))
    assert 0.005 < verbatim["decision_lower"] < verbatim["lower"] < verbatim["change"]
    assert doc["decision_level"] == pytest.approx(1 - 0.05 / 4)  # four compared components


def test_two_seeds_of_one_release_do_not_differ(sample_scans: dict[str, Path]) -> None:
    proc = run_cli("compare", sample_scans["clean"], sample_scans["clean_seed1"])
    assert proc.returncode == EXIT_OK, proc.stderr
    assert "No component got significantly worse beyond the 0.50 pp margin" in proc.stdout
    result = synthscan.compare(sample_scans["clean"], sample_scans["clean_seed1"])
    assert result.passed and result.same_real_data
    compared = [c for c in result.changes if c.status != "not_compared"]
    assert len(compared) == 4 and all(c.lower < 0 < c.upper for c in compared)


def test_a_leak_removed_is_reported_better_and_passes(sample_scans: dict[str, Path]) -> None:
    result = synthscan.compare(sample_scans["leaky"], sample_scans["clean"])
    assert result.passed
    status = {c.id: c.status for c in result.changes}
    assert status["verbatim"] == status["closeness"] == "better"
    assert status["membership_inference"] == "not_compared"  # skipped in both scans


def test_the_margin_decides(sample_scans: dict[str, Path]) -> None:
    """The verbatim worsening's family-adjusted lower bound is about 1.3 points: a margin
    below it fails, one above it passes."""
    cmp = synthscan.compare(sample_scans["clean"], sample_scans["leaky"], margin=0)
    bound = next(c.decision_lower for c in cmp.changes if c.id == "verbatim")
    assert bound is not None
    below, above = f"{100 * bound - 0.1:.2f}%", f"{100 * bound + 0.1:.2f}pp"
    assert "verbatim" in run_cli("compare", sample_scans["clean"], sample_scans["leaky"],
                                 "--margin", below).stderr
    cmp_above = synthscan.compare(sample_scans["clean"], sample_scans["leaky"],
                                  margin=bound + 0.001)
    assert "verbatim" not in cmp_above.worse
    proc = run_cli("compare", sample_scans["clean"], sample_scans["leaky"], "--margin", above)
    assert "verbatim," not in proc.stderr


def test_scan_baseline_fails_a_passing_verdict_that_got_worse(store_of_three: dict) -> None:
    """The leaky release's verdict passes under --fail-on never, yet the comparison with the
    clean baseline fails the scan, and says so in one line."""
    proc = store_of_three["proc"]
    assert proc.returncode == EXIT_POLICY_FAILED, proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("Baseline comparison failed: verbatim, closeness")
    assert "even if the verdict passes" in last and "Policy failed" not in proc.stderr
    assert store_of_three["results"][-1].verdict == "high"


def test_an_unreadable_baseline_stops_the_scan_before_it_runs(tmp_path: Path, scan_cli) -> None:
    bad = tmp_path / "old.json"
    bad.write_text("{not json", encoding="utf-8")
    proc = scan_cli("synthetic_clean", "--baseline", bad, "--out", tmp_path / "out")
    assert proc.returncode == EXIT_USAGE
    assert proc.stderr.strip().startswith("synthscan: error: old.json: not a JSON file")
    assert not (tmp_path / "out").exists()
    proc = scan_cli("synthetic_clean", "--baseline-margin", "1%", "--out", tmp_path / "out")
    assert proc.returncode == EXIT_USAGE and "--baseline-margin needs --baseline" in proc.stderr


# ------------------------------------------------------------------- incomparable results


def _edited(path: Path, tmp_path: Path, edit) -> Path:
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    out = tmp_path / "edited.json"
    out.write_text(json.dumps(data), encoding="utf-8")
    return out


def _error(old: Path, new: Path, *args: str) -> str:
    proc = run_cli("compare", old, new, *args)
    assert proc.returncode == EXIT_USAGE, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("synthscan: error: "), proc.stderr
    return lines[0]


def test_results_that_cannot_be_compared_are_usage_errors(sample_scans: dict[str, Path],
                                                          tmp_path: Path) -> None:
    clean = sample_scans["clean"]
    preset = _edited(clean, tmp_path, lambda d: d["policy"].update(
        preset="controlled-access", thresholds={}, high_thresholds={}))
    line = _error(clean, preset)
    assert "'public-release'" in line and "'controlled-access'" in line and "--preset" in line


    old_schema = _edited(clean, tmp_path, lambda d: d.update(schema_version="1.3"))
    assert "result schema 1.3 is not supported" in _error(old_schema, clean)
    assert "no such result file" in _error(tmp_path / "missing.json", clean)
    assert "not a margin" in _error(clean, clean, "--margin", "lots")
    assert "not a margin" in _error(clean, clean, "--margin", "150%")


def test_a_component_only_one_scan_has_is_listed_not_compared(sample_scans: dict[str, Path],
                                                                tmp_path: Path) -> None:
    """An older scan (a synthscan version without a check) still compares on the components
    both have; the other is listed as not compared, with what to do."""
    clean = sample_scans["clean"]

    def drop(d: dict) -> None:
        d["checks"] = [c for c in d["checks"] if c["id"] != "closeness"]

    older = _edited(clean, tmp_path, drop)
    cmp = synthscan.compare(older, sample_scans["leaky"])
    by_id = {c.id: c for c in cmp.changes}
    closeness = by_id["closeness"]
    assert closeness.status == "not_compared" and closeness.old_status == "absent"
    assert "only in" in closeness.note and "scan the other release" in closeness.note
    assert by_id["verbatim"].status == "worse" and not cmp.passed
    assert run_cli("compare", clean, older).returncode == EXIT_OK


def test_the_api_refuses_bad_arguments(sample_scans: dict[str, Path]) -> None:
    with pytest.raises(UsageError, match="margin -0.1 is not a share"):
        synthscan.compare(sample_scans["clean"], sample_scans["leaky"], margin=-0.1)
    data = json.loads(sample_scans["clean"].read_text(encoding="utf-8"))
    with pytest.raises(UsageError, match="OLD: result schema 9.0 cannot be compared"):
        synthscan.compare({**data, "schema_version": "9.0"}, sample_scans["clean"])
    same = synthscan.compare(data, data)  # a result's dict compares like its file
    assert same.passed and all(c.change in (None, 0) for c in same.changes)
