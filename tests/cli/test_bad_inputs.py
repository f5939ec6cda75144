"""Bad-input corpus, run end to end through the command line's entry point, in process (one
real subprocess checks the contract: exit code, one stderr line, nothing on stdout).

Every bad input must give exactly one stderr line ``synthscan: error: <file>: ...`` naming the
file (and the column where relevant), the documented exit code, no traceback, and never a value
from a data record: cells hold recognisable sentinel strings that must not reach stderr.
Inputs are generated into ``tmp_path``; nothing large is stored in the repository.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthscan.errors import EXIT_CANNOT_RUN, EXIT_OK, EXIT_POLICY_FAILED, EXIT_USAGE, ExitCode

REPO = Path(__file__).resolve().parents[2]
SENTINEL = "SENTINEL_XYZ_123"
#: these tests are about input handling, not statistics: the fewest resamples allowed
FAST = ("--set", "permutations=99", "--set", "bootstrap=50")


# --------------------------------------------------------------------------------------------
# helpers


def base_frame(seed: int, n: int = 60) -> pd.DataFrame:
    """A small valid table: an int, a float and a categorical column."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "age": rng.integers(18, 90, n),
        "income": np.round(rng.normal(50_000, 10_000, n), 2),
        "color": rng.choice(["red", "green", "blue"], n),
    })


def write_trio(directory: Path) -> dict[str, Path]:
    paths = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        p = directory / f"{role}.csv"
        base_frame(seed).to_csv(p, index=False)
        paths[role] = p
    return paths


@pytest.fixture
def trio(tmp_path: Path) -> dict[str, Path]:
    """Valid train / holdout / synthetic CSVs (60 rows each, independent draws)."""
    return write_trio(tmp_path)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The scan result of the unmodified trio (computed once)."""
    return assert_scanned(scan(write_trio(tmp_path_factory.mktemp("reference"))))


@dataclass
class Completed:
    """What a CLI run left: exit code, stdout and stderr (like ``subprocess.CompletedProcess``)."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str | Path, cwd: Path | None = None) -> Completed:
    """``synthscan ARGS`` in this process, through the console entry point ``main()``: exit code
    and captured stdout/stderr. Warnings raised during the run are appended to stderr, as a
    real process would print them (``test_subprocess_contract`` checks one real process)."""
    from synthscan.cli import main

    out, err = io.StringIO(), io.StringIO()
    old_argv, old_cwd = sys.argv, os.getcwd()
    sys.argv = ["synthscan", *map(str, args)]
    code: int | str | None = 0
    try:
        if cwd is not None:
            os.chdir(cwd)
        with warnings.catch_warnings(record=True) as caught, \
                contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            warnings.simplefilter("always")
            try:
                main()
            except SystemExit as exc:
                code = exc.code
        for w in caught:
            err.write(warnings.formatwarning(w.message, w.category, w.filename, w.lineno))
    finally:
        sys.argv = old_argv
        os.chdir(old_cwd)
    return Completed(code if isinstance(code, int) else (0 if code is None else 1),
                     out.getvalue(), err.getvalue())


