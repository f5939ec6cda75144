"""What every pipeline adapter shares, with no orchestrator in sight: run a scan from paths or
DataFrames with settings, write its reports, and say the outcome as a small JSON-able summary.

>>> run = run_scan("train.csv", "synthetic.csv", holdout="holdout.csv", reports_dir="out/",
...                settings={"policy.fail_on": "inconclusive"})  # doctest: +SKIP
>>> run.passed, run.summary()["certified"]["people"]  # doctest: +SKIP

The summary holds figures, statuses, file names and report paths only, never a value from a
record, so a pipeline may pass it on (an XCom, check metadata, an artifact) without care.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..errors import PrivacyRiskError, UsageError
from ..fmt import pct

if TYPE_CHECKING:
    from ..api import TableLike
    from ..model import CheckResult
    from ..result import ScanResult
    from ..settings import Settings

#: the reports a pipeline writes unless told otherwise (JUnit is for CI test tabs only)
DEFAULT_FORMATS: tuple[str, ...] = ("json", "html", "md", "sarif")

_DISTRIBUTIONS = {"dagster": "Dagster", "airflow": "Apache Airflow 3", "prefect": "Prefect 3"}


def require(module: str, extra: str) -> ModuleType:
    """Import an orchestrator's ``module``, or fail with how to install it (exit 2)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise UsageError(f"synthscan.integrations.{extra} needs {_DISTRIBUTIONS.get(extra, extra)}"
                         f" ({module} is not installed) — pip install 'synthscan[{extra}]'",
                         key=extra, hint=f"pip install 'synthscan[{extra}]'") from None


def resolve_settings(config: str | Path | None = None,
                     settings: Mapping[str, Any] | None = None) -> Settings:
    """A settings file (TOML or YAML, as ``synthscan scan --config`` reads), then ``settings``
    on top: setting keys to values, e.g. ``{"seed": 7, "policy.fail_on": "inconclusive",
    "checks": ["verbatim", "closeness"]}``. Errors name the key and where it came from."""
    from ..settings import Settings

    return Settings.load(config, overrides=dict(settings or {}))


@dataclass(frozen=True)
class PipelineScan:
    """A finished scan and the files written for it: format -> path, and any file written
    beside the reports by its stem (``exposed-rows``: row positions, never values)."""

    result: ScanResult
    reports: Mapping[str, Path] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Whether the policy passed (its ``fail_on`` verdict was not reached)."""
        return self.result.passed

    def summary(self) -> dict[str, Any]:
        return summarize(self.result, self.reports)

    def failure_message(self) -> str:
        """Why the policy failed, naming each failing component and its bounds ("" when it
        passed)."""
        try:
            self.result.assert_ok()
        except PrivacyRiskError as exc:
            return str(exc)
        return ""


def run_scan(train: TableLike, synthetic: TableLike, holdout: TableLike | None = None, *,
             config: str | Path | None = None, settings: Mapping[str, Any] | None = None,
             metadata: str | Path | None = None, reports_dir: str | Path | None = None,
             formats: Sequence[str] = DEFAULT_FORMATS,
             progress: Callable[[str], None] | None = None) -> PipelineScan:
    """Scan ``synthetic`` (a path to CSV or Parquet, or a DataFrame) against the real
    ``train`` and ``holdout`` with the settings of ``config`` and ``settings`` (see
    ``resolve_settings``), and write ``formats`` into ``reports_dir`` when one is given.

    Raises what ``synthscan.scan`` raises (``UsageError``, ``ConfigError``, ``InputError``...,
    each with its exit code); a failed policy is not an error here: read ``passed``."""
    from ..api import scan
    from ..reports import FORMATS, parse_formats, write_reports

    chosen = parse_formats(",".join(formats)) if reports_dir is not None else []
    resolved = resolve_settings(config, settings)
    result = scan(train, synthetic, holdout=holdout, config=resolved.config, metadata=metadata,
                  policy=resolved.policy, progress=progress)
    reports: dict[str, Path] = {}
    if reports_dir is not None:
        # each format under its name; a file written beside them (the exposed rows' positions)
        # under its stem
        by_name = {FORMATS[fmt]: fmt for fmt in chosen}
        reports = {by_name.get(p.name, p.stem): p
                   for p in write_reports(result, reports_dir, chosen)}
    return PipelineScan(result, reports)


# ---------------------------------------------------------------------------- the summary
def _rounded(x: float | None) -> float | None:
    return None if x is None else round(float(x), 6)


def component_row(check: CheckResult) -> dict[str, Any]:
    """One risk component: its status, estimate with its two-sided interval, the one-sided
    bounds it was decided on (confirmed lower, certified upper) and its threshold."""
    d = check.decision
    row: dict[str, Any] = {
        "id": check.id, "name": check.name, "status": check.status,
        "estimate": _rounded(check.estimate),
        "interval": [_rounded(check.lower), _rounded(check.upper)],
        "interval_level": _rounded(check.level),
        "confirmed_lower": None if d is None else _rounded(max(d.lower, 0.0)),
        "certified_upper": None if d is None else _rounded(d.upper),
        "threshold": _rounded(check.threshold),
        "unit": check.unit,
    }
    if check.reason:
        row["reason"] = check.reason
    return row


def components(result: ScanResult) -> list[dict[str, Any]]:
    """The risk components of a result, in its order (supporting checks left out)."""
    return [component_row(c) for c in result.checks if c.component]


def people_sentence(result: ScanResult) -> str:
    """The certified bound said in people, e.g. "at most 73 of 300 unique training records
    (verbatim)"; "" when no component counts training people."""
    p = result.risk.people
    if p.at_most is None or p.of is None:
        return ""
    return f"at most {p.at_most:,} of {p.of:,} {p.unit or 'training records'} ({p.component})"


