"""The result of a fit of a law to a lab's runs: what `plan fit` prints, and its --json contract.

Owns the report's frozen dataclasses. Field order is the JSON order; adding a field keeps
FORMAT, renaming or removing one (or changing its meaning) bumps it. Plain data: no maths,
no printing, no files (planner.fitting.procedure makes a report, planner.output prints it).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from planner.planning.results import Allocation, Intervals, Notice
from planner.records import Shown
from planner.version import FORMAT

Form = Literal["chinchilla", "kaplan-nd"]


@dataclass(frozen=True)
class Estimate:
    """One fitted parameter: the point estimate and, with a bootstrap, its spread."""

    name: str
    value: float
    stderr: float | None
    interval: tuple[float, float] | None


@dataclass(frozen=True)
class RunsUsed:
    """Where the runs came from and which of them the fit used (rows count from 1)."""

    source: str
    file_format: str
    sha256: str
    params_column: str
    tokens_column: str | None
    flops_column: str | None
    loss_column: str
    count: int
    fitted: int
    dropped_rows: tuple[int, ...]


@dataclass(frozen=True)
class Method:
    """How the fit was made: robust loss, starts, and how well the optimum converged."""

    loss: str
    delta: float
    asymmetric: float | None
    starts: int
    objective: float
    converged: bool
    projected_gradient: float


@dataclass(frozen=True)
class Bootstrap:
    """The resampling behind standard errors and intervals."""

    resamples: int
    seed: int
    converged: int
    level: float


@dataclass(frozen=True)
class Ranges:
    """Smallest and largest [low, high] over the fitted runs; None where all runs agree."""

    flops: tuple[float, float] | None
    params: tuple[float, float] | None
    tokens: tuple[float, float] | None
    note: str | None

    def bounds(self) -> dict[str, tuple[float, float]]:
        """The ranges that exist, by quantity."""
        named = {"flops": self.flops, "params": self.params, "tokens": self.tokens}
        return {name: pair for name, pair in named.items() if pair is not None}


@dataclass(frozen=True)
class ParameterCovariance:
    """Covariance of the bootstrap draws, in the coordinates a law file's [covariance] uses."""

    method: Literal["bootstrap"]
    names: tuple[str, ...]
    matrix: tuple[tuple[float, ...], ...]
    resamples: int
    seed: int


@dataclass(frozen=True)
class Residuals:
    """log(predicted loss) - log(observed loss) over the fitted runs."""

    runs: int
    rms: float
    median: float
    max_abs: float


@dataclass(frozen=True)
class BudgetPlan:
    """The compute-optimal plan at --budget under the fit, with bootstrap intervals."""

    flops: float
    optimum: Allocation
    intervals: Intervals | None


@dataclass(frozen=True)
class HeldOutRun:
    """A run left out of the holdout fit, and the loss that fit predicts for it."""

    row: int
    params: float
    tokens: float
    flops: float
    loss: float
    predicted: float
    relative_error: float


@dataclass(frozen=True)
class Holdout:
    """The law fitted without the largest-compute runs, and how well it predicts them."""

    fitted: int
    params: tuple[Estimate, ...]
    runs: tuple[HeldOutRun, ...]
    rms_log_residual: float
    max_abs_relative_error: float


@dataclass(frozen=True)
class IsoflopBudget:
    """One isoFLOP budget of approach 2: its runs and the minimum of their parabola."""

    flops: float
    runs: int
    sizes: int
    params: float
    tokens: float
    loss: float


@dataclass(frozen=True)
class PowerLaw:
    """`coefficient * flops ** exponent`, with the exponent's bootstrap interval."""

    exponent: float
    coefficient: float
    interval: tuple[float, float] | None


@dataclass(frozen=True)
class IsoflopFit:
    """Approach 2 (`plan fit --isoflop`): the minima per budget and their power laws."""

    method: str
    tolerance: float
    budgets: tuple[IsoflopBudget, ...]
    params: PowerLaw
    tokens: PowerLaw
    level: float
    resamples: int
    resamples_used: int
    left_out: int


@dataclass(frozen=True, kw_only=True, repr=False)
class FitReport(Shown):
    """Everything `plan fit` found; `--json` prints it as one object."""

    format: str = FORMAT
    planner_version: str
    form: Form
    formula: str
    runs: RunsUsed
    method: Method
    params: tuple[Estimate, ...]
    bootstrap: Bootstrap | None
    covariance: ParameterCovariance | None
    fitted_range: Ranges
    residuals: Residuals
    plan: BudgetPlan | None
    holdout: Holdout | None
    notices: tuple[Notice, ...]
    command: str
    law_file: str | None = None
    isoflop: IsoflopFit | None = None

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data: what `plan fit --json` prints."""
        return {field.name: _plain(getattr(self, field.name)) for field in dataclasses.fields(self)}

    def summary(self) -> str:
        fitted = ", ".join(f"{estimate.name} {estimate.value:.4g}" for estimate in self.params)
        return (
            f"{self.form} fit to {self.runs.fitted} of {self.runs.count} runs of {self.runs.source}: {fitted}"
        )


def _plain(value: Any) -> Any:
    """Dataclasses and records as dicts, tuples as lists, recursively (as JSON has them)."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value
