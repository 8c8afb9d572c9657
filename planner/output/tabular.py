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
from planner.output.streams import clean, plan_block
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
            "compute_overhead",
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
        for name in (*BUDGET_BOUNDS, "parameter_loss", "run_loss", "flops", "gpu_hours", "days", "cost")
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
            "cost_saved",
            "inference_mfu",
        )
    ),
)
"""The lifetime columns of an inference-aware plan: Plan.inference."""
GROUPS += ((lambda item: item.inference is not None, INFERENCE_COLUMNS),)


def _part(*path: str) -> Callable[[Plan], Cell]:
    """The cell at `path` (attribute names) below the plan, None where a step is missing."""

    def cell(item: Plan) -> Cell:
        value: Any = item
        for name in path:
            value = getattr(value, name)
            if value is None:
                return None
        if type(value) is bool:  # as JSON spells it
            return "true" if value else "false"
        return value  # type: ignore[no-any-return]

    return cell


CAP_COLUMNS: tuple[Column, ...] = (
    ("max_params", _part("constraints", "max_params")),
    ("max_tokens", _part("constraints", "max_tokens")),
    *(
        (f"unconstrained_{name}", _part("constraints", "unconstrained", name))
        for name in ("params", "tokens", "tokens_per_param", "loss")
    ),
)
"""The caps of a plan (its max_params and max_tokens), and the plan without them."""
DATA_COLUMNS: tuple[Column, ...] = (
    *(
        (name, _part("data", name))
        for name in (
            "unique_tokens",
            "epochs",
            "effective_tokens",
            "effective_params",
            "saturation_tokens",
            "loss_penalty",
            "loss_per_ln_flops",
            "unlimited_loss_per_ln_flops",
            "returns",
        )
    ),
    *(
        (f"unlimited_{name}", _part("data", "unlimited", name))
        for name in ("params", "tokens", "tokens_per_param", "loss")
    ),
    ("R_D_star", _part("data", "R_D_star")),
    ("R_N_star", _part("data", "R_N_star")),
)
"""A plan with limited unique data (Plan.data): epochs, effective data, the unlimited plan."""
REPEATED_COLUMNS: tuple[Column, ...] = (
    ("repeated_fraction", _part("repeated_subset", "fraction")),
    ("repeats", _part("repeated_subset", "repeats")),
    ("subset_tokens", _part("repeated_subset", "subset_tokens")),
    ("repeated_tokens", _part("repeated_subset", "repeated_tokens")),
    ("repeated_token_share", _part("repeated_subset", "token_share")),
)
"""A repeated subset (Plan.repeated_subset), named as its options are."""
TRANSFER_NUMBERS = (
    "finetune_chars",
    "finetune_tokens",
    "chars_per_token",
    "transferred",
    "effective",
    "multiplier",
    "fraction_transferred",
)
"""A transfer estimate's numbers under their JSON names, but its N: the columns of a plan's
fine-tune here, and of `plan transfer` (after `law` and `params`, planner.output.transfer)."""

