"""``synthscan scan``: scan a synthetic table, write the reports, exit 1 when the policy fails."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

import typer

from ..errors import ExitCode
from ._console import State, err, handle_errors
from ._options import check_stdout, quiet_option, verbose_option

#: formats ``scan`` writes when --format is not given
DEFAULT_FORMATS = ("json", "html")

EXAMPLES = """
Examples:

  synthscan scan train.csv synthetic.csv --holdout holdout.csv

  synthscan scan train.csv synthetic.csv --holdout holdout.csv --missing-token "?" --out report/

  synthscan scan train.parquet synth.parquet --holdout holdout.parquet --metadata metadata.json \\
      --fail-on inconclusive --format json --out -

  synthscan scan train.csv synthetic.csv --holdout holdout.csv --format json,html,md,sarif,junit

  synthscan scan train.csv synthetic.csv --holdout holdout.csv --max-memory 4GB \
      --set policy.thresholds.closeness=0.02 --set bootstrap=1000

Formats: json (result.json), html (report.html, for data protection officers), md (report.md,
for PR comments and step summaries), sarif (results.sarif, for code scanning), junit (junit.xml,
for CI test tabs). Default: json,html; with --out - one format goes to stdout (json unless
--format names another).

Exit codes: 0 scan done and policy passed; 1 policy failed (risk too high); 2 usage or
configuration error; 3 the scan could not run.
"""


class FailOn(str, Enum):
    high = "high"
    inconclusive = "inconclusive"
    never = "never"


@handle_errors
def scan(
    train: Path = typer.Argument(..., help="Real records the generator was trained on "
                                 "(CSV or Parquet).", metavar="TRAIN"),
    synthetic: Path = typer.Argument(..., help="The synthetic release to check.",
                                     metavar="SYNTHETIC"),
    holdout: Path | None = typer.Option(None, "--holdout", "-H", metavar="FILE",
                                        help="Real records from the "
                                        "same population that the generator never saw. "
                                        "Strongly recommended: without it, memorisation cannot "
                                        "be told apart from learning the population."),
    metadata: Path | None = typer.Option(
        None, "--metadata", metavar="JSON",
        help="SDV metadata JSON: column sdtypes (id and PII columns become identifiers)."),
    config: Path | None = typer.Option(None, "--config", "-c", metavar="FILE",
                                       help="Settings file (TOML or YAML)."),
    out: str = typer.Option(
        "synthscan-report", "--out", "-o", metavar="DIR",
        help="Directory for the reports (created if missing; report files already there are "
        "replaced, symlinks never followed); '-' writes one format (the JSON result unless "
        "--format names another) to stdout."),
    fmt: str | None = typer.Option(
        None, "--format", "-f", metavar="FORMATS",
        help="Comma-separated report formats: json, html, md, sarif, junit (default: json,html;"
        " json with --out -)."),
    seed: int | None = typer.Option(None, "--seed", metavar="N",
                                    help="Seed for every random choice (default 0)."),
    fail_on: FailOn | None = typer.Option(
        None, "--fail-on", metavar="LEVEL",
        help="Verdict that makes the exit code 1: high (default), inconclusive or never."),
    preset: str | None = typer.Option(
        None, "--preset", metavar="NAME",
        help="Policy preset: public-release (default) or controlled-access."),
    missing_token: list[str] = typer.Option(
        [], "--missing-token", metavar="TOKEN",
        help="Cell value meaning 'missing' (repeatable), e.g. --missing-token '?'."),
    threads: int | None = typer.Option(
        None, "--threads", metavar="N",
        help="Threads for neighbour search (default: all cores)."),
    secret: list[str] = typer.Option(
        [], "--secret", metavar="COLUMN",
        help="Attribute inference: a column to test as the secret (repeatable; default: every "
        "column in turn)."),
    known: list[str] = typer.Option(
        [], "--known", metavar="COLUMN",
        help="Attribute inference: a column the attacker knows (repeatable; default: all "
        "other columns)."),
    max_memory: str | None = typer.Option(
        None, "--max-memory", metavar="SIZE",
        help="Peak-memory limit, e.g. 4GB: smaller batches, and a clear early stop (exit 3) "
        "if reading or scanning the inputs would need more."),
    mode: str | None = typer.Option(
        None, "--mode", metavar="MODE",
        help="'default', or 'anonymeter' to reproduce Anonymeter's attack setup for "
        "comparison."),
    set_: list[str] = typer.Option(
        [], "--set", metavar="KEY=VALUE",
        help="Override a setting (repeatable), e.g. --set alpha=0.01; a policy threshold as in "
        "the examples below."),
    verbose: bool = verbose_option(),
    quiet: bool = quiet_option(),
) -> None:
    """Scan a synthetic table for leakage of its real training records."""
    State.add(verbose, quiet)
    from ..api import scan as run_scan
    from ..reports import parse_formats, write_reports
    from ..reports.terminal import render_summary
    from ..settings import Settings
    from ._progress import StageDisplay

    formats = (check_stdout(parse_formats(fmt), out) if fmt is not None
               else ["json"] if out == "-" else list(DEFAULT_FORMATS))
    given: dict[str, Any] = {
        "seed": seed, "missing_tokens": list(missing_token), "threads": threads,
        "secret": list(secret), "known": list(known), "mode": mode, "max_memory": max_memory,
        "policy.preset": preset or None, "policy.fail_on": fail_on.value if fail_on else None}
    settings = Settings.load(config, assignments=set_, overrides={
        k: v for k, v in given.items() if v is not None and v != []})
    with StageDisplay(State.quiet) as progress:
        result = run_scan(train, synthetic, holdout=holdout, config=settings.config,
                          metadata=metadata, policy=settings.policy, progress=progress)
        progress("writing reports")
        written = write_reports(result, out, formats)
    if not State.quiet:
        err(render_summary(result))
        for p in written:
            err(f"wrote {p}")
    if not result.passed:
        err(policy_failed_line(result.verdict, settings.policy.fail_on,
                               "--fail-on" if fail_on else "policy.fail_on"))
        raise typer.Exit(ExitCode.POLICY_FAILED)


def policy_failed_line(verdict: str, fail_on: str, option: str = "--fail-on") -> str:
    """The closing line when the policy fails: which verdict, and the setting that makes it a
    failure (printed even with -q: it explains the exit code)."""
    return (f"Policy failed: verdict {verdict!r} and {option} {fail_on} — exit code 1; the "
            "report shows which checks decided it")
