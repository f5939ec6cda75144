"""The HTML reports as a data protection officer opens them: the high, inconclusive and low
sample scans rendered by headless Chromium, with the verdict, the people statement, the next
steps and a policy line that agrees with the verdict visible, every printed status agreeing with
its printed bounds, no network request from the page, and a clean print to A4 and Letter.
Skipped where Chromium is not installed (.ci/run installs Debian's chromium)."""

from __future__ import annotations

import html as htmlmod
import http.server
import re
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
from report_samples import chromium_flags
from test_people_reports import check_rows, summary_rows

from synthscan.reports import write_reports
from synthscan.reports.verdict_box import verdict_box

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")

#: hosts Chromium itself contacts in the background (updates, time, accounts), never the page
BROWSER_SERVICE_HOSTS = ("google.com", "googleapis.com", "gstatic.com", "gvt1.com")
POLICY = {"high": "FAILED — a leak is confirmed",
          "inconclusive": "not failed — no confirmed leak, but no certification either",
          "low": "passed — every check is certified below its threshold"}


def chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    assert CHROMIUM is not None
    return subprocess.run([CHROMIUM, *chromium_flags(tmp / "profile"), *args],
                          capture_output=True, text=True, timeout=1800,
                          cwd=tmp)  # a hang guard, not a speed check


@pytest.fixture(scope="module")
def reports(samples, tmp_path_factory) -> dict[str, Path]:
    out = {}
    for verdict, result in samples.items():
        d = tmp_path_factory.mktemp(f"html-{verdict}")
        write_reports(result, d, ["html"])
        out[verdict] = d / "report.html"
    return out


@pytest.fixture(scope="module")
def report(reports) -> Path:
    return reports["high"]


def visible_text(dom: str) -> str:
    body = dom[dom.find("<body"):]
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", body, flags=re.S)
    return htmlmod.unescape(" ".join(re.sub(r"<[^>]+>", " ", body).split()))


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("verdict", ["high", "inconclusive", "low"])
def test_report_says_what_was_certified_and_what_to_do_and_makes_no_request(
        verdict, samples, reports, tmp_path):
    netlog = tmp_path / "net.json"
    proc = chromium(tmp_path, f"--log-net-log={netlog}", "--dump-dom", reports[verdict].as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = visible_text(proc.stdout)
    box = verdict_box(samples[verdict])
    assert f"Verdict {verdict.upper()}" in text
    # the people statement, and the policy line in words that agree with the verdict
    first = (box.confirmed or box.certified)[0]
    assert _words(f"{first.name}: {first.text} ({first.level})") in text
    assert re.search(r"of [\d,]+ (unique )?training records", text)
    assert f"Policy {POLICY[verdict]}" in text
    if verdict != "low":
        assert "Policy passed" not in text and "Policy: passed" not in text
    assert "What to do next" in text
    if verdict == "high":
        assert "Row positions, the first 20 of 200:" in text and "exposed-rows.csv" in text
    if verdict == "inconclusive":
        assert "times the data would decide it" in text
    if verdict == "low":
        assert "Record the certificate" in text and "Low risk, not anonymity" in text
    # every status in the summary table agrees with the bounds printed beside it
    check_rows(summary_rows(proc.stdout))
    urls = set(re.findall(r'"((?:https?|wss?|ftp)://[^"\s\\]+)', netlog.read_text()))
    page_requests = [u for u in urls
                     if not (urlparse(u).hostname or "").endswith(BROWSER_SERVICE_HOSTS)]
    assert page_requests == []


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # http.server's name
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_content_security_policy_is_enforced_by_the_browser(report, tmp_path):
    _Recorder.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        planted = (f'<img src="http://127.0.0.1:{port}/img.png">'
                   f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">')
        probe = tmp_path / "probe.html"
        html = report.read_text(encoding="utf-8")
        probe.write_text(html.replace("</body>", planted + "</body>"), encoding="utf-8")
        proc = chromium(tmp_path, "--virtual-time-budget=2000", "--dump-dom", probe.as_uri())
        assert proc.returncode == 0
        assert "Verdict HIGH" in visible_text(proc.stdout)
        blocked = list(_Recorder.hits)
        # control: the same tags without the report's policy do reach the server
        control = tmp_path / "control.html"
        control.write_text(f"<html><body>{planted}</body></html>", encoding="utf-8")
        chromium(tmp_path, "--virtual-time-budget=2000", "--dump-dom", control.as_uri())
        allowed = _Recorder.hits[len(blocked):]
    finally:
        server.shutdown()
    assert blocked == []
    assert allowed, "the control page should have fetched from the loopback server"


def _pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """The media box (width, height in points) of every page of a PDF Chromium wrote."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return [(float(w), float(h)) for w, h in boxes]


@pytest.mark.parametrize(("paper", "size"), [("Letter", (612, 792)), ("A4", (595.9, 842.9))])
def test_report_prints_to_paper(report, tmp_path, paper, size):
    page = tmp_path / "report.html"
    page.write_text(report.read_text(encoding="utf-8").replace(
        "</style>", f"@page {{ size: {paper}; }}</style>"), encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    proc = chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = pdf.read_bytes()
    pages = _pdf_pages(data)
    assert data.startswith(b"%PDF") and 4 <= len(pages) <= 40
    assert all(abs(w - size[0]) < 2 and abs(h - size[1]) < 2 for w, h in pages)
    if shutil.which("pdftotext"):  # the first page holds the verdict box and the next steps
        first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
                               capture_output=True, text=True, check=True).stdout
        assert "HIGH" in first and "What to do next" in first
        assert "Risk by check" not in first  # the table starts on a page of its own
