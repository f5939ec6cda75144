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

A manifest (REAL's name with _split.json) is written beside the two files: the seed, method and
holdout fraction, salted hashes of the rows on each side, the files' digests and the time.
'synthscan scan --split-manifest' verifies against it that train and holdout are the files
that were split. Keep it with the holdout: anyone holding it can test whether a record they
know went to train or holdout.

Planning a membership audit (a check of a vendor's differential-privacy claim)? Use
--method bernoulli, so that every record enters training independently with probability
1 - FRACTION, and --holdout-fraction 0.5, which makes the audit's bound strongest.
"""

EXAMPLES = """
Examples:

  synthscan split customers.csv --holdout-fraction 0.2 --seed 7 --out split/

  synthscan split customers.parquet --out split/ --force

  synthscan split customers.csv --method bernoulli --holdout-fraction 0.5 --seed 7 --out split/

Writes REAL's name with _train and _holdout into --out (CSV stays CSV, Parquet stays
Parquet), and the manifest REAL's name with _split.json. Existing files are not overwritten
unless --force is given.

Exit codes: 0 written; 2 usage error (a missing file or an existing output included); 3 the
table cannot be read.
"""


@handle_errors
def split(
    real: Path = typer.Argument(..., help="The real table (CSV or Parquet).", metavar="REAL"),
    holdout_fraction: float = typer.Option(0.2, "--holdout-fraction", metavar="FRACTION",
                                           help="Share of rows kept back as holdout."),
    seed: int = typer.Option(0, "--seed", metavar="N", help="Seed of the random split."),
    method: str = typer.Option(
        "shuffle", "--method", metavar="METHOD",
        help="shuffle: exactly round(n x FRACTION) rows are held out; bernoulli: each row is "
        "held out independently with probability FRACTION (what a membership audit assumes; "
        "use --holdout-fraction 0.5 then)."),
    out: Path = typer.Option(Path("."), "--out", "-o", metavar="DIR", help="Directory for "
                             "the train and holdout files."),
    force: bool = typer.Option(False, "--force", metavar="", help="Overwrite train and "
                               "holdout files that already exist."),
    verbose: bool = verbose_option(),
    quiet: bool = quiet_option(),
) -> None:
    State.add(verbose, quiet)
    from ..data.io import PARQUET_SUFFIXES, file_sha256, load_table
    from ..data.manifest import SplitManifest, write_manifest
    from ..data.split import METHODS, split_holdout, write_split

    if method not in METHODS:
        raise UsageError(f"--method: unknown split method {method!r} — use "
                         f"{' or '.join(METHODS)}")
    parquet = real.name.lower().endswith(PARQUET_SUFFIXES)
    stem = real.name.split(".")[0]
    paths = [out / f"{stem}_{part}.{'parquet' if parquet else 'csv'}"
             for part in ("train", "holdout")]
    manifest_path = out / f"{stem}_split.json"
    existing = [p for p in (*paths, manifest_path) if p.exists() or p.is_symlink()]
    if existing and not force:
        raise UsageError(f"{existing[0]}: already exists — pass --force to overwrite it, or "
                         "choose another --out directory")
    df, source = load_table(real, "real", missing_tokens=())
    train, hold = split_holdout(df, holdout_fraction, seed, method)
    manifest = SplitManifest.build(
        train, hold, method=method, seed=seed, holdout_fraction=holdout_fraction,
        source={"name": source.name, "sha256": source.sha256, "rows": source.n_rows},
        files=[p.name for p in paths])
    write_split(train, hold, paths, parquet)
    for side, p in zip(manifest.sides.values(), paths, strict=True):
        side.sha256 = file_sha256(p)
    write_manifest(manifest, manifest_path)
    if not State.quiet:
        err(f"wrote {paths[0]} ({len(train)} rows) — give this one to the generator")
        err(f"wrote {paths[1]} ({len(hold)} rows) — keep it back; pass it to synthscan scan "
            "--holdout")
        err(f"wrote {manifest_path} — keep it with the holdout; pass it to synthscan scan "
            "--split-manifest")
