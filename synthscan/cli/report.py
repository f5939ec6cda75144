"""``synthscan report``: render a saved result again, in any format, without re-scanning."""

from __future__ import annotations

from pathlib import Path

import typer

from ._console import State, err, handle_errors
from ._options import check_stdout, quiet_option, verbose_option

HELP = """Render a saved scan result again, in any report format, without re-scanning.

The figures are those stored in RESULT (a result.json written by 'synthscan scan'); the output
is the same, byte for byte, as what 'synthscan scan' writes for the same format.
"""

EXAMPLES = """
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


@handle_errors
def report(
    result: Path = typer.Argument(..., help="A result.json written by 'synthscan scan'.",
                                  metavar="RESULT"),
    fmt: str = typer.Option("html", "--format", "-f", metavar="FORMATS", help="Comma-separated "
                            "report formats: html, md, sarif, junit, json."),
    out: str = typer.Option("synthscan-report", "--out", "-o", metavar="DIR", help="Directory "
                            "for the reports (created if missing), or '-' to print one format "
                            "to stdout."),
    verbose: bool = verbose_option(),
    quiet: bool = quiet_option(),
) -> None:
    State.add(verbose, quiet)
    from ..reports import load_result, parse_formats, write_reports

    formats = check_stdout(parse_formats(fmt), out)
    loaded = load_result(result)
    written = write_reports(loaded, out, formats, source=result.name)
    if not State.quiet:
        for p in written:
            err(f"wrote {p}")
