"""The report formats through the command line: ``synthscan report`` re-rendering a saved
result byte for byte in real subprocesses (every format, and a missing file), then option and
error handling of ``scan --format`` and ``report`` in-process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from synthscan.cli import app
from synthscan.reports import FORMATS

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "sample_data"
ALL = ",".join(FORMATS)


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "synthscan", *args], capture_output=True,
                          cwd=cwd or ROOT)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory) -> Path:
    """One scan of the leaky sample, every format written."""
    out = tmp_path_factory.mktemp("scan")
    proc = run("scan", "sample_data/train.csv", "sample_data/synthetic_leaky.csv", "--holdout",
               "sample_data/holdout.csv", "--metadata", "sample_data/metadata.json",
               "--format", ALL, "--out", str(out))
    assert proc.returncode == 1, proc.stderr.decode()  # the planted leaks fail the policy
    # beside the reports: the exposed records' row positions (the planted copies are exposed)
    assert sorted(p.name for p in out.iterdir()) == sorted([*FORMATS.values(),
                                                            "exposed-rows.csv"])
    return out


@pytest.fixture(scope="module")
def small_csvs(tmp_path_factory) -> tuple[str, str, str]:
    d = tmp_path_factory.mktemp("small")
    rng = np.random.default_rng(3)
    paths = []
    for name, n in (("train", 300), ("holdout", 200), ("synth", 300)):
        df = pd.DataFrame({"age": rng.integers(18, 90, n), "city": rng.choice(list("abcd"), n),
                           "income": np.round(rng.lognormal(10, 0.5, n), 2)})
        p = d / f"{name}.csv"
        df.to_csv(p, index=False)
        paths.append(str(p))
    return paths[0], paths[2], paths[1]


def test_report_rewrites_every_format_byte_identically(scanned, tmp_path):
    proc = run("report", str(scanned / "result.json"), "--format", ALL, "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr.decode()
    for name in [*FORMATS.values(), "exposed-rows.csv"]:
        assert (tmp_path / name).read_bytes() == (scanned / name).read_bytes(), name


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_report_prints_each_format_to_stdout(scanned, fmt):
    proc = run("report", str(scanned / "result.json"), "--format", fmt, "--out", "-")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == (scanned / FORMATS[fmt]).read_bytes()
    assert proc.stderr == b""


def test_report_of_a_missing_file_exits_2_with_one_line_as_scan_does(tmp_path):
    proc = run("report", str(tmp_path / "nope.json"), "--format", "html")
    assert proc.returncode == 2  # a missing input is a usage error for every command
    err = proc.stderr.decode()
    assert err.count("\n") == 1 and err.startswith("synthscan: error: ")
    assert "nope.json" in err and "Traceback" not in err
    assert proc.stdout == b""


# in-process (typer's runner) for the cases that need no separate interpreter


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize("content", ["not json {", json.dumps({"hello": 1}),
                                     json.dumps({"schema_version": "1.0", "verdict": "low"}),
                                     json.dumps({"schema_version": "7.0"})])
def test_report_of_a_bad_result_file_exits_3(tmp_path, content):
    p = tmp_path / "result.json"
    p.write_text(content, encoding="utf-8")
    res = invoke("report", str(p), "--format", "md")
    assert res.exit_code == 3
    assert res.stderr.count("\n") == 1 and res.stderr.startswith("synthscan: error: ")
    assert res.stdout == ""


@pytest.mark.parametrize("args", [["--format", "pdf"], ["--format", ""],
                                  ["--format", "md,html", "--out", "-"]])
def test_report_usage_errors_exit_2(scanned, args):
    res = invoke("report", str(scanned / "result.json"), *args)
    assert res.exit_code == 2
    assert res.stderr.count("\n") == 1 and res.stderr.startswith("synthscan: error: ")


def test_report_without_out_writes_files_into_a_folder_like_scan(scanned, tmp_path,
                                                                 monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = invoke("report", str(scanned / "result.json"))
    assert res.exit_code == 0, res.stderr
    assert res.stdout == ""  # nothing dumped on the terminal
    written = tmp_path / "synthscan-report" / "report.html"
    assert written.read_bytes() == (scanned / "report.html").read_bytes()
    assert "wrote " in res.stderr
    res = invoke("report", str(scanned / "result.json"), "--format", "md,sarif")
    assert res.exit_code == 0, res.stderr
    assert sorted(p.name for p in (tmp_path / "synthscan-report").iterdir()) == [
        "exposed-rows.csv", "report.html", "report.md", "results.sarif"]


def test_scan_writes_json_and_html_by_default(small_csvs, tmp_path):
    train, synth, hold = small_csvs
    res = invoke("scan", train, synth, "--holdout", hold, "--out", str(tmp_path / "r"))
    assert res.exit_code in (0, 1), res.stderr
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == ["report.html", "result.json"]


def test_scan_to_stdout_writes_json_by_default_or_the_one_format_asked(small_csvs):
    train, synth, hold = small_csvs
    res = invoke("-q", "scan", train, synth, "--holdout", hold, "--out", "-")
    assert res.exit_code in (0, 1), res.stderr
    assert json.loads(res.stdout)["tool"]["name"] == "synthscan"
    res = invoke("-q", "scan", train, synth, "--holdout", hold, "--out", "-", "--format", "md")
    assert res.exit_code in (0, 1), res.stderr
    assert res.stdout.startswith("## synthscan privacy risk: ")
    res = invoke("scan", train, synth, "--holdout", hold, "--out", "-", "--format", "json,md")
    assert res.exit_code == 2 and "one format" in res.stderr
    res = invoke("scan", train, synth, "--holdout", hold, "--format", "json,pdf")
    assert res.exit_code == 2 and "pdf" in res.stderr


def test_help_texts_have_examples():
    for cmd in ("scan", "report"):
        res = invoke(cmd, "--help")
        assert res.exit_code == 0
        assert "Examples" in res.stdout and "sarif" in res.stdout and "junit" in res.stdout


def test_quiet_and_verbose_work_after_the_command_name_too(small_csvs, tmp_path):
    train, synth, hold = small_csvs
    # what is tested is where the flags may go, not the checks: two cheap ones
    only = ("--set", 'checks=["exact_copies", "verbatim"]')
    loud = invoke("scan", train, synth, "--holdout", hold, "--out", str(tmp_path / "a"), *only)
    assert loud.exit_code in (0, 1) and loud.stderr.strip()  # the summary
    for args in (["-q", "scan", train, synth, "--holdout", hold, "--out", str(tmp_path / "b")],
                 ["scan", train, synth, "--holdout", hold, "--out", str(tmp_path / "c"), "-q"],
                 ["scan", train, synth, "--holdout", hold, "--quiet", "--out",
                  str(tmp_path / "d")]):
        res = invoke(*args, *only)
        assert res.exit_code == loud.exit_code
        assert res.stderr == ""
    # quiet does not carry over to the next run
    again = invoke("scan", train, synth, "--holdout", hold, "--out", str(tmp_path / "e"), *only)
    assert again.stderr.strip()
    # -v after the command shows the traceback behind an error message, as before it does
    plain = invoke("report", str(tmp_path / "missing.json"))
    assert plain.exit_code != 0 and plain.stderr.count("\n") == 1
    for args in (["-v", "report", str(tmp_path / "missing.json")],
                 ["report", str(tmp_path / "missing.json"), "-v"]):
        res = invoke(*args)
        assert res.exit_code == plain.exit_code
        assert "Traceback" in res.stderr and res.stderr.rstrip().endswith(plain.stderr.strip())
