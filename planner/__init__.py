"""planner: compute-optimal model size, data and loss from published scaling laws.

The public API: each `plan` command is one call here, returning the objects `--json` prints.

    >>> from planner import plan
    >>> result = plan(1e21)
    >>> round(result.optimum.params / 1e9, 2)
    2.78

`plan` and `compare` answer budgets, `transfer` what pre-training is worth to a fine-tune;
`evaluate`, `for_loss`, `for_params`, `for_tokens`, `size_curve`, `inference_optimum` and
`plan_for_time` the other questions (hardware for `hardware=` from planner.hardware.hardware);
`recipe` turns a plan into a training recipe; `check_spec` is `plan check`; `fit` fits a law
to a lab's own runs (`read_runs`), `design` proposes the ladder of small runs to fit one to. Those load on first use (the fitting API needs numpy and
scipy), so `import planner` stays light. Each result's `to_dict()` is what `--json` prints;
its repr is one line, `table()` the command's table, which a notebook and rich show too
(planner.display), and the results of many budgets have `to_pandas()`.
"""

from __future__ import annotations

from planner import records as _records
from planner.version import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from planner.check import CheckReport, check_spec, read_spec, run_checks
    from planner.errors import (
        DataFileError,
        InfeasibleError,
        InputError,
        LawFileError,
        LawNotFoundError,
        PlannerError,
    )
    from planner.fitting import FitReport, fit, fitted_law
    from planner.fitting.design import design
    from planner.fitting.runs import Runs, read_runs
    from planner.forms.base import Law
    from planner.laws.catalog import (
        available_laws,
        default_law,
        default_transfer_law,
        find_law,
        hyperparameter_laws,
        load_law,
        planning_laws,
        transfer_laws,
    )
    from planner.laws.write import save_law
    from planner.planning.budget import compare, plan, plan_for_time
    from planner.planning.columns import PlanColumns, plan_array
    from planner.planning.design_results import LadderDesign
    from planner.planning.inference import inference_optimum
    from planner.planning.inverse import for_loss, for_params, for_tokens, size_curve
    from planner.planning.recipe import recipe
    from planner.planning.results import (
        Allocation,
        Comparison,
        FineTune,
        LimitedData,
        Notice,
        Plan,
        Plans,
        Recipe,
        RepeatedSubset,
        SizeCurve,
        Transfer,
    )
    from planner.planning.run import evaluate
    from planner.planning.transfer import transfer, transfer_grid

_LAZY = {
    **dict.fromkeys(
        (
            "DataFileError",
            "InfeasibleError",
            "InputError",
            "LawFileError",
            "LawNotFoundError",
            "PlannerError",
        ),
        "planner.errors",
    ),
    "Law": "planner.forms.base",
    **dict.fromkeys(
        (
            "available_laws",
            "default_law",
            "default_transfer_law",
            "find_law",
            "hyperparameter_laws",
            "load_law",
            "planning_laws",
            "transfer_laws",
        ),
        "planner.laws.catalog",
    ),
    **dict.fromkeys(
        (
            "Allocation",
            "Comparison",
            "FineTune",
            "LimitedData",
            "Notice",
            "Plan",
            "Plans",
            "Recipe",
            "RepeatedSubset",
            "SizeCurve",
            "Transfer",
        ),
        "planner.planning.results",
    ),
    "compare": "planner.planning.budget",
    "plan_array": "planner.planning.columns",
    "PlanColumns": "planner.planning.columns",
    "plan": "planner.planning.budget",
    "FitReport": "planner.fitting",
    "design": "planner.fitting.design",
    "LadderDesign": "planner.planning.design_results",
    "fit": "planner.fitting",
    "fitted_law": "planner.fitting",
    "Runs": "planner.fitting.runs",
    "read_runs": "planner.fitting.runs",
    "save_law": "planner.laws.write",
    "plan_for_time": "planner.planning.budget",
    "evaluate": "planner.planning.run",
    "for_loss": "planner.planning.inverse",
    "for_params": "planner.planning.inverse",
    "for_tokens": "planner.planning.inverse",
    "size_curve": "planner.planning.inverse",
    "inference_optimum": "planner.planning.inference",
    "recipe": "planner.planning.recipe",
    "transfer": "planner.planning.transfer",
    "transfer_grid": "planner.planning.transfer",
    "read_spec": "planner.check",
    "run_checks": "planner.check",
    "check_spec": "planner.check",
    "CheckReport": "planner.check",
}
"""Where each public name lives, imported on first use: `import planner` itself loads nothing
else (the command line imports only what a command needs; the fitting API loads numpy)."""


def __getattr__(name: str) -> Any:
    """Load the names in _LAZY on first use."""
    import importlib

    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'planner' has no attribute {name!r}")


def _present(result: Any, kind: str, width: int | None) -> Any:
    """Results draw themselves through this (planner.records.PRESENT): planner.display,
    loaded on first use."""
    from planner.display import present

    return present(result, kind, width)


_records.PRESENT = _present


__all__ = [
    "Allocation",
    "CheckReport",
    "Comparison",
    "DataFileError",
    "FineTune",
    "FitReport",
    "InfeasibleError",
    "InputError",
    "LadderDesign",
    "Law",
    "LawFileError",
    "LawNotFoundError",
    "LimitedData",
    "Notice",
    "Plan",
    "PlanColumns",
    "PlannerError",
    "Plans",
    "Recipe",
    "RepeatedSubset",
    "Runs",
    "SizeCurve",
    "Transfer",
    "__version__",
    "available_laws",
    "check_spec",
    "compare",
    "default_law",
    "default_transfer_law",
    "design",
    "evaluate",
    "find_law",
    "fit",
    "fitted_law",
    "for_loss",
    "for_params",
    "for_tokens",
    "hyperparameter_laws",
    "inference_optimum",
    "load_law",
    "plan",
    "plan_array",
    "plan_for_time",
    "planning_laws",
    "read_runs",
    "read_spec",
    "recipe",
    "run_checks",
    "save_law",
    "size_curve",
    "transfer",
    "transfer_grid",
    "transfer_laws",
]
