"""Plain-text results: flat rows written as CSV or Markdown, one row per plan or per check.

Owns the column names and their order, and the wording of values (money, checked
quantities, the hardware line) shared with the rich tables in planner.output. Columns of
the hardware and run groups appear when any row has them (a hardware option, or --params
and --tokens); a new column may be added later, and existing ones keep their names and
meaning. Writes to stdout; never imports rich.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable

from planner.output._base import money, sci
from planner.output.streams import clean
from planner.planning.results import Comparison, Plan, SizeCurve

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from planner.check import CheckReport
    from planner.planning.results import HardwareUse

Cell = float | int | str | None
Row = dict[str, Cell]

Column = tuple[str, Callable[[Plan], Cell]]


def _optional(part: str, name: str) -> Callable[[Plan], Cell]:
    """The cell `name` of the plan's `part` (constraints, hardware, run), None without it."""

    def cell(item: Plan) -> Cell:
        value = getattr(item, part)
        return None if value is None else getattr(value, name)

    return cell


PLAN_COLUMNS: tuple[Column, ...] = (
    ("law", lambda item: item.law.id),
    ("flops", lambda item: item.flops),
    ("params", lambda item: item.optimum.params),
    ("tokens", lambda item: item.optimum.tokens),
    ("tokens_per_param", lambda item: item.optimum.tokens_per_param),
    ("loss", lambda item: item.optimum.loss),
)
LIMIT_COLUMNS: tuple[Column, ...] = tuple(
    (name, _optional("constraints", name)) for name in ("binding", "loss_increase")
)
HARDWARE_COLUMNS: tuple[Column, ...] = tuple(
    (name, _optional("hardware", name))
    for name in ("gpu", "mfu", "gpus", "gpu_hours", "days", "price_per_gpu_hour", "cost")
)
RUN_COLUMNS: tuple[Column, ...] = (
    ("run_params", _optional("run", "params")),
    ("run_tokens", _optional("run", "tokens")),
    ("run_tokens_per_param", _optional("run", "tokens_per_param")),
    ("run_loss", _optional("run", "loss")),
    *(
        (name, _optional("run", name))
        for name in (
            "loss_gap",
            "loss_gap_percent",
            "params_ratio",
            "optimal_flops_for_loss",
            "compute_fraction",
        )
    ),
)


def _bound(name: str, end: str) -> Callable[[Plan], Cell]:
    """The `end` (low or high) of the plan's interval on `name`, None without one."""

    def cell(item: Plan) -> Cell:
        band = None if item.intervals is None else getattr(item.intervals, name)
        return None if band is None else getattr(band, end)

    return cell


BUDGET_BOUNDS = ("params", "tokens", "tokens_per_param", "loss")
"""The quantities of a budget's plan with intervals: a stream's interval columns."""
INTERVAL_COLUMNS: tuple[Column, ...] = (
    ("level", lambda item: None if item.intervals is None else item.intervals.level),
    *(
        (f"{name}_{end}", _bound(name, end))
        for name in (*BUDGET_BOUNDS, "run_loss", "flops")
        for end in ("low", "high")
    ),
)
"""Each CSV and Markdown column of a plan, once: its name and how to read it off the plan."""
GROUPS: tuple[tuple[Callable[[Plan], bool], tuple[Column, ...]], ...] = (
    (lambda item: True, PLAN_COLUMNS),
    (lambda item: item.constraints is not None and item.constraints.binding is not None, LIMIT_COLUMNS),
    (lambda item: item.hardware is not None, HARDWARE_COLUMNS),
    (lambda item: item.run is not None, RUN_COLUMNS),
    (lambda item: item.intervals is not None, INTERVAL_COLUMNS),
)
"""Column groups, each shown when any plan of the output has that part."""


def _compute_optimal(name: str) -> Callable[[Plan], Cell]:
    """The cell `name` of an inference-aware plan's compute-optimal plan, None without one."""

    def cell(item: Plan) -> Cell:
        return None if item.inference is None else getattr(item.inference.compute_optimal, name)

    return cell


