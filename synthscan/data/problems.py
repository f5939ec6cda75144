"""How the data stage reports a problem: one line that names the input, the column and the fix,
and the same facts as fields (``source``, ``column``, ``key``, ``hint``) for a pipeline.

``key`` is the setting that fixes the problem, in the library's words (``missing_tokens``,
``columns.<name>``, ``encoding``, ``metadata``); it is None when only the file itself can be
fixed. Messages never quote a cell's value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from ..errors import SynthscanError

E = TypeVar("E", bound=SynthscanError)


def name_list(names: Sequence[str], limit: int = 5) -> str:
    """The first ``limit`` names, quoted, and how many more there are."""
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" (and {len(names) - limit} more)" if len(names) > limit else "")


def problem(kind: type[E], where: str, what: str, hint: str, *, source: str | None = None,
            column: str | None = None, key: str | None = None) -> E:
    """An error of class ``kind`` reading "<where>: <what> — <hint>"; ``source`` defaults to
    ``where`` (the input's name as the messages show it)."""
    return kind(f"{where}: {what} — {hint}", source=where if source is None else source,
                column=column, key=key, hint=hint)


def declare(column: str, role: str) -> str:
    """The hint's wording for declaring a column's role: ``columns.<name> = "<role>"``."""
    return f'declare columns.{column} = "{role}"'
