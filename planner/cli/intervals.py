"""--level and --no-intervals: the level of the intervals a command line asks for.

Owns both options' declaration (`interval_options`, for the main command and `plan plot`)
and `level_of`, read by every question of the main command (budgets, given runs, the
inverse questions, size curves) so that both options mean the same everywhere and a bad
level gets the same one-line message. Standard library only.
"""

from __future__ import annotations

from planner.cli.declare import Option
from planner.errors import InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from planner.cli.declare import Request


def interval_options(level: str, off: str) -> tuple[Option, Option]:
    """--level and --no-intervals, with a command's own help for each (what its intervals are)."""
    return (
        Option("--level", "LEVEL", level, kind="number", example="0.9", panel="law"),
        Option("--no-intervals", None, off, kind="flag", panel="law"),
    )


def level_of(request: Request) -> float | None:
    """The level of the intervals from --level and --no-intervals (None: no intervals)."""
    if request.no_intervals:
        if request.level is not None:
            raise InputError("--level sets the intervals that --no-intervals drops; give one of them")
        return None
    if request.level is None:
        from planner.planning.sense import LEVEL

        return LEVEL
    level = float(request.level)
    if not 0 < level < 1:
        hint = f"; for {level:g}% give --level {level / 100:g}" if 1 < level < 100 else ""
        raise InputError(
            f"--level must be between 0 and 1, exclusive (got {level:g}){hint}; give e.g. --level 0.9"
        )
    return level
