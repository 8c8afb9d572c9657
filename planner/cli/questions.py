"""Which question the main command's options ask, and the library call that answers it.

One path for every command line of `plan`: the fine-tuning options, the inverse questions
(planner.cli.inverse), then one kind of budget (`--flops`/`--from`, a given run with
`--params --tokens`, or time on `--gpu` with `--gpus` and `--days`/`--hours`), each under
one law or `--compare`d across a domain. Every conflict is refused here, in this order,
with one line naming the options to drop, whatever else the line holds. Raises
InputError; never prints.
"""

from __future__ import annotations

from planner.cli.intervals import level_of
from planner.errors import InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Any

    from planner.cli.budgets import Budget
    from planner.cli.declare import Request
    from planner.forms.base import Law
    from planner.hardware import Hardware
    from planner.planning.results import Comparison, Plan, SizeCurve

FINE_TUNE = ("transfer", "finetune_chars", "finetune_tokens", "chars_per_token")
BEYOND_BUDGETS = (
    "budgets_file",
    "params",
    "tokens",
    "gpu",
    "gpus",
    "days",
    "weeks",
    "hours",
    "mfu",
    "price_per_gpu_hour",
    "target_loss",
    "size_range",
    "inference_tokens",
    "inference_mfu",
    "objective",
)
"""Options of other questions than a fine-tune beside a list of --flops budgets."""
UNLIMITED = (
    "law",
    "max_params",
    "max_tokens",
    "unique_tokens",
    "repeated_fraction",
    "repeats",
    "params",
    "tokens",
)
"""What --compare cannot take: it plans under every law, without limits."""
MISSING_BUDGET = (
    "give at least one --flops budget, e.g. plan --flops 1e21 (or --from FILE, --target-loss, "
    "--params and/or --tokens, or --gpu with --gpus and --days)"
)


MOE = ("granularity", "experts")
"""A fine-grained MoE law's options (Krajewski et al. 2024), passed with the law."""

INVERSE = ("target_loss", "size_range", "inference_tokens", "inference_mfu", "objective")


def asks_question(request: Request) -> bool:
    """Whether the request asks an inverse question (not a plain plan or a run's evaluation)."""
    if any(getattr(request, name) is not None for name in INVERSE):
        return True
    sized = request.params is not None or request.tokens is not None
    both = request.params is not None and request.tokens is not None
    return sized and (bool(request.flops) or not both)


def answers(request: Request) -> Sequence[Plan | Comparison | SizeCurve]:
    """Every result the request asks for, all inputs checked first."""
    kind, setup, data = _checked(request)
    if kind == "inverse":
        from planner.cli.inverse import answer

        return answer(_at_granularity(request), setup)
    if kind == "run":
        return [_run(request, setup, data)]
    if kind == "timed":
        return [_timed(request, setup, data)]
    return _budgets(request, setup, data)


def _at_granularity(request: Request) -> Request:
    """The request with its law at --granularity (checked), for the questions that take a law
    as it is; unchanged without --granularity and --experts."""
    if not request.given(*MOE):
        return request
    from planner.cli.declare import Request
    from planner.planning.budget import resolve_law

    law = resolve_law(request.law, request.domain, request.granularity, request.experts)
    return Request(request.command, {**request.values, "law": law})


def checked_inputs(request: Request) -> tuple[Hardware | None, dict[str, Any]]:
    """(hardware, data limits) of a request for budgets (--flops, --from), checked as
    `answers` checks them; InputError for any other question."""
    kind, setup, data = _checked(request)
    if kind != "budgets":
        raise InputError(
            "give one kind of budget: --flops/--from, or --params with --tokens, or --gpus with --days, --weeks or --hours"
        )
    return setup, data


