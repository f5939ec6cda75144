"""What the reports say for people, on the three sample scans (high, inconclusive, low): the
verdict box's counts against hand-computed ones, a policy line that never contradicts the
verdict, next steps and exposed rows against a brute-force oracle, every printed status
against its printed bounds, and no internal token in any report."""

from __future__ import annotations

import html as htmlmod
import json
import math
import re
from types import SimpleNamespace

import pandas as pd
import pytest
from report_samples import SAMPLE

from synthscan.fmt import pct
from synthscan.reports import render, write_reports
from synthscan.reports.format import TOO_LITTLE, interval_text, p_value, pct_vs
from synthscan.reports.next_steps import exposed_rows_csv, next_steps
from synthscan.reports.terminal import closing_line, render_summary
from synthscan.reports.text import group_by_criterion
from synthscan.reports.verdict_box import verdict_box
from synthscan.result import ScanResult

VERDICTS = ("high", "inconclusive", "low")


def _copy(result: ScanResult) -> ScanResult:
    return ScanResult.from_dict(json.loads(result.to_json()))


# --------------------------------------------------------------------------------------------
# the verdict box


def test_people_counts_are_the_bounds_times_the_units(samples):
    """Every "at most N of M" is ceil(upper x M) and every "at least N of M" floor(lower x M),
    computed here from the decision; the verbatim count is the reproduced unique records."""
    seen = 0
    for verdict in VERDICTS:
        r = _copy(samples[verdict])
        box = verdict_box(r)
        for s in box.certified + box.confirmed:
            c = r.check(s.check)
            n, d = int(c.unit_total), c.decision
            if s in box.certified:
                k, word = math.ceil(d.upper * n - 1e-9), "at most"
            else:
                k, word = math.floor(d.lower * n + 1e-9), "at least"
            assert f"{word} {k:,}" in s.text and f"of {n:,} " in s.text, s.text
            seen += 1
        verbatim = next(s for s in box.certified + box.confirmed + box.not_certified
                        if s.check == "verbatim")
        if verdict != "inconclusive":  # certified or confirmed: the observed count is said
            k_t = r.check("verbatim").counts["reproduced_train_uniques"]
            n_t = r.check("verbatim").counts["unique_train_records"]
            assert verbatim.text.startswith(f"{k_t:,} of {n_t:,} unique training records")
    assert seen >= 9
    high = verdict_box(samples["high"])
    assert {s.check for s in high.confirmed} == {
        c.id for c in samples["high"].checks if c.status == "fail"}
    assert all("confidence, adjusted for the number of checks" in s.level
               for s in high.confirmed)


@pytest.mark.parametrize("fail_on", ["high", "inconclusive", "never"])
def test_the_policy_line_never_contradicts_the_verdict(samples, fail_on):
    for verdict in VERDICTS:
        r = _copy(samples[verdict])
        r.policy.fail_on = fail_on
        box = verdict_box(r)
        assert box.policy_failed is (not r.passed)
        assert box.policy.startswith("FAILED") is (not r.passed)
        assert box.policy.startswith("passed") is (r.passed and verdict == "low"
                                                   and fail_on != "never")
        if verdict == "inconclusive" and r.passed:
            assert "no confirmed leak, but no certification either" in box.policy
        if verdict == "high":
            assert "a leak is confirmed" in box.policy
        line = closing_line(r.verdict, fail_on, "--fail-on", failed=not r.passed)
        assert line.startswith("Policy failed:") is (not r.passed)
        assert ("exit code 1" in line) is (not r.passed)
        if verdict != "low":
            assert not line.startswith("Policy passed")


def test_a_refuted_dp_claim_fails_the_policy_in_words_that_keep_the_verdict(samples):
    r = _copy(samples["low"])
    r.dp_claim = SimpleNamespace(refuted=True)  # what the policy reads of a refuted claim
    assert not r.passed
    box = verdict_box(r)
    assert box.policy_failed and box.policy == (
        "FAILED — the differential-privacy claim is refuted by the audit (the verdict is low)")
    line = closing_line("low", "high", "--fail-on", failed=True)
    assert line.startswith("Policy failed:") and "another policy rule" in line
    assert "not every check is certified" not in line


# --------------------------------------------------------------------------------------------
# next steps and exposed rows


def _verbatim_oracle() -> set[int]:
    """Training rows unique in train ∪ holdout that some synthetic row equals on every column
    but the identifier: found by joining the row texts, independently of the scan."""
    def keys(name: str) -> pd.Series:
        df = pd.read_csv(SAMPLE / name, dtype=str, keep_default_na=False)
        return df.drop(columns="person_id").agg("\x1f".join, axis=1)

    train, hold, syn = keys("train.csv"), keys("holdout.csv"), keys("synthetic_leaky.csv")
    counts = pd.concat([train, hold]).value_counts()
    copied = set(syn)
    return {i for i, k in enumerate(train) if counts[k] == 1 and k in copied}


