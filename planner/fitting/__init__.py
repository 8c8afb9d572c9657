"""Robust, fast fitting of scaling laws (one module per fittable form) with uncertainty.

Public API: `fit` (runs from planner.fitting.runs.read_runs in, a FitReport out) and
`fitted_law` (the report as a law, for planner.laws.write.save_law); below them the core
fits, bootstrap and holdout on arrays. `forms` maps a form name to the module that fits
it. numpy/scipy maths; this package must not print, read or write files, or parse
command lines (the core raises ValueError, `fit` InputError).
"""

from planner.fitting.bootstrap import BootstrapResult, HoldoutResult, bootstrap, holdout_largest
from planner.fitting.common import FitResult
from planner.fitting.forms import fittable_forms, fitter
from planner.fitting.objective import huber
from planner.fitting.procedure import fit
from planner.fitting.report import FitReport
from planner.fitting.userlaw import fitted_law, law_comments

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