def run_process(*args: str | Path, cwd: Path | None = None) -> Completed:
    """``python -m synthscan ARGS`` in a real subprocess (no timeout: a slow machine is not a
    failure)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env["PYTHONWARNINGS"] = "default"  # a stray warning on stderr must show up in the tests
    env.pop("COLUMNS", None)
    proc = subprocess.run([sys.executable, "-m", "synthscan", *map(str, args)], cwd=cwd,
                          env=env, capture_output=True, text=True, encoding="utf-8",
                          errors="replace")
    return Completed(proc.returncode, proc.stdout, proc.stderr)


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
    return {c["name"]: c["role"] for c in result["schema"]["columns"]}


# --------------------------------------------------------------------------------------------
# files that cannot be opened or are empty


def test_missing_file(trio: dict[str, Path]) -> None:
    missing = trio["train"].parent / "no_such_train.csv"
    assert_error(scan(trio, train=missing), EXIT_USAGE, missing)


def test_directory_instead_of_file(trio: dict[str, Path], tmp_path: Path) -> None:
    d = tmp_path / "synth_dir.csv"
    d.mkdir()
    assert_error(scan(trio, synthetic=d), EXIT_USAGE, d)


def test_empty_file(trio: dict[str, Path], tmp_path: Path) -> None:
    p = tmp_path / "empty_holdout.csv"
    p.write_bytes(b"")
    assert_error(scan(trio, holdout=p), EXIT_CANNOT_RUN, p, contains=("empty",))


def test_header_only(trio: dict[str, Path], tmp_path: Path) -> None:
    p = tmp_path / "header_only.csv"
    p.write_text("age,income,color\n", encoding="utf-8")
    assert_error(scan(trio, synthetic=p), EXIT_CANNOT_RUN, p, contains=("no data rows",))


def test_blank_lines_only_after_header(trio: dict[str, Path], tmp_path: Path) -> None:
    p = tmp_path / "header_blank.csv"
    p.write_text("age,income,color\n\n\n", encoding="utf-8")
    assert_error(scan(trio, synthetic=p), EXIT_CANNOT_RUN, p)


# --------------------------------------------------------------------------------------------
# malformed or unusual CSV text


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_ragged_row(trio: dict[str, Path], tmp_path: Path) -> None:
    lines = _lines(trio["train"])
    lines[10] += f",{SENTINEL}"
    p = tmp_path / "ragged.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_error(scan(trio, train=p), EXIT_CANNOT_RUN, p, contains=("line 11",))


def test_ragged_first_data_row_is_not_read_as_an_index(trio: dict[str, Path],
                                                       tmp_path: Path) -> None:
    # pandas silently turns the first column into the index when data rows have one field
    # more than the header, shifting every value one column to the left
    lines = _lines(trio["train"])
    lines[1] += f",{SENTINEL}"
    p = tmp_path / "ragged_first.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_error(scan(trio, train=p), EXIT_CANNOT_RUN, p, contains=("line 2",))


def test_trailing_delimiter_on_every_data_row(trio: dict[str, Path], tmp_path: Path) -> None:
    lines = _lines(trio["synthetic"])
    p = tmp_path / "trailing.csv"
    p.write_text("\n".join([lines[0]] + [ln + "," for ln in lines[1:]]) + "\n",
                 encoding="utf-8")
    assert_error(scan(trio, synthetic=p), EXIT_CANNOT_RUN, p)


@pytest.mark.parametrize("sep,suffix", [(";", ".csv"), ("\t", ".tsv"), ("\t", ".csv"),
                                        ("|", ".txt")])
def test_other_delimiters_give_the_same_result(reference: dict, trio: dict[str, Path],
                                               tmp_path: Path, sep: str, suffix: str) -> None:
    converted = {}
    for role, p in trio.items():
        q = tmp_path / f"{role}_sep{suffix}"
        pd.read_csv(p).to_csv(q, sep=sep, index=False)
        converted[role] = q
    result = assert_scanned(scan(trio, train=converted["train"],
                                 synthetic=converted["synthetic"],
                                 holdout=converted["holdout"]))
    assert comparable(result) == comparable(reference)


def test_non_utf8_bytes_hint_and_encoding_setting(trio: dict[str, Path],
                                                  tmp_path: Path) -> None:
    df = base_frame(1)
    df["color"] = df["color"].astype(object)
    df.loc[7, "color"] = f"{SENTINEL}_café"
    p = tmp_path / "latin1.csv"
    df.to_csv(p, index=False, encoding="latin-1")
    line = assert_error(scan(trio, train=p), EXIT_CANNOT_RUN, p,
                        absent=(SENTINEL, "café", "caf\ufffd"))
    # the hint must name something that exists: there is no --encoding option
    assert "--set encoding=" in line, line
    assert "--encoding" not in line, line
    result = assert_scanned(scan(trio, "--set", "encoding=latin-1", train=p))
    assert result["config"]["encoding"] == "latin-1"


def test_unknown_encoding_setting(trio: dict[str, Path]) -> None:
    line = assert_error(scan(trio, "--set", "encoding=no-such-codec"), EXIT_USAGE, "--set")
    assert "encoding" in line


def test_utf8_bom(reference: dict, trio: dict[str, Path], tmp_path: Path) -> None:
    p = tmp_path / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbf" + trio["train"].read_bytes())
    result = assert_scanned(scan(trio, train=p))
    assert [c["name"] for c in result["schema"]["columns"]] == ["age", "income", "color"]
    assert comparable(result) == comparable(reference)


def test_gzip_csv(reference: dict, trio: dict[str, Path], tmp_path: Path) -> None:
    p = tmp_path / "train.csv.gz"
    pd.read_csv(trio["train"]).to_csv(p, index=False)
    assert comparable(assert_scanned(scan(trio, train=p))) == comparable(reference)


# --------------------------------------------------------------------------------------------
# column sets


def test_duplicate_column_names_in_csv_header(trio: dict[str, Path], tmp_path: Path) -> None:
    lines = _lines(trio["holdout"])
    lines[0] = "age,income,age"
    p = tmp_path / "dup_header.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_error(scan(trio, holdout=p), EXIT_CANNOT_RUN, p, column="age")


def test_duplicate_column_names_in_a_dataframe() -> None:
    # the CLI cannot take a DataFrame: this case goes through the Python API
    from synthscan import SynthscanError
    from synthscan import scan as api_scan

    df = base_frame(1)
    dup = pd.concat([df, df[["age"]]], axis=1)
    with pytest.raises(SynthscanError) as info:
        api_scan(base_frame(1), dup, holdout=base_frame(2))
    msg = str(info.value)
    assert "<synthetic DataFrame>" in msg and "'age'" in msg and "\n" not in msg


def test_column_missing_in_synthetic(trio: dict[str, Path], tmp_path: Path) -> None:
    p = tmp_path / "synth_missing_col.csv"
    base_frame(3).drop(columns="income").to_csv(p, index=False)
    assert_error(scan(trio, synthetic=p), EXIT_CANNOT_RUN, p, column="income")


def test_extra_column_in_holdout(trio: dict[str, Path], tmp_path: Path) -> None:
    df = base_frame(2)
    df["notes"] = SENTINEL
    p = tmp_path / "holdout_extra.csv"
    df.to_csv(p, index=False)
    assert_error(scan(trio, holdout=p), EXIT_CANNOT_RUN, p, column="notes")


def test_columns_in_another_order_are_aligned_by_name(reference: dict, trio: dict[str, Path],
                                                      tmp_path: Path) -> None:
    p = tmp_path / "reordered.csv"
    base_frame(3)[["color", "income", "age"]].to_csv(p, index=False)
    assert comparable(assert_scanned(scan(trio, synthetic=p))) == comparable(reference)


def test_unicode_and_markup_column_names(tmp_path: Path) -> None:
    names = {"age": "<script>alert(1)</script>", "income": "名前", "color": 'a "quoted" col'}
    trio = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        p = tmp_path / f"{role}_names.csv"
        base_frame(seed).rename(columns=names).to_csv(p, index=False)
        trio[role] = p
    result = assert_scanned(scan(trio))
    assert [c["name"] for c in result["schema"]["columns"]] == list(names.values())
    out = tmp_path / "report"
    proc = run_cli("scan", trio["train"], trio["synthetic"], "--holdout", trio["holdout"],
                   "--out", out, "--format", "json,html", *FAST, cwd=tmp_path)
    assert proc.returncode == EXIT_OK and "Traceback" not in proc.stderr, proc.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


# --------------------------------------------------------------------------------------------
# column types and values


def test_numeric_in_train_text_in_synthetic(trio: dict[str, Path], tmp_path: Path) -> None:
    df = base_frame(3)
    df["age"] = df["age"].astype(object)
    df.loc[[4, 9], "age"] = SENTINEL
    p = tmp_path / "synth_text_age.csv"
    df.to_csv(p, index=False)
    line = assert_error(scan(trio, synthetic=p), EXIT_CANNOT_RUN, p, column="age")
    assert trio["train"].name in line, line


def test_question_mark_missing_token(trio: dict[str, Path], tmp_path: Path) -> None:
    df = base_frame(1)
    df["income"] = df["income"].astype(object)
    df.loc[[3, 17, 40], "income"] = "?"
    p = tmp_path / "train_qmark.csv"
    df.to_csv(p, index=False)
    line = assert_error(scan(trio, train=p), EXIT_CANNOT_RUN, p, column="income",
                        absent=("'?'", '"?"'))
    assert "--missing-token" in line
    result = assert_scanned(scan(trio, "--missing-token", "?", train=p))
    assert roles(result)["income"] == "numeric"


def test_all_missing_column(tmp_path: Path) -> None:
    paths = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        df = base_frame(seed)
        df["empty"] = ""
        paths[role] = tmp_path / f"{role}_empty_col.csv"
        df.to_csv(paths[role], index=False)
    result = assert_scanned(scan(paths))
    assert "empty" in roles(result)


def test_all_missing_column_in_synthetic_only(trio: dict[str, Path], tmp_path: Path) -> None:
    df = base_frame(3)
    df["income"] = np.nan
    p = tmp_path / "synth_income_empty.csv"
    df.to_csv(p, index=False)
    assert roles(assert_scanned(scan(trio, synthetic=p)))["income"] == "numeric"


def test_constant_column(tmp_path: Path) -> None:
    paths = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        df = base_frame(seed)
        df["country"] = "NL"
        df["one"] = 1
        paths[role] = tmp_path / f"{role}_const.csv"
        df.to_csv(paths[role], index=False)
    assert_scanned(scan(paths))


def test_every_column_an_identifier(trio: dict[str, Path], tmp_path: Path) -> None:
    cfg = tmp_path / "all_ids.toml"
    cfg.write_text('[columns]\nage = "identifier"\nincome = "identifier"\n'
                   'color = "identifier"\n', encoding="utf-8")
    assert_error(scan(trio, "--config", cfg), EXIT_CANNOT_RUN, trio["train"],
                 contains=("no column is left",))


@pytest.mark.parametrize("token", ["inf", "-inf", "Infinity"])
def test_infinities(trio: dict[str, Path], tmp_path: Path, token: str) -> None:
    lines = _lines(trio["synthetic"])
    age, _income, color = lines[5].split(",")
    lines[5] = f"{age},{token},{color}"
    p = tmp_path / "synth_inf.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    line = assert_error(scan(trio, synthetic=p), EXIT_CANNOT_RUN, p, column="income",
                        absent=(SENTINEL, "-inf", "Infinity"))
    assert not re.search(r"\binf\b", line), line


def test_datetimes_with_mixed_time_zones(tmp_path: Path) -> None:
    paths = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        df = base_frame(seed)
        rng = np.random.default_rng(seed + 100)
        stamps = pd.Timestamp("2021-01-01", tz="UTC") + pd.to_timedelta(
            rng.integers(0, 365 * 24 * 3600, len(df)), unit="s")
        df["seen"] = [
            (t.tz_convert("Europe/Amsterdam").isoformat() if i % 2 else
             t.strftime("%Y-%m-%dT%H:%M:%SZ")) for i, t in enumerate(stamps)
        ]
        paths[role] = tmp_path / f"{role}_tz.csv"
        df.to_csv(paths[role], index=False)
    assert any("+01:00" in v or "+02:00" in v for v in pd.read_csv(paths["train"])["seen"])
    assert roles(assert_scanned(scan(paths)))["seen"] == "datetime"


def test_dates_that_do_not_parse(trio: dict[str, Path], tmp_path: Path) -> None:
    cfg = tmp_path / "dates.toml"
    cfg.write_text('[columns]\ncolor = "datetime"\n', encoding="utf-8")
    assert_error(scan(trio, "--config", cfg), EXIT_CANNOT_RUN, trio["train"], column="color",
                 absent=("red", "green", "blue"))


def test_ints_that_overflow_int64(tmp_path: Path) -> None:
    paths = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        df = base_frame(seed)
        # 20-digit codes: too large for int64, and distinct codes that are equal as float64
        df["account"] = [str(10**19 * 5 + 2 * i + seed * 1000) for i in range(len(df))]
        paths[role] = tmp_path / f"{role}_bigint.csv"
        df.to_csv(paths[role], index=False)
    result = assert_scanned(scan(paths))
    assert roles(result)["account"] in ("identifier", "categorical")


# --------------------------------------------------------------------------------------------
# Parquet and file types


def test_parquet_struct_column(trio: dict[str, Path], tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    df = base_frame(3)
    table = pa.table({
        "age": df["age"], "income": df["income"],
        "color": pa.array([{"name": SENTINEL, "code": i} for i in range(len(df))]),
    })
    p = tmp_path / "synth_struct.parquet"
    pq.write_table(table, p)
    assert_error(scan(trio, synthetic=p), EXIT_CANNOT_RUN, p, column="color")


def test_parquet_list_column_in_object_cells(trio: dict[str, Path], tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    df = base_frame(3)
    table = pa.table({"age": df["age"], "income": df["income"],
                      "color": pa.array([[SENTINEL, str(i)] for i in range(len(df))])})
    p = tmp_path / "synth_list.parquet"
    pq.write_table(table, p)
    assert_error(scan(trio, synthetic=p), EXIT_CANNOT_RUN, p, column="color")


def test_parquet_garbage_bytes(trio: dict[str, Path], tmp_path: Path) -> None:
    p = tmp_path / "garbage.parquet"
    p.write_bytes(os.urandom(4096))
    assert_error(scan(trio, holdout=p), EXIT_CANNOT_RUN, p)


def test_parquet_categorical_and_tz_aware_datetime(tmp_path: Path) -> None:
    paths = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        df = base_frame(seed)
        df["color"] = df["color"].astype("category")
        df["seen"] = pd.Timestamp("2021-06-01", tz="Europe/Amsterdam") + pd.to_timedelta(
            np.arange(len(df)) * 3600 * (seed + 1), unit="s")
        df["flag"] = df["age"] > 50
        paths[role] = tmp_path / f"{role}_typed.parquet"
        # synthetic as CSV: the same values must mean the same thing across formats
        if role == "synthetic":
            paths[role] = tmp_path / f"{role}_typed.csv"
            df.to_csv(paths[role], index=False)
        else:
            df.to_parquet(paths[role], index=False)
    result = assert_scanned(scan(paths))
    assert roles(result) == {"age": "numeric", "income": "numeric", "color": "categorical",
                             "seen": "datetime", "flag": "boolean"}


def test_unknown_suffix(trio: dict[str, Path], tmp_path: Path) -> None:
    p = tmp_path / "train.xlsx"
    p.write_bytes(b"PK\x03\x04 not really a workbook")
    assert_error(scan(trio, train=p), EXIT_USAGE, p, contains=(".xlsx",))


# --------------------------------------------------------------------------------------------
# degenerate tables


def test_holdout_identical_to_train(trio: dict[str, Path]) -> None:
    assert_scanned(scan(trio, holdout=trio["train"]), (EXIT_OK, EXIT_POLICY_FAILED))


def test_synthetic_identical_to_train(trio: dict[str, Path]) -> None:
    proc = scan(trio, synthetic=trio["train"])
    result = assert_scanned(proc, (EXIT_POLICY_FAILED,))
    assert result["verdict"] == "high"


def _tiny(tmp_path: Path, n: int) -> dict[str, Path]:
    paths = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        paths[role] = tmp_path / f"{role}_{n}.csv"
        base_frame(seed, n).to_csv(paths[role], index=False)
    return paths


@pytest.mark.parametrize("n", [1, 3])
def test_tiny_tables(tmp_path: Path, n: int) -> None:
    paths = _tiny(tmp_path, n)
    assert_clean_outcome(scan(paths), paths["train"], warnings_ok=True)


def test_tiny_tables_print_no_warnings(tmp_path: Path) -> None:
    paths = _tiny(tmp_path, 3)
    assert_clean_outcome(scan(paths), paths["train"])


def test_one_data_row_synthetic_copy(trio: dict[str, Path], tmp_path: Path) -> None:
    p = tmp_path / "one_row.csv"
    pd.read_csv(trio["train"]).head(1).to_csv(p, index=False)
    assert_clean_outcome(scan(trio, synthetic=p), p)


def test_very_wide_table(tmp_path: Path) -> None:
    # 3,000 columns: far past every per-check cap on columns (attribute inference samples 50
    # secrets and 200 learner columns), so it exercises the same paths as 10,000 in a third of
    # the time
    n_cols, n_rows = 3_000, 30
    paths = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        rng = np.random.default_rng(seed)
        data = np.round(rng.normal(size=(n_rows, n_cols)), 3)
        df = pd.DataFrame(data, columns=[f"c{j}" for j in range(n_cols)])
        paths[role] = tmp_path / f"{role}_wide.csv"
        df.to_csv(paths[role], index=False)
    result = assert_scanned(scan(paths))
    assert len(result["schema"]["columns"]) == n_cols


def test_huge_single_cell(trio: dict[str, Path], tmp_path: Path) -> None:
    df = base_frame(3)
    df["color"] = df["color"].astype(object)
    df.loc[11, "color"] = SENTINEL + "x" * (50 * 2**20)
    p = tmp_path / "synth_huge_cell.csv"
    df.to_csv(p, index=False)
    assert p.stat().st_size > 50 * 2**20
    proc = scan(trio, synthetic=p)
    assert SENTINEL not in proc.stderr
    assert_scanned(proc)


# --------------------------------------------------------------------------------------------
# configuration and options


def test_unknown_key_in_toml_config(trio: dict[str, Path], tmp_path: Path) -> None:
    cfg = tmp_path / "typo.toml"
    cfg.write_text("seed = 3\nmising_tokens = [\"?\"]\n", encoding="utf-8")
    assert_error(scan(trio, "--config", cfg), EXIT_USAGE, cfg, contains=("mising_tokens",))


def test_bad_yaml_syntax(trio: dict[str, Path], tmp_path: Path) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("seed: 3\ncolumns: [age: identifier\n  - : :\n", encoding="utf-8")
    assert_error(scan(trio, "--config", cfg), EXIT_USAGE, cfg)


def test_wrong_type_in_yaml_config(trio: dict[str, Path], tmp_path: Path) -> None:
    cfg = tmp_path / "types.yaml"
    cfg.write_text("seed: three\n", encoding="utf-8")
    assert_error(scan(trio, "--config", cfg), EXIT_USAGE, cfg, contains=("seed",))


def test_missing_config_file(trio: dict[str, Path], tmp_path: Path) -> None:
    cfg = tmp_path / "nowhere.toml"
    assert_error(scan(trio, "--config", cfg), EXIT_USAGE, cfg)


def test_set_unknown_threshold(trio: dict[str, Path]) -> None:
    assert_error(scan(trio, "--set", "policy.thresholds.nope=0.1"), EXIT_USAGE, "--set",
                 contains=("policy.thresholds.nope",))


def test_set_unknown_top_level_key(trio: dict[str, Path]) -> None:
    assert_error(scan(trio, "--set", "sede=4"), EXIT_USAGE, "--set", contains=("sede",))


def test_negative_seed(trio: dict[str, Path]) -> None:
    assert_error(scan(trio, "--seed", "-1"), EXIT_USAGE, "--seed")


def test_unknown_format(trio: dict[str, Path]) -> None:
    assert_error(scan(trio, "--format", "xyz"), EXIT_USAGE, "--format", contains=("xyz",))


def test_missing_metadata_file(trio: dict[str, Path], tmp_path: Path) -> None:
    meta = tmp_path / "nometa.json"
    assert_error(scan(trio, "--metadata", meta), EXIT_USAGE, meta)


# --------------------------------------------------------------------------------------------
# more encodings and formats


def test_utf16_file_with_byte_order_mark(reference: dict, trio: dict[str, Path],
                                         tmp_path: Path) -> None:
    # Excel's "Unicode text" export: the byte-order mark says how to read it
    p = tmp_path / "utf16.csv"
    base_frame(1).to_csv(p, index=False, encoding="utf-16")
    assert comparable(assert_scanned(scan(trio, train=p))) == comparable(reference)


def test_parquet_file_with_csv_suffix(trio: dict[str, Path], tmp_path: Path) -> None:
    p = tmp_path / "really_parquet.csv"
    base_frame(3).to_parquet(p)
    assert_error(scan(trio, synthetic=p), EXIT_CANNOT_RUN, p, contains=("Parquet",))


def test_question_mark_in_every_input_is_not_silent(tmp_path: Path) -> None:
    paths = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        df = base_frame(seed)
        df["income"] = df["income"].astype(object)
        df.loc[[3, 17], "income"] = "?"
        paths[role] = tmp_path / f"{role}_q.csv"
        df.to_csv(paths[role], index=False)
    result = assert_scanned(scan(paths))
    income = next(c for c in result["schema"]["columns"] if c["name"] == "income")
    assert income["role"] != "numeric" and "--missing-token" in income["note"]
    fixed = assert_scanned(scan(paths, "--missing-token", "?"))
    assert roles(fixed)["income"] == "numeric"


# --------------------------------------------------------------------------------------------
# the CLI's last line of defence (in-process: these cannot be provoked from outside reliably)


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


# --------------------------------------------------------------------------------------------
# the contract of the real command line, in a real process


def test_subprocess_contract(trio: dict[str, Path], tmp_path: Path) -> None:
    """A real ``python -m synthscan`` process: a bad input gives exit code 3 and exactly one
    stderr line without a traceback, and nothing on stdout; a good scan with ``--out -`` gives
    exit code 0 or 1 and one JSON document on stdout."""
    p = tmp_path / "ragged_proc.csv"
    lines = _lines(trio["train"])
    lines[10] += f",{SENTINEL}"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad = run_process("scan", p, trio["synthetic"], "--holdout", trio["holdout"], "--out", "-",
                      *FAST, cwd=tmp_path)
    assert_error(bad, EXIT_CANNOT_RUN, p, contains=("line 11",))
    good = run_process("scan", trio["train"], trio["synthetic"], "--holdout", trio["holdout"],
                       "--out", "-", *FAST, cwd=tmp_path)
    assert_scanned(good, (EXIT_OK, EXIT_POLICY_FAILED))


# --------------------------------------------------------------------------------------------
# hostile inputs (the red-team pass of issue #14): bounded memory, one clean line each


def _rows_csv(n: int) -> bytes:
    """``n`` identical data rows: compress to almost nothing."""
    return b"age,income,color\n" + b"30,50000.5,red\n" * n


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make parsing a table fail loudly: a bomb must be refused before it is parsed."""
    import synthscan.data.io as io_mod

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the input was parsed before the memory check")

    monkeypatch.setattr(io_mod.pd, "read_csv", refuse)
    monkeypatch.setattr(io_mod, "read_parquet", refuse)


