"""planner: compute-optimal model size, data and loss from published scaling laws.

The public API. `plan` answers what the `plan` command prints, as data, and `transfer`
what `plan transfer` prints (the effective data a fine-tune on top of pre-training is worth):

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
from planner.laws import (
    Law,
    available_laws,
    default_law,
    default_transfer_law,
    find_law,
    load_law,
    planning_laws,
    transfer_laws,
)
from planner.planning import Allocation, Comparison, FineTune, Notice, Plan, Transfer, compare, plan
from planner.transfer import transfer, transfer_grid

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
    "FineTune",
    "InfeasibleError",
    "InputError",
    "Law",
    "LawFileError",
    "LawNotFoundError",
    "Notice",
    "Plan",
    "PlannerError",
    "Transfer",
    "__version__",
    "available_laws",
    "compare",
    "default_law",
    "default_transfer_law",
    "find_law",
    "load_law",
    "plan",
    "planning_laws",
    "transfer",
    "transfer_grid",
    "transfer_laws",
]
