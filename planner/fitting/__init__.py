"""Robust, fast fitting of scaling laws (Chinchilla and Kaplan forms) with uncertainty.

Public API: `fit` (runs from planner.fitting.runs.read_runs in, a FitReport out) and
`fitted_law` (the report as a law, for planner.laws.write.save_law); below them the core
fits, bootstrap and holdout on arrays. numpy/scipy maths; this package must not print,
read or write files, or parse command lines (the core raises ValueError, `fit` InputError).
"""

from planner.fitting.bootstrap import BootstrapResult, HoldoutResult, bootstrap, holdout_largest
from planner.fitting.chinchilla import compute_optimal, fit_chinchilla
from planner.fitting.common import FitResult
from planner.fitting.kaplan_nd import fit_kaplan
from planner.fitting.objective import chinchilla_objective, huber, kaplan_objective
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
    "fitted_law",
    "holdout_largest",
    "huber",
    "kaplan_objective",
    "law_comments",
]
