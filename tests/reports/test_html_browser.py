"""The HTML report as a data protection officer opens it: rendered by headless Chromium, the
verdict visible, no network request from the page. Skipped where Chromium is not installed
(.ci/run installs Debian's chromium)."""

from __future__ import annotations

import http.server
import re
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

import synthscan
from synthscan.reports import render

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")

#: hosts Chromium itself contacts in the background (updates, time, accounts), never the page
BROWSER_SERVICE_HOSTS = ("google.com", "googleapis.com", "gstatic.com", "gvt1.com")


def chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp / 'profile'}"]
    assert CHROMIUM is not None
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True,
                          timeout=1800, cwd=tmp)  # a hang guard, not a speed check


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("html")
    res = synthscan.scan(SAMPLE / "train.csv", SAMPLE / "synthetic_leaky.csv",
                         holdout=SAMPLE / "holdout.csv", metadata=SAMPLE / "metadata.json",
                         config=synthscan.ScanConfig(permutations=199, bootstrap=100))
    path = out / "report.html"
    path.write_text(render(res, "html"), encoding="utf-8")
    return path


def visible_text(dom: str) -> str:
    body = dom[dom.find("<body"):]
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def test_report_renders_with_the_verdict_and_makes_no_request(report, tmp_path):
    netlog = tmp_path / "net.json"
    proc = chromium(tmp_path, f"--log-net-log={netlog}", "--dump-dom", report.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = visible_text(proc.stdout)
    assert "Verdict HIGH" in text
    assert "exact" in text.lower() and "holdout" in text.lower()
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


def test_screenshot_for_the_docs(report, tmp_path):
    shot = tmp_path / "report.png"
    proc = chromium(tmp_path, "--window-size=1100,1500", "--hide-scrollbars",
                    f"--screenshot={shot}", report.as_uri())
    assert proc.returncode == 0 and shot.stat().st_size > 10_000
