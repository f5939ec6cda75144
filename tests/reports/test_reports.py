"""Report renderers on real scan results: schema of the JSON, HTML / Markdown / SARIF / JUnit
content, escaping of hostile names, and the compact rendering of unknown details."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
from markupsafe import escape

import synthscan
from synthscan.errors import UsageError
from synthscan.fmt import pct
from synthscan.model import CheckResult
from synthscan.reports import FORMATS, parse_formats, render, write_reports
from synthscan.reports.charts import _risk_scale, detail_chart
from synthscan.reports.details import describe, find_charts
from synthscan.reports.format import interval
from synthscan.reports.html import CSP, render_html
from synthscan.reports.junit import junit_tree
from synthscan.reports.sarif import sarif_log
from synthscan.reports.text import criterion_title, group_by_criterion
from synthscan.result import ScanResult

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "sample_data"
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def hostile_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Tables with a column named like a script tag and planted copies, so that checks fail."""
    rng = np.random.default_rng(7)

    def frame(n: int) -> pd.DataFrame:
        return pd.DataFrame({HOSTILE: np.arange(n) + rng.integers(0, 10**9),
                             "income": np.round(rng.lognormal(10, 0.5, n), 2),
                             "city": rng.choice(["a", "b", "c", "d"], n)})

    train, hold, synth = frame(600), frame(400), frame(600)
    synth.iloc[:60, 1:] = train.iloc[:60, 1:].to_numpy()
    return train, hold, synth


# the hostile column is an identifier, so that its name is carried in the checks' details
HOSTILE_CONFIG = synthscan.ScanConfig(columns={HOSTILE: "identifier"})


@pytest.fixture(scope="module")
def hostile(hostile_frames) -> ScanResult:
    train, hold, synth = hostile_frames
    return synthscan.scan(train, synth, holdout=hold, config=HOSTILE_CONFIG)


@pytest.fixture(scope="module")
def no_holdout(hostile_frames) -> ScanResult:
    train, _, synth = hostile_frames
    return synthscan.scan(train, synth, config=HOSTILE_CONFIG)


def _copy(result: ScanResult) -> ScanResult:
    return ScanResult.from_dict(json.loads(result.to_json()))


def _with_statuses(result: ScanResult) -> ScanResult:
    """A real result edited to hold a failed, a skipped and an errored check."""
    r = _copy(result)
    assert len(r.checks) >= 3
    r.checks[0] = r.checks[0].replace(status="fail")
    r.checks[1] = r.checks[1].replace(status="skipped", reason="needs a holdout & more rows",
                                      summary="Not run: needs a holdout & more rows")
    r.checks[2] = r.checks[2].replace(status="error", reason="could not compute: ValueError",
                                      estimate=None, lower=None, upper=None)
    return r


# --------------------------------------------------------------------------------------------
# JSON and its schema