def _checked(request: Request) -> tuple[str, Hardware | None, dict[str, Any]]:
    """(the kind of question, hardware, data limits), every input checked in one order."""
    _check_finetune(request)
    data = data_limits(request)  # checked first, so that a bad value is reported as such
    if asks_question(request):
        if request.flop_convention is not None:
            raise InputError(
                "--flop-convention is honoured by plans of budgets (--flops, --from, --days, "
                "--compare) and given runs (--params with --tokens); drop it here, where FLOPs are "
                "counted as the law counts them"
            )
        if request.param_convention is not None:
            raise InputError(
                "--param-convention converts the sizes of plans of budgets and given runs; drop it "
                "here, or give sizes as the law counts them"
            )
        if request.kaplan_compute is not None:
            raise InputError(
                "--kaplan-compute counts a --flops or --days budget under kaplan2020; drop it here, "
                "where FLOPs are the law's C_min"
            )
        return "inverse", hardware_of(request), data
    setup = hardware_of(request)
    timed = bool(request.given("days", "weeks", "hours"))
    if request.param_convention is not None and (request.compare or request.budgets_file):
        raise InputError(
            "--param-convention converts the sizes of one law's plans; drop it for --compare and --from"
        )
    if request.kaplan_compute is not None and (
        request.params is not None or request.tokens is not None or request.compare or request.budgets_file
    ):
        raise InputError(
            "--kaplan-compute counts a --flops or --days budget under kaplan2020; drop it for given runs, "
            "--compare and --from"
        )
    evaluated = request.params is not None or request.tokens is not None
    listed = bool(request.flops) or request.budgets_file is not None
    if sum((timed, evaluated, listed)) > 1:
        raise InputError(
            "give one kind of budget: --flops/--from, or --params with --tokens, or --gpus with --days, --weeks or --hours"
        )
    if not (timed or evaluated or listed):
        raise InputError(MISSING_BUDGET)
    if request.compare and request.given(*UNLIMITED):
        raise InputError(
            "--compare plans under every law without limits; drop --law, --max-params, --max-tokens, "
            "--unique-tokens, --repeated-fraction/--repeats, --params and --tokens"
        )
    if request.compare and request.given(*MOE):
        raise InputError(
            "--compare plans every law of the domain as shipped; drop --granularity and --experts, "
            "or plan the MoE law alone with --law krajewski2024"
        )
    return ("run" if evaluated else "timed" if timed else "budgets"), setup, data


def _check_finetune(request: Request) -> None:
    """The fine-tuning options go together, with --flops budgets and one law only."""
    if not request.given(*FINE_TUNE):
        return
    if request.transfer is None:
        raise InputError(
            "--finetune-chars, --finetune-tokens and --chars-per-token need --transfer LAW, "
            "e.g. --transfer hernandez2021-text"
        )
    if request.given(*BEYOND_BUDGETS):
        raise InputError(
            "a fine-tune (--transfer) is priced for --flops budgets only; drop --from, --params, "
            "--tokens and the hardware options, or the fine-tuning options"
        )
    if request.compare:
        raise InputError("--compare plans without a fine-tune; drop --transfer and the --finetune options")
    check_data_options(request)
    if request.max_tokens is not None and request.chars_per_token is None:
        raise InputError(
            "--max-tokens with --transfer plans a data-limited fine-tune, which needs --chars-per-token "
            "to put tokens and the transfer law's characters on one scale"
        )


def check_data_options(request: Request) -> None:
    """A fine-tuning set in characters or in tokens (with a ratio), not both or neither."""
    chars = bool(request.finetune_chars)
    tokens = bool(request.finetune_tokens)
    if chars and tokens:
        raise InputError("give --finetune-chars or --finetune-tokens, not both")
    if not chars and not tokens:
        raise InputError("give the fine-tuning set with --finetune-chars or --finetune-tokens")
    if tokens and request.chars_per_token is None:
        raise InputError(
            "--finetune-tokens needs --chars-per-token, your tokenizer's characters per token on "
            "this data (the transfer law counts characters; the ratio is never guessed)"
        )


