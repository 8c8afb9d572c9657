"""The progress display of long work (`plan fit`, `plan backtest`, a large `plan --from` file).

Owns when progress is shown and how: on a terminal's stderr only, not with --quiet or
--no-progress, not on TERM=dumb, and only once the work has gone on for DELAY seconds (so
quick work never flashes a bar); then a rich progress display, one row per stage that is
under way, redrawn at most ten times a second and erased when the work ends, so that only
results and messages are left. Anything written to stderr meanwhile (notices) is printed
above it. stdout is never touched. The work tells a `Display` how far it has got through
the callback of planner.fitting.progress, `display(stage, done, total)`.

Standard library only until the display appears: rich is imported then, never before, and
this module is not imported by a plain plan.
"""

from __future__ import annotations

import os
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

DELAY = 1.0
"""Seconds of work before the display appears."""
INTERVAL = 0.1
"""Least seconds between two redraws: at most ten a second, so drawing costs the work nothing."""

_OPEN: list[Display] = []
"""Displays on screen, for stop_all."""


def wanted(asked: bool = True) -> bool:
    """Whether to show progress: `asked` (not --no-progress), not --quiet, stderr a
    terminal, and not TERM=dumb (NO_COLOR only takes the colour away)."""
    from planner.output import streams

    if not asked or streams.VERBOSITY < 0 or os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, OSError, ValueError):
        return False


class Display:
    """The progress of one piece of work, as `display(stage, done, total)` calls tell it.

    Stages are rows in the order they first come; a row shows while its stage is under way
    (0 < total and done < total) and goes when it is done; a stage that comes again from
    below where it was starts its row again. `in_bytes` shows the counts as sizes in bytes.
    """

    def __init__(self, *, in_bytes: bool = False) -> None:
        self.in_bytes = in_bytes
        self._began = time.monotonic()
        self._drawn_at = -INTERVAL
        self._stages: dict[str, tuple[int, int]] = {}
        self._rows: dict[str, tuple[Any, int]] = {}  # stage -> (rich task id, done drawn)
        self._screen: _Screen | None = None
        self._closed = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._closed:
            return
        self._stages[stage] = (done, total)
        now = time.monotonic()
        if now - self._drawn_at < INTERVAL or now - self._began < DELAY:
            return
        self._drawn_at = now
        if self._screen is None:
            _OPEN.append(self)
            self._screen = _Screen()
            self._screen.progress.start()
        self._draw(self._screen)

    def _draw(self, screen: _Screen) -> None:
        progress = screen.progress
        for stage, (done, total) in self._stages.items():
            counts = _size_counts(done, total) if self.in_bytes else f"{done:,}/{total:,}"
            screen.fit(len(stage), len(counts))
            task, before = self._rows.get(stage, (None, 0))
            if task is not None and done < before:  # the stage again: a new row, a new clock
                progress.remove_task(task)
                task = None
            if task is None:  # hidden until updated, as adding draws the display at once
                task = progress.add_task(stage, total=total, visible=False, counts=counts)
            progress.update(task, completed=done, counts=counts, visible=0 <= done < total)
            # Nothing done yet: a pulsing bar says the work goes on, not that it has not begun.
            _task(progress, task).total = total if done > 0 else None
            self._rows[stage] = (task, done)
        progress.refresh()

    def close(self) -> None:
        """Erase the display (if it appeared); later calls do nothing."""
        self._closed = True
        screen, self._screen = self._screen, None
        if self in _OPEN:
            _OPEN.remove(self)
        if screen is not None:
            import contextlib

            with contextlib.suppress(Exception):  # never hide the error that ended the work
                screen.progress.stop()

    def __enter__(self) -> Display:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Off:
    """What `shown` gives when progress is not shown: no display at all."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def shown(asked: bool = True, *, in_bytes: bool = False) -> Display | _Off:
    """`with shown(...) as progress:` a Display to pass as the work's progress callback,
    erased when the block ends however it ends; None when progress is not `wanted`."""
    return Display(in_bytes=in_bytes) if wanted(asked) else _Off()


def stop_all() -> None:
    """Erase every display still on screen, before an error or interruption is reported."""
    for display in list(_OPEN):
        display.close()


def _task(progress: Any, task: Any) -> Any:
    """The rich Task behind a task id (its total may then be set to None, for a pulse)."""
    return next(each for each in progress.tasks if each.id == task)


def _size_counts(done: int, total: int) -> str:
    """`1.2/2.4 MB`: the two sizes in the unit of the total."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if total >= scale:
            return f"{done / scale:.1f}/{total / scale:.1f} {unit}"
    return f"{done}/{total} bytes"


class _Screen:
    """rich's progress display on stderr, at the width the tables use, erased when stopped
    (transient) and redrawn only when Display asks. Its columns keep their place: the stage
    names and the counts get the width of the widest yet, so the bars do not shift as
    the counts grow, and the bar the rest of the line (at most 40)."""

    LABEL = 24
    """The widest a stage name is shown (a longer one, a file's name, ends in an ellipsis)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
        from rich.table import Column

        from planner.output.grid import width

        self.size = width(sys.stderr)
        console = Console(file=sys.stderr, width=self.size, force_terminal=True, soft_wrap=False)
        self.roomy = self.size >= 60  # room for a spinner and the time taken, too
        self.label = Column(no_wrap=True, overflow="ellipsis", width=1)
        self.counts = Column(no_wrap=True, overflow="ellipsis", width=1)
        self.bar = BarColumn(bar_width=4)
        columns: list[Any] = [
            TextColumn("{task.description}", table_column=self.label),
            self.bar,
            TextColumn("{task.fields[counts]}", table_column=self.counts),
        ]
        if self.roomy:
            columns = [SpinnerColumn(), *columns, TimeElapsedColumn()]
        self.progress = Progress(
            *columns,
            console=console,
            transient=True,
            auto_refresh=False,
            redirect_stdout=False,
            redirect_stderr=True,
        )

    def fit(self, label: int, counts: int) -> None:
        """Widen the name and count columns to `label` and `counts` (never narrow them), and
        give the bar what the line has left."""
        self.label.width = max(self.label.width or 1, min(label, self.LABEL))
        self.counts.width = max(self.counts.width or 1, counts)
        others = self.label.width + self.counts.width + (1 + 7 + 4 if self.roomy else 2)
        self.bar.bar_width = max(4, min(40, self.size - others))
