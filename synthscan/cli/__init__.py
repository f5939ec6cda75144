"""The ``synthscan`` command line (typer). No business logic here: it calls the library."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from .._version import __version__
from ..errors import EXIT_POLICY_FAILED, UsageError
from .common import State, end_progress, err, handle_errors, progress


class _Command(TyperCommand):
    """A command whose -h/--help option shows no type placeholder (no ``<bool>``)."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option


class _Group(TyperGroup):
    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option


app = typer.Typer(
    cls=_Group,
    name="synthscan",
    help="Privacy risk scanner for synthetic data: does a synthetic release leak the real "
    "records it was trained on?",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


#: formats ``scan`` writes when --format is not given
DEFAULT_FORMATS = ("json", "html")


class FailOn(str, Enum):
    high = "high"
    inconclusive = "inconclusive"
    never = "never"


def _paragraphs(text: str) -> str:
    """Help text with the line breaks inside prose paragraphs removed (the help formatter
    re-wraps them); indented example lines are kept as they are."""
    out = []
    for para in text.strip("\n").split("\n\n"):
        lines = para.split("\n")
        out.append(para if any(ln.startswith("  ") for ln in lines) else " ".join(lines))
    return "\n\n".join(out)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"synthscan {__version__}")
        raise typer.Exit()


_VERBOSE_HELP = "Show tracebacks on errors."
_QUIET_HELP = "No progress or summary on stderr."


def _verbose() -> Any:
    return typer.Option(False, "--verbose", "-v", help=_VERBOSE_HELP, metavar="")


def _quiet() -> Any:
    return typer.Option(False, "--quiet", "-q", help=_QUIET_HELP, metavar="")


def _flags(verbose: bool, quiet: bool) -> None:
    """-v/-q given after the command name count as much as before it."""
    State.verbose = State.verbose or verbose
    State.quiet = State.quiet or quiet


@app.callback()
def _root(
    verbose: bool = _verbose(),
    quiet: bool = _quiet(),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit.", metavar=""),
) -> None:
    State.verbose = verbose
    State.quiet = quiet


SCAN_EXAMPLES = """
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


@app.command(cls=_Command, epilog=_paragraphs(SCAN_EXAMPLES))
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
    verbose: bool = _verbose(),
    quiet: bool = _quiet(),
) -> None:
    """Scan a synthetic table for leakage of its real training records."""
    _flags(verbose, quiet)
    from ..api import scan as run_scan
    from ..reports import parse_formats, write_reports
    from ..reports.terminal import render_summary
    from .settings import resolve

    if fmt is None:
        formats = ["json"] if out == "-" else list(DEFAULT_FORMATS)
    else:
        formats = parse_formats(fmt)
    if out == "-" and len(formats) > 1:
        raise UsageError("--out -: only one format can go to stdout — pass a directory to "
                         "write several")
    cfg, policy = resolve(
        config, set_,
        {"seed": seed, "missing_tokens": list(missing_token) or None, "threads": threads,
         "secret": list(secret) or None, "known": list(known) or None, "mode": mode,
         "max_memory": max_memory},
        preset, fail_on.value if fail_on else None,
    )
    result = run_scan(train, synthetic, holdout=holdout, config=cfg, metadata=metadata,
                      policy=policy, progress=progress)
    end_progress()
    written = write_reports(result, out, formats)
    if not State.quiet:
        err(render_summary(result))
        for p in written:
            err(f"wrote {p}")
    if not result.passed:
        err(policy_failed_line(result.verdict, policy.fail_on,
                               "--fail-on" if fail_on else "policy.fail_on"))
        raise typer.Exit(EXIT_POLICY_FAILED)


def policy_failed_line(verdict: str, fail_on: str, option: str = "--fail-on") -> str:
    """The closing line when the policy fails: which verdict, and the setting that makes it a
    failure (printed even with -q: it explains the exit code)."""
    return (f"Policy failed: verdict {verdict!r} and {option} {fail_on} — exit code 1; the "
            "report shows which checks decided it")


REPORT_HELP = """Render a saved scan result again, in any report format, without re-scanning.

The figures are those stored in RESULT (a result.json written by 'synthscan scan'); the output
is the same, byte for byte, as what 'synthscan scan' writes for the same format.
"""

REPORT_EXAMPLES = """
Examples:

  synthscan report synthscan-report/result.json --format html --out dpia/

  synthscan report result.json --format md --out - >> "$GITHUB_STEP_SUMMARY"

  synthscan report result.json --format sarif,junit --out ci-reports/

Formats: html (report.html), md (report.md), sarif (results.sarif), junit (junit.xml), json
(result.json). Reports are written into the --out directory (default synthscan-report/, as
'synthscan scan' does); only --out - prints one format to stdout.