FINETUNE_COLUMNS: tuple[Column, ...] = (
    ("finetune_mode", _part("finetune", "mode")),
    ("finetune_law", _part("finetune", "transfer", "law", "id")),
    *(
        (name if name.startswith("finetune_") else f"finetune_{name}", _part("finetune", "transfer", name))
        for name in TRANSFER_NUMBERS
    ),
    ("finetune_effective_tokens", _part("finetune", "effective_tokens")),
    ("finetune_loss_from_scratch", _part("finetune", "loss_from_scratch")),
)
"""A fine-tune priced beside the plan (Plan.finetune, its transfer estimate flattened)."""
INVERSE_COLUMNS: tuple[Column, ...] = (
    ("inverse_given", _part("inverse", "given")),
    ("inverse_value", _part("inverse", "value")),
)
"""What an inverse question gave (--target-loss, --params or --tokens alone) and its value."""
RECIPE_COLUMNS: tuple[Column, ...] = (
    ("recipe_seq_len", _part("recipe", "seq_len")),
    ("recipe_vocab", _part("recipe", "vocab")),
    *(
        (f"recipe_{name}_{end}", _part("recipe", name, end))
        for name in ("learning_rate", "batch_tokens", "steps")
        for end in ("low", "high")
    ),
    ("recipe_memory_fits", _part("recipe", "memory", "fits")),
    *(
        (f"recipe_{name}", _part("recipe", "memory", "split", name))
        for name in ("data_parallel", "tensor_parallel", "pipeline_parallel")
    ),
    ("recipe_memory_total", _part("recipe", "memory", "memory", "total")),
    ("recipe_memory_headroom", _part("recipe", "memory", "headroom")),
    ("recipe_tokens_per_second", _part("recipe", "time", "tokens_per_second")),
    ("recipe_days", _part("recipe", "time", "days")),
)
"""A recipe's ranges over its hyper-parameter laws; its shapes are columns of their own."""
SHAPE_FIELDS = ("n_layer", "d_model", "n_heads", "n_kv_heads", "d_ff")
"""The columns of each candidate shape of a recipe: shape_1_n_layer, ..., shape_1_params."""
PEAK_COLUMNS: tuple[Column, ...] = (
    ("peak_flops_per_second", _optional("hardware", "peak_flops_per_second")),
)
"""The chip's dense peak behind the hardware columns (after the first columns, which keep their
places)."""
ATTENTION_COLUMNS: tuple[Column, ...] = (
    ("flop_convention", _part("flop_convention")),
    *(
        (f"attention_{name}", _part("attention", name))
        for name in (
            "seq_len",
            "aspect_ratio",
            "n_layer",
            "d_model",
            "flops_per_token",
            "attention_per_token",
        )
    ),
    ("law_flops", _part("attention", "law_flops")),
)
"""A budget that counts attention (--flop-convention 6N+attn): what priced it (Plan.attention)."""
CRITICAL_COLUMNS: tuple[Column, ...] = (
    ("critical_batch_factor", _part("critical_batch", "factor")),
    ("minimum_flops", _part("critical_batch", "minimum_flops")),
)
"""A budget at the critical batch under Kaplan's C_min law (--kaplan-compute critical)."""
CONVERSION_COLUMNS: tuple[Column, ...] = tuple(
    (f"conversion_{name}", _part("params_conversion", name))
    for name in ("given", "law_counts", "rule", "vocab", "optimum_params", "asked_params")
)
"""Sizes converted to the law's count (--param-convention): Plan.params_conversion."""
RUN_DATA_COLUMNS: tuple[Column, ...] = tuple(
    (f"run_{name}", _part("run", name))
    for name in ("unique_tokens", "epochs", "loss_unlimited_data", "data_penalty")
)
"""A given run on limited unique data: its repeats and what they cost."""
LIFETIME_COLUMNS: tuple[Column, ...] = (
    ("size_given", _part("inference", "size_given")),
    *(
        (f"lifetime_optimal_{name}", _part("inference", "lifetime_optimal", name))
        for name in ("params", "tokens", "tokens_per_param", "loss")
    ),
    ("lifetime_optimal_total_flops", _part("inference", "lifetime_optimal_total_flops")),
)
"""Serving a given size (lifetime inference at given params): the size the objective would choose."""
MOE_COLUMNS: tuple[Column, ...] = tuple(
    (f"moe_{name}", _part("mixture_of_experts", name))
    for name in ("experts", "granularity", "total_params", "run_total_params")
)
"""A fine-grained MoE plan: Plan.mixture_of_experts."""
GROUPS += (
    (lambda item: item.attention is not None, ATTENTION_COLUMNS),
    (lambda item: item.critical_batch is not None, CRITICAL_COLUMNS),
    (lambda item: item.params_conversion is not None, CONVERSION_COLUMNS),
    (lambda item: item.run is not None and item.run.unique_tokens is not None, RUN_DATA_COLUMNS),
    (lambda item: item.inference is not None, LIFETIME_COLUMNS),
    (lambda item: item.mixture_of_experts is not None, MOE_COLUMNS),
)
GROUPS += (
    (lambda item: item.hardware is not None, PEAK_COLUMNS),
    (lambda item: item.constraints is not None, CAP_COLUMNS),
    (lambda item: item.data is not None, DATA_COLUMNS),
    (lambda item: item.repeated_subset is not None, REPEATED_COLUMNS),
    (lambda item: item.finetune is not None, FINETUNE_COLUMNS),
    (lambda item: item.inverse is not None, INVERSE_COLUMNS),
    (lambda item: item.recipe is not None, RECIPE_COLUMNS),
)
OPTIONAL_COLUMNS = frozenset(
    name
    for name, _ in (*INTERVAL_COLUMNS[1:], *CAP_COLUMNS, *DATA_COLUMNS, *FINETUNE_COLUMNS, *RECIPE_COLUMNS)
)
"""Columns left out when no row has a value (an interval no plan has, a cap not given)."""
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
    """(columns, rows) with one row per plan; a comparison gives one row per law, each with
    the comparison's domain and spread."""
    pairs = [
        (item, result if isinstance(result, Comparison) else None)
        for result in results
        for item in (result.plans if isinstance(result, Comparison) else (result,))
    ]
    plans = [item for item, _ in pairs]
    columns = [column for shown, group in GROUPS if any(shown(item) for item in plans) for column in group]
    columns = [
        c for c in columns if c[0] not in OPTIONAL_COLUMNS or any(c[1](item) is not None for item in plans)
    ]
    columns += _extra_columns(plans)
    rows = [{name: read(item) for name, read in columns} for item in plans]
    if any(within is not None for _, within in pairs):
        for row, (_, within) in zip(rows, pairs, strict=True):
            row["domain"] = None if within is None else within.domain
            row["spread_params"] = None if within is None else within.spread.params
            row["spread_tokens"] = None if within is None else within.spread.tokens
        columns += [("domain", _nothing), ("spread_params", _nothing), ("spread_tokens", _nothing)]
    return [name for name, _ in columns], rows


