"""The scan's progress on a terminal: the stage under way with a spinner and the time spent on
it, and below it the long step inside the stage (a neighbour search) with its own time and, for
a long exact search, the queries done and the time left; on stderr. The library only calls a
plain callback (``api.Progress``); this renders it with rich, and renders nothing when stderr is
not a terminal or with -q."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from ..api import STEP_SEPARATOR
from ..attacks.searches import DETAIL
from ._console import printable

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class StageDisplay:
    """A context manager whose value is the progress callback for ``api.scan``. The display is
    cleared when the block ends, whichever way it ends."""

    def __init__(self, quiet: bool, clock: Callable[[], float] = time.monotonic) -> None:
        """``quiet``: -q (no display); ``clock``: the seconds the times are read from."""
        self.enabled = not quiet and sys.stderr.isatty()
        self._clock = clock
        self._bar: Progress | None = None
        self._rows: tuple[TaskID, TaskID] | None = None  # the stage's row, the step's row
        self._shown = ("", "")  # the stage and the step on display

    def __enter__(self) -> StageDisplay:
        if self.enabled:
            # imported here: a run without a terminal never pays for the display
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
            from rich.table import Column

            # the time before the text: a long name is cut short, never the clock
            self._bar = Progress(
                SpinnerColumn(), TimeElapsedColumn(),
                TextColumn("{task.description}", markup=False,
                           table_column=Column(ratio=1, no_wrap=True, overflow="ellipsis")),
                console=Console(stderr=True), transient=True, expand=True,
                redirect_stdout=False,  # stdout is for documents, never for progress
                get_time=self._clock)
            self._rows = (self._bar.add_task("", total=None, visible=False),
                          self._bar.add_task("", total=None, visible=False))
            self._bar.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __call__(self, message: str) -> None:
        """Show ``message``: a stage (its clock starts), or ``"<stage> · <step>"``, a step
        within the stage (the stage's clock runs on; the step gets its own)."""
        if self._bar is None or self._rows is None:
            return
        stage, _, step = message.partition(STEP_SEPARATOR)
        stage_row, step_row = self._rows
        if stage != self._shown[0]:
            self._bar.reset(stage_row, description=f"synthscan: {printable(stage)}",
                            visible=True)
        if step and step.split(DETAIL)[0] == self._shown[1].split(DETAIL)[0]:
            # the same step, further on ("… — 40,000 of 125,000 queries"): its clock runs on
            self._bar.update(step_row, description=f"  {printable(step)}", visible=True)
        elif step and step != self._shown[1]:
            self._bar.reset(step_row, description=f"  {printable(step)}", visible=True)
        elif not step:
            self._bar.update(step_row, visible=False)
        self._shown = (stage, step)
