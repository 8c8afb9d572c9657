"""The plain streams: JSON Lines on stdout, one-line messages on stderr.

Owns the few writers every command needs, kept apart from the tables in planner.output
(which re-exports them) so that `plan --flops 1e21 --json` and error paths load only this.
Must not import rich, compute plans or read files.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.planning.results import Notice


def error(message: str) -> None:
    """One `error: ...` line on stderr (indented detail lines may follow)."""
    sys.stderr.write(f"error: {message}\n")


def text(message: str) -> None:
    """A result that is already text (e.g. a JSON Schema), on stdout."""
    sys.stdout.write(message + "\n")


def notices(items: Iterable[Notice]) -> None:
    """Warnings and notes about results, on stderr, one line each; a repeated one once."""
    for line in dict.fromkeys(f"{notice.level}: {notice.message}" for notice in items):
        sys.stderr.write(f"{line}\n")


def _json_line(data: dict[str, Any]) -> None:
    # allow_nan=False: a NaN in a result is a bug, and it must fail loudly, not print NaN.
    sys.stdout.write(json.dumps(data, allow_nan=False, separators=(",", ":")) + "\n")


def json_lines(results: Iterable[Any]) -> None:
    """One compact JSON object per result (a result dataclass) per line."""
    for result in results:
        _json_line(dataclasses.asdict(result))


def coded_notices(items: Iterable[Notice]) -> None:
    """Diagnostics on stderr, one line each, with the code that JSON output carries."""
    for notice in items:
        sys.stderr.write(f"{notice.level}[{notice.code}]: {notice.message}\n")