Exit codes: 0 written; 2 usage error (a missing file included); 3 the result file cannot be
read. The exit code does not depend on the verdict (use 'synthscan scan' to gate a pipeline).
"""


@app.command(cls=_Command, help=_paragraphs(REPORT_HELP), epilog=_paragraphs(REPORT_EXAMPLES))
@handle_errors
def report(
    result: Path = typer.Argument(..., help="A result.json written by 'synthscan scan'.",
                                  metavar="RESULT"),
    fmt: str = typer.Option("html", "--format", "-f", metavar="FORMATS", help="Comma-separated "
                            "report formats: html, md, sarif, junit, json."),
    out: str = typer.Option("synthscan-report", "--out", "-o", metavar="DIR", help="Directory "
                            "for the reports (created if missing), or '-' to print one format "
                            "to stdout."),
    verbose: bool = _verbose(),
    quiet: bool = _quiet(),
) -> None:
    _flags(verbose, quiet)
    from ..reports import load_result, parse_formats, write_reports

    formats = parse_formats(fmt)
    if out == "-" and len(formats) > 1:
        raise UsageError("--out -: only one format can go to stdout — pass a directory to "
                         "write several")
    loaded = load_result(result)
    written = write_reports(loaded, out, formats, source=result.name)
    if not State.quiet:
        for p in written:
            err(f"wrote {p}")


SPLIT_HELP = """Split a real table at random into train and holdout files.

Do this BEFORE you send data to a synthetic-data vendor or train a generator: give the
generator only the train file and keep the holdout back. The holdout is the control group of
every calibrated test — records from the same population that the generator never saw — and it
is what lets synthscan tell memorised people from learned patterns.
"""


SPLIT_EXAMPLES = """
Examples:

  synthscan split customers.csv --holdout-fraction 0.2 --seed 7 --out split/

  synthscan split customers.parquet --out split/ --force

Writes REAL's name with _train and _holdout into --out (CSV stays CSV, Parquet stays
Parquet). Existing files are not overwritten unless --force is given.

Exit codes: 0 written; 2 usage error (a missing file or an existing output included); 3 the
table cannot be read.
"""


@app.command(cls=_Command, help=_paragraphs(SPLIT_HELP),
             epilog=_paragraphs(SPLIT_EXAMPLES))
@handle_errors
def split(
    real: Path = typer.Argument(..., help="The real table (CSV or Parquet).", metavar="REAL"),
    holdout_fraction: float = typer.Option(0.2, "--holdout-fraction", metavar="FRACTION",
                                           help="Share of rows kept back as holdout."),
    seed: int = typer.Option(0, "--seed", metavar="N", help="Seed of the random split."),
    out: Path = typer.Option(Path("."), "--out", "-o", metavar="DIR", help="Directory for "
                             "the train and holdout files."),
    force: bool = typer.Option(False, "--force", metavar="", help="Overwrite train and "
                               "holdout files that already exist."),
    verbose: bool = _verbose(),
    quiet: bool = _quiet(),
) -> None:
    _flags(verbose, quiet)
    from ..data.io import PARQUET_SUFFIXES, load_table
    from ..data.split import split_holdout, write_split

    parquet = real.name.lower().endswith(PARQUET_SUFFIXES)
    stem = real.name.split(".")[0]
    paths = [out / f"{stem}_{part}.{'parquet' if parquet else 'csv'}"
             for part in ("train", "holdout")]
    existing = [p for p in paths if p.exists() or p.is_symlink()]
    if existing and not force:
        raise UsageError(f"{existing[0]}: already exists — pass --force to overwrite it, or "
                         "choose another --out directory")
    df, _ = load_table(real, "real", missing_tokens=())
    train, hold = split_holdout(df, holdout_fraction, seed)
    write_split(train, hold, paths, parquet)
    if not State.quiet:
        err(f"wrote {paths[0]} ({len(train)} rows) — give this one to the generator")
        err(f"wrote {paths[1]} ({len(hold)} rows) — keep it back; pass it to synthscan scan "
            "--holdout")


def _click_exceptions():
    """The exceptions of the click that typer runs on (recent typer vendors its own copy)."""
    try:
        from typer._click import exceptions  # type: ignore[import-not-found]
    except ImportError:
        from click import exceptions
    return exceptions


def main() -> None:
    """Console entry point. Usage errors become one stderr line and exit code 2."""
    import sys

    from ..errors import EXIT_USAGE

    cx = _click_exceptions()

    try:
        code = app(prog_name="synthscan", standalone_mode=False)
    except cx.NoArgsIsHelpError:  # bare 'synthscan': typer has printed the help
        code = 0
    except cx.UsageError as exc:
        where = f"synthscan {exc.ctx.info_name}" if exc.ctx and exc.ctx.parent else "synthscan"
        err(f"synthscan: error: {' '.join(exc.format_message().split())} — see '{where} "
            "--help'")
        code = EXIT_USAGE
    except (typer.Abort, KeyboardInterrupt):
        err("synthscan: error: interrupted")
        code = 130
    sys.exit(code if isinstance(code, int) else 0)