def _nothing(item: Plan) -> Cell:
    return None


def _extra_columns(plans: list[Plan]) -> list[Column]:
    """Columns that depend on the plans: each natural unit's (images, videos), the loss at
    convergence, and each candidate shape of a recipe."""
    extra: list[Column] = []
    units = dict.fromkeys(amount.unit for item in plans for amount in item.natural_units)
    for unit in units:
        for name, field in ((f"{unit}s", "count"), (f"tokens_per_{unit}", "tokens_per_unit")):
            extra.append((name, _natural(unit, field)))
        extra.append((f"loss_per_{unit}", _natural(unit, "loss_per_unit")))
    if any(item.converged_loss is not None for item in plans):
        extra.append(("converged_loss", _part("converged_loss")))
    suites = max((len(item.average_top1_error_proxy) for item in plans), default=0)
    for rank in range(suites):  # an over-training law's average top-1 error proxies, one per suite
        for name in ("tasks", "error", "run_error"):
            extra.append((f"error_proxy_{rank + 1}_{name}", _proxy(rank, name)))
    shapes = max((len(item.recipe.shapes) for item in plans if item.recipe is not None), default=0)
    for rank in range(shapes):
        extra += [(f"shape_{rank + 1}_{name}", _shape(rank, name)) for name in SHAPE_FIELDS]
        extra.append((f"shape_{rank + 1}_params", _shape(rank, "params")))
        extra.append((f"shape_{rank + 1}_like", _shape(rank, "like")))
    return extra


def _proxy(rank: int, name: str) -> Callable[[Plan], Cell]:
    """A field of the plan's average top-1 error proxy `rank` (its suite's task count, the error)."""

    def cell(item: Plan) -> Cell:
        proxies = item.average_top1_error_proxy
        return getattr(proxies[rank], name) if rank < len(proxies) else None

    return cell