def data_limits(request: Request) -> dict[str, Any]:
    """--unique-tokens and --repeated-fraction/--repeats, checked, as plan() keywords."""
    fraction = repeats = None
    if request.repeated_fraction is not None or request.repeats is not None:
        from planner.planning.limited_data import check_subset

        fraction, repeats = check_subset(
            request.repeated_fraction, request.repeats, names=("--repeated-fraction", "--repeats")
        )
    return {"unique_tokens": request.unique_tokens, "repeated_fraction": fraction, "repeats": repeats}


def vocab_of(request: Request) -> int | str:
    from planner.cli.recipe import vocab_of as read

    return read(request)


def counting(request: Request) -> dict[str, Any]:
    """--flop-convention and --param-convention with the shape options they read (--seq-len,
    --vocab, --untied), as plan() keywords: none when neither is given (each law's own counts)."""
    if request.flop_convention is None and request.param_convention is None:
        return {}
    found: dict[str, Any] = {
        "vocab": None if request.vocab is None else vocab_of(request),
        "tied": not request.untied,
    }
    if request.flop_convention is not None:
        from planner.planning.shapes import check_whole

        found["flop_convention"] = request.flop_convention
        found["seq_len"] = (
            None if request.seq_len is None else check_whole("--seq-len", request.seq_len, "4096")
        )
    if request.param_convention is not None:
        found["param_convention"] = request.param_convention
    return found


COMPANIONS = ("gpus", "days", "weeks", "hours", "mfu", "price_per_gpu_hour")


def hardware_of(request: Request) -> Hardware | None:
    """The hardware named by --gpu and its companions, or None without --gpu."""
    if request.gpu is None:
        for option in request.given(*COMPANIONS):
            raise InputError(f"{option} needs --gpu; name the chip, e.g. --gpu h100 (see plan gpus)")
        return None
    from planner.hardware import DEFAULT_MFU, Hardware, check_gpus, check_mfu, find_chip

    chip = find_chip(request.gpu)
    mfu = check_mfu("--mfu", request.mfu) if request.mfu is not None else None
    return Hardware(
        chip=chip,
        mfu=DEFAULT_MFU if mfu is None else mfu,
        mfu_given=mfu is not None,
        gpus=check_gpus("--gpus", request.gpus) if request.gpus is not None else None,
        price_per_gpu_hour=request.price_per_gpu_hour,
    )


def _run(request: Request, setup: Hardware | None, data: dict[str, Any]) -> Plan:
    """A given run of --params on --tokens, judged against the optimum at its FLOPs."""
    if request.params is None or request.tokens is None:
        raise InputError("give both --params and --tokens to evaluate a run, e.g. --params 7e9 --tokens 2e12")
    if (
        request.max_params is not None
        or request.max_tokens is not None
        or data["repeated_fraction"] is not None
    ):
        raise InputError(
            "--max-params, --max-tokens and --repeated-fraction shape a plan; a given run has its own "
            "params and tokens (its --unique-tokens may be given)"
        )
    from planner.planning.run import evaluate

    return evaluate(
        request.params,
        request.tokens,
        request.law,
        hardware=setup,
        domain=request.domain,
        level=level_of(request),
        unique_tokens=data["unique_tokens"],
        **counting(request),
        granularity=request.granularity,
        experts=request.experts,
    )


def _timed(request: Request, setup: Hardware | None, data: dict[str, Any]) -> Plan | Comparison:
    """The budget that --gpus GPUs compute in --days, --weeks or --hours."""
    from planner.cli.walltime import time_budget, wall_clock

    days, hours = wall_clock(request, setup)
    assert setup is not None  # wall_clock refuses a time without hardware
    if request.compare:
        from planner.planning.budget import compare

        return compare(
            time_budget(request, setup), request.domain or "language", hardware=setup, **counting(request)
        )
    from planner.planning.budget import plan_for_time

    level = level_of(request)
    return plan_for_time(
        setup,
        request.law,
        days=days,
        hours=hours,
        max_params=request.max_params,
        max_tokens=request.max_tokens,
        domain=request.domain,
        level=level,
        kaplan_compute=request.kaplan_compute,
        granularity=request.granularity,
        experts=request.experts,
        **data,
        **counting(request),
    )


