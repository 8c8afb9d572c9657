"""The report of `plan fit`: fitted parameters with intervals, the plan at a budget, the
held-out runs, and the report as one JSON object.
"""

from __future__ import annotations

from planner.output._base import count, interval_row, sci, span
from planner.output.grid import Screen, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from planner.fitting.report import FitReport


def fit_json(report: FitReport) -> None:
    """The fit report as one compact JSON object on one line."""
    from planner.output.jsonl import plain
    from planner.output.streams import _json_line

    _json_line(plain(report))


def fit_tables(report: FitReport) -> None:
    """The fit report for people: parameters, how the fit went, the plan, the holdout."""
    runs, method = report.runs, report.method
    screen = Screen()
    screen.line(f"{report.form} fit to {runs.source}: {runs.fitted} of {runs.count} runs")
    table = Table()
    table.column("param", right=False)
    table.column("estimate")
    table.column("std. error")
    level = report.bootstrap.level if report.bootstrap else 0.95
    table.column(f"{level:.0%} interval", wrap=True)
    for estimate in report.params:
        table.row(
            estimate.name,
            f"{estimate.value:.6g}",
            f"{estimate.stderr:.4g}" if estimate.stderr is not None else "",
            span(*estimate.interval, show=lambda v: f"{v:.4g}") if estimate.interval else "",
        )
    screen.table(table)
    screen.line(f"form: {report.formula}")
    state = "converged" if method.converged else "NOT converged"
    envelope = f", runs above the curve weighted {method.asymmetric:g}x" if method.asymmetric else ""
    screen.line(
        f"fit: Huber loss (delta {method.delta:g}) on log loss{envelope}, {method.starts:,} starts; "
        f"objective {method.objective:.6g}, {state} (projected gradient {method.projected_gradient:.2g})"
    )
    if report.bootstrap is not None:
        boot = report.bootstrap
        screen.line(
            f"bootstrap: {boot.resamples} resamples (seed {boot.seed}), {boot.converged} converged; "
            f"intervals are percentiles of the refits"
        )
    else:
        screen.line("bootstrap: none (--bootstrap 0), so no standard errors or intervals")
    res = report.residuals
    screen.line(
        f"residuals, log(predicted / observed loss) over {res.runs} runs: RMS {res.rms:.3g}, "
        f"median {res.median:.2g}, largest {res.max_abs:.3g}"
    )
    ranges = "; ".join(
        f"{name} {sci(low)} to {sci(high)}" for name, (low, high) in report.fitted_range.bounds().items()
    )
    screen.line(f"fitted range: {ranges or report.fitted_range.note}")
    if report.plan is not None:
        _budget_table(screen, report)
    if report.holdout is not None:
        _holdout_table(screen, report)
    if report.isoflop is not None:
        _isoflop_table(screen, report)
    if report.law_file is not None:
        screen.line(
            f"law file: {report.law_file}; plan with it: plan --flops {sci(report.plan.flops) if report.plan else '1e22'} "
            f"--law {_as_path(report.law_file)}"
        )


def _as_path(name: str) -> str:
    """A law file name as `--law` takes it: with a folder, so it is not read as an id."""
    return name if "/" in name else f"./{name}"


def _budget_table(screen: Screen, report: FitReport) -> None:
    plan = report.plan
    assert plan is not None
    screen.line(f"Compute-optimal plan under the fit at {sci(plan.flops)} FLOPs")
    table = Table()
    for name in ("FLOPs", "params", "tokens", "tokens/param", "loss"):
        table.column(name)
    best = plan.optimum
    table.row(
        sci(plan.flops),
        count(best.params),
        count(best.tokens),
        f"{best.tokens_per_param:.3g}",
        f"{best.loss:.4f}",
    )
    if plan.intervals is not None:
        table.row(*interval_row(plan.intervals))
    screen.table(table)
    if plan.intervals is not None:
        screen.line(f"intervals: {plan.intervals.method}")


