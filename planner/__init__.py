"""planner: compute-optimal model size, data and loss from published scaling laws.

The public API. `plan` answers what the `plan` command prints, as data:

    >>> from planner import plan
    >>> result = plan(1e21)
    >>> round(result.optimum.params / 1e9, 2)
    2.78
"""

from __future__ import annotations

__version__ = "0.1.0"

from planner.errors import (
    DataFileError,
    InfeasibleError,
    InputError,
    LawFileError,
    LawNotFoundError,
    PlannerError,
)
from planner.laws import Law, available_laws, default_law, find_law, load_law
from planner.planning import Allocation, Comparison, Notice, Plan, compare, plan

_LAZY = ("evaluation", "hardware")


def __getattr__(name: str) -> object:
    """Submodules that plain plans do not need load on first use.

    `Plan` names its optional `hardware` and `run` types as planner.hardware.HardwareUse and
    planner.evaluation.RunEvaluation; resolving those annotations (as pydantic does for
    `plan schema`) imports the module through here.
    """
    if name in _LAZY:
        import importlib

        return importlib.import_module(f"planner.{name}")
    raise AttributeError(f"module 'planner' has no attribute {name!r}")


__all__ = [
    "Allocation",
    "Comparison",
    "DataFileError",
    "InfeasibleError",
    "InputError",
    "Law",
    "LawFileError",
    "LawNotFoundError",
    "Notice",
    "Plan",
    "PlannerError",
    "__version__",
    "available_laws",
    "compare",
    "default_law",
    "find_law",
    "load_law",
    "plan",
]
