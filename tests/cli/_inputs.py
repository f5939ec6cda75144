"""Helpers of the bad-input corpus (``tests/cli/test_*``): generated inputs, the command line run
in process, and the assertions every bad input must pass.

Every bad input must give exactly one stderr line ``synthscan: error: <file>: ...`` naming the
file (and the column where relevant), the documented exit code, no traceback, and never a value
from a data record: cells hold recognisable sentinel strings that must not reach stderr.
Inputs are generated into ``tmp_path``; nothing large is stored in the repository.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from cli_runner import Completed, run_cli

from synthscan.errors import EXIT_CANNOT_RUN, EXIT_OK, EXIT_POLICY_FAILED

REPO = Path(__file__).resolve().parents[2]
SENTINEL = "SENTINEL_XYZ_123"
#: these tests are about input handling, not statistics: the fewest resamples allowed
FAST = ("--set", "permutations=99", "--set", "bootstrap=50")


def base_frame(seed: int, n: int = 60) -> pd.DataFrame:
    """A small valid table: an int, a float and a categorical column."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "age": rng.integers(18, 90, n),
        "income": np.round(rng.normal(50_000, 10_000, n), 2),
        "color": rng.choice(["red", "green", "blue"], n),
    })


def write_trio(directory: Path) -> dict[str, Path]:
    """Valid train / holdout / synthetic CSVs (60 rows each, independent draws) in ``directory``."""
    paths = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        p = directory / f"{role}.csv"
        base_frame(seed).to_csv(p, index=False)
        paths[role] = p
    return paths


def scan(trio: dict[str, Path], *extra: str | Path, train: Path | None = None,
         synthetic: Path | None = None, holdout: Path | None = None) -> Completed:
    """``synthscan scan`` on the trio with some inputs replaced; JSON result on stdout."""
    return run_cli("scan", train or trio["train"], synthetic or trio["synthetic"],
                   "--holdout", holdout or trio["holdout"], "--out", "-", *FAST, *extra,
                   cwd=trio["train"].parent)


def assert_error(proc: Completed, code: int, file: str | Path,
                 column: str | None = None, absent: tuple[str, ...] = (SENTINEL,),
                 contains: tuple[str, ...] = ()) -> str:
    """One clean error line with the right exit code; returns the line."""
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    print(f"[exit {proc.returncode}] {line}")  # shown with pytest -s: the corpus of messages
    assert proc.returncode == code, (proc.returncode, line)
    assert line.startswith("synthscan: error: "), line
    assert "internal error" not in line, line
    assert " — " in line, f"no hint on what to do: {line}"
    name = Path(file).name if isinstance(file, Path) else file
    assert name in line, line
    if column is not None:
        assert repr(column) in line, line
    for value in absent:
        assert value not in line, f"cell value {value!r} leaked into: {line}"
    for text in contains:
        assert text in line, line
    assert proc.stdout == "", proc.stdout[:500]
    return line


def assert_scanned(proc: Completed,
                   codes: tuple[int, ...] = (EXIT_OK,), warnings_ok: bool = False) -> dict:
    """The scan completed: exit code in ``codes``, no traceback, a JSON result on stdout."""
    assert "Traceback" not in proc.stderr, proc.stderr
    if not warnings_ok:
        assert "Warning" not in proc.stderr, proc.stderr
    assert proc.returncode in codes, (proc.returncode, proc.stderr[-2000:])
    result = json.loads(proc.stdout)
    # the exit code is the verdict's (the default policy fails on "high" only)
    assert (proc.returncode == EXIT_POLICY_FAILED) == (result["verdict"] == "high"), (
        proc.returncode, result["verdict"])
    return result


def assert_clean_outcome(proc: Completed, file: str | Path,
                         warnings_ok: bool = False) -> None:
    """Either a completed scan or one clean error line — never a traceback."""
    if proc.returncode in (EXIT_OK, EXIT_POLICY_FAILED):
        assert_scanned(proc, (EXIT_OK, EXIT_POLICY_FAILED), warnings_ok)
    else:
        assert_error(proc, EXIT_CANNOT_RUN, file)


def comparable(result: dict) -> dict:
    """The parts of a result that depend on the data only (not on file names or timings)."""
    return {k: result[k] for k in ("verdict", "risk", "checks", "schema", "encoding")}


def roles(result: dict) -> dict[str, str]:
    """Each column's role in a JSON result."""
    return {c["name"]: c["role"] for c in result["schema"]["columns"]}


def csv_lines(path: Path) -> list[str]:
    """The lines of a generated CSV, to corrupt one of them."""
    return path.read_text(encoding="utf-8").splitlines()