INFERENCE_COLUMNS: tuple[Column, ...] = (
    *(
        (name, _optional("inference", name))
        for name in (
            "inference_tokens",
            "objective",
            "target_loss",
            "training_flops",
            "inference_flops",
            "total_flops",
        )
    ),
    *(
        (f"compute_optimal_{name}", _compute_optimal(name))
        for name in ("params", "tokens", "tokens_per_param")
    ),
    *(
        (name, _optional("inference", name))
        for name in (
            "compute_optimal_training_flops",
            "compute_optimal_inference_flops",
            "compute_optimal_total_flops",
            "params_fraction",
            "total_flops_fraction",
            "flops_saved",
            "training_cost",
            "inference_cost",
            "total_cost",
            "compute_optimal_total_cost",
        )
    ),
)
"""The lifetime columns of an inference-aware plan: Plan.inference."""
GROUPS += ((lambda item: item.inference is not None, INFERENCE_COLUMNS),)
SIZE_COLUMNS = (
    "law",
    "flops",
    "fraction",
    "params",
    "tokens",
    "tokens_per_param",
    "loss",
    "loss_gap",
    "flops_to_match",
    "compute_overhead",
)
"""The columns of a size curve (`--size-range`), one row per size; then loss_low, loss_high
when the curve has intervals."""
CHECK_COLUMNS = ("check", "quantity", "value", "limit", "result", "margin", "headroom")


def plan_rows(results: Iterable[Plan | Comparison]) -> tuple[list[str], list[Row]]:
    """(columns, rows) with one row per plan; a comparison gives one row per law."""
    plans = [
        item for result in results for item in (result.plans if isinstance(result, Comparison) else (result,))
    ]
    columns = [column for shown, group in GROUPS if any(shown(item) for item in plans) for column in group]
    optional = set(INTERVAL_COLUMNS[1:])  # an interval no plan here has (a run's, a target's FLOPs)
    columns = [c for c in columns if c not in optional or any(c[1](item) is not None for item in plans)]
    return [name for name, _ in columns], [{name: read(item) for name, read in columns} for item in plans]


def size_rows(curves: Iterable[SizeCurve]) -> tuple[list[str], list[Row]]:
    """(columns, rows) with one row per size of each curve."""
    chosen = list(curves)
    banded = any(point.loss_interval is not None for curve in chosen for point in curve.points)
    columns = [*SIZE_COLUMNS, *(("level", "loss_low", "loss_high") if banded else ())]
    rows: list[Row] = []
    for curve in chosen:
        level = None if curve.intervals is None else curve.intervals.level
        for point in curve.points:
            band = point.loss_interval
            row: Row = {"law": curve.law.id, "flops": curve.flops}
            row |= {name: getattr(point, name) for name in SIZE_COLUMNS[2:]}
            if banded:
                row["level"] = level
                row["loss_low"] = None if band is None else band.low
                row["loss_high"] = None if band is None else band.high
            rows.append(row)
    return columns, rows


def check_rows(report: CheckReport) -> tuple[list[str], list[Row]]:
    """(columns, rows) with one row per check."""
    rows: list[Row] = [
        {
            "check": check.name,
            "quantity": check.quantity,
            "value": check.value,
            "limit": check.limit,
            "result": "PASS" if check.passed else "FAIL",
            "margin": check.margin,
            "headroom": check.headroom,
        }
        for check in report.checks
    ]
    return list(CHECK_COLUMNS), rows


def csv_table(columns: list[str], rows: list[Row]) -> None:
    """A header row, then one row per result; numbers in full precision, empty for none."""
    writer = _writer()
    writer.writerow(columns)
    for row in rows:
        writer.writerow(_csv_cells(columns, row))


def stream_columns(*, hardware: bool, compare: bool, intervals: bool = False) -> tuple[Column, ...]:
    """The CSV columns of `--from`, fixed before the first line is read: the plan's, the
    limit columns (a later line may set a cap), the hardware ones with --gpu, and the
    intervals' (the budget ones: level, params, tokens, tokens per parameter, loss) when asked."""
    del compare  # a comparison's rows are plans of the same columns
    budget = ("level", *(f"{name}_{end}" for name in BUDGET_BOUNDS for end in ("low", "high")))
    bounds = tuple(column for column in INTERVAL_COLUMNS if column[0] in budget) if intervals else ()
    return (*PLAN_COLUMNS, *LIMIT_COLUMNS, *(HARDWARE_COLUMNS if hardware else ()), *bounds)


def csv_header(columns: tuple[Column, ...]) -> None:
    """The header row of a streamed CSV."""
    _writer().writerow([name for name, _ in columns])


