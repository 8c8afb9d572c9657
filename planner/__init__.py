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

__all__ = [
    "Allocation",
    "Comparison",
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
