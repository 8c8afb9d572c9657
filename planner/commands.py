"""What each command does once its arguments are parsed: call the library, print, exit code.

Owns the command bodies shared by the fast launcher and the typer app, so both run the
same code, and the checking of option values as typed (messages name the option). Raises
PlannerError for bad input (the launcher reports it); never parses argv.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from planner import streams
from planner.errors import InputError

if TYPE_CHECKING:
    from typing import Literal

    from planner.planning import Comparison, Plan

    Format = Literal["table", "json", "csv", "markdown"]

FORMATS: tuple[Format, ...] = ("table", "json", "csv", "markdown")
_EXTENDED = ("budgets_file", "params", "tokens", "gpu", "gpus", "days", "hours", "mfu", "price_per_gpu_hour")
"""Options beyond a plain list of FLOP budgets; planner.options handles them."""


@dataclass(frozen=True, eq=False)  # never compared; eq (and hash) would slow every start
class PlanRequest:
    """The main command's options, as text from the command line."""

    flops: tuple[str, ...] = ()
    law: str | None = None
    compare: bool = False
    max_params: str | None = None
    max_tokens: str | None = None
    json: bool = False
    budgets_file: str | None = None
    format: str | None = None
    params: str | None = None
    tokens: str | None = None
    gpu: str | None = None
    gpus: str | None = None
    days: str | None = None
    hours: str | None = None
    mfu: str | None = None
    price_per_gpu_hour: str | None = None


def parse_number(option: str, text: str) -> float:
    """A number from the command line, e.g. 1e21 or 0.4."""
    try:
        return float(text.replace("_", ""))
    except ValueError:
        raise InputError(
            f"{option} {text!r} is not a number; give e.g. {option} {_EXAMPLES.get(option, '1e21')}"
        ) from None


_EXAMPLES = {"--mfu": "0.4", "--gpus": "512", "--days": "30", "--hours": "12", "--price-per-gpu-hour": "2.5"}


def parse_count(option: str, text: str) -> float:
    """A finite number above zero from the command line, e.g. 1e21 or 5.76e23."""
    value = parse_number(option, text)
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"{option} must be a finite number above zero (got {text!r})")
    return value


def output_format(request_json: bool, name: str | None) -> Format:
    """The output format from --json and --format, which must agree."""
    if name is None:
        return "json" if request_json else "table"
    for known in FORMATS:
        if name == known:
            if request_json and known != "json":
                raise InputError(f"--json asks for --format json; drop one of --json and --format {name}")
            return known
    raise InputError(f"--format must be one of {', '.join(FORMATS)} (got {name!r})")


def run_plan(request: PlanRequest) -> int:
    """`plan --flops ...` and its variants: plans as a table, JSON Lines, CSV or Markdown."""
    fmt = output_format(request.json, request.format)
    extended = any(getattr(request, name) is not None for name in _EXTENDED)
    if extended:
        from planner.options import plans_for

        results = plans_for(request)
    else:
        results = _plain_plans(request)
    streams.notices(notice for item in results for p in _plans(item) for notice in p.notices)
    if fmt == "json":
        streams.json_lines(results)
    elif fmt == "table" and not extended:
        # One law, no hardware: the tables of a plain plan, without loading planner.options.
        from planner import output
        from planner.planning import Comparison

        plans = [item for item in results if not isinstance(item, Comparison)]
        for item in results:
            if isinstance(item, Comparison):
                output.comparison_table(item)
        if plans:
            output.plans_table(plans)
    else:
        from planner.options import show

        show(results, fmt)
    return 0


def _plans(item: Plan | Comparison) -> Sequence[Plan]:
    from planner.planning import Comparison

    return item.plans if isinstance(item, Comparison) else (item,)


def _plain_plans(request: PlanRequest) -> Sequence[Plan | Comparison]:
    from planner.planning import compare, plan

    if not request.flops:
        raise InputError(
            "give at least one --flops budget, e.g. plan --flops 1e21 (or --from FILE, --params with "
            "--tokens, or --gpu with --gpus and --days)"
        )
    budgets = [parse_count("--flops", text) for text in request.flops]
    max_params = parse_count("--max-params", request.max_params) if request.max_params is not None else None
    max_tokens = parse_count("--max-tokens", request.max_tokens) if request.max_tokens is not None else None
    if request.compare:
        if request.law is not None or max_params is not None or max_tokens is not None:
            raise InputError(
                "--compare plans under every law without limits; drop --law, --max-params and --max-tokens"
            )
        return [compare(budget) for budget in budgets]
    return plan(budgets, request.law, max_params=max_params, max_tokens=max_tokens)


def run_check(spec: str, fmt: str | None, json: bool) -> int:
    """`plan check SPEC`: each limit checked; exit 0 when all pass, 1 when any fails."""
    from planner.check import read_spec, run_checks

    chosen = output_format(json, fmt)
    loaded, label = read_spec(spec)
    report = run_checks(loaded, label)
    streams.notices(report.plan.notices)
    if chosen == "json":
        streams.json_lines([report])
    elif chosen == "csv":
        from planner.tabular import check_rows, csv_table

        csv_table(*check_rows(report))
    elif chosen == "markdown":
        from planner.tabular import check_markdown

        check_markdown(report)
    else:
        from planner import output

        output.check_table(report)
    return 0 if report.passed else 1


def run_gpus(json: bool) -> int:
    """`plan gpus`: the chip table with sources."""
    from planner.hardware import chips, record

    if json:
        streams.json_lines(record(chip) for chip in chips())
    else:
        from planner import output

        output.gpus_table(chips())
    return 0


def run_schema(name: str) -> int:
    """`plan schema NAME`: the JSON Schema of an output (or input) format."""
    import json

    from planner.schema import SCHEMAS

    make = SCHEMAS.get(name)
    if make is None:
        raise InputError(f"no schema named {name!r}; choose one of: {', '.join(SCHEMAS)}")
    streams.text(json.dumps(make(), indent=2))
    return 0


def run_laws(json: bool) -> int:
    """`plan laws`: the catalog."""
    from planner import output
    from planner.laws import available_laws

    laws = available_laws()
    if json:
        output.laws_json(laws)
    else:
        output.laws_table(laws)
    return 0


def run_law_show(name: str, json: bool) -> int:
    """`plan laws show ID`: one law in full."""
    from planner import output
    from planner.laws import find_law

    law = find_law(name)
    if json:
        output.laws_json([law])
    else:
        output.law_detail(law)
    return 0