@pytest.fixture(scope="module")
def result_schema() -> dict:
    schema = json.loads((ROOT / "docs" / "result.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def test_real_results_validate_against_the_documented_schema(result_schema, leaky, clean,
                                                             hostile, no_holdout):
    for result in (leaky, clean, hostile, no_holdout, _with_statuses(leaky)):
        jsonschema.validate(json.loads(render(result, "json")), result_schema,
                            cls=jsonschema.Draft202012Validator)


def test_schema_rejects_what_the_contract_forbids(result_schema, leaky):
    base = json.loads(leaky.to_json())
    bad = [
        {**base, "verdict": "medium"},
        {**base, "checks": [{**base["checks"][0], "status": "ok"}]},
        {**base, "checks": [{**base["checks"][0], "estimate": "5%"}]},
        {k: v for k, v in base.items() if k != "risk"},
        {**base, "inputs": [{**base["inputs"][0], "role": "real"}] + base["inputs"][1:]},
    ]
    validator = jsonschema.Draft202012Validator(result_schema)
    for doc in bad:
        assert not validator.is_valid(doc)
    nulls = {**base, "checks": [{**base["checks"][0], "status": "skipped", "estimate": None,
                                 "lower": None, "upper": None, "threshold": None}]}
    assert validator.is_valid(nulls)


def test_json_format_is_the_result_json(leaky):
    assert render(leaky, "json") == leaky.to_json()
    assert ScanResult.from_dict(json.loads(render(leaky, "json"))).to_json() == leaky.to_json()


def test_formats_and_file_names():
    assert FORMATS == {"json": "result.json", "html": "report.html", "md": "report.md",
                       "sarif": "results.sarif", "junit": "junit.xml"}
    assert parse_formats(" JSON, html,md,json ") == ["json", "html", "md"]
    for bad in ("", "pdf", "json,xml"):
        with pytest.raises(UsageError) as err:
            parse_formats(bad)
        # the library's words and key; the command line maps the key to its flag
        assert err.value.key == "formats" and "--" not in str(err.value)


def test_write_reports_writes_every_format_and_refuses_bad_targets(leaky, tmp_path):
    paths = write_reports(leaky, tmp_path / "out", list(FORMATS))
    assert [p.name for p in paths] == [*FORMATS.values(), "exposed-rows.csv"]
    for fmt, p in zip(FORMATS, paths, strict=False):
        assert p.read_bytes() == render(leaky, fmt).encode("utf-8")
    for out, formats in (("-", ["json", "md"]), (paths[0], ["json"])):
        with pytest.raises(UsageError) as err:
            write_reports(leaky, out, formats)
        assert err.value.key == "out" and "--" not in str(err.value)
    with pytest.raises(UsageError):
        render(leaky, "pdf")


def test_write_reports_to_stdout_writes_one_format(leaky, capsysbinary):
    write_reports(leaky, "-", ["md"])
    assert capsysbinary.readouterr().out == render(leaky, "md").encode("utf-8")
    write_reports(leaky, "-", [])
    assert capsysbinary.readouterr().out == leaky.to_json().encode("utf-8")


# --------------------------------------------------------------------------------------------
# HTML


class _Tags(HTMLParser):
    VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr", "source"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.tags: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
        else:
            self.stack.pop()


def _parse(doc: str) -> _Tags:
    p = _Tags()
    p.feed(doc)
    p.close()
    assert not p.errors, p.errors[:3]
    assert not p.stack, p.stack
    return p


def test_html_is_self_contained_and_well_formed(leaky, clean):
    for result in (leaky, clean):
        doc = render_html(result)
        assert doc.startswith("<!DOCTYPE html>")
        assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in doc
        assert CSP == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        assert "http://" not in doc and "https://" not in doc
        tags = _parse(doc)
        assert not {"script", "img", "link", "iframe", "object", "embed"} & set(tags.tags)
        # in-page anchors, and the exposed rows' CSV written beside the report
        assert all(v.startswith("#") or v == "exposed-rows.csv"
                   for k, v in tags.attrs if k == "href" and v)
        assert ('href="exposed-rows.csv"' in doc) == (result.verdict == "high")
        assert not [k for k, _ in tags.attrs if k in ("src", "srcset", "xlink:href")]
        assert render_html(result) == doc  # nothing time- or order-dependent


def test_html_reads_verdict_first_and_has_a_section_per_criterion(leaky):
    doc = render_html(leaky)
    h2 = [f"<h2>{title}</h2>" for title in
          ("What to do next", "Risk by check", "Method", "Limitations", "Reproducibility")]
    assert doc.index("HIGH") < doc.index(h2[0])
    assert [doc.index(h) for h in h2] == sorted(doc.index(h) for h in h2)
    assert doc.count('aria-labelledby="risk-chart-title"') == 1
    criteria = {c.criterion for c in leaky.checks}
    for criterion in criteria:
        assert f"<h2>{criterion_title(criterion)}</h2>" in doc
    for c in leaky.checks:
        assert f'<span class="id">{c.id}</span>' in doc
    for i in leaky.inputs:
        assert i.sha256 and i.sha256 in doc
    for limit in leaky.limitations:
        assert str(escape(limit)) in doc
    assert leaky.environment["numpy"] in doc
    # the first row positions of exposed records are in the next steps (all in the CSV), the
    # technical details only count them
    rows = leaky.check("verbatim").details["exposure"]["train_rows"]
    assert doc.count(", ".join(str(r) for r in rows[:20])) == 2  # verbatim and closeness
    assert f"train rows: {len(rows)} row positions (kept in result.json)" in doc
    assert doc.index("What to do next") < doc.index("Risk by check")


def test_printed_confidence_levels_are_the_results(leaky):
    """A scan at alpha 0.01: every level printed beside a bound comes from the result."""
    r = _copy(leaky)
    r.risk = dataclasses.replace(r.risk, upper_level=0.99)
    r.checks = [c.replace(decision=dataclasses.replace(c.decision, upper_level=0.99,
                                                       lower_level=0.998), level=0.99)
                if c.decision is not None else c for c in r.checks]
    doc, md = render(r, "html"), render(r, "md")
    decided = [c for c in r.checks if c.decision is not None and c.component]
    rows = [line for line in md.splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) == len(decided)
    assert all("(99.8%)" in row and "(99%)" in row for row in rows)
    assert "(99% confidence, one-sided)" in doc and "(99% confidence, one-sided)" in md
    assert "(99.8% confidence, adjusted for the number of checks)" in doc
    # informational checks without a decision have their interval at the scan's level
    assert [c for c in r.checks if c.decision is None and c.lower is not None]
    assert doc.count("<dt>99% interval</dt>") == sum(c.lower is not None for c in r.checks)
    assert "<dt>95% interval</dt>" not in doc and "(95%)" not in md
    assert "95% one-sided" not in doc + md and "95% confidence" not in doc + md


def test_html_never_calls_a_low_verdict_anonymous(clean):
    low = _copy(clean)
    low.verdict = "low"
    doc = render_html(low)
    assert "Every planned check is certified below its policy threshold" in doc
    assert "Low risk, not anonymity" in doc
    lowered = doc.lower()
    negated = ("low risk, not anonymity", "low risk is not anonymity",
               "does not certify the data as anonymous", "not that the data is anonymous",
               "never means anonymous")
    assert len(re.findall("anonym(?:ous|ity)", lowered)) == sum(lowered.count(p) for p in negated)


def test_html_draws_histograms_found_in_details(leaky):
    r = _copy(leaky)
    r.checks.append(CheckResult(
        id="made_up_distance", name="A distance test", criterion="distance", status="info",
        estimate=0.3, lower=0.2, upper=0.4,
        details={"distance_histogram": {"edges": [0.0, 0.1, 0.2, 0.3],
                                        "synthetic": [10, 20, 30], "holdout": [30, 20, 10]},
                 "ecdf": {"x": [0.0, 0.5, 1.0], "train": [0.1, 0.6, 1.0]},
                 "exposed_rows": list(range(5000)), "long": list(np.linspace(0, 1, 50)),
                 "nested": {"a": {"b": 1}, "c": [1.5, 2.5]}},
    ))
    doc = render_html(r)
    section = doc[doc.index('<span class="id">made_up_distance</span>'):]
    section = section[: section.index("</article>")]
    assert section.count("<svg") == 2
    assert "share of rows" in section
    assert "4999" not in section
    appendix = doc[doc.index("Technical details by check"):]
    assert "histogram of synthetic, holdout (3 bins)" in appendix
    assert "5,000 row positions (kept in result.json)" in appendix
    assert "50 values, from 0 to 1" in appendix
    assert "a: 1 figure (b); c: 1.5, 2.5" in appendix
    assert "4999" not in appendix


def test_risk_chart_zooms_to_a_round_scale():
    assert _risk_scale([0.0, 0.001, 0.01]) == (0.02, 0.005)
    assert _risk_scale([0.05, 0.14]) == (0.2, 0.05)
    assert _risk_scale([0.95]) == (1.0, 0.2)
    assert _risk_scale([]) == (0.01, 0.0025)


# --------------------------------------------------------------------------------------------
# Markdown


def test_markdown_summary(leaky):
    r = _with_statuses(leaky)
    md = render(r, "md")
    assert md.startswith("## synthscan privacy risk: HIGH\n")
    assert ("| Check | Estimate (training vs holdout) | Confirmed ≥ (level) | Certified ≤ (level) "
            "| Passes below | Fails above | Status |") in md
    components = [c for c in r.checks if c.component]
    assert md.count("\n| ") == len(components) + 2  # header, rule, one row per component
    first = next(c for c in components if c.estimate is not None)
    assert f"(`{first.id}`)" in md and pct(first.estimate) in md
    assert "### What to do next" in md and "- **Policy:** FAILED" in md
    assert "### Not run" in md and "needs a holdout &amp; more rows" in md
    assert "### Could not compute" in md and "could not compute: ValueError" in md
    assert "### Limitations" in md
    # a supporting test reads as a finding, never as a pass
    assert "evidence of copying: fails the release" in md


# --------------------------------------------------------------------------------------------
# SARIF


def _official_sarif_schema() -> dict | None:
    """The OASIS SARIF 2.1.0 schema, when a copy is available offline: tests/fixtures or the path in
    SYNTHSCAN_SARIF_SCHEMA."""
    candidates = [Path(__file__).resolve().parents[1] / "fixtures" / "sarif-schema-2.1.0.json"]
    if os.environ.get("SYNTHSCAN_SARIF_SCHEMA"):
        candidates.insert(0, Path(os.environ["SYNTHSCAN_SARIF_SCHEMA"]))
    for p in candidates:
        if p.is_file():
            return json.loads(p.read_text(encoding="utf-8"))
    return None


def test_sarif_validates_against_the_official_schema(leaky, clean, hostile, no_holdout):
    schema = _official_sarif_schema()
    if schema is None:
        pytest.skip("official SARIF 2.1.0 schema not available offline (set "
                    "SYNTHSCAN_SARIF_SCHEMA or add tests/fixtures/sarif-schema-2.1.0.json)")
    cls = jsonschema.validators.validator_for(schema)
    for result in (leaky, clean, hostile, no_holdout, _with_statuses(leaky)):
        jsonschema.validate(json.loads(render(result, "sarif")), schema, cls=cls)
    # the schema is strict enough to catch a malformed log
    bad = json.loads(render(leaky, "sarif"))
    bad["runs"][0]["results"][0]["level"] = "critical"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema, cls=cls)


