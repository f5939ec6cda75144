"""Scan history: three scans appended, listed and drawn in the report; the store read back with
plain SQL; no record's value in the file; SQLAlchemy URLs; stores that cannot be used."""

from __future__ import annotations

import json
import re
import sqlite3
import struct
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_runner import run_cli

from synthscan.errors import EXIT_OK, EXIT_POLICY_FAILED, EXIT_USAGE, ConfigError
from synthscan.history import COMPONENT_COLUMNS, SCAN_COLUMNS, append_scan, read_history
from synthscan.reports import write_reports
from synthscan.reports.trend import trend_chart
from synthscan.result import ScanResult


def test_three_scans_are_listed(store_of_three: dict) -> None:
    store, results = store_of_three["store"], store_of_three["results"]
    assert f"recorded scan #3 in {store}" in store_of_three["proc"].stderr
    proc = run_cli("history", store)
    assert proc.returncode == EXIT_OK, proc.stderr
    rows = [line.split() for line in proc.stdout.splitlines()[1:]]
    assert [r[0] for r in rows] == ["#1", "#2", "#3"]
    assert [r[3] for r in rows] == ["synthetic_clean.csv"] * 2 + ["synthetic_leaky.csv"]
    assert [r[4] for r in rows] == [r.verdict for r in results]
    assert [r[5] for r in rows] == [f"{100 * r.risk.upper:.2f}%" for r in results]

    listed = json.loads(run_cli("history", store, "--format", "json", "--limit", "2").stdout)
    assert [r["id"] for r in listed] == [2, 3]
    leaky = listed[-1]
    assert leaky["seed"] == 0 and leaky["preset"] == "public-release"
    syn = [next(i.sha256 for i in r.inputs if i.table == "synthetic") for r in results]
    assert leaky["synthetic_sha256"] == syn[2] != syn[0]
    by_id = {c["component"]: c for c in leaky["components"]}
    verbatim = results[2].check("verbatim")
    assert by_id["verbatim"]["status"] == "fail" == verbatim.status
    assert by_id["verbatim"]["certified_upper"] == verbatim.decision.upper
    assert by_id["membership_inference"]["status"] == "skipped"


def test_the_report_draws_the_trend_of_the_three(store_of_three: dict) -> None:
    html = (store_of_three["report"] / "report.html").read_text(encoding="utf-8")
    section = html[html.index('<section aria-label="Trend over scans">'):]
    section = section[:section.index("</section>")]
    dots = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"', section)
    assert len(dots) == 3
    xs, ys = [float(d[0]) for d in dots], [float(d[1]) for d in dots]
    assert xs == sorted(xs)  # oldest on the left
    uppers = [r.risk.upper for r in store_of_three["results"]]
    # SVG y grows downwards: a larger certified bound is drawn higher
    assert np.argsort(ys).tolist() == np.argsort(uppers)[::-1].tolist()
    assert [d[2] for d in dots].count("6.5") == 1 and dots[2][2] == "6.5"  # this scan, ringed
    assert section.count("<tr><td>#") == 3 and "<script" not in section


def test_the_store_is_plain_sql(store_of_three: dict) -> None:
    con = sqlite3.connect(store_of_three["store"])
    rows = con.execute("SELECT id, verdict, certified_upper, confirmed_lower, train_sha256, "
                       "synthscan_version FROM synthscan_scans ORDER BY id").fetchall()
    results = store_of_three["results"]
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        (i + 1, r.verdict, r.risk.upper, r.risk.lower) for i, r in enumerate(results)]
    assert {r[4] for r in rows} == {results[0].inputs[0].sha256}
    assert con.execute("SELECT value FROM synthscan_meta WHERE key = 'store_version'"
                       ).fetchone() == ("1",)
    fails = con.execute("SELECT s.id, c.component FROM synthscan_components c JOIN "
                        "synthscan_scans s ON s.id = c.scan_id WHERE c.status = 'fail' "
                        "ORDER BY c.component").fetchall()
    assert fails == [(3, c.id) for c in sorted(results[2].checks, key=lambda c: c.id)
                     if c.component and c.status == "fail"]
    assert fails  # the leaky release fails some component
    con.close()


def test_no_record_value_enters_the_history(tmp_path: Path) -> None:
    """Distinctive values planted in every table are nowhere in the store's bytes, as text or
    as the 8-byte floats SQLite keeps."""
    rng = np.random.default_rng(3)
    word, number = "ZQXPLANTEDWORD", 918273.645

    def table(n: int) -> pd.DataFrame:
        frame = pd.DataFrame({"age": rng.integers(18, 90, n),
                              "income": np.round(rng.normal(50_000, 9_000, n), 2),
                              "colour": rng.choice(["red", "green", "blue"], n)})
        frame.loc[::7, "colour"] = word
        frame.loc[::5, "income"] = number
        return frame

    paths = {}
    for name in ("train", "holdout", "synthetic"):
        paths[name] = tmp_path / f"{name}.csv"
        table(80).to_csv(paths[name], index=False)
    store = tmp_path / "h.sqlite"
    proc = run_cli("scan", paths["train"], paths["synthetic"], "--holdout", paths["holdout"],
                   "--set", "permutations=99", "--set", "bootstrap=50", "--history", store,
                   "--out", tmp_path / "out", "-q")
    assert proc.returncode in (EXIT_OK, EXIT_POLICY_FAILED), proc.stderr
    data = store.read_bytes()
    assert len(read_history(store)) == 1
    for needle in (word.encode(), b"918273", struct.pack(">d", number),
                   struct.pack("<d", number)):
        assert needle not in data, needle