def csv_rows(columns: tuple[Column, ...], results: Iterable[Plan | Comparison]) -> None:
    """One CSV row per plan of `results` (a comparison gives one per law), no header."""
    readers = [read for _, read in columns]
    plans = [
        item for result in results for item in (result.plans if isinstance(result, Comparison) else (result,))
    ]
    rows = [[_csv_cell(read(item)) for read in readers] for item in plans]
    if not rows:
        return
    text = "\n".join(",".join(row) for row in rows) + "\n"
    plain = text.count(",") == len(rows) * (len(readers) - 1) and text.count("\n") == len(rows)
    if plain and '"' not in text and "\r" not in text:  # no cell csv would quote: its own text
        sys.stdout.write(text)
    else:  # a comma, quote or line break in a cell: csv's quoting
        _writer().writerows(rows)


def _writer() -> Any:
    import csv

    return csv.writer(sys.stdout, lineterminator="\n")


def _csv_cells(columns: list[str], row: Row) -> list[str]:
    return [_csv_cell(row[column]) for column in columns]


def _csv_cell(value: Cell) -> str:
    """A CSV cell: numbers in full precision, empty for none."""
    if type(value) is float:
        return float.__repr__(value)
    return "" if value is None else clean(str(value))


def markdown_table(columns: list[str], rows: list[Row], title: str | None = None) -> None:
    """A GitHub Markdown table (e.g. for a CI job summary), numbers rounded for people."""
    lines = [f"### {title}", ""] if title else []
    lines.append("| " + " | ".join(columns) + " |")
    lines.append("|" + "|".join("---" if column in _TEXT_COLUMNS else "---:" for column in columns) + "|")
    for row in rows:
        lines.append("| " + " | ".join(_cell(column, row[column]) for column in columns) + " |")
    sys.stdout.write(clean("\n".join(lines)) + "\n")


_TEXT_COLUMNS = {"law", "binding", "gpu", "check", "quantity", "result", "objective"}


def _cell(column: str, value: Cell) -> str:
    if value is None:
        return ""
    if not isinstance(value, float):
        return clean(str(value)).replace("|", "\\|")
    column = column.removesuffix("_low").removesuffix("_high")  # an interval's end reads as its quantity
    if column in {"loss", "run_loss", "loss_gap", "loss_increase", "target_loss"}:
        return f"{value:.4f}"
    if column in {"loss_gap_percent", "mfu", "compute_fraction", "headroom", "fraction", "compute_overhead"}:
        return f"{value:.3g}"
    if column in {"params_fraction", "total_flops_fraction", "level"}:
        return f"{value:.3g}"
    return sci(value)


def hardware_line(spent: HardwareUse) -> str:
    """One line on the hardware assumptions behind GPU-hours, days and cost."""
    mfu = "given" if spent.mfu_source == "given" else f"default: {spent.mfu_source}"
    parts = [
        f"hardware: {spent.gpu_name} ({spent.gpu}), {spent.peak_flops_per_second / 1e12:g} TFLOP/s dense "
        f"{spent.precision} peak per GPU x MFU {spent.mfu:g} ({mfu})"
    ]
    if spent.gpus is not None:
        parts.append(f"{spent.gpus:,} GPUs")
    if spent.price_per_gpu_hour is not None:
        parts.append(f"${spent.price_per_gpu_hour:,.2f} per GPU-hour")
    return "; ".join(parts)


def check_value(name: str, value: float) -> str:
    """A checked quantity for people, in its own unit."""
    if name == "max_flops":
        return sci(value)
    if name == "max_gpu_hours":
        return f"{value:,.0f}"
    if name == "max_cost":
        return money(value)
    if name == "max_loss":
        return f"{value:.4f}"
    if name == "max_loss_above_optimum_percent":
        return f"{value:.3g}%"
    return f"{value:.3g}x"


def check_markdown(report: CheckReport) -> None:
    """The check table in GitHub Markdown, for a CI job summary."""
    failed = sum(not check.passed for check in report.checks)
    verdict = "all checks passed" if not failed else f"{failed} of {len(report.checks)} checks failed"
    lines = [
        f"### Budget checks: {report.name or report.spec}: {verdict}",
        "",
        "| check | value | limit | result | margin |",
        "|---|---:|---:|---|---:|",
    ]
    for check in report.checks:
        result = "PASS" if check.passed else "**FAIL**"
        lines.append(
            f"| {check.quantity} | {check_value(check.name, check.value)} | "
            f"{check_value(check.name, check.limit)} | {result} | {check.headroom:+.1%} |"
        )
    lines += ["", f"Law: {report.plan.law.id} ({report.plan.law.citation})."]
    sys.stdout.write(clean("\n".join(lines)) + "\n")