def _natural(unit: str, field: str) -> Callable[[Plan], Cell]:
    def cell(item: Plan) -> Cell:
        for amount in item.natural_units:
            if amount.unit == unit:
                return getattr(amount, field)  # type: ignore[no-any-return]
        return None

    return cell


def _shape(rank: int, name: str) -> Callable[[Plan], Cell]:
    """A field of a recipe's candidate shape `rank` (its total params, the family it is like)."""

    def cell(item: Plan) -> Cell:
        if item.recipe is None or rank >= len(item.recipe.shapes):
            return None
        candidate = item.recipe.shapes[rank]
        if name == "params":
            return candidate.shape.params.total
        if name == "like":
            return candidate.family.name
        return getattr(candidate.shape, name)  # type: ignore[no-any-return]

    return cell


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


def stream_columns(
    *, hardware: bool, compare: bool, intervals: bool = False, data: dict[str, Any] | None = None
) -> tuple[Column, ...]:
    """The CSV columns of `--from`, fixed before the first line is read: the plan's, the
    limit columns (a later line may set a cap), the hardware ones with --gpu, the intervals'
    (the budget ones: level, params, tokens, tokens per parameter, loss, the loss from the
    parameters alone) when asked, and those of limited or repeated data when `data` (the
    keywords of the plans) sets them."""
    del compare  # a comparison's rows are plans of the same columns
    names = (*BUDGET_BOUNDS, "parameter_loss")
    budget = ("level", *(f"{name}_{end}" for name in names for end in ("low", "high")))
    bounds = tuple(column for column in INTERVAL_COLUMNS if column[0] in budget) if intervals else ()
    given = data or {}
    limited = DATA_COLUMNS if given.get("unique_tokens") is not None else ()
    repeated = REPEATED_COLUMNS if given.get("repeated_fraction") is not None else ()
    return (
        *PLAN_COLUMNS,
        *LIMIT_COLUMNS,
        *(HARDWARE_COLUMNS if hardware else ()),
        *bounds,
        *(PEAK_COLUMNS if hardware else ()),
        *limited,
        *repeated,
    )


_noted: set[str] = set()
"""The parts a stream has noted it leaves out, each once."""
_noted_laws: set[int] = set()
"""The laws (their shared references, by id) whose plans a stream has looked at."""


def _note_unstreamed(item: Plan) -> None:
    for part, present in _UNSTREAMED.items():
        if part not in _noted and present(item):
            _noted.add(part)
            from planner.output.streams import note

            note(f"--from with --format csv leaves out {part}; --json has them")


def csv_header(columns: tuple[Column, ...]) -> None:
    """The header row of a streamed CSV, which starts a stream: no part noted yet."""
    _noted.clear()
    _noted_laws.clear()
    _writer().writerow([name for name, _ in columns])


_UNSTREAMED: dict[str, Callable[[Plan], bool]] = {
    "natural units (images, videos)": lambda item: bool(item.natural_units),
    "the loss at convergence": lambda item: item.converged_loss is not None,
}
"""Parts a line's law may add to a plan that a stream's fixed columns do not carry."""


def csv_rows(columns: tuple[Column, ...], results: Iterable[Plan | Comparison]) -> None:
    """One CSV row per plan of `results` (a comparison gives one per law), no header; a
    note on stderr, once, for a part of a plan the columns leave out. A stream's block of
    free plans (planner.planning.blocks) is written from a template of its model's row."""
    block = plan_block(results)
    if block is not None:
        if len(block):
            _note_law(block.model)
            from planner.output.templates import csv_lines

            for text in csv_lines(block, columns, csv_cell, lambda plan: _rows_text(columns, [plan])):
                sys.stdout.write(text)
        return
    plans = [
        item for result in results for item in (result.plans if isinstance(result, Comparison) else (result,))
    ]
    for item in plans:
        _note_law(item)
    sys.stdout.write(_rows_text(columns, plans))


def _note_law(item: Plan) -> None:
    """The notes on the parts a plan's law adds that the columns leave out, once a law
    (what a part holds follows from the law)."""
    if id(item.law) not in _noted_laws:
        _noted_laws.add(id(item.law))
        _note_unstreamed(item)