def summarize(result: ScanResult, reports: Mapping[str, Path] | None = None) -> dict[str, Any]:
    """The small JSON-able summary of a scan a pipeline passes on: verdict, whether the policy
    passed, the certified and confirmed bounds (shares and people), each component, and the
    report paths."""
    r = result.risk
    people = r.people
    synthetic = next((i for i in result.inputs if i.table == "synthetic"), None)
    return {
        "verdict": result.verdict,
        "passed": result.passed,
        "policy": {"preset": result.policy.preset, "fail_on": result.policy.fail_on},
        "certified": {"upper": _rounded(r.upper), "level": _rounded(r.upper_level),
                      "component": r.binding, "people": people.at_most, "of": people.of,
                      "unit": people.unit, "in_words": people_sentence(result)},
        "confirmed": {"lower": _rounded(r.lower), "component": r.driver,
                      "people": people.at_least},
        "components": components(result),
        "undecided": list(r.undecided),
        "missing": [m.component for m in r.missing],
        "evidence": result.evidence,
        "synthetic_sha256": None if synthetic is None else synthetic.sha256,
        "reports": {fmt: str(path) for fmt, path in (reports or {}).items()},
        "synthscan_version": result.environment.get("synthscan"),
    }


def headline(result: ScanResult) -> str:
    """One line for a log or a check's description: the verdict, the policy outcome and the
    certified bound, e.g. "synthscan: HIGH (policy failed) — certified ≤ 24.18% ...". """
    outcome = "policy passed" if result.passed else "policy failed"
    bound = "no certified bound" if result.risk.upper is None else (
        f"certified ≤ {pct(result.risk.upper)}")
    people = people_sentence(result)
    return (f"synthscan: {result.verdict.upper()} ({outcome}) — {bound}"
            + (f", {people}" if people else ""))


def markdown_summary(result: ScanResult, reports: Mapping[str, Path] | None = None) -> str:
    """The Markdown report (``synthscan.reports.markdown``), plus where the reports are."""
    from ..reports.markdown import md_escape, render_markdown

    text = render_markdown(result)
    if reports:
        lines = [f"- {fmt}: `{path}`" if "`" not in str(path) else f"- {fmt}: {md_escape(path)}"
                 for fmt, path in reports.items()]
        text += "\n**Reports:**\n\n" + "\n".join(lines) + "\n"
    return text
