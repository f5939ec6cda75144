"""The command line as a user meets it, on the committed sample data: one real subprocess (the
leaky scan: exit code, stderr only, no traceback), the other commands in process through the
console entry point ``main()``; and how library errors are phrased in the flags users type."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from cli_runner import Completed, run_cli, run_process

from synthscan.cli._options import flag_of, phrase
from synthscan.errors import ConfigError, ExitCode, InputError, ResourceError, UsageError
from synthscan.settings import ASSIGNMENT, OVERRIDE

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"


def sample_args(release: str, out: Path | str, *extra: str) -> list[str]:
    return ["scan", str(SAMPLE / "train.csv"), str(SAMPLE / f"synthetic_{release}.csv"),
            "--holdout", str(SAMPLE / "holdout.csv"), "--metadata",
            str(SAMPLE / "metadata.json"), "--out", str(out), *extra]


def scan_sample(release: str, out: Path | str, *extra: str) -> Completed:
    return run_cli(*sample_args(release, out, *extra))


@pytest.fixture(scope="module")
def leaky(tmp_path_factory: pytest.TempPathFactory) -> tuple[Completed, dict]:
    """The leaky sample scanned by a real ``python -m synthscan`` process."""
    out = tmp_path_factory.mktemp("leaky")
    proc = run_process(*sample_args("leaky", out), cwd=ROOT)
    return proc, json.loads((out / "result.json").read_text())


def test_leaky_sample_reports_exactly_the_planted_copies_and_fails(leaky):
    proc, result = leaky
    manifest = json.loads((SAMPLE / "leak_manifest.json").read_text())
    assert proc.returncode == ExitCode.POLICY_FAILED, proc.stderr
    copies = next(c for c in result["checks"] if c["id"] == "exact_copies")
    assert copies["counts"]["copies_of_train"] == manifest["exact_copies"]
    assert copies["counts"]["copies_of_holdout"] == 0
    assert result["verdict"] == "high"
    assert "Traceback" not in proc.stderr
    assert "Verdict: HIGH" in proc.stderr and proc.stdout == ""
    # stderr is not a terminal here: no progress display, so no cursor or erase codes
    assert "\x1b" not in proc.stderr and "\r" not in proc.stderr
    assert "loading inputs" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith(
        "Policy failed: verdict 'high' and policy.fail_on high — exit code 1")


def test_clean_sample_passes_with_the_json_result_as_the_only_stdout():
    proc = scan_sample("clean", "-", "--format", "json")
    assert proc.returncode == ExitCode.OK, proc.stderr
    result = json.loads(proc.stdout)  # stdout holds exactly one JSON document
    assert result["schema_version"]
    copies = next(c for c in result["checks"] if c["id"] == "exact_copies")
    assert copies["counts"]["copies_of_train"] == 0
    assert result["verdict"] in ("low", "inconclusive")
    assert "Verdict:" in proc.stderr and "{" not in proc.stderr.splitlines()[0]


def test_fail_on_levels_set_the_exit_code_and_threads_change_nothing(tmp_path):
    # the record-side copy components only: the exit-code logic does not need the attacks
    only = ("--set", 'checks=["verbatim", "closeness"]')
    leaky = scan_sample("leaky", tmp_path / "l", "--fail-on", "never", "--threads", "1", *only)
    assert leaky.returncode == ExitCode.OK
    assert scan_sample("leaky", tmp_path / "h", *only).returncode == ExitCode.POLICY_FAILED
    clean = scan_sample("clean", tmp_path / "c", "--fail-on", "inconclusive", *only)
    assert json.loads((tmp_path / "c" / "result.json").read_text())["verdict"] == "low"
    assert clean.returncode == ExitCode.OK
    # the two leaky scans (one thread and all cores, same seed) agree outside run, the thread
    # count and the policy's fail_on
    one, every = (json.loads((tmp_path / d / "result.json").read_text()) for d in ("l", "h"))
    assert one["verdict"] == every["verdict"] == "high"
    for r in (one, every):
        r.pop("run"), r["config"].pop("threads"), r["policy"].pop("fail_on")
    assert one == every


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


def test_version():
    proc = run_cli("--version")
    assert proc.returncode == ExitCode.OK and proc.stdout.startswith("synthscan ")


def test_split_makes_a_random_holdout_and_explains_why(tmp_path):
    help_text = run_cli("split", "--help").stdout
    assert "BEFORE" in help_text and "holdout" in help_text
    args = ("split", str(SAMPLE / "train.csv"), "--holdout-fraction", "0.25", "--seed", "5")
    proc = run_cli(*args, "--out", str(tmp_path))
    assert proc.returncode == ExitCode.OK, proc.stderr
    tr = pd.read_csv(tmp_path / "train_train.csv")
    ho = pd.read_csv(tmp_path / "train_holdout.csv")
    assert len(tr) == 3000 and len(ho) == 1000
    assert set(tr["person_id"]).isdisjoint(ho["person_id"])
    again = tmp_path / "again"
    run_cli(*args, "--out", str(again))
    first = (tmp_path / "train_holdout.csv").read_bytes()
    assert (again / "train_holdout.csv").read_bytes() == first


def test_scan_without_holdout_says_the_evidence_is_weaker(tmp_path):
    proc = run_cli("scan", str(SAMPLE / "train.csv"), str(SAMPLE / "synthetic_leaky.csv"),
                   "--out", str(tmp_path))
    r = json.loads((tmp_path / "result.json").read_text())
    assert "no-holdout" in r["evidence"]
    assert "no-holdout" in proc.stderr
    assert r["verdict"] == "high" and proc.returncode == ExitCode.POLICY_FAILED


@pytest.mark.parametrize("args", [
    ("scan", "--seed", "abc", "a.csv", "b.csv"),
    ("scan",),
    ("nope",),
    ("scan", "a.csv", "b.csv", "--fail-on", "maybe"),
])
def test_usage_errors_are_one_line_with_exit_code_2(args):
    proc = run_cli(*args)
    assert proc.returncode == ExitCode.USAGE
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("synthscan: error: ") and "--help" in lines[0]


def test_max_memory_stops_early_with_one_line_and_exit_3(tmp_path):
    proc = scan_sample("clean", tmp_path / "out", "--max-memory", "300MB")
    assert proc.returncode == ExitCode.CANNOT_RUN
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--max-memory" in lines[0] and "raise --max-memory" in lines[0]
    assert "max_memory" not in lines[0]
    assert not (tmp_path / "out").exists()


def test_unknown_check_selection_is_a_config_error(tmp_path):
    proc = scan_sample("clean", tmp_path / "out", "--set", 'checks=["nope"]')
    assert proc.returncode == ExitCode.USAGE
    assert "unknown check 'nope'" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert proc.stderr.startswith("synthscan: error: --set: 'checks'")
    knob = scan_sample("clean", tmp_path / "out", "--set", "checks.verbatim.nope=3")
    assert knob.returncode == ExitCode.USAGE
    assert knob.stderr.startswith("synthscan: error: --set: 'checks.verbatim.nope' is not a "
                                  "setting of check 'verbatim' — known: max_listed")


def test_selected_checks_run_and_the_others_are_reported_as_not_selected(tmp_path):
    proc = scan_sample("leaky", tmp_path / "out", "--set",
                       'checks=["exact_copies", "verbatim"]', "--format", "json",
                       "--set", "checks.verbatim.max_listed=2")
    assert proc.returncode == ExitCode.POLICY_FAILED
    result = json.loads((tmp_path / "out" / "result.json").read_text())
    status = {c["id"]: c["status"] for c in result["checks"]}
    assert status["verbatim"] == "fail" and status["exact_copies"] == "info"
    assert status["membership_inference"] == "skipped"
    assert all("not selected" in c["reason"] for c in result["checks"]
               if c["id"] not in ("exact_copies", "verbatim"))
    # only the selected component was planned: the verdict covers it alone
    assert result["risk"]["planned"] == ["verbatim"]
    # the check's setting reached it, and the result records it
    assert result["config"]["check_params"] == {"verbatim": {"max_listed": 2}}
    verbatim = next(c for c in result["checks"] if c["id"] == "verbatim")
    assert len(verbatim["details"]["exposure"]["train_rows"]) == 2


# --------------------------------------------------------------------------------------------
# library errors in the command line's words


@pytest.mark.parametrize("exc,expected", [
    # a value given by a flag or by --set is named by it
    (ConfigError("override: 'seed' must be a non-negative integer — e.g. 7", source=OVERRIDE,
                 key="seed"), "--seed: 'seed' must be a non-negative integer — e.g. 7"),
    (ConfigError("override: 'policy.preset': unknown preset 'x' — use one of a, b",
                 source=OVERRIDE, key="policy.preset"),
     "--preset: 'policy.preset': unknown preset 'x' — use one of a, b"),
    (UsageError("assignment 'seed': expected key=value — e.g. bootstrap=1000",
                source=ASSIGNMENT), "--set 'seed': expected key=value — e.g. bootstrap=1000"),
    # settings named in a message become the flags, or --set assignments, that set them
    (InputError("t.csv: '?' in column 'age' — set missing_tokens", key="missing_tokens"),
     "t.csv: '?' in column 'age' — set --missing-token"),
    (InputError('t.csv: UTF-16 — re-save it, or set encoding = "utf-16-le"', key="encoding"),
     "t.csv: UTF-16 — re-save it, or pass --set encoding=utf-16-le"),
    (InputError('t.csv: text — declare columns.age = "numeric"', key="columns.age"),
     "t.csv: text — pass --set columns.age=numeric"),
    (InputError("t.csv: bad — set encoding to a text encoding, e.g. utf-8", key="encoding"),
     "t.csv: bad — set encoding (--set encoding=...) to a text encoding, e.g. utf-8"),
    (ResourceError("t.csv: needs 2 GB for bootstrap=500, more than max_memory 1 GB — raise "
                   "max_memory", key="max_memory"),
     "t.csv: needs 2 GB for bootstrap=500, more than --max-memory 1 GB — raise --max-memory"),
    (UsageError("holdout_fraction must be between 0 and 1 — e.g. 0.2", key="holdout_fraction"),
     "--holdout-fraction must be between 0 and 1 — e.g. 0.2"),
    # a message about a flag's value that does not say where it came from is prefixed with it
    (UsageError("unknown report format 'x' — use one of json, html", key="formats"),
     "--format: unknown report format 'x' — use one of json, html"),
    (UsageError("could not be written to stdout — free space", key="out", source="-"),
     "--out -: could not be written to stdout — free space"),
    # flags already written, prose, quoted keys and a settings file's own words stay as they are
    (InputError("t.csv: read it with --set encoding=utf-16-le — set it directly"),
     "t.csv: read it with --set encoding=utf-16-le — set it directly"),
    (ConfigError("config: 'known' must not contain a secret — set the seed", key="known",
                 source="config"), "config: 'known' must not contain a secret — set the seed"),
    (ConfigError("c.yaml: must be a table of settings — e.g. seed = 7", source="c.yaml"),
     "c.yaml: must be a table of settings — e.g. seed = 7"),
])
def test_library_errors_are_phrased_with_flags(exc, expected):
    assert phrase(exc) == expected


def test_flag_of():
    assert flag_of("missing_tokens") == "--missing-token"
    assert flag_of("policy.fail_on") == "--fail-on"
    assert flag_of("columns.age") is None and flag_of(None) is None
