"""How long a run takes on its GPUs, from --days, --weeks or --hours, and the FLOPs of that.

Owns the meaning of the three time options, read the same way by a plan from time
(planner.cli.questions) and a size curve on time (planner.cli.inverse): one of them, on
--gpu with --gpus, a week being seven days. Raises InputError; never prints.
"""

from __future__ import annotations

from planner.errors import InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from planner.cli.declare import Request
    from planner.hardware import Hardware


def wall_clock(request: Request, setup: Hardware | None) -> tuple[float | None, float | None]:
    """(days, hours) of the run from --days, --weeks (7 days each) or --hours, checked:
    one of them, on --gpu with --gpus."""
    given = request.given("days", "weeks", "hours")
    if setup is None:
        raise InputError(f"{given[0]} needs --gpu and --gpus, the chip and how many run at once")
    if setup.gpus is None:
        raise InputError(f"{given[0]} needs --gpus, the number of GPUs running at once")
    if len(given) > 1:
        raise InputError(f"give one of --days, --weeks and --hours (found {', '.join(given)})")
    days = request.days if request.weeks is None else 7 * request.weeks
    return days, request.hours


def time_budget(request: Request, setup: Hardware | None) -> float:
    """The FLOPs --gpus GPUs compute in --days, --weeks or --hours."""
    from planner.hardware import budget

    days, hours = wall_clock(request, setup)
    assert setup is not None  # wall_clock refuses a time without hardware
    return budget(setup, days=days, hours=hours)
