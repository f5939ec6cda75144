"""``synthscan compare``: did a risk component get worse between two releases' scans?"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..errors import ExitCode, UsageError
from ._console import State, err, handle_errors
from ._options import quiet_option, verbose_option

if TYPE_CHECKING:
    from ..comparison import Comparison
    from ..result import ScanResult

HELP = """Compare the scans of two releases: did a risk component get worse?

For each risk component decided in both results, the change of its excess share (new − old) is
bounded from the sub-test counts both results saved, with bounds that hold whatever the
dependence between the scans (two releases of the same real data share training and holdout
records). The comparison fails when some component's family-adjusted lower bound of the
worsening exceeds the margin, at the new scan's alpha.
"""

EXAMPLES = """
Examples:

  synthscan compare releases/2024-05/result.json releases/2024-06/result.json

  synthscan compare old.json new.json --margin 1% --format json > comparison.json

  synthscan scan train.csv synthetic.csv --holdout holdout.csv --baseline old/result.json

--margin is a share of training records: 0.005 or 0.5% is half a percentage point (the
default). The table goes to stdout (--format json: one JSON document).

Exit codes: 0 no component got significantly worse beyond the margin; 1 some did (named on
stderr); 2 a result cannot be read, or the two cannot be compared (another policy preset,
other risk components, an unsupported result schema).
"""

#: the option that sets the margin, in messages
MARGIN_HELP = ("How much worse a component may get before the comparison fails: a share of "
               "training records, e.g. 0.005 or 0.5% (default 0.5%).")


class Format(str, Enum):
    text = "text"
    json = "json"


def parse_margin(text: str | None, flag: str = "--margin") -> float:
    """``0.005``, ``0.5%`` or ``0.5pp`` as a share; ``UsageError`` naming ``flag`` otherwise."""
    from ..comparison import DEFAULT_MARGIN, check_margin

    if text is None:
        return DEFAULT_MARGIN
    raw = text.strip().lower()
    scale = 100.0 if raw.endswith(("%", "pp")) else 1.0
    try:
        value = float(raw.removesuffix("%").removesuffix("pp").strip()) / scale
        return check_margin(value)
    except (ValueError, UsageError):
        raise UsageError(f"{flag} {text!r}: not a margin between 0 and 100% — give a share "
                         "such as 0.005 or a percentage such as 0.5%", key="margin") from None


def failed_line(comparison: Comparison) -> str:
    """The closing line when the comparison fails (printed even with -q: it explains the exit
    code)."""
    return (f"Comparison failed: {', '.join(comparison.worse)} got significantly worse than in "
            f"{comparison.old.label} (beyond the {100 * comparison.margin:g} pp margin) — exit "
            "code 1")


@handle_errors
def compare(
    old: Path = typer.Argument(..., help="The earlier release's result.json.", metavar="OLD"),
    new: Path = typer.Argument(..., help="The new release's result.json.", metavar="NEW"),
    margin: str | None = typer.Option(None, "--margin", metavar="SHARE", help=MARGIN_HELP),
    fmt: Format = typer.Option(Format.text, "--format", "-f", metavar="FORMAT",
                               help="text (a table) or json."),
    verbose: bool = verbose_option(),
    quiet: bool = quiet_option(),
) -> None:
    State.add(verbose, quiet)
    from ..comparison import compare as run_compare

    comparison = run_compare(old, new, margin=parse_margin(margin))
    if fmt is Format.json:
        typer.echo(json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False))
    else:
        typer.echo(comparison.to_text())
    if not comparison.passed:
        err(failed_line(comparison))
        raise typer.Exit(ExitCode.POLICY_FAILED)


class Baseline:
    """``scan --baseline``: the earlier result is read before the scan (an unreadable one
    stops it with exit 2 before any work), and compared with the new result after it."""

    def __init__(self, path: Path | None, margin: str | None) -> None:
        from ..comparison import load

        if path is None and margin is not None:
            raise UsageError("--baseline-margin needs --baseline — pass the earlier release's "
                             "result.json with --baseline", key="margin")
        self.path = path
        self.margin = parse_margin(margin, "--baseline-margin")
        self.result = None if path is None else load(path, "--baseline")[0]

    def passed(self, result: ScanResult) -> bool:
        """True without a baseline or when no component got significantly worse; prints the
        comparison (unless -q) and, when it fails, the line that explains exit code 1."""
        from ..comparison import compare as run_compare

        if self.result is None or self.path is None:
            return True
        comparison = run_compare(self.result, result, margin=self.margin,
                                 labels=(str(self.path), "this scan"))
        if not State.quiet:
            err("")
            err(f"Comparison with the baseline {self.path}:")
            err(comparison.to_text())
        if not comparison.passed:
            err(f"Baseline comparison failed: {', '.join(comparison.worse)} got significantly "
                f"worse than in {self.path} (beyond the {100 * comparison.margin:g} pp margin) "
                "— exit code 1 even if the verdict passes")
        return comparison.passed
