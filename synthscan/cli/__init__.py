"""The ``synthscan`` command line (typer). No business logic here: it calls the library."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from .._version import __version__
from ..errors import EXIT_POLICY_FAILED, UsageError
from .common import State, end_progress, err, handle_errors, progress

app = typer.Typer(
    name="synthscan",
    help="Privacy risk scanner for synthetic data: does a synthetic release leak the real "
    "records it was trained on?",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class FailOn(str, Enum):
    high = "high"
    inconclusive = "inconclusive"
    never = "never"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"synthscan {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show tracebacks on errors."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress or summary on stderr."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    State.verbose = verbose
    State.quiet = quiet


SCAN_EXAMPLES = """
Examples:

  synthscan scan train.csv synthetic.csv --holdout holdout.csv

  synthscan scan train.csv synthetic.csv --holdout holdout.csv --missing-token "?" --out report/

  synthscan scan train.parquet synth.parquet --holdout holdout.parquet --metadata metadata.json \\
      --fail-on inconclusive --format json --out -

Exit codes: 0 scan done and policy passed; 1 policy failed (risk too high); 2 usage or
configuration error; 3 the scan could not run.
"""


@app.command(epilog=SCAN_EXAMPLES)
@handle_errors
def scan(
    train: Path = typer.Argument(..., help="Real records the generator was trained on "
                                 "(CSV or Parquet)."),
    synthetic: Path = typer.Argument(..., help="The synthetic release to check."),
    holdout: Path | None = typer.Option(None, "--holdout", "-H", help="Real records from the "
                                        "same population that the generator never saw. "
                                        "Strongly recommended: without it, memorisation cannot "
                                        "be told apart from learning the population."),
    metadata: Path | None = typer.Option(None, "--metadata", help="SDV metadata JSON: column "
                                         "sdtypes (id and PII columns become identifiers)."),
    config: Path | None = typer.Option(None, "--config", "-c", help="Settings file (TOML or "
                                       "YAML)."),
    out: str = typer.Option("synthscan-report", "--out", "-o", help="Directory for the "
                            "reports; '-' writes the JSON result to stdout."),
    fmt: str = typer.Option("json", "--format", "-f", help="Comma-separated report formats: "
                            "json."),
    seed: int | None = typer.Option(None, "--seed", help="Seed for every random choice "
                                    "(default 0)."),
    fail_on: FailOn | None = typer.Option(None, "--fail-on", help="Verdict that makes the exit "
                                          "code 1: high (default), inconclusive or never."),
    preset: str | None = typer.Option(None, "--preset", help="Policy preset: public-release "
                                      "(default) or controlled-access."),
    missing_token: list[str] = typer.Option([], "--missing-token", help="Cell value meaning "
                                            "'missing' (repeatable), e.g. --missing-token '?'."),
    threads: int | None = typer.Option(None, "--threads", help="Threads for neighbour search "
                                       "(default: all cores)."),
    set_: list[str] = typer.Option([], "--set", help="Override a setting: key=value, e.g. "
                                   "policy.thresholds.exact_copies=0.02 (repeatable)."),
) -> None:
    """Scan a synthetic table for leakage of its real training records."""
    from ..api import scan as run_scan
    from ..reports import write_reports
    from ..reports.terminal import render_summary
    from .settings import resolve

    formats = [f.strip().lower() for f in fmt.split(",") if f.strip()]
    known = {"json"}
    unknown = [f for f in formats if f not in known]
    if unknown or not formats:
        raise UsageError(f"--format: unknown format {unknown[0] if unknown else fmt!r} — use "
                         f"{', '.join(sorted(known))}")
    if out == "-" and formats != ["json"]:
        raise UsageError("--out -: only --format json can go to stdout")
    cfg, policy = resolve(
        config, set_,
        {"seed": seed, "missing_tokens": list(missing_token) or None, "threads": threads},
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
        raise typer.Exit(EXIT_POLICY_FAILED)


SPLIT_HELP = """Split a real table at random into train and holdout files.

Do this BEFORE you send data to a synthetic-data vendor or train a generator: give the
generator only the train file and keep the holdout back. The holdout is the control group of
every calibrated test — records from the same population that the generator never saw — and it
is what lets synthscan tell memorised people from learned patterns.
"""


@app.command(help=SPLIT_HELP, epilog="Example:\n\n  synthscan split customers.csv "
             "--holdout-fraction 0.2 --seed 7 --out split/")
@handle_errors
def split(
    real: Path = typer.Argument(..., help="The real table (CSV or Parquet)."),
    holdout_fraction: float = typer.Option(0.2, "--holdout-fraction", help="Share of rows "
                                           "kept back as holdout."),
    seed: int = typer.Option(0, "--seed", help="Seed of the random split."),
    out: Path = typer.Option(Path("."), "--out", "-o", help="Directory for train and holdout "
                             "files."),
) -> None:
    from ..data.io import PARQUET_SUFFIXES, load_table
    from ..data.split import split_holdout

    df, _ = load_table(real, "real", missing_tokens=())
    train, hold = split_holdout(df, holdout_fraction, seed)
    out.mkdir(parents=True, exist_ok=True)
    parquet = real.name.lower().endswith(PARQUET_SUFFIXES)
    stem = real.name.split(".")[0]
    paths = []
    for part, frame in (("train", train), ("holdout", hold)):
        p = out / f"{stem}_{part}.{'parquet' if parquet else 'csv'}"
        if parquet:
            frame.to_parquet(p, index=False)
        else:
            frame.to_csv(p, index=False)
        paths.append(p)
    if not State.quiet:
        err(f"wrote {paths[0]} ({len(train)} rows) — give this one to the generator")
        err(f"wrote {paths[1]} ({len(hold)} rows) — keep it back; pass it to synthscan scan "
            "--holdout")


def main() -> None:
    """Console entry point."""
    app()
