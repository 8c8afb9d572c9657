"""Intervals for arrays of budgets: planner.planning.intervals over many budgets at once.

Owns `budget_interval_arrays`, the intervals of `plan_array` and of the blocks of a stream
(`plan --from`): every draw planned at every budget in numpy (a form's `draw_plans_array`),
BLOCK budgets at a time so that the draws-by-budgets arrays stay small, and the same central
percentiles (numpy's linear ones) and model error as one plan's. A form without the array
twin is asked one budget at a time. Imports numpy: loaded only for arrays and streams.
"""

from __future__ import annotations

import math

import numpy as np  # noqa: TID253 (loaded only for arrays and streams, never on the start path)

from planner.planning.draws import draws_of
from planner.planning.intervals import MIN_ANSWERED, budget_intervals, method, scatter_of
from planner.planning.model_error import MODEL_ERROR
from planner.planning.results import Interval, Intervals

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from numpy.typing import NDArray

    from planner.forms.base import Law

    Floats = NDArray[np.float64]

BLOCK = 256
"""Budgets planned together: 4,000 draws by 256 budgets is 8 MB per array."""
QUANTITIES = ("params", "tokens", "tokens_per_param", "loss", "parameter_loss")
"""The quantities with intervals, each as columns <name>_low and <name>_high."""


def sigmas(law: Law, budgets: Floats) -> Floats:
    """The model error's sigma at each budget (planner.planning.intervals.model_sigma)."""
    scatter = scatter_of(law)
    bounds = law.fitted_range.bounds().get("flops")
    if not bounds:
        return np.full(budgets.shape, MODEL_ERROR.sigma(scatter, 0.0))
    decades = np.maximum(np.log10(budgets / bounds[1]), 0.0)
    return np.hypot(scatter, decades * MODEL_ERROR.per_decade)


def budget_interval_arrays(
    law: Law,
    budgets: Floats,
    low: Floats,
    high: Floats,
    level: float,
    *,
    parameter_loss: bool = False,
    form: Any = None,
) -> tuple[dict[str, Floats], str] | None:
    """(columns, method) of the intervals on the plan of every budget, N kept within
    [low, high] of each: <quantity>_low and _high for each of QUANTITIES (NaN where fewer
    than half the draws plan; parameter_loss only when asked), `model_error` and `failed`
    (draws without a plan); None without a covariance. `form`: what the plans priced with
    when not the law's parameters (a limited supply), planned one budget at a time."""
    draws = draws_of(law)
    if draws is None:
        return None
    order = np.argsort(budgets, kind="stable")
    if not (order[1:] > order[:-1]).all():
        # Blocks of neighbouring budgets partition faster (their draws rank alike): plan them
        # sorted, and give each column back in the order asked.
        found = budget_interval_arrays(
            law, budgets[order], low[order], high[order], level, parameter_loss=parameter_loss, form=form
        )
        if found is None:
            return None
        columns, described = found
        back = np.empty_like(order)
        back[order] = np.arange(order.size)
        return {name: column[back] for name, column in columns.items()}, described
    size = budgets.size
    names = [name for name in QUANTITIES if parameter_loss or name != "parameter_loss"]
    columns = {f"{name}_{end}": np.full(size, np.nan) for name in names for end in ("low", "high")}
    columns["model_error"] = sigmas(law, budgets)
    columns["failed"] = np.zeros(size, dtype=np.int64)
    total = draws.kept + draws.invalid
    least = max(2, MIN_ANSWERED * total)
    fast = getattr(law.params, "draw_plans_array", None) if form is None else None
    if fast is None:
        for i, flops in enumerate(budgets.tolist()):
            one = budget_intervals(law, flops, float(low[i]), float(high[i]), level, form=form)
            if one is not None:
                for name in names:
                    band = getattr(one, name)
                    columns[f"{name}_low"][i], columns[f"{name}_high"][i] = band.low, band.high
                columns["failed"][i] = one.failed
        return columns, method(draws, law, None)
    noise = np.asarray(draws.noise)[None, :]
    tails = [(1 - level) / 2, (1 + level) / 2]  # for rows with failed draws
    with np.errstate(all="ignore"):
        for start in range(0, size, BLOCK):
            stop = min(start + BLOCK, size)
            here = slice(start, stop)
            log_sizes, losses = fast(draws, budgets[here], low[here], high[here])
            sigma = columns["model_error"][here, None]
            noisy = np.log(losses)
            noisy += noise * sigma  # log of the loss with the model error
            good = np.isfinite(log_sizes) & np.isfinite(noisy)
            answered = np.count_nonzero(good, axis=1)
            columns["failed"][here] = total - answered
            values = {"params": log_sizes, "loss": noisy}
            if parameter_loss:
                values["parameter_loss"] = losses
            if good.all():
                bands = {name: central(v, level) for name, v in values.items()}
            else:
                bands = {name: np.full((2, stop - start), np.nan) for name in values}
                for j in np.flatnonzero(answered >= least).tolist():
                    keep = good[j]
                    for name, v in values.items():
                        bands[name][:, j] = np.quantile(v[j, keep], tails)
            few = answered < least
            for band in bands.values():
                band[:, few] = np.nan
            sizes = np.exp(bands["params"])  # the percentiles of log N, as N (exp is monotone)
            np.clip(sizes, low[here], high[here], out=sizes)  # a binding cap holds exactly (see clamped)
            for cap in (low[here], high[here]):
                np.copyto(sizes, cap, where=np.isfinite(cap) & (np.abs(sizes - cap) <= 1e-12 * cap))
            per_token = budgets[here] / 6.0
            columns["params_low"][here], columns["params_high"][here] = sizes
            columns["tokens_low"][here] = per_token / sizes[1]
            columns["tokens_high"][here] = per_token / sizes[0]
            columns["tokens_per_param_low"][here] = per_token / sizes[1] ** 2
            columns["tokens_per_param_high"][here] = per_token / sizes[0] ** 2
            columns["loss_low"][here], columns["loss_high"][here] = np.exp(bands["loss"])
            if parameter_loss:
                columns["parameter_loss_low"][here] = bands["parameter_loss"][0]
                columns["parameter_loss_high"][here] = bands["parameter_loss"][1]
    unusable = np.zeros(size, dtype=bool)
    for name in names:
        low_end, high_end = columns[f"{name}_low"], columns[f"{name}_high"]
        unusable |= ~(np.isfinite(low_end) & np.isfinite(high_end) & (low_end > 0) & (low_end <= high_end))
    for name in names:
        columns[f"{name}_low"][unusable] = np.nan
        columns[f"{name}_high"][unusable] = np.nan
    return columns, method(draws, law, None)