def _budgets(request: Request, setup: Hardware | None, data: dict[str, Any]) -> Sequence[Plan | Comparison]:
    """A plan (or a comparison) for each --flops budget and each line of --from."""
    from planner.planning.budget import compare, plan

    if request.budgets_file is None:
        if request.compare:
            conventions = counting(request)
            return [
                compare(flops, request.domain or "language", hardware=setup, **conventions)
                for flops in request.flops
            ]
        return plan(
            list(request.flops),
            request.law,
            domain=request.domain,
            max_params=request.max_params,
            max_tokens=request.max_tokens,
            transfer=request.transfer,
            finetune_chars=request.finetune_chars,
            finetune_tokens=request.finetune_tokens,
            chars_per_token=request.chars_per_token,
            hardware=setup,
            level=level_of(request),
            kaplan_compute=request.kaplan_compute,
            granularity=request.granularity,
            experts=request.experts,
            **data,
            **counting(request),
        )
    return [block for blocks in budget_blocks(request, setup, data) for block in blocks]


def budget_blocks(
    request: Request, setup: Hardware | None, data: dict[str, Any]
) -> Iterator[Sequence[Plan | Comparison]]:
    """The plans of --flops and then of each block of --from lines, as the lines arrive."""
    from planner.cli.budgets import Budget
    from planner.cli.budgets import budget_blocks as blocks
    from planner.planning.budget import compare, plan_each, resolve_law
    from planner.planning.sense import check_positive
    from planner.units import FLOPS_PER_PARAM_TOKEN

    assert request.budgets_file is not None
    laws: dict[str | None, Law] = {}

    def law_of(name: str | None) -> Law:
        if name not in laws:
            laws[name] = resolve_law(
                name, request.domain if name == request.law else None, request.granularity, request.experts
            )
        return laws[name]

    law_of(request.law)
    level = level_of(request)
    conventions = counting(request)
    for block in _chained([Budget(flops) for flops in request.flops], blocks(request.budgets_file)):
        if request.compare:
            if any(line.law or line.max_params or line.max_tokens for line in block):
                raise InputError(
                    "--compare plans under every law without limits; remove law and limits from --from lines"
                )
            yield [
                compare(line.flops, request.domain or "language", hardware=setup, **conventions)
                for line in block
            ]
            continue
        parts: list[Sequence[Plan]] = []
        for (name, low, high), lines in _runs(block, request):
            budgets = [
                line.flops
                if line.flops >= FLOPS_PER_PARAM_TOKEN
                else check_positive("flops", line.flops, least=FLOPS_PER_PARAM_TOKEN)
                for line in lines
            ]
            low = None if low is None else check_positive("max_params", low, least=1)
            high = None if high is None else check_positive("max_tokens", high, least=1)
            parts.append(
                plan_each(budgets, law_of(name), low, high, setup, **data, level=level, **conventions)
            )
        # one law and one set of caps (the common block): plan_each's own sequence, which may
        # keep its plans as columns (planner.planning.blocks) for the stream's printers
        yield parts[0] if len(parts) == 1 else [item for part in parts for item in part]


def _chained(first: list[Budget], rest: Iterator[list[Budget]]) -> Iterator[list[Budget]]:
    if first:
        yield first
    yield from rest


def _runs(
    block: list[Budget], request: Request
) -> Iterator[tuple[tuple[str | None, float | None, float | None], list[Budget]]]:
    """Consecutive lines of one law and the same caps, which plan together."""
    import itertools

    def options(line: Budget) -> tuple[str | None, float | None, float | None]:
        return (
            line.law or request.law,
            line.max_params if line.max_params is not None else request.max_params,
            line.max_tokens if line.max_tokens is not None else request.max_tokens,
        )

    if all(line.law is None and line.max_params is None and line.max_tokens is None for line in block):
        yield (request.law, request.max_params, request.max_tokens), block  # the common block
        return
    for key, lines in itertools.groupby(block, key=options):
        yield key, list(lines)