def test_sarif_structure(leaky):
    r = _copy(leaky)
    r.checks[1] = r.checks[1].replace(status="warn")
    log = json.loads(render(r, "sarif"))
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "synthscan" and driver["version"] == synthscan.__version__
    assert "informationUri" not in driver
    assert [rule["id"] for rule in driver["rules"]] == [c.id for c in r.checks]
    expected = [(c.id, {"fail": "error", "warn": "warning"}[c.status]) for c in r.checks
                if c.status in ("fail", "warn")]
    assert [(x["ruleId"], x["level"]) for x in run["results"]] == expected
    syn = next(i for i in r.inputs if i.table == "synthetic")
    for x in run["results"]:
        assert driver["rules"][x["ruleIndex"]]["id"] == x["ruleId"]
        loc = x["locations"][0]["physicalLocation"]["artifactLocation"]
        assert syn.path and loc["uri"] == syn.path.replace("\\", "/")
        assert x["message"]["text"]
        assert x["partialFingerprints"]["synthscanCheck/v1"]
    fail = next(x for x in run["results"] if x["level"] == "error")
    check = r.check(fail["ruleId"])
    for figure in (pct(check.estimate), pct(check.threshold),
                   interval(check.lower, check.upper)):
        assert figure in fail["message"]["text"]
    assert run["artifacts"][0]["hashes"]["sha-256"] == syn.sha256
    assert run["properties"]["verdict"] == r.verdict
    # stable: same fingerprints from a re-rendered copy
    again = json.loads(render(_copy(r), "sarif"))
    assert again == log


