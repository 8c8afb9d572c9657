"""The pictures of a fit (`plan plot fit RUNS`): the runs with the fitted isoFLOP curves,
observed against predicted loss, and the residuals against size and compute.

Owns `fit_figure`, which lays out a `FitReport` and its runs as a `Figure`: the losses it
predicts are the fitted law's own (the law `plan fit --out` would save, asked through
planner.planning), the residuals the report's log(predicted) - log(observed), and the
held-out runs those of `--holdout-largest`, predicted by the fit made without them. Never
draws or prints.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from planner.errors import PlannerError
from planner.fitting.report import FitReport
from planner.fitting.runs import Runs
from planner.fitting.userlaw import fitted_law
from planner.planning.figures import flops_text
from planner.planning.picture_results import Figure, Panel, Series
from planner.planning.results import Notice, law_ref, planner_version
from planner.planning.sense import sensible

FIT_ID = "yourfit2026"
"""The id the fitted law takes on a picture (a law id must look like firstauthor2024)."""

MOST_GROUPS = 8
"""Runs fall into at most this many budgets, each with its colour and curve; with more
distinct budgets than that, runs are grouped by wider bins of compute."""


def budget_groups(flops: Sequence[float]) -> list[list[int]]:
    """The runs (indices) of each budget, smallest budget first: runs of the same compute to
    two significant figures (an isoFLOP design), else bins of half a decade of compute, or
    one, two, ... decades, the narrowest that gives at most MOST_GROUPS."""
    keys = [float(f"{value:.2g}") for value in flops]
    width = 0.5
    while len(set(keys)) > MOST_GROUPS:
        keys = [width * round(math.log10(value) / width) for value in flops]
        width *= 2
    groups: dict[float, list[int]] = {}
    for index, key in enumerate(keys):
        groups.setdefault(key, []).append(index)
    return [groups[key] for key in sorted(groups)]


def fit_figure(runs: Runs, report: FitReport) -> Figure:
    """The diagnostics of `report`, a fit of `runs` (planner.fitting.procedure.fit)."""
    from planner.planning.inverse import WIDEST, size_curve

    law = fitted_law(report, FIT_ID)
    form = law.params
    dropped = set(report.runs.dropped_rows)
    held = {run.row: run for run in report.holdout.runs} if report.holdout is not None else {}
    fitted = [i for i in range(len(runs)) if runs.row(i) not in dropped]
    predicted = [form.loss(runs.params[i], runs.tokens[i]) for i in range(len(runs))]
    residual = [math.log(predicted[i]) - math.log(runs.loss[i]) for i in range(len(runs))]

    runs_series: list[Series] = []
    curves: list[Series] = []
    notices: list[Notice] = []
    for group, members in enumerate(budget_groups([runs.flops[i] for i in fitted])):
        indices = [fitted[m] for m in members]
        budget = math.exp(sum(math.log(runs.flops[i]) for i in indices) / len(indices))
        label = f"{flops_text(budget)} FLOPs"
        order = sorted(indices, key=lambda i: runs.params[i])
        runs_series.append(
            Series(
                name=f"runs near {label}"
                if len({f"{runs.flops[i]:.2g}" for i in indices}) > 1
                else f"runs at {label}",
                style="points",
                x=tuple(runs.params[i] for i in order),
                y=tuple(runs.loss[i] for i in order),
                group=group,
            )
        )
        try:
            optimum = form.optimal_params(budget)
            low = max(WIDEST[0], runs.params[order[0]] / optimum / 1.25)
            high = min(WIDEST[1], runs.params[order[-1]] / optimum * 1.25)
            if low >= high:
                low, high = max(WIDEST[0], high / 4), min(WIDEST[1], high * 4)
            curve = size_curve(budget, low, high, law, level=None)
        except (PlannerError, ArithmeticError, ValueError):
            notices.append(Notice("no_curve", f"the fit gives no isoFLOP curve at {label}", level="note"))
            continue
        curves.append(
            Series(
                name=f"fit at {label}",
                style="line",
                x=tuple(point.params for point in curve.points),
                y=tuple(point.loss for point in curve.points),
                group=group,
                legend=False,
            )
        )
    left_out = [i for i in range(len(runs)) if runs.row(i) in dropped]
    extra: list[Series] = []
    if left_out:
        extra.append(
            Series(
                name="left out (--drop-highest)",
                style="points",
                x=tuple(runs.params[i] for i in left_out),
                y=tuple(runs.loss[i] for i in left_out),
                group=MOST_GROUPS + 1,
            )
        )
    holdout = list(held.values())
    held_name = "held out, predicted without them"
    if holdout:
        extra.append(
            Series(
                name=held_name,
                style="marker",
                x=tuple(run.params for run in holdout),
                y=tuple(run.loss for run in holdout),
                group=MOST_GROUPS,
            )
        )

    def scatter(x: Sequence[float], y: Sequence[float], indices: Sequence[int]) -> Series:
        return Series(
            name="fitted runs", style="points", x=tuple(x[i] for i in indices), y=tuple(y[i] for i in indices)
        )

    observed = list(runs.loss)
    span = [min(observed), max(observed)]
    versus = [scatter(observed, predicted, fitted)]
    by_params = [scatter(runs.params, residual, fitted)]
    by_flops = [scatter(runs.flops, residual, fitted)]
    if holdout:
        held_residual = tuple(math.log(run.predicted) - math.log(run.loss) for run in holdout)
        versus.append(
            Series(
                name=held_name,
                style="marker",
                x=tuple(run.loss for run in holdout),
                y=tuple(run.predicted for run in holdout),
                group=MOST_GROUPS,
            )
        )
        by_params.append(
            Series(
                name=held_name,
                style="marker",
                x=tuple(r.params for r in holdout),
                y=held_residual,
                group=MOST_GROUPS,
            )
        )
        by_flops.append(
            Series(
                name=held_name,
                style="marker",
                x=tuple(r.flops for r in holdout),
                y=held_residual,
                group=MOST_GROUPS,
            )
        )
        span = [min(span[0], *(r.predicted for r in holdout)), max(span[1], *(r.predicted for r in holdout))]
    versus.append(
        Series(
            name="predicted = observed", style="dashed", x=tuple(span), y=tuple(span), group=MOST_GROUPS + 2
        )
    )
    loss_label = "loss (the runs file's units)"
    residual_label = "residual, ln(predicted) - ln(observed)"
    panels = (
        Panel(
            title="Runs and the fitted isoFLOP curves",
            x="params",
            y="loss",
            x_label="model size N (parameters)",
            y_label=loss_label,
            x_log=True,
            y_log=True,
            series=(*runs_series, *curves, *extra),
        ),
        Panel(
            title="Observed against predicted loss",
            x="loss",
            y="predicted_loss",
            x_label=f"observed {loss_label}",
            y_label=f"predicted {loss_label}",
            x_log=True,
            y_log=True,
            series=tuple(versus),
        ),
        Panel(
            title="Residuals against model size",
            x="params",
            y="residual",
            x_label="model size N (parameters)",
            y_label=residual_label,
            x_log=True,
            y_log=False,
            series=tuple(by_params),
        ),
        Panel(
            title="Residuals against compute",
            x="flops",
            y="residual",
            x_label="training compute C = 6ND (FLOPs)",
            y_label=residual_label,
            x_log=True,
            y_log=False,
            series=tuple(by_flops),
        ),
    )
    refs = (law_ref(law),)
    found = Figure(
        planner_version=planner_version(),
        kind="fit",
        title=f"Fit of the {report.form} form to {report.runs.fitted} runs",
        panels=panels,
        laws=refs,
        caption=f"{report.formula}, fitted by `{report.command}`",
        notices=(*report.notices, *notices),
    )
    return sensible(found, "the picture")
