"""planner: compute-optimal model size, data and loss from published scaling laws.

The public API. `plan` answers what the `plan` command prints, as data, and `transfer`
what `plan transfer` prints (the effective data a fine-tune on top of pre-training is worth):

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
    DataFileError,
    InfeasibleError,
    InputError,
    LawFileError,
    LawNotFoundError,
    PlannerError,
)
from planner.laws.catalog import (
    Law,
    available_laws,
    default_law,
    default_transfer_law,
    find_law,
    load_law,
    planning_laws,
    transfer_laws,
)
from planner.planning.budget import (
    Allocation,
    Comparison,
    FineTune,
    LimitedData,
    Notice,
    Plan,
    RepeatedSubset,
    Transfer,
    compare,
    plan,
)
from planner.planning.transfer import transfer, transfer_grid

if TYPE_CHECKING:
    from planner.fitting import FitReport, fit, fitted_law
    from planner.laws.write import save_law
    from planner.fitting.runs import Runs, read_runs

_SUBMODULES = ("evaluation", "hardware", "inference", "inverse")
"""Submodules that plain plans do not need. `Plan` names its optional `hardware`, `run`,
`inverse` and `inference` types as planner.hardware.HardwareUse, planner.planning.run.RunEvaluation,
planner.planning.inverse.Inverse and planner.planning.inference.InferenceAware; resolving those
annotations (as pydantic does for `plan schema`) imports the module through __getattr__."""

_LAZY = {
    "FitReport": "planner.fitting",
    "fit": "planner.fitting",
    "fitted_law": "planner.fitting",
    "Runs": "planner.fitting.runs",
    "read_runs": "planner.fitting.runs",
    "save_law": "planner.laws.write",
}
"""The fitting API, imported on first use: it needs numpy and scipy, which `plan` must not load."""


def __getattr__(name: str) -> Any:
    """Load the submodules and fitting API above on first use."""
    import importlib

    if name in _SUBMODULES:
        return importlib.import_module(f"planner.{name}")
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'planner' has no attribute {name!r}")


__all__ = [
    "Allocation",
    "Comparison",
    "DataFileError",
    "FineTune",
    "FitReport",
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
    "Runs",
    "Transfer",
    "__version__",
    "available_laws",
    "compare",
    "default_law",
    "default_transfer_law",
    "find_law",
    "fit",
    "fitted_law",
    "load_law",
    "plan",
    "planning_laws",
    "read_runs",
    "save_law",
    "transfer",
    "transfer_grid",
    "transfer_laws",
]
