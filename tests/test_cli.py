"""The command line as a user meets it: real subprocesses on the committed sample data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "synthscan", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT)


def scan_sample(release: str, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return run("scan", str(SAMPLE / "train.csv"), str(SAMPLE / f"synthetic_{release}.csv"),
               "--holdout", str(SAMPLE / "holdout.csv"), "--metadata",
               str(SAMPLE / "metadata.json"), "--out", str(out), *extra)


@pytest.fixture(scope="module")
def leaky(tmp_path_factory):
    out = tmp_path_factory.mktemp("leaky")
    proc = scan_sample("leaky", out)
    return proc, json.loads((out / "result.json").read_text())


def test_leaky_sample_reports_exactly_the_planted_copies_and_fails(leaky):
    proc, result = leaky
    manifest = json.loads((SAMPLE / "leak_manifest.json").read_text())
    assert proc.returncode == 1, proc.stderr
    copies = next(c for c in result["checks"] if c["id"] == "exact_copies")
    assert copies["counts"]["copies_of_train"] == manifest["exact_copies"]
    assert copies["counts"]["copies_of_holdout"] == 0
    assert result["verdict"] == "high"
    assert "Traceback" not in proc.stderr
    assert "Verdict: HIGH" in proc.stderr and proc.stdout == ""


def test_clean_sample_reports_no_copies_and_passes(tmp_path):
    proc = scan_sample("clean", tmp_path)
    result = json.loads((tmp_path / "result.json").read_text())
    copies = next(c for c in result["checks"] if c["id"] == "exact_copies")
    assert copies["counts"]["copies_of_train"] == 0
    assert result["verdict"] in ("low", "inconclusive")
    assert proc.returncode == 0, proc.stderr


def test_fail_on_levels_set_the_exit_code(tmp_path):
    # the record-side copy components only: the exit-code logic does not need the attacks
    only = ("--set", 'checks=["verbatim", "closeness"]')
    leaky = scan_sample("leaky", tmp_path / "l", "--fail-on", "never", *only)
    assert json.loads((tmp_path / "l" / "result.json").read_text())["verdict"] == "high"
    assert leaky.returncode == 0
    assert scan_sample("leaky", tmp_path / "h", *only).returncode == 1
    clean = scan_sample("clean", tmp_path / "c", "--fail-on", "inconclusive", *only)
    assert json.loads((tmp_path / "c" / "result.json").read_text())["verdict"] == "low"
    assert clean.returncode == 0


def test_result_records_inputs_schema_config_and_versions(leaky):
    _, r = leaky
    assert r["schema_version"] and r["seed"] == 0
    roles = {i["role"]: i for i in r["inputs"]}
    assert set(roles) == {"train", "holdout", "synthetic"}
    assert len(roles["train"]["sha256"]) == 64 and roles["train"]["rows"] == 4000
    assert "person_id" in r["schema"]["identifiers_excluded_from_distances"]
    assert {"numpy", "pandas", "faiss", "scikit-learn", "synthscan"} <= set(r["environment"])
    assert "timings_seconds" in r["run"]
    for c in r["checks"]:
        assert {"id", "name", "status", "estimate", "lower", "upper", "counts", "details"} <= set(c)


def test_json_to_stdout_is_the_only_stdout(tmp_path):
    proc = scan_sample("clean", "-", "--format", "json")
    doc = json.loads(proc.stdout)
    assert doc["schema_version"] and proc.returncode == 0


def test_same_seed_gives_identical_json_outside_run(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    scan_sample("leaky", a, "--seed", "3")
    scan_sample("leaky", b, "--seed", "3", "--threads", "1")
    ra, rb = (json.loads((d / "result.json").read_text()) for d in (a, b))
    ra.pop("run"), rb.pop("run")
    ra["config"].pop("threads"), rb["config"].pop("threads")
    assert ra == rb


def test_version_and_module_entry_point():
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("synthscan ")


def test_split_makes_a_random_holdout_and_explains_why(tmp_path):
    help_text = run("split", "--help").stdout
    assert "BEFORE" in help_text and "holdout" in help_text
    proc = run("split", str(SAMPLE / "train.csv"), "--holdout-fraction", "0.25", "--seed", "5",
               "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    tr = pd.read_csv(tmp_path / "train_train.csv")
    ho = pd.read_csv(tmp_path / "train_holdout.csv")
    assert len(tr) == 3000 and len(ho) == 1000
    assert set(tr["person_id"]).isdisjoint(ho["person_id"])
    again = tmp_path / "again"
    run("split", str(SAMPLE / "train.csv"), "--holdout-fraction", "0.25", "--seed", "5",
        "--out", str(again))
    first = (tmp_path / "train_holdout.csv").read_bytes()
    assert (again / "train_holdout.csv").read_bytes() == first


def test_scan_without_holdout_says_the_evidence_is_weaker(tmp_path):
    proc = run("scan", str(SAMPLE / "train.csv"), str(SAMPLE / "synthetic_leaky.csv"),
               "--out", str(tmp_path))
    r = json.loads((tmp_path / "result.json").read_text())
    assert "no-holdout" in r["evidence"]
    assert "no-holdout" in proc.stderr
    assert r["verdict"] == "high" and proc.returncode == 1


@pytest.mark.parametrize("args", [
    ("scan", "--seed", "abc", "a.csv", "b.csv"),
    ("scan",),
    ("nope",),
    ("scan", "a.csv", "b.csv", "--fail-on", "maybe"),
])
def test_usage_errors_are_one_line_with_exit_code_2(args):
    proc = run(*args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("synthscan: error: ") and "--help" in lines[0]


def test_max_memory_stops_early_with_one_line_and_exit_3(tmp_path):
    proc = scan_sample("clean", tmp_path / "out", "--max-memory", "300MB")
    assert proc.returncode == 3
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--max-memory" in lines[0] and "raise --max-memory" in lines[0]
    assert not (tmp_path / "out").exists()


def test_unknown_check_selection_is_a_config_error(tmp_path):
    proc = scan_sample("clean", tmp_path / "out", "--set", 'checks=["nope"]')
    assert proc.returncode == 2
    assert "unknown check 'nope'" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_selected_checks_run_and_the_others_are_reported_as_not_selected(tmp_path):
    proc = scan_sample("leaky", tmp_path / "out", "--set",
                       'checks=["exact_copies", "verbatim"]', "--format", "json")
    assert proc.returncode == 1
    result = json.loads((tmp_path / "out" / "result.json").read_text())
    status = {c["id"]: c["status"] for c in result["checks"]}
    assert status["verbatim"] == "fail" and status["exact_copies"] == "info"
    assert status["membership_inference"] == "skipped"
    assert all("not selected" in c["reason"] for c in result["checks"]
               if c["id"] not in ("exact_copies", "verbatim"))
    # only the selected component was planned: the verdict covers it alone
    assert result["risk"]["planned"] == ["verbatim"]
