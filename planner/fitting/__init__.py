"""Robust, fast fitting of scaling laws (Chinchilla and Kaplan forms) with uncertainty.

Public API only: fits, bootstrap, holdout and their result records.  Pure
numpy/scipy maths; this package must not print, read or write files, or parse
command lines (the caller maps ``ValueError`` to a user error).
"""

from planner.fitting.bootstrap import BootstrapResult, HoldoutResult, bootstrap, holdout_largest
from planner.fitting.chinchilla import compute_optimal, fit_chinchilla
from planner.fitting.common import FitResult
from planner.fitting.kaplan import fit_kaplan
from planner.fitting.objective import chinchilla_objective, huber, kaplan_objective

__all__ = [
    "BootstrapResult",
    "FitResult",
    "HoldoutResult",
    "bootstrap",
    "chinchilla_objective",
    "compute_optimal",
    "fit_chinchilla",
    "fit_kaplan",
    "holdout_largest",
    "huber",
    "kaplan_objective",
]
