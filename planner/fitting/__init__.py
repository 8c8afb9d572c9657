"""Robust, fast fitting of scaling laws (one module per fittable form) with uncertainty.

Public API: `fit` (runs from planner.fitting.runs.read_runs in, a FitReport out) and
`fitted_law` (the report as a law, for planner.laws.write.save_law); below them the core
fits, bootstrap and holdout on arrays. `forms` maps a form name to the module that fits
it. numpy/scipy maths; this package must not print, read or write files, or parse
command lines (the core raises ValueError, `fit` InputError).
"""

# fit_chinchilla, fit_kaplan and the two objectives keep the package-level names they had
# before each form had its own module, for callers such as benchmarks/; new code takes
# a form's functions from its module, fitter(form).
from planner.fitting.bootstrap import BootstrapResult, HoldoutResult, bootstrap, holdout_largest
from planner.fitting.chinchilla import compute_optimal
from planner.fitting.chinchilla import fit as fit_chinchilla
from planner.fitting.chinchilla import objective as chinchilla_objective
from planner.fitting.common import FitResult
from planner.fitting.forms import fittable_forms, fitter
from planner.fitting.kaplan_nd import fit as fit_kaplan
from planner.fitting.kaplan_nd import objective as kaplan_objective
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
    "chinchilla_objective",
    "compute_optimal",
    "fit",
    "fit_chinchilla",
    "fit_kaplan",
    "fittable_forms",
    "fitted_law",
    "fitter",
    "holdout_largest",
    "huber",
    "kaplan_objective",
    "law_comments",
]