def test_exposed_rows_are_the_copied_training_rows_and_only_positions(samples, tmp_path):
    high = samples["high"]
    text = exposed_rows_csv(high)
    assert text is not None
    lines = text.splitlines()
    assert lines[0] == "check,train_row"
    rows = [line.split(",") for line in lines[1:]]
    assert all(len(r) == 2 and r[1].isdigit() for r in rows)  # positions, never values
    by_check: dict[str, list[int]] = {}
    for check, row in rows:
        by_check.setdefault(check, []).append(int(row))
    assert set(by_check["verbatim"]) == _verbatim_oracle()
    assert len(by_check["verbatim"]) == 200
    assert set(by_check) == {"verbatim", "closeness", "membership_inference"}
    # written beside the reports, removed when a later scan exposes nobody
    out = tmp_path / "out"
    written = write_reports(high, out, ["html"])
    assert (out / "exposed-rows.csv").read_text() == text and out / "exposed-rows.csv" in written
    write_reports(samples["low"], out, ["html"])
    assert not (out / "exposed-rows.csv").exists()
    assert exposed_rows_csv(samples["inconclusive"]) is None


def test_next_steps_follow_the_verdict(samples):
    high = next_steps(samples["high"])
    assert high[0].title == "Do not release this synthetic data as it is"
    exposed = [s.exposure for s in high if s.exposure is not None]
    assert [e.check for e in exposed] == ["verbatim", "closeness", "membership_inference"]
    assert any(s.title == "Ask the vendor or generator owner" and s.items for s in high)

    inconclusive = samples["inconclusive"]
    steps = next_steps(inconclusive)
    text = " ".join(s.title + " " + s.text for s in steps)
    for g in inconclusive.risk.guidance:
        assert f"These sizes can certify about {pct(g.certifiable)}" in text
        if g.factor:
            assert f"about {g.factor:g} times the data would decide it" in text
            for side, word in (("train_rows", "training"), ("holdout_rows", "holdout")):
                if side in g.rows_needed:
                    assert f"{g.rows_needed[side]:,} {word}" in text
    assert len(steps) == len(inconclusive.risk.guidance) + 1  # one per undecided + options

    low = next_steps(samples["low"])
    assert [s.title for s in low] == ["Record the certificate", "Check what it does not cover",
                                      "Scan again when anything changes"]
    assert all(s.exposure is None for s in low)


# --------------------------------------------------------------------------------------------
# every printed status agrees with its printed bounds


def _pct(cell: str) -> float | None:
    m = re.match(r"\s*(none|-?[\d.]+%)", cell)
    assert m, cell
    return None if m.group(1) == "none" else float(m.group(1)[:-1])


_WORD = {"pass": "pass", "certified": "pass", "warn": "warn", "undecided": "warn",
         "fail": "fail", "leak confirmed": "fail"}


def _status(cell: str) -> str:
    cell = cell.replace("*", "").strip()
    return _WORD[cell.split(" (")[0].strip()]


def _agrees(status: str, lower: float | None, upper: float, below: float,
            above: float) -> bool:
    expected = ("fail" if lower is not None and lower > above
                else "pass" if upper < below else "warn")
    return status == expected


def _terminal_rows(text: str) -> list[tuple[str, str, str, str, str]]:
    row = re.compile(r"^\S+\s+-?[\d.]+%\s+((?:none|[\d.]+%) \([\d.]+%\))\s+([\d.]+% \([\d.]+%\))"
                     r"\s+([\d.]+%)\s+([\d.]+%)\s+(\w+ \([^)]*\))$")
    return [m.groups() for m in map(row.match, text.splitlines()) if m]  # type: ignore[misc]


def _markdown_rows(text: str) -> list[tuple[str, ...]]:
    rows = [line.strip("|").split(" | ") for line in text.splitlines()
            if line.startswith("| ") and "`" in line]
    return [(r[2], r[3], r[4], r[5], r[6]) for r in rows]


def summary_rows(doc: str) -> list[tuple[str, ...]]:
    """(confirmed, certified, passes below, fails above, status) of the HTML summary table."""
    table = doc[doc.index('<table class="summary">'):]
    table = table[:table.index("</table>")]
    out = []
    for tr in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]:
        cells = [htmlmod.unescape(re.sub(r"<[^>]+>", " ", c)).strip()
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)]
        out.append(tuple(cells[2:7]))
    return out


def check_rows(rows: list[tuple[str, ...]]) -> set[str]:
    statuses = set()
    for lower, upper, below, above, status in rows:
        s = _status(status)
        lo, hi, b, a = _pct(lower), _pct(upper), _pct(below), _pct(above)
        assert hi is not None and b is not None and a is not None
        assert _agrees(s, lo, hi, b, a), (lower, upper, below, above, status)
        statuses.add(s)
    return statuses


