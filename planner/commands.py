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


def parse_count(option: str, text: str) -> float:
    """A finite number above zero from the command line, e.g. 1e21 or 5.76e23."""
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        raise InputError(f"{option} {text!r} is not a number; give e.g. {option} 1e21") from None
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
    if request.compare:
        if request.law is not None or max_params is not None or max_tokens is not None:
            raise InputError(
                "--compare plans under every law without limits; drop --law, --max-params and --max-tokens"
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
    plans = plan(budgets, request.law, domain=request.domain, max_params=max_params, max_tokens=max_tokens)
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