def test_sarif_of_in_memory_tables_uses_a_logical_location(hostile):
    log = sarif_log(hostile)
    results = log["runs"][0]["results"]
    assert results
    for x in results:
        (loc,) = x["locations"]
        assert "physicalLocation" not in loc
        assert loc["logicalLocations"][0]["name"] == "synthetic"
    assert "artifacts" not in log["runs"][0]


def test_sarif_has_no_result_for_passing_checks(clean):
    r = _copy(clean)
    r.checks = [c.replace(status="pass") for c in r.checks]
    assert json.loads(render(r, "sarif"))["runs"][0]["results"] == []


# --------------------------------------------------------------------------------------------
# JUnit


def _suite(xml_text: str) -> ET.Element:
    root = ET.fromstring(xml_text.encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "synthscan"
    return suite


def test_junit_counts_failures_errors_and_skips(leaky):
    r = _with_statuses(leaky)
    suite = _suite(render(r, "junit"))
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [c.id for c in r.checks]
    assert [c.get("classname") for c in cases] == [c.criterion for c in r.checks]
    n_fail = sum(c.status == "fail" for c in r.checks)
    assert n_fail >= 1
    assert sum(len(c.findall("failure")) for c in cases) == n_fail
    assert sum(len(c.findall("error")) for c in cases) == 1
    assert sum(len(c.findall("skipped")) for c in cases) == 1
    assert suite.get("tests") == str(len(r.checks))
    assert suite.get("failures") == str(n_fail)
    assert suite.get("errors") == "1" and suite.get("skipped") == "1"
    assert [c.find("skipped").get("message") for c in cases  # type: ignore[union-attr]
            if c.find("skipped") is not None] == ["needs a holdout & more rows"]
    assert [c.find("error").get("message") for c in cases  # type: ignore[union-attr]
            if c.find("error") is not None] == ["could not compute: ValueError"]


def test_junit_warn_fails_only_when_the_policy_fails_on_inconclusive(clean):
    r = _copy(clean)
    r.checks = [c.replace(status="pass") for c in r.checks]
    r.checks[0] = r.checks[0].replace(status="warn")
    suite = _suite(render(r, "junit"))
    assert suite.get("failures") == "0"
    r.policy.fail_on = "inconclusive"
    suite = _suite(render(r, "junit"))
    assert suite.get("failures") == "1"
    assert suite.findall("testcase")[0].find("failure") is not None


def test_junit_survives_characters_xml_cannot_hold(leaky):
    r = _copy(leaky)
    r.checks[0] = r.checks[0].replace(summary="bad \x00 control \x1b chars & <tags>")
    root = junit_tree(r)
    text = ET.tostring(root, encoding="unicode")
    assert ET.fromstring(text) is not None


# --------------------------------------------------------------------------------------------
# hostile names


def test_hostile_column_name_is_escaped_everywhere(hostile):
    assert HOSTILE in hostile.schema.identifiers
    assert any(c.status == "fail" for c in hostile.checks)
    doc = render(hostile, "html")
    md = render(hostile, "md")
    for text in (doc, md):
        assert "<script" not in text.lower()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    _parse(doc)
    sarif_text = render(hostile, "sarif")
    assert "<script>" not in sarif_text and "\\u003cscript\\u003e" in sarif_text
    assert HOSTILE in json.dumps(json.loads(sarif_text), ensure_ascii=False)
    junit_text = render(hostile, "junit")
    assert "<script>" not in junit_text
    suite = _suite(junit_text)
    assert HOSTILE in "".join(suite.itertext())


def test_markdown_escapes_markup_in_names(leaky):
    r = _copy(leaky)
    r.checks[0] = r.checks[0].replace(name="a | b *c* [x](y) `z` $m$")
    md = render(r, "md")
    assert "a \\| b \\*c\\* \\[x\\](y) \\`z\\` \\$m\\$" in md


# --------------------------------------------------------------------------------------------
# compact details


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("exposed_train_rows", [3, 1, 2], "3 row positions (kept in result.json)"),
    ("ids", list(range(100)), "100 values, from 0 to 99"),
    ("share_of_x", 0.125, "12.50%"),
    ("adjusted_interval", [0.01, 0.02], "1.00% to 2.00%"),
    ("tpr", [0.14, 0.12, 0.16], "0.14 (0.12 to 0.16)"),
    ("rate", [0.14, 0.12, 0.16], "14.00% (12.00% to 16.00%)"),
    ("k_values", [1, 5], "1, 5"),
    ("attacks", {"knn": {"auc": 0.5}}, "knn: 1 figure (AUC)"),
    ("intervals", "'upper_bound': one-sided", "upper bound: one-sided"),
    ("p_hat", 0.64912, "0.6491"),
    ("credit", 2596.5, "2,596.5"),
    ("count", 4000, "4,000"),
    ("flag", True, "yes"),
    ("nothing", None, "n/a"),
    ("columns", ["a", "b"], "a, b"),
    ("columns", [f"c{i}" for i in range(20)], ", ".join(f"c{i}" for i in range(12))
     + " and 8 more"),
    ("most_exposed", [{"synthetic_row": 1, "train_row": 2}], "1 entry (fields: synthetic "
     "row, train row)"),
    ("mean", 1.00025, "1"),
    ("z", 32.3113, "32.31"),
    ("text", "x" * 500, "x" * 299 + "…"),
])
def test_describe_is_compact(key, value, expected):
    assert describe(key, value) == expected