def test_every_printed_status_agrees_with_its_printed_bounds(samples):
    seen: set[str] = set()
    for verdict in VERDICTS:
        r = samples[verdict]
        n = sum(c.component and c.decision is not None for c in r.checks)
        for rows in (_terminal_rows(render_summary(r)), _markdown_rows(render(r, "md")),
                     summary_rows(render(r, "html"))):
            assert len(rows) == n, verdict
            seen |= check_rows(rows)
    assert seen == {"pass", "warn", "fail"}  # every kind of status was checked


def test_a_bound_beside_its_threshold_is_printed_on_its_side():
    assert pct_vs(0.04996, 0.05) == "4.996%" and pct_vs(0.05004, 0.05) == "5.004%"
    assert pct_vs(0.00004, 0.0) == "0.004%"  # a confirmed excess above "any" is not "0.00%"
    assert pct_vs(0.05, 0.05) == "5.00%" and pct_vs(0.0312, 0.05) == "3.12%"


# --------------------------------------------------------------------------------------------
# figures for people


def test_p_values_and_uninformative_intervals_read_as_people_say_them(samples):
    assert [p_value(p) for p in (0.0, 0.000999, 0.0312, 0.5, 1.0)] == [
        "< 0.001", "< 0.001", "0.031", "0.5", "1"]
    c = samples["inconclusive"].check("membership_inference")
    assert TOO_LITTLE not in interval_text(c)
    wide = c.replace(lower=-0.35, upper=0.6)
    assert interval_text(wide) == f"{TOO_LITTLE} (-35.00% to 60.00%)"
    r = _copy(samples["inconclusive"])
    i = next(i for i, ch in enumerate(r.checks) if ch.id == "membership_inference")
    d = r.checks[i].decision
    r.checks[i] = r.checks[i].replace(decision=type(d)(**{**d.to_dict(), "upper": 0.8}))
    statement = next(s for s in verdict_box(r).not_certified if s.check == "membership_inference")
    assert statement.text.startswith(f"{TOO_LITTLE}: the bound allows up to 800 of 1,000")


#: raw machine output that must not reach a reader: internal names, Python reprs, bracketed lists
FORBIDDEN = re.compile(
    r"pi0|p_hat|adjusted_interval|np\.\w+|array\(|object at 0x|\{'|\['|'\]|\bNone\b|\bTrue\b"
    r"|\bFalse\b|\bnan\b|\[\s*-?\d[\d.,]*%?(?:\s*,\s*-?\d[\d.,]*%?)+\s*\]")


def _sarif_texts(doc: str) -> str:
    found: list[str] = []

    def walk(x: object) -> None:
        if isinstance(x, dict):
            found.extend(v for k, v in x.items() if k in ("text", "markdown")
                         and isinstance(v, str))
            for k, v in x.items():
                if k != "properties":  # machine-readable figures, as in result.json
                    walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(json.loads(doc))
    return "\n".join(found)


def test_no_internal_token_in_any_report(samples):
    for verdict in VERDICTS:
        r = samples[verdict]
        page = render(r, "html")
        docs = {
            "html": htmlmod.unescape(re.sub(r"<[^>]+>", " ", page[page.index("<body"):])),
            "md": render(r, "md"), "terminal": render_summary(r),
            "sarif": _sarif_texts(render(r, "sarif")), "junit": render(r, "junit"),
        }
        for fmt, text in docs.items():
            hits = [text[max(m.start() - 40, 0):m.end() + 20] for m in FORBIDDEN.finditer(text)]
            assert not hits, (verdict, fmt, hits[:3])
    # the pattern does catch what it is meant to
    planted = "pi0 0.6 [0.05, 0.04, 0.06] {'a': 1} None [1.00%, 2.00%]"
    assert len(FORBIDDEN.findall(planted)) == 5


def test_supporting_tests_never_read_as_a_pass(samples):
    for verdict in VERDICTS:
        r = samples[verdict]
        page = render(r, "html")
        table = page[page.index('<table class="supporting">'):]
        table = table[:table.index("</table>")]
        badges = re.findall(r'<span class="badge b-(\w+)">([^<]+)</span>', table)
        support = [c for _, group in group_by_criterion(r.checks) for c in group
                   if not c.component]  # in the table's order
        assert len(badges) == len(support)
        for (cls, words), c in zip(badges, support, strict=True):
            assert cls != "pass" and "pass" not in words
            if c.criterion in ("copies", "distance"):
                assert words.startswith(("no evidence of copying", "evidence of copying"))
    nearest = render(samples["high"], "md")
    assert "evidence of copying: fails the release" in nearest


def test_markdown_is_a_public_renderer_with_the_same_box(samples):
    from synthscan.reports.markdown import render_markdown

    r = samples["inconclusive"]
    md = render_markdown(r)
    assert md == render(r, "md")
    box = verdict_box(r)
    assert "- **Policy:** not failed — no confirmed leak, but no certification either" in md
    for s in box.not_certified:
        assert s.text.split(";")[0] in md
    assert "### What to do next" in md
