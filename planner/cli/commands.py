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

from planner.errors import InputError
from planner.output import streams

if TYPE_CHECKING:
    from typing import Literal

    from planner.planning.results import Comparison, Plan

    Format = Literal["table", "json", "csv", "markdown"]

FORMATS: tuple[Format, ...] = ("table", "json", "csv", "markdown")
_EXTENDED = (
    "budgets_file",
    "params",
    "tokens",
    "gpu",
    "gpus",
    "days",
    "hours",
    "mfu",
    "price_per_gpu_hour",
    "target_loss",
    "size_range",
    "inference_tokens",
    "inference_mfu",
    "objective",
)
"""Options beyond a plain list of FLOP budgets; planner.cli.plans handles them."""


@dataclass(frozen=True, eq=False)  # never compared; eq (and hash) would slow every start
class PlanRequest:
    """The main command's options, as text from the command line."""

    flops: tuple[str, ...] = ()
    law: str | None = None
    domain: str | None = None
    compare: bool = False
    max_params: str | None = None
    max_tokens: str | None = None
    unique_tokens: str | None = None
    repeated_fraction: str | None = None
    repeats: str | None = None
    json: bool = False
    transfer: str | None = None
    finetune_chars: str | None = None
    finetune_tokens: str | None = None
    chars_per_token: str | None = None
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
    target_loss: str | None = None
    size_range: str | None = None
    inference_tokens: str | None = None
    inference_mfu: str | None = None
    objective: str | None = None


@dataclass(frozen=True, eq=False)
class TransferRequest:
    """`plan transfer`'s options, as text from the command line."""

    params: tuple[str, ...] = ()
    finetune_chars: tuple[str, ...] = ()
    finetune_tokens: tuple[str, ...] = ()
    chars_per_token: str | None = None
    law: str | None = None
    json: bool = False


def parse_number(option: str, text: str) -> float:
    """A number from the command line, e.g. 1e21 or 0.4."""
    try:
        return float(text.replace("_", ""))
    except ValueError:
        raise InputError(
            f"{option} {text!r} is not a number; give e.g. {option} {_EXAMPLES.get(option, '1e21')}"
        ) from None


_EXAMPLES = {
    "--repeated-fraction": "0.001",
    "--repeats": "100",
    "--mfu": "0.4",
    "--gpus": "512",
    "--days": "30",
    "--hours": "12",
    "--price-per-gpu-hour": "2.5",
    "--target-loss": "2.0",
    "--inference-mfu": "0.2",
    "--size-range": "0.25 2",
    "--inference-tokens": "2e12",
    "--params": "7e9",
    "--tokens": "2e12",
}


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


def _optional(option: str, text: str | None) -> float | None:
    return None if text is None else parse_count(option, text)


def _check_finetune(request: PlanRequest, max_tokens: float | None) -> None:
    """The fine-tuning options go together; say which is missing in the command's own terms."""
    given = request.finetune_chars is not None or request.finetune_tokens is not None
    if request.transfer is None:
        if given or request.chars_per_token is not None:
            raise InputError(
                "--finetune-chars, --finetune-tokens and --chars-per-token need --transfer LAW, "
                "e.g. --transfer hernandez2021-text"
            )
        return
    _check_data_options(request.finetune_chars is not None, request.finetune_tokens is not None, request)
    if max_tokens is not None and request.chars_per_token is None:
        raise InputError(
            "--max-tokens with --transfer plans a data-limited fine-tune, which needs --chars-per-token "
            "to put tokens and the transfer law's characters on one scale"
        )


def _check_data_options(chars: bool, tokens: bool, request: PlanRequest | TransferRequest) -> None:
    if chars and tokens:
        raise InputError("give --finetune-chars or --finetune-tokens, not both")
    if not chars and not tokens:
        raise InputError("give the fine-tuning set with --finetune-chars or --finetune-tokens")
    if tokens and request.chars_per_token is None:
        raise InputError(
            "--finetune-tokens needs --chars-per-token, your tokenizer's characters per token on "
            "this data (the transfer law counts characters; the ratio is never guessed)"
        )


def data_limits(request: PlanRequest) -> dict[str, float | None]:
    """--unique-tokens and --repeated-fraction/--repeats, checked, as plan() keywords."""
    unique = _optional("--unique-tokens", request.unique_tokens)
    fraction = repeats = None
    if request.repeated_fraction is not None or request.repeats is not None:
        from planner.planning.limited_data import check_subset

        fraction, repeats = check_subset(
            None
            if request.repeated_fraction is None
            else parse_number("--repeated-fraction", request.repeated_fraction),
            None if request.repeats is None else parse_number("--repeats", request.repeats),
            names=("--repeated-fraction", "--repeats"),
        )
    return {"unique_tokens": unique, "repeated_fraction": fraction, "repeats": repeats}