def test_checks_are_grouped_by_criterion_in_a_fixed_order():
    checks = [CheckResult(id=i, name=i, criterion=k) for i, k in
              (("a", "inference"), ("b", "newthing"), ("c", "copies"), ("d", "inference"))]
    groups = group_by_criterion(checks)
    assert [(k, [c.id for c in g]) for k, g in groups] == [
        ("copies", ["c"]), ("inference", ["a", "d"]), ("newthing", ["b"])]


def test_every_format_renders_a_scan_without_holdout(no_holdout):
    assert not any(i.table == "holdout" for i in no_holdout.inputs)
    doc = render(no_holdout, "html")
    assert "No holdout was given" in doc
    _parse(doc)
    assert "No holdout given" in render(no_holdout, "md")
    skipped = [c for c in no_holdout.checks if c.status == "skipped"]
    suite = _suite(render(no_holdout, "junit"))
    assert suite.get("skipped") == str(len(skipped))
    json.loads(render(no_holdout, "sarif"))


def test_log_scale_curves_are_drawn_on_log_axes():
    table = {"roc_curve": {"x": [0.001, 0.01, 0.1, 1.0], "tpr": [0.2, 0.25, 0.4, 1.0],
                             "chance": [0.001, 0.01, 0.1, 1.0], "scale": "log"},
               "bad": {"x": [0.0, 0.5, 1.0], "tpr": [0.0, 0.5, 1.0], "scale": "log"}}
    charts = find_charts(table)
    assert [c.key for c in charts] == ["roc_curve"]  # log axes cannot start at zero
    svg = detail_chart(charts[0])
    assert "polyline" in svg and "logarithmic" in svg
    # the decades 0.1% .. 100% are labelled, equally spaced on the x axis
    xs = [float(m) for m in re.findall(r'<text x="([0-9.]+)" y="[0-9.]+" class="muted" '
                                       r'text-anchor="middle">[0-9.]+%</text>', svg)]
    gaps = np.diff(xs)
    assert len(xs) == 4 and np.allclose(gaps, gaps[0])