def test_gzip_bomb_is_charged_by_its_decompressed_size(trio: dict[str, Path], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import gzip

    p = tmp_path / "bomb.csv.gz"
    p.write_bytes(gzip.compress(_rows_csv(1_500_000), compresslevel=9))
    assert p.stat().st_size < 200_000
    _no_parsing(monkeypatch)
    assert_error(scan(trio, "--max-memory", "700MB", train=p), EXIT_CANNOT_RUN, p,
                 contains=("--max-memory", "decompressed"))


def test_zip_bomb_is_charged_by_its_decompressed_size(trio: dict[str, Path], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import zipfile

    p = tmp_path / "bomb.csv.zip"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("bomb.csv", _rows_csv(4_000_000))
    _no_parsing(monkeypatch)
    assert_error(scan(trio, "--max-memory", "700MB", synthetic=p), EXIT_CANNOT_RUN, p,
                 contains=("--max-memory",))


def test_parquet_bomb_is_charged_by_its_footer_row_count(trio: dict[str, Path], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 1_500_000
    p = tmp_path / "bomb.parquet"
    pq.write_table(pa.table({"age": np.full(n, 30), "income": np.full(n, 50000.5),
                             "color": pa.array(["red"] * n).dictionary_encode()}), p)
    assert p.stat().st_size < 200_000
    _no_parsing(monkeypatch)
    assert_error(scan(trio, "--max-memory", "700MB", holdout=p), EXIT_CANNOT_RUN, p,
                 contains=("--max-memory",))


def test_a_small_compressed_input_still_scans_under_a_limit(reference: dict,
                                                            trio: dict[str, Path],
                                                            tmp_path: Path) -> None:
    p = tmp_path / "train.csv.xz"
    pd.read_csv(trio["train"]).to_csv(p, index=False)
    result = assert_scanned(scan(trio, "--max-memory", "2GB", train=p))
    assert comparable(result) == comparable(reference)


def test_duplicate_heavy_tables_are_charged_for_singling_out(tmp_path: Path) -> None:
    paths = {}
    for role in ("train", "holdout", "synthetic"):
        paths[role] = tmp_path / f"dup_{role}.csv"
        paths[role].write_bytes(_rows_csv(1000))
    line = assert_error(scan(paths, "--max-memory", "1GB"), EXIT_CANNOT_RUN, "dup_",
                        contains=("identical rows", "drop duplicate rows", "--max-memory"))
    assert "singling out" in line


def test_duplicates_behind_a_unique_identifier_are_charged_too(tmp_path: Path) -> None:
    # the attacks ignore identifier columns: rows equal apart from their id are duplicates
    paths = {}
    for role in ("train", "holdout", "synthetic"):
        df = pd.DataFrame({"customer_id": [f"c{i}" for i in range(1000)], "age": 30,
                           "income": 50000.5, "color": "red"})
        paths[role] = tmp_path / f"dup_id_{role}.csv"
        df.to_csv(paths[role], index=False)
    cfg = tmp_path / "ids.toml"
    cfg.write_text('[columns]\ncustomer_id = "identifier"\n', encoding="utf-8")
    assert_error(scan(paths, "--config", cfg, "--max-memory", "1GB"), EXIT_CANNOT_RUN,
                 "dup_id_", contains=("identical rows",))


@pytest.mark.parametrize("key,value", [("bootstrap", "100000000"),
                                       ("permutations", "100000000"),
                                       ("singling_out_predicates", "100000000"),
                                       ("max_query_rows", "20000000000")])
def test_size_settings_have_an_upper_limit(trio: dict[str, Path], key: str, value: str) -> None:
    assert_error(scan(trio, "--set", f"{key}={value}"), EXIT_USAGE, "--set",
                 contains=(repr(key), "from"))


def test_size_settings_are_charged_under_max_memory(trio: dict[str, Path]) -> None:
    assert_error(scan(trio, "--set", "bootstrap=100000", "--max-memory", "700MB"),
                 EXIT_CANNOT_RUN, trio["train"].name, contains=("bootstrap=100000",
                                                               "lower those settings"))


def test_billion_laughs_yaml_is_refused_without_expanding_it(trio: dict[str, Path],
                                                            tmp_path: Path) -> None:
    lines = ["metric:", '  - &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"  - &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    cfg = tmp_path / "laughs.yaml"
    cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    line = assert_error(scan(trio, "--config", cfg), EXIT_USAGE, cfg,
                        contains=("anchors and aliases",))
    assert len(line) < 300 and "lol" not in line


def test_long_values_are_cut_in_config_messages(trio: dict[str, Path], tmp_path: Path) -> None:
    cfg = tmp_path / "long.yaml"
    cfg.write_text("metric: [" + ", ".join(["x" * 50] * 10_000) + "]\n", encoding="utf-8")
    line = assert_error(scan(trio, "--config", cfg), EXIT_USAGE, cfg, contains=("'metric'",))
    assert len(line) < 400


@pytest.mark.parametrize("suffix", [".csv.gz", ".csv.xz", ".csv.bz2"])
def test_truncated_compressed_file(trio: dict[str, Path], tmp_path: Path, suffix: str) -> None:
    p = tmp_path / f"cut{suffix}"
    df = pd.concat([base_frame(1)] * 50, ignore_index=True)
    df.to_csv(p, index=False)
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
    for extra in ((), ("--max-memory", "4GB")):
        assert_error(scan(trio, *extra, train=p), EXIT_CANNOT_RUN, p,
                     contains=("truncated",) if suffix != ".csv.bz2" else ())


def _zip_with(tmp_path: Path, name: str, flag_bits: int = 0, method: int | None = None) -> Path:
    """A one-member zip whose header is patched: encryption flag, or compression method."""
    import struct
    import zipfile

    p = tmp_path / name
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("t.csv", trio_text())
    data = bytearray(p.read_bytes())
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(sig)
        if flag_bits:
            old = struct.unpack_from("<H", data, at + flag_at)[0]
            struct.pack_into("<H", data, at + flag_at, old | flag_bits)
        if method is not None:
            struct.pack_into("<H", data, at + flag_at + 2, method)
    p.write_bytes(bytes(data))
    return p


def trio_text() -> str:
    return base_frame(1).to_csv(index=False)


@pytest.mark.parametrize("name,flag_bits,method,text", [
    ("secret.csv.zip", 0x1, None, "encrypted"),
    ("deflate64.csv.zip", 0, 9, "Deflate64"),
])
def test_unreadable_zip_members(trio: dict[str, Path], tmp_path: Path, name: str,
                                flag_bits: int, method: int | None, text: str) -> None:
    p = _zip_with(tmp_path, name, flag_bits, method)
    for extra in ((), ("--max-memory", "4GB")):
        assert_error(scan(trio, *extra, train=p), EXIT_CANNOT_RUN, p, contains=(text,))


@pytest.mark.parametrize("codec", ["rot13", "hex", "base64", "zlib"])
def test_non_text_codecs_are_refused(trio: dict[str, Path], codec: str) -> None:
    assert_error(scan(trio, "--set", f"encoding={codec}"), EXIT_USAGE, "--set",
                 contains=("'encoding'",))


def test_policy_preset_as_a_yaml_list(trio: dict[str, Path], tmp_path: Path) -> None:
    cfg = tmp_path / "preset.yaml"
    cfg.write_text("policy:\n  preset:\n    - public-release\n", encoding="utf-8")
    assert_error(scan(trio, "--config", cfg), EXIT_USAGE, cfg, contains=("policy.preset",))


def test_metadata_nested_too_deeply(trio: dict[str, Path], tmp_path: Path) -> None:
    meta = tmp_path / "deep.json"
    meta.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert_error(scan(trio, "--metadata", meta), EXIT_USAGE, meta)


def test_config_nested_too_deeply(trio: dict[str, Path], tmp_path: Path) -> None:
    cfg = tmp_path / "deep.yaml"
    cfg.write_text("seed: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    assert_error(scan(trio, "--config", cfg), EXIT_USAGE, cfg)


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


@pytest.mark.parametrize("alpha", ["1e-16", "0", "0.5", "true"])
def test_alpha_outside_the_range_where_the_maths_holds(trio: dict[str, Path],
                                                       alpha: str) -> None:
    assert_error(scan(trio, "--set", f"alpha={alpha}"), EXIT_USAGE, "--set",
                 contains=("'alpha'", "1e-06"))


def test_smallest_alpha_allowed_still_scans(trio: dict[str, Path]) -> None:
    result = assert_scanned(scan(trio, "--set", "alpha=1e-6"), (EXIT_OK, EXIT_POLICY_FAILED))
    assert result["config"]["alpha"] == 1e-6


@pytest.mark.parametrize("value", ["1.7e308", "-1.7e308", "1e150"])
def test_extreme_finite_values_name_the_column(trio: dict[str, Path], tmp_path: Path,
                                               value: str) -> None:
    lines = _lines(trio["synthetic"])
    age, _income, color = lines[5].split(",")
    lines[5] = f"{age},{value},{color}"
    p = tmp_path / "synth_huge_values.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    line = assert_error(scan(trio, synthetic=p), EXIT_CANNOT_RUN, p, column="income",
                        absent=(SENTINEL, value))
    assert "rescale" in line


def test_large_but_safe_values_scan(tmp_path: Path) -> None:
    paths = {}
    for role, seed in (("train", 1), ("holdout", 2), ("synthetic", 3)):
        df = base_frame(seed)
        df["income"] = df["income"] * 1e90
        paths[role] = tmp_path / f"{role}_1e95.csv"
        df.to_csv(paths[role], index=False)
    result = assert_scanned(scan(paths), (EXIT_OK, EXIT_POLICY_FAILED))
    assert all("could not compute" not in (c.get("reason") or "") for c in result["checks"])


def test_terminal_escapes_in_a_file_name_are_not_printed_raw(trio: dict[str, Path],
                                                             tmp_path: Path) -> None:
    p = tmp_path / "evil\x1b]0;pwned\x07\x1b[2J.csv"
    lines = _lines(trio["train"])
    lines[10] += ",extra"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = scan(trio, train=p)
    assert "\x1b" not in proc.stderr and "\x07" not in proc.stderr
    assert_error(proc, EXIT_CANNOT_RUN, "evil\\x1b]0;pwned\\x07\\x1b[2J.csv")


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


def test_utf16_without_byte_order_mark(reference: dict, trio: dict[str, Path],
                                       tmp_path: Path) -> None:
    p = tmp_path / "utf16le.csv"
    base_frame(1).to_csv(p, index=False, encoding="utf-16-le")
    line = assert_error(scan(trio, train=p), EXIT_CANNOT_RUN, p,
                        contains=("UTF-16", "--set encoding=utf-16-le"))
    assert "Parquet" not in line
    # the setting applies to every input: all three in UTF-16-LE scan like the UTF-8 trio
    converted = {}
    for role, src in trio.items():
        converted[role] = tmp_path / f"{role}_utf16le.csv"
        pd.read_csv(src).to_csv(converted[role], index=False, encoding="utf-16-le")
    result = assert_scanned(scan(trio, "--set", "encoding=utf-16-le", train=converted["train"],
                                 synthetic=converted["synthetic"],
                                 holdout=converted["holdout"]))
    assert comparable(result) == comparable(reference)


def test_empty_column_name(trio: dict[str, Path], tmp_path: Path) -> None:
    lines = _lines(trio["synthetic"])
    lines[0] = "age,,color"
    p = tmp_path / "empty_name.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    line = assert_error(scan(trio, synthetic=p), EXIT_CANNOT_RUN, p,
                        contains=("column 2", "no name"))
    assert "Unnamed" not in line


def test_every_column_ignored(trio: dict[str, Path], tmp_path: Path) -> None:
    cfg = tmp_path / "ignore_all.toml"
    cfg.write_text('[columns]\nage = "ignore"\nincome = "ignore"\ncolor = "identifier"\n',
                   encoding="utf-8")
    line = assert_error(scan(trio, "--config", cfg), EXIT_CANNOT_RUN, trio["train"],
                        contains=("no column is left", "ignored: 'age', 'income'",
                                  "identifiers: 'color'"))
    assert "()" not in line


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


def test_missing_file_exits_2_in_every_command(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.csv"
    for args in (("scan", missing, missing), ("report", tmp_path / "nowhere.json"),
                 ("split", missing, "--out", tmp_path)):
        assert_error(run_cli(*args), EXIT_USAGE, "nowhere")


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


def test_api_config_typo_is_a_config_error() -> None:
    from synthscan import ScanConfig
    from synthscan.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown setting 'sede' — did you mean 'seed'"):
        ScanConfig(sede=4)  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="'alpha'"):
        ScanConfig(alpha=1e-16)
    assert ScanConfig(seed=4).replace(alpha=0.01).alpha == 0.01


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
