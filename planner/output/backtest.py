"""The report of `plan backtest`: held-out runs, calibration tables, JSON Lines and CSV.

Owns how backtests look: per backtest its held-out runs (predicted against observed, the
95% interval), its coverage at each level; with several backtests a summary row each and the
coverage pooled over them. Computes nothing but sums (planner.fitting.backtest scores).
"""

from __future__ import annotations

from planner.output._base import count, sci
from planner.output.grid import Screen, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from planner.fitting.backtest import Backtest, Coverage
    from planner.output.tabular import Row


def backtest_json(backtests: Sequence[Backtest]) -> None:
    """One JSON object per backtest (recipe and cut) per line."""
    from planner.output.streams import json_lines

    json_lines(backtests)


CSV_COLUMNS = (
    "recipe",
    "cut",
    "row",
    "params",
    "tokens",
    "flops",
    "loss",
    "predicted",
    "relative_error",
    "decades",
    "log_error",
    "spread",
    "sigma",
)


def backtest_rows(backtests: Sequence[Backtest]) -> tuple[list[str], list[Row]]:
    """(columns, rows): one row per held-out run of each backtest, with its intervals."""
    levels = [band.level for band in backtests[0].runs[0].intervals] if backtests[0].runs else []
    bands = [f"{edge}_{level * 100:g}" for level in levels for edge in ("low", "high", "covered")]
    rows: list[Row] = []
    for test in backtests:
        for run in test.runs:
            row: Row = {"recipe": test.recipe.name, "cut": test.cut, "row": run.row}
            row |= {name: getattr(run, name) for name in CSV_COLUMNS[3:]}
            for band in run.intervals:
                edge = f"{band.level * 100:g}"
                row |= {f"low_{edge}": band.low, f"high_{edge}": band.high}
                row[f"covered_{edge}"] = "true" if band.covered else "false"
            rows.append(row)
    return [*CSV_COLUMNS, *bands], rows


def backtest_csv(backtests: Sequence[Backtest], fmt: str = "csv") -> None:
    """One CSV (or Markdown) row per held-out run of each backtest, with its intervals,
    numbers in full (rounded for people in Markdown)."""
    from planner.output.tabular import csv_table, markdown_table

    columns, rows = backtest_rows(backtests)
    if fmt == "csv":
        csv_table(columns, rows)
    else:
        losses = [name for name in columns if name == "predicted" or name.startswith(("low_", "high_"))]
        for row in rows:  # losses to four decimals, as the table shows them
            row |= {name: f"{row[name]:.4f}" for name in losses if isinstance(row[name], float)}
        markdown_table(columns, rows, text=("recipe",))
    from planner.output.streams import note

    note(
        f"--format {fmt} has one row per held-out run; each cut's fitted parameters, mean errors and "
        "coverage, and each run's intervals from the parameters alone, are in --format json"
    )


def backtest_tables(backtests: Sequence[Backtest], pooled: Sequence[Coverage], *, summary: bool) -> None:
    """The backtests for people: each one's runs and coverage, then a summary of them all."""
    screen = Screen()
    first = backtests[0]
    if not summary:
        for test in backtests:
            _one(screen, test)
    if summary or len(backtests) > 1:
        _summary(screen, backtests)
        if pooled:
            title = f"Calibration: held-out runs inside their intervals, over the {len(backtests)} backtests"
            _coverage_table(screen, pooled, title, first.model_error is not None)
    _method(screen, backtests)


def _one(screen: Screen, test: Backtest) -> None:
    screen.line(
        f"{test.recipe.name} fit of the {test.fitted} runs below {sci(test.cut)} FLOPs in {test.source}, "
        f"predicting the {test.held_out} at or above it"
    )
    table = Table()
    for name in ("row", "params", "FLOPs", "loss", "predicted", "error"):
        table.column(name)
    top = test.runs[0].intervals[-1].level if test.runs and test.runs[0].intervals else None
    if top is not None:
        table.column(f"{top:.0%} interval")
        table.column("in", right=False)
    for run in test.runs:
        cells = [
            str(run.row),
            count(run.params),
            sci(run.flops),
            f"{run.loss:.4f}",
            f"{run.predicted:.4f}",
            f"{run.relative_error:+.2%}",
        ]
        if run.intervals:
            band = run.intervals[-1]
            cells += [f"{band.low:.3f} to {band.high:.3f}", "yes" if band.covered else "no"]
        table.row(*cells)
    screen.table(table)
    beyond = [run.decades for run in test.runs]
    screen.line(
        f"error: mean absolute {test.mean_abs_error:.2%}, mean {test.mean_error:+.2%} (above 0: the fit "
        f"over-predicts), RMS log {test.rms_log_error:.3g}; the runs lie {min(beyond):.2f} to "
        f"{max(beyond):.2f} decades of compute beyond the largest fitted run ({sci(test.largest_fitted_flops)})"
    )
    if test.coverage:
        _coverage_table(screen, test.coverage, "", test.model_error is not None)


def _coverage_table(screen: Screen, rows: Sequence[Coverage], title: str, model_error: bool) -> None:
    if title:
        screen.line(title)
    table = Table()
    table.column("nominal")
    table.column("runs")
    both = model_error and any(row.parameter_covered is not None for row in rows)
    if both:
        table.column("bootstrap only")
    table.column("with model error" if model_error else "bootstrap only")
    for row in rows:
        cells = [f"{row.level:.0%}", str(row.runs)]
        if both:
            cells.append(_share(row.parameter_covered, row.parameter_fraction))
        cells.append(_share(row.covered, row.fraction))
        table.row(*cells)
    screen.table(table)


def _share(covered: int | None, fraction: float | None) -> str:
    if covered is None or fraction is None:
        return ""
    return f"{covered} ({fraction:.0%})"


def _summary(screen: Screen, backtests: Sequence[Backtest]) -> None:
    screen.line("Summary: error on the held-out runs, and the share inside each interval")
    table = Table()
    for name in ("recipe", "cut", "fitted", "held out", "mean abs error", "mean error"):
        table.column(name, right=name != "recipe")
    levels = [c.level for c in backtests[0].coverage]
    for level in levels:
        table.column(f"{level:.0%}")
    for test in backtests:
        table.row(
            test.recipe.name,
            sci(test.cut),
            str(test.fitted),
            str(test.held_out),
            f"{test.mean_abs_error:.2%}",
            f"{test.mean_error:+.2%}",
            *(f"{c.fraction:.0%}" for c in test.coverage),
        )
    screen.table(table)


def _method(screen: Screen, backtests: Sequence[Backtest]) -> None:
    test = backtests[0]
    methods = {entry.recipe.name: entry.recipe.method for entry in backtests}
    screen.line("recipes: " + "; ".join(f"{name}, {method}" for name, method in methods.items()))
    if test.bootstrap:
        draws = f"{test.bootstrap} bootstrap refits of the fitted runs (seed {test.seed})"
    else:
        draws = "the point fit alone (--bootstrap 0)"
    error = test.model_error
    if error is not None:
        screen.line(
            f"intervals: {draws}, each with a normal model error on log loss, {error.formula} "
            f"(k = {error.per_decade:.4g} per decade; s: the fit's RMS log residual; x: decades of "
            "compute beyond the largest fitted run)"
        )
    elif test.bootstrap:
        screen.line(f"intervals: percentiles of {draws}, without a model error (--model-error none)")
    else:
        screen.line("intervals: none (--bootstrap 0 and --model-error none)")
