"""The SVG chart primitives (hand-worked scales and ticks) and the charts built on them: every
text escaped, well-formed SVG, standalone files for the validation page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from synthscan.model import CheckResult
from synthscan.reports.charts import Line, line_chart, risk_chart
from synthscan.reports.svg import Scale, legend, log_ticks, nice_step, pct_tick, text, ticks
from synthscan.stats.bounds import Decision

HOSTILE = "<script>alert(1)</script>"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(("span", "target", "step"), [
    (10, 5, 2), (1, 4, 0.25), (0.07, 5, 0.02), (0.3, 5, 0.1), (7, 5, 2), (0, 5, 1.0)])
def test_nice_step_is_a_round_step(span, target, step):
    assert nice_step(span, target) == pytest.approx(step)


def test_ticks_run_from_the_first_round_value_to_the_last():
    assert ticks(0, 1) == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    assert ticks(-0.3, 0.3, 4) == pytest.approx([-0.2, 0.0, 0.2])
    assert ticks(0.05, 0.95, 4) == pytest.approx([0.25, 0.5, 0.75])
    assert log_ticks(1000, 20000) == pytest.approx([1000, 2000, 5000, 10000, 20000])
    assert pct_tick(0.025) == "2.5%" and pct_tick(1.0) == "100%"


def test_scale_maps_linear_log_and_inverted_ranges_and_clamps():
    x = Scale(0, 10, 100, 200)
    assert (x(5), x(20), x(-1)) == (150, 200, 100)
    assert Scale(0, 1, 300, 100)(0.25) == 250  # y axes grow upwards
    assert Scale(1, 100, 0, 100, log=True)(10) == pytest.approx(50)
    assert Scale(1, 100, 0, 100, log=True)(0.001) == 0  # at or below the floor: on it


def test_text_is_escaped_and_legend_labels_are_shortened():
    assert "&lt;script&gt;" in text(0, 0, HOSTILE) and "<script" not in text(0, 0, HOSTILE)
    (entry,) = legend([("a very long series name indeed", "#000", "2 3")], 0, 0, width=10)
    assert ">a very lo…</text>" in entry and 'stroke-dasharray="2 3"' in entry


def _component(**fields) -> CheckResult:
    base = {"id": "made_up", "name": HOSTILE, "criterion": "copies", "component": True,
            "status": "fail", "estimate": 0.04, "lower": 0.03, "upper": 0.05, "threshold": 0.01,
            "decision": Decision(estimate=0.04, lower=0.025, upper=0.052, lower_level=0.99,
                                 upper_level=0.95, sub_tests=1, worst="all", binding="all",
                                 certifiable=0.01, standard_error=0.005)}
    return CheckResult(**{**base, **fields})


def test_risk_chart_escapes_names_and_zooms_to_its_values():
    chart = risk_chart([_component(),
                        _component(id="other", status="error", estimate=None, lower=None,
                                   upper=None, decision=None, reason=f"broke on {HOSTILE}")])
    assert isinstance(chart, Markup)
    assert "<script" not in chart and chart.count("&lt;script&gt;") == 3
    ET.fromstring(chart.removeprefix("<figure>").split("<figcaption>")[0])  # well-formed
    # values up to 5.2%: the 0-10% scale with 2% steps, and the caption says it is zoomed
    labels = re.findall(r'text-anchor="middle">([0-9.]+%)</text>', chart)
    assert labels == ["0%", "2%", "4%", "6%", "8%", "10%"]
    assert "zoomed to 0–10%" in chart
    assert "could not compute: broke on" in chart  # a row without figures says why
    assert risk_chart([_component(component=False)]) == ""


def test_line_chart_is_a_standalone_svg_file():
    series = [Line("a <b>", [(1000, 0.5, 0.4, 0.6), (10000, 0.9, None, None)]),
              Line("c", [(1000, 0.2, 0.1, 0.3)])]
    doc = line_chart(series, "Title & more", "n", "rate", (500, 20000), (0.0, 1.0),
                     log_x=True, pct_x=False, hlines=[(0.85, "target")])
    root = ET.fromstring(doc)
    assert root.tag == f"{SVG}svg" and root.find(f"{SVG}style") is not None
    assert root.findtext(f"{SVG}title") == "Title & more"
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert {"a <b>", "c", "target", "n", "rate", "1,000", "10,000", "60%"} <= set(labels)
    # two series: their dots at x = 1000 are dodged 5 pixels apart, each side of the tick
    dots = [float(c.get("cx", "nan")) for c in root.iter(f"{SVG}circle")]
    tick = Scale(500, 20000, 64, 470, log=True)(1000)
    assert sorted(dots)[:2] == pytest.approx([tick - 2.5, tick + 2.5], abs=0.06)
