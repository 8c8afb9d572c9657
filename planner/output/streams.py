"""The plain streams: JSON Lines on stdout, one-line messages on stderr, and their guards.

Owns the few writers every command needs, kept apart from the tables so that
`plan --flops 1e21 --json` and error paths load only this (and `controls`, whose `clean`
neutralises terminal control sequences in text users supplied);
and `Guarded`, the stream planner.cli.main puts in front of stdout and stderr so that a
closed, broken or full stream never turns into a traceback or a wrong exit code. Must not
import rich, compute plans or read files.
"""

from __future__ import annotations

import sys

from planner.output.controls import CONTROL as CONTROL  # re-exported: callers import them from here
from planner.output.controls import clean as clean

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from planner.output.jsonl import Writer
    from planner.planning.blocks import PlanBlock
    from planner.planning.results import Notice


VERBOSITY = 0
"""What the run says on stderr besides errors: -1 nothing (--quiet), 0 each notice once,
1 every notice with its code (--verbose). Set by planner.cli for each run."""


class Guarded:
    """A text stream that never raises: a broken pipe or a failed write is recorded, not fatal.

    `broken` is set when the reader went away (EPIPE: `plan ... | head`); `failure` names any
    other reason the output could not be written (a full disk, a closed stream).
    """

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.broken = False
        self.failure: str | None = None

    def write(self, text: str | bytes) -> int:
        if isinstance(text, (bytes, bytearray)):  # click writes its help as bytes to a pipe
            text = bytes(text).decode(getattr(self.stream, "encoding", None) or "utf-8", "replace")
        if self.stream is None:
            self.failure = self.failure or "the stream is closed"
        elif text and not self.broken and self.failure is None:
            self._guard(self.stream.write, text)
        return len(text)

    def flush(self) -> None:
        if self.stream is not None and not self.broken and self.failure is None:
            self._guard(self.stream.flush)

    def _guard(self, action: Any, *args: Any) -> None:
        try:
            action(*args)
        except BrokenPipeError:
            self.broken = True
        except (OSError, ValueError) as err:  # ENOSPC, EBADF; ValueError: I/O on a closed file
            self.failure = getattr(err, "strerror", None) or str(err)

    def isatty(self) -> bool:
        try:
            return bool(self.stream is not None and self.stream.isatty())
        except (OSError, ValueError):
            return False

    def __getattr__(self, name: str) -> Any:
        if self.stream is None:
            raise AttributeError(name)
        return getattr(self.stream, name)


def error(message: str) -> None:
    """One `error: ...` line on stderr (indented detail lines may follow). A newline that
    starts no indented detail came in with the user's text (a column named across two lines)
    and is shown as \\n, so the error stays one line."""
    first, *rest = clean(message).split("\n")
    lines = [first, *(f"\n{line}" if line.startswith("  ") else f"\\n{line}" for line in rest)]
    sys.stderr.write(f"error: {''.join(lines)}\n")


def note(message: str) -> None:
    """A `note: ...` line on stderr, about the run rather than a result (none with --quiet)."""
    if VERBOSITY >= 0:
        sys.stderr.write(f"note: {clean(message)}\n")


def text(message: str) -> None:
    """A result that is already text (e.g. a JSON Schema), on stdout."""
    sys.stdout.write(message + "\n")


def notices(items: Iterable[Notice]) -> None:
    """Warnings and notes about results, on stderr, one line each; a repeated one once
    (none with --quiet; with --verbose, each one with its code)."""
    if VERBOSITY < 0:
        return
    if VERBOSITY > 0:
        coded_notices(items)
        return
    lines = dict.fromkeys(f"{notice.level}: {clean(notice.message)}\n" for notice in items)
    if lines:
        sys.stderr.write(_on_screen("".join(lines)))  # one write: stderr writes through on every line


def _on_screen(text: str) -> str:
    """Lines for stderr: on a terminal, wrapped at spaces to its width with later lines
    indented, as the lines under a table are; elsewhere (a pipe, a CI log) one line each."""
    try:
        if not sys.stderr.isatty():
            return text
    except (AttributeError, OSError, ValueError):
        return text
    from planner.output.grid import width, wrap

    size = width(sys.stderr)
    out = []
    for line in text.splitlines():
        first, *rest = wrap(line, size)
        out += [first, *("  " + part for part in (wrap(" ".join(rest), size - 2) if rest else []))]
    return "".join(f"{line}\n" for line in out)


def _json_line(data: dict[str, Any]) -> None:
    from planner.output.jsonl import text

    sys.stdout.write(text(data) + "\n")


def plan_block(results: object) -> PlanBlock | None:
    """`results` if it is a stream's block of plans kept as columns (planner.planning.blocks),
    else None. Never imports that module: a block exists only where it was loaded, and a
    plain plan's start need not load it."""
    blocks = sys.modules.get("planner.planning.blocks")
    return results if blocks is not None and isinstance(results, blocks.PlanBlock) else None


def json_lines(results: Iterable[Any], writer: Writer | None = None) -> None:
    """One compact JSON object per result (a record, or a fit's dataclass) per line;
    `writer`, the one a stream writes all its blocks with (it keeps what lines share)."""
    if writer is None:
        from planner.output.jsonl import Writer

        writer = Writer()
    block = plan_block(results)
    if block is not None:
        from planner.output.templates import json_lines as block_lines

        for text in block_lines(block, writer.line):
            sys.stdout.write(text)
        return
    sys.stdout.write("".join(writer.line(result) for result in results))


def coded_notices(items: Iterable[Notice]) -> None:
    """Diagnostics on stderr, one line each, with the code that JSON output carries (none
    with --quiet)."""
    if VERBOSITY < 0:
        return
    for notice in items:
        sys.stderr.write(f"{notice.level}[{notice.code}]: {clean(notice.message)}\n")
