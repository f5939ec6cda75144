"""The three sample scans the report tests and the docs' screenshots use, one per verdict:

* ``high``: the leaky sample release (planted exact and near copies);
* ``low``: the clean sample release;
* ``inconclusive``: the clean release cut to its first 1,000 synthetic rows, against the first
  1,000 training and 500 holdout rows: too few to certify verbatim reproduction, membership
  inference or attribute inference, with nothing confirmed either.

Deterministic (fixed rows, seed 0). ``python tests/reports/report_samples.py`` renders the
three HTML reports with headless Chromium into ``docs/report-screenshot-<verdict>.png`` (and the
README's ``docs/report-screenshot.png``, the inconclusive one)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

import synthscan
from synthscan.result import ScanResult

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
VERDICTS = ("high", "inconclusive", "low")
#: fewer resamples than the defaults: the verdicts and every bound the reports print are the
#: same (they are read from the sub-tests' counts), the supporting tests' intervals are coarser
FAST = synthscan.ScanConfig(permutations=199, bootstrap=100)
SMALL = {"train": ("train.csv", 1000), "holdout": ("holdout.csv", 500),
         "synthetic": ("synthetic_clean.csv", 1000)}


def small_inputs(directory: Path) -> dict[str, Path]:
    """The inconclusive case's inputs: the first rows of the sample files, as CSV files."""
    paths = {}
    for role, (name, rows) in SMALL.items():
        paths[role] = directory / f"{role}.csv"
        pd.read_csv(SAMPLE / name).head(rows).to_csv(paths[role], index=False)
    return paths


def scan_sample(verdict: str, directory: Path,
                config: synthscan.ScanConfig | None = FAST) -> ScanResult:
    """The sample scan expected to give ``verdict`` (``directory`` holds the small inputs)."""
    if verdict == "inconclusive":
        p = small_inputs(directory)
        train, synthetic, holdout = p["train"], p["synthetic"], p["holdout"]
    else:
        train, holdout = SAMPLE / "train.csv", SAMPLE / "holdout.csv"
        synthetic = SAMPLE / ("synthetic_leaky.csv" if verdict == "high"
                              else "synthetic_clean.csv")
    return synthscan.scan(train, synthetic, holdout=holdout, metadata=SAMPLE / "metadata.json",
                          config=config)


def chromium_flags(profile: Path) -> list[str]:
    return ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}"]


def main(docs: Path = ROOT / "docs") -> None:
    from synthscan.reports import write_reports

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("chromium is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        for verdict in VERDICTS:
            work = Path(tmp) / verdict
            work.mkdir()
            result = scan_sample(verdict, work, config=None)
            assert result.verdict == verdict, (verdict, result.verdict)
            write_reports(result, work / "out", ["html"])
            shot = docs / f"report-screenshot-{verdict}.png"
            subprocess.run([browser, *chromium_flags(work / "profile"), "--window-size=1100,1350",
                            "--hide-scrollbars", f"--screenshot={shot}",
                            (work / "out" / "report.html").as_uri()],
                           check=True, capture_output=True, timeout=600)
            print(f"wrote {shot}")
    shutil.copyfile(docs / "report-screenshot-inconclusive.png", docs / "report-screenshot.png")


if __name__ == "__main__":
    main()
