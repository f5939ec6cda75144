"""``synthscan split``: split a real table into train and holdout files before generation."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import UsageError
from ._console import State, err, handle_errors
from ._options import quiet_option, verbose_option

HELP = """Split a real table at random into train and holdout files.

Do this BEFORE you send data to a synthetic-data vendor or train a generator: give the
generator only the train file and keep the holdout back. The holdout is the control group of
every calibrated test — records from the same population that the generator never saw — and it
is what lets synthscan tell memorised people from learned patterns.
"""

EXAMPLES = """
Examples:

  synthscan split customers.csv --holdout-fraction 0.2 --seed 7 --out split/

  synthscan split customers.parquet --out split/ --force

Writes REAL's name with _train and _holdout into --out (CSV stays CSV, Parquet stays
Parquet). Existing files are not overwritten unless --force is given.

Exit codes: 0 written; 2 usage error (a missing file or an existing output included); 3 the
table cannot be read.
"""


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
    verbose: bool = verbose_option(),
    quiet: bool = quiet_option(),
) -> None:
    State.add(verbose, quiet)
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