# --------------------------------------------------------------------------------------------
# pipeline gates: passed, assert_ok, PrivacyRiskError


def test_the_sample_releases_gate_a_pipeline_as_documented(leaky, clean):
    """The clean sample is certified low and passes; the leaky one is high, fails, and the
    error names every failing component with the bounds it was decided on."""
    from synthscan.errors import EXIT_POLICY_FAILED, PrivacyRiskError

    assert clean.verdict == "low" and clean.passed
    clean.assert_ok()  # does not raise
    assert leaky.verdict == "high" and not leaky.passed
    with pytest.raises(PrivacyRiskError) as err:
        leaky.assert_ok()
    msg = str(err.value)
    assert err.value.exit_code == EXIT_POLICY_FAILED
    failing = [c.id for c in leaky.failing_checks()]
    assert failing and all(f"{cid} fail" in msg for cid in failing)
    assert "verbatim" in failing and "confirmed ≥" in msg and "certified ≤" in msg


def test_fail_on_levels_change_what_passes(leaky):
    inconclusive = _copy(leaky)
    inconclusive.verdict = "inconclusive"
    for fail_on, passed in (("high", True), ("inconclusive", False), ("never", True)):
        inconclusive.policy.fail_on = fail_on
        assert inconclusive.passed is passed, fail_on
    never = _copy(leaky)
    never.policy.fail_on = "never"
    assert never.passed
    never.assert_ok()