def run_plan(request: PlanRequest) -> int:
    """`plan --flops ...` and its variants: plans as a table, JSON Lines, CSV or Markdown."""
    fmt = output_format(request.json, request.format)
    extended = any(getattr(request, name) is not None for name in _EXTENDED)
    if extended:
        from planner.cli.plans import plans_for

        results = plans_for(request)
    else:
        results = _plain_plans(request)
    from planner.planning.results import Comparison, Plan

    streams.notices(notice for item in results if not isinstance(item, Plan) for notice in item.notices)
    inner = [p for item in results if isinstance(item, (Plan, Comparison)) for p in _plans(item)]
    streams.notices(notice for p in inner for notice in p.notices)
    if fmt == "json":
        streams.json_lines(results)
    elif fmt == "table" and not extended:
        # One law, no hardware: the tables of a plain plan, without loading planner.cli.plans.
        from planner import output

        plans = [item for item in results if isinstance(item, Plan)]
        for item in results:
            if isinstance(item, Comparison):
                output.comparison_table(item)
        if plans:
            output.plans_table(plans)
    else:
        from planner.cli.plans import show

        show(results, fmt)
    return 0


def _plans(item: Plan | Comparison) -> Sequence[Plan]:
    from planner.planning.results import Comparison

    return item.plans if isinstance(item, Comparison) else (item,)


def _plain_plans(request: PlanRequest) -> Sequence[Plan | Comparison]:
    from planner.planning.budget import compare, plan

    if not request.flops:
        raise InputError(
            "give at least one --flops budget, e.g. plan --flops 1e21 (or --from FILE, --target-loss, "
            "--params and/or --tokens, or --gpu with --gpus and --days)"
        )
    budgets = [parse_count("--flops", text) for text in request.flops]
    max_params = _optional("--max-params", request.max_params)
    max_tokens = _optional("--max-tokens", request.max_tokens)
    finetune_chars = _optional("--finetune-chars", request.finetune_chars)
    finetune_tokens = _optional("--finetune-tokens", request.finetune_tokens)
    chars_per_token = _optional("--chars-per-token", request.chars_per_token)
    data = data_limits(request)
    if request.compare:
        limited = (max_params, max_tokens, data["unique_tokens"], data["repeated_fraction"])
        if request.law is not None or any(value is not None for value in limited):
            raise InputError(
                "--compare plans under every law without limits; drop --law, --max-params, "
                "--max-tokens, --unique-tokens and --repeated-fraction/--repeats"
            )
        if request.transfer is not None or any(
            value is not None for value in (finetune_chars, finetune_tokens, chars_per_token)
        ):
            raise InputError(
                "--compare plans without a fine-tune; drop --transfer and the --finetune options"
            )
        return [compare(budget, request.domain or "language") for budget in budgets]
    _check_finetune(request, max_tokens)
    return plan(
        budgets,
        request.law,
        domain=request.domain,
        max_params=max_params,
        max_tokens=max_tokens,
        unique_tokens=data["unique_tokens"],
        repeated_fraction=data["repeated_fraction"],
        repeats=data["repeats"],
        transfer=request.transfer,
        finetune_chars=finetune_chars,
        finetune_tokens=finetune_tokens,
        chars_per_token=chars_per_token,
    )


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
        from planner.output.tabular import check_rows, csv_table

        csv_table(*check_rows(report))
    elif chosen == "markdown":
        from planner.output.tabular import check_markdown

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

    from planner.output.schema import SCHEMAS

    make = SCHEMAS.get(name)
    if make is None:
        raise InputError(f"no schema named {name!r}; choose one of: {', '.join(SCHEMAS)}")
    streams.text(json.dumps(make(), indent=2))
    return 0


def run_transfer(request: TransferRequest) -> int:
    """`plan transfer`: effective data for each model size and fine-tuning set; the exit code."""
    from planner.planning.transfer import transfer_grid, transfer_law

    if not request.params:
        raise InputError("give at least one --params model size, e.g. plan transfer --params 1e9")
    _check_data_options(bool(request.finetune_chars), bool(request.finetune_tokens), request)
    sizes = [parse_count("--params", text) for text in request.params]
    chars = [parse_count("--finetune-chars", text) for text in request.finetune_chars]
    tokens = [parse_count("--finetune-tokens", text) for text in request.finetune_tokens]
    ratio = _optional("--chars-per-token", request.chars_per_token)
    law = transfer_law(request.law)
    results = transfer_grid(
        sizes,
        law,
        finetune_chars=chars or None,
        finetune_tokens=tokens or None,
        chars_per_token=ratio,
    )
    streams.notices(notice for item in results for notice in item.notices)
    if request.json:
        streams.json_lines(results)
    else:
        from planner import output

        output.transfer_table(results, law)
    return 0


def run_laws(json: bool, domain: str | None = None) -> int:
    """`plan laws`: the catalog, or one domain's part of it."""
    from planner import output
    from planner.laws.catalog import available_laws, check_domain

    laws = available_laws(check_domain(domain) if domain is not None else None)
    if json:
        output.laws_json(laws)
    else:
        output.laws_table(laws)
    return 0


def run_law_show(name: str, json: bool) -> int:
    """`plan laws show ID`: one law in full, with each quoted number beside what it gives."""
    from planner import output
    from planner.laws.catalog import find_law
    from planner.planning.budget import reproduce

    law = find_law(name)
    if json:
        output.laws_json([law])
    else:
        output.law_detail(law, [reproduce(law, row) for row in law.reproduces])
    return 0
