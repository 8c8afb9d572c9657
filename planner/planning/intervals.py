"""Intervals on a plan from the parameter covariance that a law file carries.

Owns drawing a law's parameters from its [covariance] (normal in the file's coordinates,
which are logs for the scale constants) and planning every draw the way `plan` plans the
point estimate, so an interval is the spread of the same calculation. Imports numpy, so
`planner.planning.budget` loads this module only for a law that has a covariance.
"""

from __future__ import annotations

import math

import numpy as np

from planner.forms.base import Law
from planner.laws.format import parameter_value
from planner.planning.results import Intervals
from planner.records import fields
from planner.units import FLOPS_PER_PARAM_TOKEN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SAMPLES = 4000
"""Draws per plan: enough for stable 2.5% tails, a few tens of milliseconds."""
SEED = 0
"""Fixed, so that the same law and budget always give the same intervals."""
LEVEL = 0.95


def parameter_draws(law: Law, samples: int = SAMPLES, seed: int = SEED) -> list[Any]:
    """Draws of the law's [params] from its covariance; draws a form cannot hold are left out.

    A draw is the law's parameters with the covaried ones replaced by a multivariate normal
    sample around the point estimate (through an eigendecomposition, so a singular matrix
    is fine). A log_X coordinate sets X = exp(draw); a plain one must stay above zero, as
    every plain parameter of the forms does.
    """
    covariance = law.covariance
    if covariance is None:
        return []
    names = covariance.names
    mean = np.array([parameter_value(law.params, name) for name in names], dtype=np.float64)
    values, vectors = np.linalg.eigh(np.array(covariance.matrix, dtype=np.float64))
    root = vectors * np.sqrt(np.clip(values, 0.0, None))
    draws = mean + np.random.default_rng(seed).standard_normal((samples, len(names))) @ root.T
    point: Any = law.params
    given = {name for name in fields(point) if getattr(point, name) is not None}
    out = []
    for row in draws.tolist():
        changes = _changes(names, row, given)
        if changes is not None:
            out.append(point.replace(**changes))
    return out


def _changes(names: tuple[str, ...], row: list[float], given: set[str]) -> dict[str, float] | None:
    changes = {}
    for name, value in zip(names, row, strict=True):
        if name in given:
            if not name.startswith("log_") and value <= 0:
                return None
            changes[name] = value
        elif name.startswith("log_"):
            changes[name.removeprefix("log_")] = math.exp(value)
        elif value > 0:
            changes[f"log_{name}"] = math.log(value)
        else:
            return None
    return changes


def plan_intervals(law: Law, flops: float, low: float, high: float) -> Intervals | None:
    """Central LEVEL intervals on params, tokens and loss at `flops`, parameters kept within
    [low, high] as the plan keeps them; None if fewer than half the draws give a plan."""
    rows = []
    for params in parameter_draws(law):
        try:
            n = min(max(params.optimal_params(flops), low), high)
            tokens = flops / (FLOPS_PER_PARAM_TOKEN * n)
            loss = params.plan_loss(flops, n)
        except (ArithmeticError, ValueError):
            continue
        if all(math.isfinite(v) and v > 0 for v in (n, tokens, loss)):
            rows.append((n, tokens, loss))
    if len(rows) < SAMPLES / 2:
        return None
    tails = [100 * (1 - LEVEL) / 2, 100 * (1 + LEVEL) / 2]
    bounds = np.percentile(np.array(rows), tails, axis=0)
    names = ", ".join(law.covariance.names) if law.covariance else ""
    return Intervals(
        level=LEVEL,
        params=(float(bounds[0, 0]), float(bounds[1, 0])),
        tokens=(float(bounds[0, 1]), float(bounds[1, 1])),
        loss=(float(bounds[0, 2]), float(bounds[1, 2])),
        samples=len(rows),
        method=(
            f"{SAMPLES} normal draws of {names} from the law's covariance (seed {SEED}), "
            f"each planned like the point estimate; {tails[0]:g}th to {tails[1]:g}th percentiles"
        ),
    )