def test_low_covers_says_which_attacks_searched_approximately(clean):
    from synthscan.reports.markdown import render_markdown
    from synthscan.reports.verdict_box import COVERS, verdict_box

    assert verdict_box(clean).covers == COVERS  # every search exact at this size
    r = _copy(clean)
    approx = {"search": "approximate (inverted file), nprobe certified", "nprobe": 8,
              "recall": 0.99, "close_recall": 1.0, "close_recall_lower": 0.94, "sample": 500,
              "target": 0.995, "searches": 12, "approximate": 12}
    for i, c in enumerate(r.checks):
        if c.id == "membership_inference":  # only its nearest synthetic rows: still named
            assert c.details["reference_search"]["search"] == "exact"
            r.checks[i] = c.replace(details={**c.details, "synthetic_search": approx})
        if c.id == "linkability":
            r.checks[i] = c.replace(details={**c.details, "searches": approx})
    box = verdict_box(r)
    assert box.covers.startswith(COVERS)
    assert "Membership inference and Linkability searched neighbours approximately" in box.covers
    assert "--exact" in box.covers and "--exact" in render_markdown(r)


@pytest.mark.parametrize(("status", "junit", "sarif_results"),
                         [("refuted", "failure", 1), ("not refuted", None, 0),
                          ("not tested", "skipped", 0)])
def test_a_tested_dp_claim_is_a_junit_case_and_a_sarif_rule(clean, status, junit,
                                                            sarif_results):
    import dataclasses

    from synthscan.dp_claim import DPClaim

    claim = DPClaim(status=status, claimed_epsilon=1.0, epsilon_lower=2.5, confidence=0.95,
                    largest_refutable=6.0, summary=f"the claim is {status} <here>")
    r = dataclasses.replace(_copy(clean), dp_claim=claim)
    suite = _suite(render(r, "junit"))
    case = suite.findall("testcase")[-1]
    assert (case.get("name"), case.get("classname")) == ("dp_claim", "dp_claim")
    assert suite.get("tests") == str(len(r.checks) + 1)
    kinds = [el.tag for el in case if el.tag in ("failure", "error", "skipped")]
    assert kinds == ([junit] if junit else [])
    assert suite.get("failures") == str(int(junit == "failure"))  # the clean scan: no other
    assert "epsilon lower bound: 2.5" in (case.findtext("system-out") or "")
    log = json.loads(render(r, "sarif"))
    run = log["runs"][0]
    assert run["tool"]["driver"]["rules"][-1]["id"] == "dp_claim"
    mine = [x for x in run["results"] if x["ruleId"] == "dp_claim"]
    assert len(mine) == sarif_results
    if mine:
        assert mine[0]["level"] == "error"
        assert run["tool"]["driver"]["rules"][mine[0]["ruleIndex"]]["id"] == "dp_claim"
        assert "<" not in render(r, "sarif")  # the summary's markup is escaped
    no_claim = json.loads(render(clean, "sarif"))["runs"][0]["tool"]["driver"]["rules"]
    assert "dp_claim" not in [rule["id"] for rule in no_claim]
