"""Robust, fast fitting of scaling laws (one module per fittable form) with uncertainty.

Public API: `fit` (runs from planner.fitting.runs.read_runs in, a FitReport out) and
`fitted_law` (the report as a law, for planner.laws.write.save_law); below them the core
fits, bootstrap and holdout on arrays. `forms` maps a form name to the module that fits
it. numpy maths; this package must not print, read or write files, or parse
command lines (the core raises ValueError, `fit` InputError).

The names load on first use, so that `planner.fitting.runs` (standard library only) can
read and check a runs file, and refuse a bad one, before numpy and scipy are imported.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.fitting.bootstrap import BootstrapResult, HoldoutResult, bootstrap, holdout_largest
    from planner.fitting.common import FitResult
    from planner.fitting.forms import fittable_forms, fitter
    from planner.fitting.objective import huber
    from planner.fitting.procedure import fit
    from planner.fitting.report import FitReport
    from planner.fitting.userlaw import fitted_law, law_comments

_WHERE = {
    "BootstrapResult": "bootstrap",
    "FitReport": "report",
    "FitResult": "common",
    "HoldoutResult": "bootstrap",
    "bootstrap": "bootstrap",
    "fit": "procedure",
    "fittable_forms": "forms",
    "fitted_law": "userlaw",
    "fitter": "forms",
    "holdout_largest": "bootstrap",
    "huber": "objective",
    "law_comments": "userlaw",
}
"""Each public name and the module of this package that defines it."""

__all__ = [
    "BootstrapResult",
    "FitReport",
    "FitResult",
    "HoldoutResult",
    "bootstrap",
    "fit",
    "fittable_forms",
    "fitted_law",
    "fitter",
    "holdout_largest",
    "huber",
    "law_comments",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


class _Package(ModuleType):
    """This package as a module whose `bootstrap` stays the function once its submodule loads.

    Importing `planner.fitting.bootstrap` binds the submodule to the package's attribute of
    that name; with the names loaded lazily that would hide the function `bootstrap` (and
    the eager imports this package used to make rebound it). The binding is skipped; the
    submodule stays in sys.modules, where `from planner.fitting.bootstrap import ...` finds it.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, ModuleType) and _WHERE.get(name) == name:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
