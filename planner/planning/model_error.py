"""The model-error term: how far a fitted law's prediction of a larger run may miss.

A bootstrap of the runs measures how well the runs pin the parameters down, not how far the
law's form is from the truth, and under extrapolation the second dominates: the bootstrap's
own 95% intervals held 15 to 23% of the held-out larger runs of Chinchilla and of Porian et
al. (docs/backtests.md). This module owns the term added to it, as one record: the formula, its
fitted constant, and the backtests it was fitted on, so that any interval can reuse it.
Standard library only; no fitting here (planner.fitting.backtest.calibrate fits the constant).
"""

from __future__ import annotations

import math

from planner.records import Record


class ModelError(Record, kw_only=True):
    """A normal error on the log of a predicted loss, added to the parameter draws.

    sigma^2 = s^2 + (k x)^2, with s the RMS log residual of the fit over its own runs (the
    scatter of a run about the law) and x the decades of compute beyond the largest fitted
    run (0 inside the fitted runs): near the runs, a new run scatters as the fitted ones do;
    beyond them the error grows by k per decade, in quadrature.
    """

    formula: str = "sigma^2 = s^2 + (k x)^2"
    scatter: str = "s: RMS of log(predicted / observed loss) over the fitted runs"
    distance: str = "x: log10(run FLOPs / largest fitted run's FLOPs), 0 below it"
    per_decade: float
    """k, in log loss per decade of compute."""
    method: str
    fitted_on: tuple[str, ...]
    """The `plan backtest` command lines whose held-out runs k was fitted to."""
    held_out: int
    """How many held-out runs those are."""

    def sigma(self, scatter: float, decades: float) -> float:
        """The standard deviation of the log loss of a run `decades` beyond the fitted ones."""
        return math.hypot(scatter, max(decades, 0.0) * self.per_decade)


CALIBRATION_RUNS = (
    "plan backtest ../shared/data/chinchilla-fig4-epoch-extraction.csv --drop-highest 5 --cut 1e21 --cut 3e21",
    *(
        f"plan backtest ../shared/data/gadre2024-openlm-runs.csv --where dataset={name} "
        "--loss-col loss_c4_val --cut 1e20 --cut 1e21"
        for name in ("c4_original", "rpj", "rw_original")
    ),
    *(
        f"plan backtest ../shared/data/porian2024-isoflop-points.csv --where dataset={name} "
        "--where decay=chinchilla --where param_count=standard --where loss_split=val --cut 2e18 --cut 6e18"
        for name in ("rw", "owt2")
    ),
    *(
        f"plan backtest ../shared/data/porian2024-isoflop-optima.csv --where dataset={name} "
        "--where decay=chinchilla --where param_count=standard --where loss_split=val "
        "--params-col params_opt --tokens-col tokens_opt --loss-col loss_opt --cut 2e18 --cut 6e18"
        for name in ("rw", "owt2")
    ),
)
"""The backtests k is fitted to: every shared data set of final losses, two cuts each, the
default recipe and 200 resamples (benchmarks/calibrate_model_error.py repeats the fit)."""

MODEL_ERROR = ModelError(
    per_decade=0.02106,
    method=(
        "maximum likelihood of the held-out runs' log errors, each normal with the variance of "
        "its bootstrap predictions plus sigma^2"
    ),
    fitted_on=CALIBRATION_RUNS,
    held_out=151,
)
"""The term `plan backtest` adds by default (fitted by benchmarks/calibrate_model_error.py)."""
