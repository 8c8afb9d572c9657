"""The main command's richer options: budgets from a file, a given run, hardware, formats.

Owns turning `--from`, `--params`/`--tokens`, `--gpu` (with `--gpus`, `--days`, `--hours`,
`--mfu`, `--price-per-gpu-hour`) into plans, and showing plans as tables (grouped by law),
CSV or Markdown. Loaded only when such an option is used, so that a plain `plan --flops`
starts fast. Raises InputError naming the option; prints only through planner.output and
planner.output.tabular.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from planner import output
from planner.cli.commands import PlanRequest, parse_count, parse_number
from planner.errors import InputError
from planner.planning.results import Comparison, Plan

if TYPE_CHECKING:
    from planner.cli.commands import Format
    from planner.hardware import Hardware
    from planner.planning.results import SizeCurve


def hardware_of(request: PlanRequest) -> Hardware | None:
    """The hardware named by --gpu and its companions, or None without --gpu."""
    companions = {
        "--gpus": request.gpus,
        "--days": request.days,
        "--hours": request.hours,
        "--mfu": request.mfu,
        "--price-per-gpu-hour": request.price_per_gpu_hour,
    }
    if request.gpu is None:
        for option, value in companions.items():
            if value is not None:
                raise InputError(f"{option} needs --gpu; name the chip, e.g. --gpu h100 (see plan gpus)")
        return None
    from planner.hardware import DEFAULT_MFU, Hardware, check_gpus, check_mfu, find_chip

    chip = find_chip(request.gpu)
    mfu = check_mfu("--mfu", parse_number("--mfu", request.mfu)) if request.mfu is not None else None
    gpus = check_gpus("--gpus", parse_number("--gpus", request.gpus)) if request.gpus is not None else None
    price = request.price_per_gpu_hour
    return Hardware(
        chip=chip,
        mfu=DEFAULT_MFU if mfu is None else mfu,
        mfu_given=mfu is not None,
        gpus=gpus,
        price_per_gpu_hour=parse_count("--price-per-gpu-hour", price) if price is not None else None,
    )


def show(results: Sequence[Plan | Comparison | SizeCurve], fmt: Format) -> None:
    """Plans as rich tables, CSV or Markdown (JSON Lines are printed by the caller)."""
    if fmt in ("csv", "markdown"):
        from planner.output.tabular import csv_table, markdown_table, plan_rows

        columns, rows = plan_rows(item for item in results if isinstance(item, (Plan, Comparison)))
        if fmt == "csv":
            csv_table(columns, rows)
        else:
            markdown_table(columns, rows)
    else:
        _tables(results)


def _tables(results: Sequence[Plan | Comparison | SizeCurve]) -> None:
    group: list[Plan] = []
    for item in results:
        if isinstance(item, Comparison):
            output.comparison_table(item)
        elif not isinstance(item, Plan):
            output.size_curve_table(item)
        elif item.run is not None:
            output.evaluation_table(item)
        elif item.inference is not None:
            output.inference_table(item)
        else:
            if group and (
                group[-1].law != item.law
                or (group[-1].hardware is None) != (item.hardware is None)
                or group[-1].inverse != item.inverse
            ):
                output.plans_table(group)
                group = []
            group.append(item)
    if group:
        output.plans_table(group)


def plans_for(request: PlanRequest) -> Sequence[Plan | Comparison | SizeCurve]:
    """Every plan (or comparison) the request asks for, all inputs checked first."""
    from planner.planning.budget import compare, plan, plan_for_time, resolve_law

    if request.transfer is not None or request.finetune_chars or request.finetune_tokens:
        raise InputError(
            "a fine-tune (--transfer) is priced for --flops budgets only; drop --from, --params, "
            "--tokens and the hardware options, or the fine-tuning options"
        )
    from planner.cli.questions import answer, asks_question

    if asks_question(request):
        return answer(request, hardware_of(request))
    from planner.cli.commands import data_limits

    data = data_limits(request)
    setup = hardware_of(request)
    max_params = parse_count("--max-params", request.max_params) if request.max_params is not None else None
    max_tokens = parse_count("--max-tokens", request.max_tokens) if request.max_tokens is not None else None
    timed = request.days is not None or request.hours is not None
    evaluated = request.params is not None or request.tokens is not None
    listed = bool(request.flops) or request.budgets_file is not None
    if sum((timed, evaluated, listed)) > 1:
        raise InputError(
            "give one kind of budget: --flops/--from, or --params with --tokens, or --gpus with --days or --hours"
        )
    if not (timed or evaluated or listed):
        raise InputError(
            "give at least one --flops budget, e.g. plan --flops 1e21 (or --from FILE, --target-loss, "
            "--params and/or --tokens, or --gpu with --gpus and --days)"
        )
    if request.compare and (
        request.law is not None or max_params is not None or max_tokens is not None or evaluated
    ):
        raise InputError(
            "--compare plans under every law without limits; drop --law, --max-params, --max-tokens, --params and --tokens"
        )
    if evaluated:
        if request.params is None or request.tokens is None:
            raise InputError(
                "give both --params and --tokens to evaluate a run, e.g. --params 7e9 --tokens 2e12"
            )
        if max_params is not None or max_tokens is not None or any(v is not None for v in data.values()):
            raise InputError(
                "--max-params, --max-tokens, --unique-tokens and --repeated-fraction shape a plan; "
                "a given run has its own params and tokens"
            )
        from planner.planning.run import evaluate

        params, tokens = parse_count("--params", request.params), parse_count("--tokens", request.tokens)
        return [evaluate(params, tokens, request.law, hardware=setup, domain=request.domain)]
    if timed:
        assert setup is not None  # hardware_of refuses --days and --hours without --gpu
        if setup.gpus is None:
            raise InputError("--days and --hours need --gpus, the number of GPUs running at once")
        if request.days is not None and request.hours is not None:
            raise InputError("give one of --days and --hours")
        days = parse_count("--days", request.days) if request.days is not None else None
        hours = parse_count("--hours", request.hours) if request.hours is not None else None
        if request.compare:
            from planner.hardware import budget

            return [
                compare(budget(setup, days=days, hours=hours), request.domain or "language", hardware=setup)
            ]
        return [
            plan_for_time(
                setup,
                request.law,
                days=days,
                hours=hours,
                max_params=max_params,
                max_tokens=max_tokens,
                domain=request.domain,
                unique_tokens=data["unique_tokens"],
                repeated_fraction=data["repeated_fraction"],
                repeats=data["repeats"],
            )
        ]
    from planner.cli.budgets import Budget, read_budgets

    budgets = [Budget(parse_count("--flops", text)) for text in request.flops]
    if request.budgets_file is not None:
        budgets += read_budgets(request.budgets_file)
    if request.compare:
        if any(line.law or line.max_params or line.max_tokens for line in budgets):
            raise InputError(
                "--compare plans under every law without limits; remove law and limits from --from lines"
            )
        return [compare(line.flops, request.domain or "language", hardware=setup) for line in budgets]
    laws = {
        name: resolve_law(name, request.domain if name == request.law else None)
        for name in {request.law, *(line.law for line in budgets if line.law)}
    }
    results: list[Plan | Comparison] = [
        plan(
            line.flops,
            laws[line.law or request.law],
            max_params=line.max_params if line.max_params is not None else max_params,
            max_tokens=line.max_tokens if line.max_tokens is not None else max_tokens,
            hardware=setup,
            unique_tokens=data["unique_tokens"],
            repeated_fraction=data["repeated_fraction"],
            repeats=data["repeats"],
        )
        for line in budgets
    ]
    return results