def central(values: Floats, level: float) -> Floats:
    """The central `level` interval of each row, (2, rows): numpy's linear percentiles (as
    planner.planning.intervals.quantiles), the rows partitioned in place (they are spent)."""
    count = values.shape[1]
    ends = []
    for q in ((1 - level) / 2, (1 + level) / 2):
        position = q * (count - 1)
        below = math.floor(position)
        ends.append((below, min(below + 1, count - 1), position - below))
    values.partition(sorted({k for below, above, _ in ends for k in (below, above)}), axis=1)
    return np.array([values[:, b] + (values[:, a] - values[:, b]) * f for b, a, f in ends])


def interval_records(
    law: Law, budgets: Floats, low: Floats, high: Floats, level: float, *, form: Any = None
) -> list[Intervals | None]:
    """The `Intervals` of each budget's plan, as planner.planning.intervals.budget_intervals
    gives them one at a time (the same numbers), for the blocks of a stream."""
    found = budget_interval_arrays(law, budgets, low, high, level, parameter_loss=True, form=form)
    if found is None:
        return [None] * budgets.size
    columns, _ = found
    draws = draws_of(law)
    assert draws is not None
    total = draws.kept + draws.invalid
    rows = zip(
        *(columns[f"{name}_{end}"].tolist() for name in QUANTITIES for end in ("low", "high")), strict=True
    )
    sigmas_ = columns["model_error"].tolist()
    failed = columns["failed"].tolist()
    out: list[Intervals | None] = []
    for i, row in enumerate(rows):
        if row[0] != row[0]:  # NaN: no interval at this budget
            out.append(None)
            continue
        sigma = sigmas_[i]
        out.append(
            Intervals(
                level=level,
                params=Interval(row[0], row[1]),
                tokens=Interval(row[2], row[3]),
                tokens_per_param=Interval(row[4], row[5]),
                loss=Interval(row[6], row[7]),
                parameter_loss=Interval(row[8], row[9]),
                model_error=sigma,
                draws=total - failed[i],
                failed=failed[i],
                method=method(draws, law, sigma),
            )
        )
    return out