def _rows_text(columns: tuple[Column, ...], plans: list[Plan]) -> str:
    """The CSV rows of `plans`: their cells joined, or csv's quoting where a cell needs it."""
    readers = [read for _, read in columns]
    rows = [[csv_cell(read(item)) for read in readers] for item in plans]
    if not rows:
        return ""
    text = "\n".join(",".join(row) for row in rows) + "\n"
    plain = text.count(",") == len(rows) * (len(readers) - 1) and text.count("\n") == len(rows)
    if plain and '"' not in text and "\r" not in text:  # no cell csv would quote: its own text
        return text
    import io

    out = io.StringIO()
    _writer(out).writerows(rows)  # a comma, quote or line break in a cell: csv's quoting
    return out.getvalue()


def _writer(stream: Any = None) -> Any:
    """A csv writer of rows to `stream` (stdout unless given)."""
    import csv

    return csv.writer(sys.stdout if stream is None else stream, lineterminator="\n")


def _csv_cells(columns: list[str], row: Row) -> list[str]:
    return [csv_cell(row[column]) for column in columns]


def csv_cell(value: Cell) -> str:
    """A CSV cell: numbers in full precision, empty for none."""
    if type(value) is float:
        return float.__repr__(value)
    return "" if value is None else clean(str(value))


def markdown_table(
    columns: list[str], rows: list[Row], title: str | None = None, text: Iterable[str] = ()
) -> None:
    """A GitHub Markdown table (e.g. for a CI job summary), numbers rounded for people; the
    columns of words (and those in `text`) aligned left."""
    lines = [f"### {title}", ""] if title else []
    words = _TEXT_COLUMNS | set(text)
    lines.append("| " + " | ".join(columns) + " |")
    lines.append("|" + "|".join("---" if column in words else "---:" for column in columns) + "|")
    for row in rows:
        lines.append("| " + " | ".join(_cell(column, row[column]) for column in columns) + " |")
    sys.stdout.write(clean("\n".join(lines)) + "\n")


_TEXT_COLUMNS = {
    "law",
    "binding",
    "gpu",
    "check",
    "quantity",
    "result",
    "objective",
    "domain",
    "finetune_mode",
    "finetune_law",
    "inverse_given",
    "recipe_memory_fits",
}
_LOSSES = {
    "loss",
    "plan_loss",
    "run_loss",
    "loss_gap",
    "loss_increase",
    "target_loss",
    "parameter_loss",
    "unconstrained_loss",
    "unlimited_loss",
    "loss_penalty",
    "converged_loss",
    "finetune_loss_from_scratch",
}
"""Columns Markdown shows to four decimals, as the tables show a loss."""
_SHARES = {
    "loss_gap_percent",
    "mfu",
    "compute_fraction",
    "headroom",
    "fraction",
    "compute_overhead",
    "params_fraction",
    "total_flops_fraction",
    "level",
    "inference_mfu",
    "epochs",
    "returns",
    "repeated_fraction",
    "repeated_token_share",
    "finetune_multiplier",
    "finetune_fraction_transferred",
    "loss_per_ln_flops",
    "unlimited_loss_per_ln_flops",
    "R_D_star",
    "R_N_star",
}
"""Columns Markdown shows to three significant figures, without an exponent where it can."""


def _cell(column: str, value: Cell) -> str:
    if value is None:
        return ""
    if not isinstance(value, float):
        return clean(str(value)).replace("|", "\\|")
    column = column.removesuffix("_low").removesuffix("_high")  # an interval's end reads as its quantity
    if column in _LOSSES:
        return f"{value:.4f}"
    if column in _SHARES:
        return f"{value:.3g}"
    if column.startswith("loss_per_"):  # nats per image or video, as the table shows them
        return f"{value:#.4g}".rstrip(".")
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
        "| quantity | value | limit | result | headroom |",  # named as the CSV's columns
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
