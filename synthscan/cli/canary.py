"""``synthscan canary plant``: plant fictitious canary records in the training file handed to
a vendor, and keep a secret manifest of which were included."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import UsageError
from ._console import State, err, handle_errors
from ._options import quiet_option, verbose_option

HELP = """Canaries: fictitious records planted in the training data, to audit a vendor.

Plant them before the training file goes to the vendor; after the release, 'synthscan scan
--canaries MANIFEST' compares the canaries that were handed over with those left out.
"""

PLANT_HELP = """Plant canaries in a training file: write the file to hand over and a SECRET
manifest.

Each canary is a fictitious, clearly synthetic outlier drawn from the columns' domains (values
beyond the observed range, rare combinations of common levels, fresh identifiers), never from a
real record. Each one goes into the handed-over file with probability 1/2, at a random row; the
manifest records all of them, which were included, and the seed. Keep the manifest from the
vendor: whoever knows which canaries were included can defeat the audit.
"""

EXAMPLES = """
Examples:

  synthscan canary plant train.csv --n 50 --out handover/

  synthscan canary plant train.parquet --n 100 --metadata metadata.json --out handover/ --force

  synthscan scan train.csv synthetic.csv --holdout holdout.csv \\
      --canaries handover/canary-manifest.json --claimed-epsilon 1

Writes handover/<TRAIN's name> (give this file to the vendor instead of TRAIN) and
handover/canary-manifest.json (keep it secret). Scan with the original TRAIN. 50 canaries or
more are advised: with fewer, only a gross leak can be confirmed.

Exit codes: 0 written; 2 usage error (an existing output, a bad --n); 3 TRAIN cannot be read
or the output cannot be written.
"""

MIN_CANARIES, MAX_CANARIES = 2, 100_000


@handle_errors
def plant(
    train: Path = typer.Argument(..., help="The training file to be handed to the vendor "
                                 "(CSV or Parquet).", metavar="TRAIN"),
    n: int = typer.Option(50, "--n", metavar="M", help="Canaries to draw (each handed over "
                          "with probability 1/2)."),
    out: Path = typer.Option(..., "--out", "-o", metavar="DIR", help="Directory for the "
                             "handed-over file and the secret manifest."),
    seed: int | None = typer.Option(None, "--seed", metavar="N", help="Seed of the draw and of "
                                    "the inclusion bits (default: a fresh random seed, recorded "
                                    "in the manifest; never reuse a published one)."),
    metadata: Path | None = typer.Option(None, "--metadata", metavar="JSON",
                                         help="SDV metadata JSON: column sdtypes (id and PII "
                                         "columns get fresh identifiers)."),
    force: bool = typer.Option(False, "--force", metavar="",
                               help="Overwrite outputs that already exist."),
    verbose: bool = verbose_option(),
    quiet: bool = quiet_option(),
) -> None:
    State.add(verbose, quiet)
    from ..canaries.plant import MANIFEST_NAME
    from ..canaries.plant import plant as run_plant

    if not MIN_CANARIES <= n <= MAX_CANARIES:
        raise UsageError(f"--n {n}: plant from {MIN_CANARIES} to {MAX_CANARIES:,} canaries — "
                         "e.g. --n 50", key="n")
    if not train.is_file():
        raise UsageError(f"{train}: no such file — check the path", source=train.name)
    outputs = [out / train.name, out / MANIFEST_NAME]
    if outputs[0].resolve() == train.resolve():
        raise UsageError(f"{outputs[0]}: is TRAIN itself — choose another --out directory, so "
                         "that the original stays as it is", key="out")
    existing = [p for p in outputs if p.exists() or p.is_symlink()]
    if existing and not force:
        raise UsageError(f"{existing[0]}: already exists — pass --force to overwrite it, or "
                         "choose another --out directory", key="out")
    done = run_plant(train, n, out, seed=seed, metadata=metadata)
    if not State.quiet:
        err(f"wrote {done.handed_over} ({done.rows:,} rows: {done.included} of {done.n} "
            "canaries included) — give this file to the vendor instead of the original")
        err(f"wrote {done.manifest} — SECRET: keep it from the vendor; pass it to "
            "'synthscan scan --canaries' with the original training file")
