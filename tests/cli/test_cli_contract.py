"""What every command promises its caller: in a real process, exit code and streams; the
last-resort error handler; a failing stdout; tampered results refused by ``report``;
output files written safely; the policy failure said on stderr; ``split`` not overwriting;
readable help."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from pathlib import Path

import pandas as pd
import pytest
from _inputs import (
    FAST,
    SENTINEL,
    Completed,
    assert_error,
    assert_scanned,
    csv_lines,
    run_cli,
    scan,
)
from cli_runner import run_process

from synthscan.errors import EXIT_CANNOT_RUN, EXIT_OK, EXIT_POLICY_FAILED, EXIT_USAGE, ExitCode


def test_subprocess_contract(trio: dict[str, Path], tmp_path: Path) -> None:
    """A real ``python -m synthscan`` process: a bad input gives exit code 3 and exactly one
    stderr line without a traceback, and nothing on stdout; a good scan with ``--out -`` gives
    exit code 0 or 1 and one JSON document on stdout."""
    p = tmp_path / "ragged_proc.csv"
    lines = csv_lines(trio["train"])
    lines[10] += f",{SENTINEL}"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad = run_process("scan", p, trio["synthetic"], "--holdout", trio["holdout"], "--out", "-",
                      *FAST, cwd=tmp_path)
    assert_error(bad, EXIT_CANNOT_RUN, p, contains=("line 11",))
    good = run_process("scan", trio["train"], trio["synthetic"], "--holdout", trio["holdout"],
                       "--out", "-", *FAST, cwd=tmp_path)
    assert_scanned(good, (EXIT_OK, EXIT_POLICY_FAILED))


@pytest.mark.parametrize("exc,code,text", [
    (KeyboardInterrupt(), ExitCode.INTERRUPTED, "synthscan: interrupted"),
    (RuntimeError(f"boom {SENTINEL}"), EXIT_CANNOT_RUN, "internal error (RuntimeError)"),
    (MemoryError(), EXIT_CANNOT_RUN, "out of memory"),
])
def test_handle_errors_last_resort(capsys: pytest.CaptureFixture[str], exc: BaseException,
                                   code: int, text: str) -> None:
    import typer

    from synthscan.cli._console import handle_errors

    @handle_errors
    def fails() -> None:
        raise exc

    with pytest.raises(typer.Exit) as info:
        fails()
    assert info.value.exit_code == code
    err = capsys.readouterr().err
    assert text in err and SENTINEL not in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_stdout_on_a_full_disk(trio: dict[str, Path]) -> None:
    from synthscan.cli import main

    err = io.StringIO()
    old_argv = sys.argv
    sys.argv = ["synthscan", "scan", str(trio["train"]), str(trio["synthetic"]), "--holdout",
                str(trio["holdout"]), "--out", "-", *FAST]
    try:
        with open("/dev/full", "w", encoding="utf-8") as full, \
                contextlib.redirect_stdout(full), contextlib.redirect_stderr(err), \
                pytest.raises(SystemExit) as info:
            main()
    finally:
        sys.argv = old_argv
    assert isinstance(info.value.code, int)
    proc = Completed(info.value.code, "", err.getvalue())
    assert_error(proc, EXIT_CANNOT_RUN, "--out -", contains=("stdout",))


def _saved_result(trio: dict[str, Path], tmp_path: Path) -> dict:
    out = tmp_path / "saved"
    proc = run_cli("scan", trio["train"], trio["synthetic"], "--holdout", trio["holdout"],
                   "--out", out, "--format", "json", *FAST)
    assert proc.returncode in (EXIT_OK, EXIT_POLICY_FAILED), proc.stderr
    return json.loads((out / "result.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("change", ["estimate_text", "checks_text", "check_not_object",
                                    "no_schema_version"])
def test_report_on_a_tampered_result(trio: dict[str, Path], tmp_path: Path,
                                     change: str) -> None:
    data = _saved_result(trio, tmp_path)
    if change == "estimate_text":
        data["risk"]["estimate"] = "very high"
        for c in data["checks"]:
            c["estimate"] = "very high"
    elif change == "checks_text":
        data["checks"] = "all fine"
    elif change == "check_not_object":
        data["checks"] = [1, 2]
    else:
        del data["schema_version"]
    p = tmp_path / "tampered.json"
    p.write_text(json.dumps(data), encoding="utf-8")
    for fmt in ("html", "md", "sarif", "junit", "json"):
        line = assert_error(run_cli("report", p, "--format", fmt, "--out", tmp_path / "r"),
                            EXIT_CANNOT_RUN, p)
        assert "Error" not in line and "'str'" not in line, line  # no Python internals


def test_reports_replace_a_planted_symlink_instead_of_following_it(trio: dict[str, Path],
                                                                   tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    (out / "report.html").symlink_to(victim)
    (out / "result.json").symlink_to(tmp_path / "dangling-target")
    proc = run_cli("scan", trio["train"], trio["synthetic"], "--holdout", trio["holdout"],
                   "--out", out, *FAST)
    assert proc.returncode in (EXIT_OK, EXIT_POLICY_FAILED), proc.stderr
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not (tmp_path / "dangling-target").exists()
    for name in ("report.html", "result.json"):
        assert not (out / name).is_symlink() and (out / name).stat().st_size > 0
    assert not [q for q in out.iterdir() if q.name.endswith(".tmp")]


def test_policy_failure_is_said_on_the_terminal(trio: dict[str, Path]) -> None:
    proc = scan(trio, "--fail-on", "inconclusive", synthetic=trio["train"])
    assert proc.returncode == EXIT_POLICY_FAILED, proc.stderr
    verdict = json.loads(proc.stdout)["verdict"]
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f"Policy failed: verdict {verdict!r} and --fail-on inconclusive")
    quiet = scan(trio, "-q", "--fail-on", "inconclusive", synthetic=trio["train"])
    assert quiet.stderr.strip().splitlines() == [last]  # -q keeps only the reason for exit 1
    never = scan(trio, "--fail-on", "never", synthetic=trio["train"])
    assert never.returncode == EXIT_OK and "Policy failed" not in never.stderr


def test_split_refuses_to_overwrite_unless_forced(trio: dict[str, Path],
                                                  tmp_path: Path) -> None:
    out = tmp_path / "split"
    first = run_cli("split", trio["train"], "--out", out)
    assert first.returncode == EXIT_OK, first.stderr
    made = out / "train_train.csv"
    made.write_text("keep me", encoding="utf-8")
    assert_error(run_cli("split", trio["train"], "--out", out), EXIT_USAGE, made,
                 contains=("--force",))
    assert made.read_text(encoding="utf-8") == "keep me"
    forced = run_cli("split", trio["train"], "--out", out, "--force", "--seed", "3")
    assert forced.returncode == EXIT_OK, forced.stderr
    assert len(pd.read_csv(made)) + len(pd.read_csv(out / "train_holdout.csv")) == 60


def test_help_is_tidy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")  # a narrow terminal: nothing may be cut off with "…"
    for cmd in ("scan", "report", "split"):
        assert "…" not in run_cli(cmd, "--help").stdout, cmd
    assert "…" not in run_cli("--help").stdout
    monkeypatch.setenv("COLUMNS", "100")
    for cmd in ("scan", "report", "split"):
        proc = run_cli(cmd, "--help")
        assert proc.returncode == EXIT_OK
        assert "Examples:" in proc.stdout, cmd
        assert "<bool>" not in proc.stdout and "list[str]" not in proc.stdout, proc.stdout
    text = " ".join(run_cli("scan", "--help").stdout.replace("│", " ").split())
    assert "(default: json,html; json with --out -)" in text  # was swallowed as markup
    assert "KEY=VALUE" in text and "policy.thresholds.closeness=0.02" in text


def test_the_command_line_lets_openmp_threads_sleep_unless_told_otherwise(monkeypatch) -> None:
    """Set before the scan starts FAISS's OpenMP runtime (``synthscan.openmp``)."""
    from synthscan.cli import main

    for preset, expected in ((None, "PASSIVE"), ("ACTIVE", "ACTIVE")):
        monkeypatch.setenv("OMP_WAIT_POLICY", "placeholder")  # restored after the test
        if preset is None:
            monkeypatch.delenv("OMP_WAIT_POLICY")
        else:
            monkeypatch.setenv("OMP_WAIT_POLICY", preset)
        monkeypatch.setattr(sys, "argv", ["synthscan", "--help"])
        with contextlib.redirect_stdout(io.StringIO()), pytest.raises(SystemExit) as info:
            main()
        assert info.value.code == 0
        assert os.environ["OMP_WAIT_POLICY"] == expected
