"""The report of `plan fit`: fitted parameters with intervals, the plan at a budget, the
held-out runs, and the report as one JSON object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from planner.output._base import count, interval_row, new_console, sci, span
from planner.output.streams import _json_line, plain

if TYPE_CHECKING:
    from rich.console import Console

    from planner.fitting.report import FitReport


def fit_json(report: FitReport) -> None:
    """The fit report as one compact JSON object on one line."""
    _json_line(plain(report))


def fit_tables(report: FitReport) -> None:
    """The fit report for people: parameters, how the fit went, the plan, the holdout."""
    from rich.table import Table

    runs, method = report.runs, report.method
    console = new_console()
    console.print(f"{report.form} fit to {runs.source}: {runs.fitted} of {runs.count} runs", soft_wrap=True)
    table = Table()
    table.add_column("param")
    table.add_column("estimate", justify="right")
    table.add_column("std. error", justify="right")
    level = report.bootstrap.level if report.bootstrap else 0.95
    table.add_column(f"{level:.0%} interval", justify="right")
    for estimate in report.params:
        table.add_row(
            estimate.name,
            f"{estimate.value:.6g}",
            f"{estimate.stderr:.4g}" if estimate.stderr is not None else "",
            span(*estimate.interval, show=lambda v: f"{v:.4g}") if estimate.interval else "",
        )
    console.print(table)
    console.print(f"form: {report.formula}", soft_wrap=True)
    state = "converged" if method.converged else "NOT converged"
    envelope = f", runs above the curve weighted {method.asymmetric:g}x" if method.asymmetric else ""
    console.print(
        f"fit: Huber loss (delta {method.delta:g}) on log loss{envelope}, {method.starts:,} starts; "
        f"objective {method.objective:.6g}, {state} (projected gradient {method.projected_gradient:.2g})",
        soft_wrap=True,
    )
    if report.bootstrap is not None:
        boot = report.bootstrap
        console.print(
            f"bootstrap: {boot.resamples} resamples (seed {boot.seed}), {boot.converged} converged; "
            f"intervals are percentiles of the refits",
            soft_wrap=True,
        )
    else:
        console.print("bootstrap: none (--bootstrap 0), so no standard errors or intervals", soft_wrap=True)
    res = report.residuals
    console.print(
        f"residuals, log(predicted / observed loss) over {res.runs} runs: RMS {res.rms:.3g}, "
        f"median {res.median:.2g}, largest {res.max_abs:.3g}",
        soft_wrap=True,
    )
    ranges = "; ".join(
        f"{name} {sci(low)} to {sci(high)}" for name, (low, high) in report.fitted_range.bounds().items()
    )
    console.print(f"fitted range: {ranges or report.fitted_range.note}", soft_wrap=True)
    if report.plan is not None:
        _budget_table(console, report)
    if report.holdout is not None:
        _holdout_table(console, report)
    if report.law_file is not None:
        console.print(
            f"law file: {report.law_file}; plan with it: plan --flops {sci(report.plan.flops) if report.plan else '1e22'} "
            f"--law {_as_path(report.law_file)}",
            soft_wrap=True,
        )


def _as_path(name: str) -> str:
    """A law file name as `--law` takes it: with a folder, so it is not read as an id."""
    return name if "/" in name else f"./{name}"


def _budget_table(console: Console, report: FitReport) -> None:
    from rich.table import Table

    plan = report.plan
    assert plan is not None
    console.print(f"Compute-optimal plan under the fit at {sci(plan.flops)} FLOPs", soft_wrap=True)
    table = Table()
    for name in ("FLOPs", "params", "tokens", "tokens/param", "loss"):
        table.add_column(name, justify="right")
    best = plan.optimum
    table.add_row(
        sci(plan.flops),
        count(best.params),
        count(best.tokens),
        f"{best.tokens_per_param:.3g}",
        f"{best.loss:.4f}",
    )
    if plan.intervals is not None:
        table.add_row(*interval_row(plan.intervals))
    console.print(table)
    if plan.intervals is not None:
        console.print(f"intervals: {plan.intervals.method}", soft_wrap=True)


def _holdout_table(console: Console, report: FitReport) -> None:
    from rich.table import Table

    holdout = report.holdout
    assert holdout is not None
    console.print(
        f"Holdout: the {len(holdout.runs)} largest-compute runs, predicted by a fit to the other {holdout.fitted}",
        soft_wrap=True,
    )
    table = Table()
    for name in ("row", "params", "tokens", "FLOPs", "loss", "predicted", "error"):
        table.add_column(name, justify="right")
    for run in holdout.runs:
        table.add_row(
            str(run.row),
            count(run.params),
            count(run.tokens),
            sci(run.flops),
            f"{run.loss:.4f}",
            f"{run.predicted:.4f}",
            f"{run.relative_error:+.2%}",
        )
    console.print(table)
    console.print(
        f"holdout: RMS log residual {holdout.rms_log_residual:.3g}, largest error {holdout.max_abs_relative_error:.2%}; "
        "fitted without them: " + ", ".join(f"{e.name} {e.value:.4g}" for e in holdout.params),
        soft_wrap=True,
    )