def test_a_database_url_goes_through_sqlalchemy(sample_scans: dict[str, Path],
                                                tmp_path: Path) -> None:
    pytest.importorskip("sqlalchemy")
    path = tmp_path / "db.sqlite"
    result = ScanResult.load(sample_scans["leaky"])
    stored = [append_scan(f"sqlite:///{path}", result) for _ in range(2)]
    assert [s.id for s in stored] == [1, 2]
    via_url = read_history(f"sqlite:///{path}")
    via_file = read_history(path)  # the same tables: the file reads back with sqlite3
    assert [r.to_dict() for r in via_url] == [r.to_dict() for r in via_file]
    assert via_url[1].certified_upper == result.risk.upper and via_url[1].verdict == "high"


def test_a_url_without_sqlalchemy_says_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                                       sample_scans: dict[str, Path]) -> None:
    monkeypatch.setitem(sys.modules, "sqlalchemy", None)  # import fails as if not installed
    with pytest.raises(ConfigError, match="pip install sqlalchemy"):
        append_scan("postgresql://ci@db/privacy", ScanResult.load(sample_scans["clean"]))
    proc = run_cli("history", "postgresql://ci:secret@db/privacy")
    assert proc.returncode == EXIT_USAGE and "pip install sqlalchemy" in proc.stderr


def test_scan_refuses_an_unusable_store_before_it_runs(tmp_path: Path, scan_cli) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("words, not a database\n" * 50, encoding="utf-8")
    for store, words in ((tmp_path / "no" / "h.sqlite", "its directory does not exist"),
                         (text, "not an SQLite database")):
        proc = scan_cli("synthetic_clean", "--history", store, "--out", tmp_path / "out")
        assert proc.returncode == EXIT_USAGE and words in proc.stderr, proc.stderr
        assert not (tmp_path / "out").exists()
    assert text.read_text(encoding="utf-8").startswith("words")


def test_stores_that_cannot_be_used(tmp_path: Path, sample_scans: dict[str, Path]) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all, just some words\n" * 50, encoding="utf-8")
    newer = tmp_path / "newer.sqlite"
    append_scan(newer, ScanResult.load(sample_scans["clean"]))
    with sqlite3.connect(newer) as con:
        con.execute("UPDATE synthscan_meta SET value = '9' WHERE key = 'store_version'")
    con.close()
    for store, words in ((tmp_path / "none.sqlite", "no such history store"),
                         (text, "not an SQLite database"), (tmp_path, "is a directory"),
                         (newer, "format 9 was written by a newer synthscan")):
        proc = run_cli("history", store)
        assert proc.returncode == EXIT_USAGE, (store, proc.stderr)
        assert proc.stderr.startswith("synthscan: error: ") and words in proc.stderr
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert not (tmp_path / "none.sqlite").exists()  # reading never creates a store
    assert "--limit 0: must be at least 1" in run_cli("history", newer, "--limit", "0").stderr


def test_the_trend_escapes_names_and_needs_two_scans(sample_scans: dict[str, Path],
                                                     tmp_path: Path) -> None:
    result = ScanResult.load(sample_scans["clean"])
    store = tmp_path / "h.sqlite"
    one = [append_scan(store, result)]
    html = (write_reports(result, tmp_path / "a", ["html"], history=one)[0]
            .read_text(encoding="utf-8"))
    trend = html[html.index('<section aria-label="Trend over scans">'):]
    assert "the trend is drawn from the second scan on" in trend
    assert "<circle" not in trend[:trend.index("</section>")]
    named = [r.__class__(**{**r.__dict__, "synthetic_name": "<b>x</b>.csv"}) for r in one * 2]
    chart = str(trend_chart(named))
    assert "<b>" not in chart and "&lt;b&gt;x&lt;/b&gt;.csv" in chart
    plain = write_reports(result, tmp_path / "b", ["html"])[0].read_text(encoding="utf-8")
    assert "Trend over scans" not in plain


def test_the_docs_describe_every_column() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "compare-and-history.md").read_text(
        encoding="utf-8")
    for name, _, _ in (*SCAN_COLUMNS, *COMPONENT_COLUMNS):
        assert f"`{name}`" in doc, name