def _isoflop_table(screen: Screen, report: FitReport) -> None:
    iso = report.isoflop
    assert iso is not None
    screen.line(
        f"Approach 2: the minimum of a parabola in log N at each of {len(iso.budgets)} budgets "
        f"(runs within {iso.tolerance:.0%} of its FLOPs)"
    )
    table = Table()
    for name in ("FLOPs", "runs", "sizes", "params", "tokens", "tokens/param", "loss"):
        table.column(name)
    for budget in iso.budgets:
        table.row(
            sci(budget.flops),
            str(budget.runs),
            str(budget.sizes),
            count(budget.params),
            count(budget.tokens),
            f"{budget.tokens / budget.params:.3g}",
            f"{budget.loss:.4f}",
        )
    screen.table(table)
    spread = f"{iso.level:.0%} interval"
    for label, law in (("params", iso.params), ("tokens", iso.tokens)):
        interval = f" ({spread} {law.interval[0]:.3f} to {law.interval[1]:.3f})" if law.interval else ""
        screen.line(f"approach 2: {label}_opt = {law.coefficient:.4g} x FLOPs^{law.exponent:.4f}{interval}")
    used = f"{iso.resamples_used} of {iso.resamples} resamples of the parabolas' residuals"
    screen.line(
        f"approach 2 bootstrap: {used} had every minimum inside its sizes; intervals are their percentiles"
        if iso.resamples
        else "approach 2 bootstrap: none (--bootstrap 0), so no intervals"
    )
    if iso.left_out:
        screen.line(f"approach 2 left out {iso.left_out} runs near none of the budgets")


def _holdout_table(screen: Screen, report: FitReport) -> None:
    holdout = report.holdout
    assert holdout is not None
    screen.line(
        f"Holdout: the {len(holdout.runs)} largest-compute runs, predicted by a fit to the other {holdout.fitted}"
    )
    table = Table()
    for name in ("row", "params", "tokens", "FLOPs", "loss", "predicted", "error"):
        table.column(name)
    for run in holdout.runs:
        table.row(
            str(run.row),
            count(run.params),
            count(run.tokens),
            sci(run.flops),
            f"{run.loss:.4f}",
            f"{run.predicted:.4f}",
            f"{run.relative_error:+.2%}",
        )
    screen.table(table)
    screen.line(
        f"holdout: RMS log residual {holdout.rms_log_residual:.3g}, largest error {holdout.max_abs_relative_error:.2%}; "
        "fitted without them: " + ", ".join(f"{e.name} {e.value:.4g}" for e in holdout.params)
    )


def fit_row(report: FitReport) -> dict[str, object]:
    """The fit as one flat row, for `--format csv` and `markdown` (planner.output.flat): a
    file of rows, one a fit, compares fits. Each parameter is NAME, NAME_stderr, NAME_low and
    NAME_high; then the residuals, the fitted range, the plan at --budget and the holdout's
    summary. What a row cannot hold (the covariance, each held-out run, the isoFLOP budgets)
    is named by `fit_left_out`."""
    runs = report.runs
    row: dict[str, object] = {"form": report.form, "source": runs.source, "runs": runs.count}
    row["fitted"] = runs.fitted
    for estimate in report.params:
        low, high = estimate.interval if estimate.interval is not None else (None, None)
        row |= {estimate.name: estimate.value, f"{estimate.name}_stderr": estimate.stderr}
        row |= {f"{estimate.name}_low": low, f"{estimate.name}_high": high}
    if report.bootstrap is not None:
        row |= {"level": report.bootstrap.level, "resamples": report.bootstrap.resamples}
        row |= {"converged": report.bootstrap.converged, "seed": report.bootstrap.seed}
    residuals = report.residuals
    row |= {"residual_rms": residuals.rms, "residual_median": residuals.median}
    row["residual_max_abs"] = residuals.max_abs
    for name, (low, high) in report.fitted_range.bounds().items():
        row |= {f"fitted_{name}_low": low, f"fitted_{name}_high": high}
    if report.plan is not None:
        best = report.plan.optimum
        row |= {"plan_flops": report.plan.flops, "plan_params": best.params, "plan_tokens": best.tokens}
        row |= {"plan_tokens_per_param": best.tokens_per_param, "plan_loss": best.loss}
        bounds = report.plan.intervals
        for name in ("params", "tokens", "loss"):
            interval = getattr(bounds, name) if bounds is not None else None
            if interval is not None:
                row |= {f"plan_{name}_low": interval.low, f"plan_{name}_high": interval.high}
    if report.holdout is not None:
        held = report.holdout
        row |= {"holdout_fitted": held.fitted, "holdout_runs": len(held.runs)}
        row |= {"holdout_rms_log_residual": held.rms_log_residual}
        row["holdout_max_abs_relative_error"] = held.max_abs_relative_error
    row["law_file"] = report.law_file
    return row


def fit_left_out(report: FitReport) -> list[str]:
    """The parts of the report a row leaves to --json."""
    left = ["covariance"] if report.covariance is not None else []
    left += ["holdout.runs", "holdout.params"] if report.holdout is not None else []
    left += ["isoflop"] if report.isoflop is not None else []
    return left
