"""What each command does once its arguments are parsed: call the library, print, exit code.

Owns the command bodies shared by the fast launcher and the typer app, so both run the
same code. Raises PlannerError for bad input (the launcher reports it); never parses argv.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from planner import output
from planner.errors import InputError


@dataclass(frozen=True)
class PlanRequest:
    """The main command's options, as text from the command line."""

    flops: tuple[str, ...] = ()
    law: str | None = None
    domain: str | None = None
    compare: bool = False
    max_params: str | None = None
    max_tokens: str | None = None
    json: bool = False
    transfer: str | None = None
    finetune_chars: str | None = None
    finetune_tokens: str | None = None
    chars_per_token: str | None = None


@dataclass(frozen=True)
class TransferRequest:
    """`plan transfer`'s options, as text from the command line."""

    params: tuple[str, ...] = ()
    finetune_chars: tuple[str, ...] = ()
    finetune_tokens: tuple[str, ...] = ()
    chars_per_token: str | None = None
    law: str | None = None
    json: bool = False


def parse_count(option: str, text: str) -> float:
    """A finite number above zero from the command line, e.g. 1e21 or 5.76e23."""
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        raise InputError(f"{option} {text!r} is not a number; give e.g. {option} 1e21") from None
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"{option} must be a finite number above zero (got {text!r})")
    return value


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


def run_plan(request: PlanRequest) -> int:
    """`plan --flops ...`: plans (or a comparison) as a table or JSON Lines; returns the exit code."""
    from planner.planning import compare, plan

    if not request.flops:
        raise InputError("give at least one --flops budget, e.g. plan --flops 1e21")
    budgets = [parse_count("--flops", text) for text in request.flops]
    max_params = _optional("--max-params", request.max_params)
    max_tokens = _optional("--max-tokens", request.max_tokens)
    finetune = {
        "finetune_chars": _optional("--finetune-chars", request.finetune_chars),
        "finetune_tokens": _optional("--finetune-tokens", request.finetune_tokens),
        "chars_per_token": _optional("--chars-per-token", request.chars_per_token),
    }
    if request.compare:
        if request.law is not None or max_params is not None or max_tokens is not None:
            raise InputError(
                "--compare plans under every law without limits; drop --law, --max-params and --max-tokens"
            )
        if request.transfer is not None or any(value is not None for value in finetune.values()):
            raise InputError(
                "--compare plans without a fine-tune; drop --transfer and the --finetune options"
            )
        comparisons = [compare(budget, request.domain or "language") for budget in budgets]
        output.notices(comparisons[0].notices)
        output.notices(notice for item in comparisons for p in item.plans for notice in p.notices)
        if request.json:
            output.json_lines(comparisons)
        else:
            for item in comparisons:
                output.comparison_table(item)
        return 0
    _check_finetune(request, max_tokens)
    plans = plan(
        budgets,
        request.law,
        domain=request.domain,
        max_params=max_params,
        max_tokens=max_tokens,
        transfer=request.transfer,
        **finetune,
    )
    output.notices(notice for p in plans for notice in p.notices)
    if request.json:
        output.json_lines(plans)
    else:
        output.plans_table(plans)
    return 0


def run_transfer(request: TransferRequest) -> int:
    """`plan transfer`: effective data for each model size and fine-tuning set; the exit code."""
    from planner.transfer import transfer_grid, transfer_law

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
    output.notices(notice for item in results for notice in item.notices)
    if request.json:
        output.json_lines(results)
    else:
        output.transfer_table(results, law)
    return 0


def run_laws(json: bool, domain: str | None = None) -> int:
    """`plan laws`: the catalog, or one domain's part of it."""
    from planner.laws import available_laws, check_domain

    laws = available_laws(check_domain(domain) if domain is not None else None)
    if json:
        output.laws_json(laws)
    else:
        output.laws_table(laws)
    return 0


def run_law_show(name: str, json: bool) -> int:
    """`plan laws show ID`: one law in full."""
    from planner.laws import find_law
    from planner.planning import reproduce

    law = find_law(name)
    if json:
        output.laws_json([law])
    else:
        output.law_detail(law, [reproduce(law, row) for row in law.reproduces])
    return 0
