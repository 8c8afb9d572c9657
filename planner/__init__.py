"""planner: compute-optimal model size, data and loss from published scaling laws.

The public API. `plan` answers what the `plan` command prints, as data:

    >>> from planner import plan
    >>> result = plan(1e21)
    >>> round(result.optimum.params / 1e9, 2)
    2.78

`fit` fits a law to a lab's own runs (`read_runs`), as `plan fit` does; it and
`fitted_law` load numpy and scipy on first use, so `import planner` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from planner.errors import (
    InfeasibleError,
    InputError,
    LawFileError,
    LawNotFoundError,
    PlannerError,
)
from planner.laws import Law, available_laws, default_law, find_law, load_law
from planner.planning import Allocation, Comparison, Notice, Plan, compare, plan

if TYPE_CHECKING:
    from planner.fitting import FitReport, fit, fitted_law
    from planner.lawfile import save_law
    from planner.runs import Runs, read_runs

_LAZY = {
    "FitReport": "planner.fitting",
    "fit": "planner.fitting",
    "fitted_law": "planner.fitting",
    "Runs": "planner.runs",
    "read_runs": "planner.runs",
    "save_law": "planner.lawfile",
}
"""The fitting API, imported on first use: it needs numpy and scipy, which `plan` must not load."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'planner' has no attribute {name!r}")


__all__ = [
    "Allocation",
    "Comparison",
    "FitReport",
    "InfeasibleError",
    "InputError",
    "Law",
    "LawFileError",
    "LawNotFoundError",
    "Notice",
    "Plan",
    "PlannerError",
    "Runs",
    "__version__",
    "available_laws",
    "compare",
    "default_law",
    "find_law",
    "fit",
    "fitted_law",
    "load_law",
    "plan",
    "read_runs",
    "save_law",
]
