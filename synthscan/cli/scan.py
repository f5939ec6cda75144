"""``synthscan scan``: scan a synthetic table, write the reports, exit 1 when the policy fails."""

from __future__ import annotations

import contextlib
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

  synthscan scan train.csv synthetic.csv --holdout holdout.csv --split-manifest split.json \\
      --canaries canaries/canary-manifest.json --claimed-epsilon 1 --claimed-delta 1e-6

  synthscan scan 'train/*.parquet' synthetic/ --holdout 'holdout/*.parquet' \\
      --scheduler tcp://scheduler:8786

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
    split_manifest: Path | None = typer.Option(
        None, "--split-manifest", metavar="JSON",
        help="The manifest 'synthscan split' wrote: verify that TRAIN and --holdout are the "
        "files it split (exit 2 naming the file if not); the result records it."),
    canaries: Path | None = typer.Option(
        None, "--canaries", metavar="MANIFEST",
        help="The secret manifest 'synthscan canary plant' wrote: compare the planted canaries "
        "handed to the vendor with those left out (a confirmed excess is a leak: verdict "
        "high) and bound ε from them."),
    claimed_epsilon: float | None = typer.Option(
        None, "--claimed-epsilon", metavar="E",
        help="The vendor's privacy claim (ε-DP) to test: refuted (exit 1) when the one-run "
        "audit's ε lower bound exceeds E (or epsilon in the settings file's dp_claim table)."),
    claimed_delta: float | None = typer.Option(
        None, "--claimed-delta", metavar="D",
        help="The claim's δ (default 0: pure ε-DP)."),
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
        help="Cores the scan may use (default: all): threads for neighbour search; with 2 or "
        "more, large model fits run in a second process beside the searches, which then take "
        "one core fewer."),
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
    exact: bool = typer.Option(
        False, "--exact", metavar="",
        help="Search exactly at every size (slower on large tables). By default searches of "
        "more than 2.5e8 pairs use an approximate index whose accuracy is measured in every "
        "scan and reported."),
    mode: str | None = typer.Option(
        None, "--mode", metavar="MODE",
        help="'default', or 'anonymeter' to reproduce Anonymeter's attack setup for "
        "comparison."),
    set_: list[str] = typer.Option(
        [], "--set", metavar="KEY=VALUE",
        help="Override a setting (repeatable), e.g. --set alpha=0.01; a policy threshold as in "
        "the examples below."),
    baseline: Path | None = typer.Option(
        None, "--baseline", metavar="RESULT",
        help="An earlier release's result.json: compare with it after the scan (as 'synthscan "
        "compare' does); exit 1 if a component got significantly worse, even when the verdict "
        "passes."),
    baseline_margin: str | None = typer.Option(
        None, "--baseline-margin", metavar="SHARE",
        help="With --baseline: how much worse a component may get, e.g. 0.005 or 0.5% "
        "(default 0.5%)."),
    history: str | None = typer.Option(
        None, "--history", metavar="STORE",
        help="Append a compact record of this scan (figures and fingerprints, no record "
        "values) to a history store, an SQLite file or an SQLAlchemy URL; the HTML report then "
        "draws the trend over the last scans."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", metavar="ADDRESS",
        help="Run the scan on a Dask cluster (needs synthscan[dask]): 'local' starts one on "
        "this machine (one single-threaded worker process per core, or per --threads), an "
        "address such as tcp://host:8786 connects to a running scheduler. TRAIN, SYNTHETIC "
        "and --holdout may be directories or quoted globs of Parquet or CSV files (read on "
        "the workers); a worker dying mid-scan stops it with exit 3."),
    verbose: bool = verbose_option(),
    quiet: bool = quiet_option(),
) -> None:
    """Scan a synthetic table for leakage of its real training records."""
    State.add(verbose, quiet)
    if scheduler is not None:
        from ..dask_backend import require_dask

        require_dask("--scheduler")  # before any work: exit 2 without the extra
    from ..fitworker import prestarted
    from ..settings import Settings

    given: dict[str, Any] = {
        "seed": seed, "missing_tokens": list(missing_token), "threads": threads,
        "secret": list(secret), "known": list(known), "mode": mode, "max_memory": max_memory,
        "exact_search": exact or None,
        "dp_claim.epsilon": claimed_epsilon, "dp_claim.delta": claimed_delta,
        "policy.preset": preset or None, "policy.fail_on": fail_on.value if fail_on else None}
    settings = Settings.load(config, assignments=set_, overrides={
        k: v for k, v in given.items() if v is not None and v != []})
    # a large scan's model-fit worker starts now and imports its libraries while this process
    # imports its own and reads the tables (one the scan did not take is killed at the end)
    with prestarted([train, synthetic] if scheduler is None else [], settings.config.threads):
        from dataclasses import replace

        from ..api import scan as run_scan
        from ..dp_claim import claim_line, failed_line
        from ..reports import parse_formats, write_reports
        from ..reports.terminal import render_summary
        from ._progress import StageDisplay
        from .compare import Baseline
        from .history import check_history, record_scan, recorded_line

        formats = (check_stdout(parse_formats(fmt), out) if fmt is not None
                   else ["json"] if out == "-" else list(DEFAULT_FORMATS))
        base = Baseline(baseline, baseline_margin)  # an unreadable one stops before work
        check_history(history)  # an unusable history store too
        with StageDisplay(State.quiet) as progress:
            with _cluster(scheduler, settings.config.threads, progress) as client:
                result = run_scan(train, synthetic, holdout=holdout, config=settings.config,
                                  metadata=metadata, policy=settings.policy, progress=progress,
                                  split_manifest=split_manifest, canaries=canaries, client=client)
            progress("writing reports")
            trend = record_scan(history, result) if history else None
            written = write_reports(result, out, formats, history=trend)
    if not State.quiet:
        err(render_summary(result))
        if result.dp_claim is not None:
            err(claim_line(result.dp_claim))
        for p in written:
            err(f"wrote {p}")
        if trend:
            err(recorded_line(history, trend))
    if not base.passed(result) and result.passed:
        raise typer.Exit(ExitCode.POLICY_FAILED)
    if not result.passed:
        refuted = result.dp_claim is not None and result.dp_claim.refuted
        if refuted and result.dp_claim is not None:
            err(failed_line(result.dp_claim))
        if not refuted or not replace(result, dp_claim=None).passed:
            err(policy_failed_line(result.verdict, settings.policy.fail_on,
                                   "--fail-on" if fail_on else "policy.fail_on"))
        raise typer.Exit(ExitCode.POLICY_FAILED)
    if not State.quiet:
        from ..reports.terminal import closing_line
        err(closing_line(result.verdict, settings.policy.fail_on,
                         "--fail-on" if fail_on else "policy.fail_on", failed=False))


def _cluster(scheduler: str | None, threads: int | None,
             progress: Any) -> contextlib.AbstractContextManager[Any]:
    """The Dask client of ``--scheduler`` for the scan's duration (None without it): a local
    cluster started and closed here, or a connection to a running scheduler."""
    if scheduler is None:
        return contextlib.nullcontext()
    from ..dask_backend.cluster import LOCAL, session

    progress("starting a local Dask cluster" if scheduler.strip().lower() == LOCAL
             else "connecting to the Dask scheduler")
    return session(scheduler, threads, quiet=not State.verbose)


def policy_failed_line(verdict: str, fail_on: str, option: str = "--fail-on") -> str:
    """The closing line when the policy fails: which verdict, and the setting that makes it a
    failure, and why (printed even with -q: it explains the exit code)."""
    from ..reports.terminal import closing_line
    return closing_line(verdict, fail_on, option, failed=True)
