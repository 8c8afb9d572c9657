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
    unique_tokens: str | None = None
    repeated_fraction: str | None = None
    repeats: str | None = None
    json: bool = False


def parse_number(option: str, text: str, example: str = "1e21") -> float:
    """A number from the command line (range checks are the caller's)."""
    try:
        return float(text.replace("_", ""))
    except ValueError:
        raise InputError(f"{option} {text!r} is not a number; give e.g. {option} {example}") from None


def parse_count(option: str, text: str) -> float:
    """A finite number above zero from the command line, e.g. 1e21 or 5.76e23."""
    value = parse_number(option, text)
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"{option} must be a finite number above zero (got {text!r})")
    return value


def run_plan(request: PlanRequest) -> int:
    """`plan --flops ...`: plans (or a comparison) as a table or JSON Lines; returns the exit code."""
    from planner.planning import compare, plan

    if not request.flops:
        raise InputError("give at least one --flops budget, e.g. plan --flops 1e21")
    budgets = [parse_count("--flops", text) for text in request.flops]
    max_params = parse_count("--max-params", request.max_params) if request.max_params is not None else None
    max_tokens = parse_count("--max-tokens", request.max_tokens) if request.max_tokens is not None else None
    unique = (
        parse_count("--unique-tokens", request.unique_tokens) if request.unique_tokens is not None else None
    )
    fraction = repeats = None
    if request.repeated_fraction is not None or request.repeats is not None:
        from planner.repetition import check_subset

        fraction, repeats = check_subset(
            None
            if request.repeated_fraction is None
            else parse_number("--repeated-fraction", request.repeated_fraction, "0.001"),
            None if request.repeats is None else parse_number("--repeats", request.repeats, "100"),
            names=("--repeated-fraction", "--repeats"),
        )
    if request.compare:
        limited = (max_params, max_tokens, unique, fraction)
        if request.law is not None or any(value is not None for value in limited):
            raise InputError(
                "--compare plans under every law without limits; drop --law, --max-params, "
                "--max-tokens, --unique-tokens and --repeated-fraction/--repeats"
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
    plans = plan(
        budgets,
        request.law,
        domain=request.domain,
        max_params=max_params,
        max_tokens=max_tokens,
        unique_tokens=unique,
        repeated_fraction=fraction,
        repeats=repeats,
    )
    output.notices(notice for p in plans for notice in p.notices)
    if request.json:
        output.json_lines(plans)
    else:
        output.plans_table(plans)
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
