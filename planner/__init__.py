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
    InfeasibleError,
    InputError,
    LawFileError,
    LawNotFoundError,
    PlannerError,
)
from planner.laws import Law, available_laws, default_law, find_law, load_law
from planner.planning import (
    Allocation,
    Comparison,
    LimitedData,
    Notice,
    Plan,
    RepeatedSubset,
    compare,
    plan,
)

__all__ = [
    "Allocation",
    "Comparison",
    "InfeasibleError",
    "InputError",
    "Law",
    "LawFileError",
    "LawNotFoundError",
    "LimitedData",
    "Notice",
    "Plan",
    "PlannerError",
    "RepeatedSubset",
    "__version__",
    "available_laws",
    "compare",
    "default_law",
    "find_law",
    "load_law",
    "plan",
]
