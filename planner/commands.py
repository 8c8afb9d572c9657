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


@dataclass(frozen=True)
class FitRequest:
    """`plan fit`'s argument and options, numbers as text where the command line gives them."""

    runs: str
    params_col: str | None = None
    tokens_col: str | None = None
    flops_col: str | None = None
    loss_col: str | None = None
    form: str = "chinchilla"
    drop_highest: int = 0
    asymmetric: str | None = None
    bootstrap: int = 200
    seed: int = 0
    holdout_largest: int = 0
    budget: str | None = None
    out: str | None = None
    force: bool = False
    author: str | None = None
    domain: str | None = None
    json: bool = False


def one_blas_thread() -> None:
    """Ask numpy's BLAS for one thread, unless the user chose, before numpy loads.

    A fit multiplies many small matrices; BLAS threads only contend for them. Measured on a
    2-core machine with the other core busy: a fit took 2.1 s instead of 1.0 s, and a
    per-start scipy loop 20x longer. With one thread both are steady.
    """
    import os
    import sys

    if "numpy" not in sys.modules:
        for name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
            os.environ.setdefault(name, "1")


def run_fit(request: FitRequest) -> int:
    """`plan fit RUNS`: fit a law to the runs, print the report, save it as a law file if asked."""
    import dataclasses
    import datetime
    from pathlib import Path

    from planner.lawfile import check_writable, law_id_for

    out = Path(request.out) if request.out is not None else None
    if out is not None:  # before the fit, so a bad name costs no waiting
        law_id = law_id_for(out, datetime.date.today().year)
        check_writable(out, force=request.force)
    if request.domain is not None:
        from planner.laws import check_domain

        check_domain(request.domain)
    budget = parse_count("--budget", request.budget) if request.budget is not None else None
    asymmetric = parse_count("--asymmetric", request.asymmetric) if request.asymmetric is not None else None

    one_blas_thread()
    from planner.fitting.procedure import FORMS, fit
    from planner.runs import read_runs

    if request.form not in FORMS:
        raise InputError(f"no form {request.form!r} to fit; choose one of: {', '.join(FORMS)}")
    runs = read_runs(
        request.runs,
        params_col=request.params_col,
        tokens_col=request.tokens_col,
        flops_col=request.flops_col,
        loss_col=request.loss_col,
    )
    report = fit(
        runs,
        form=request.form,
        drop_highest=request.drop_highest,
        asymmetric=asymmetric,
        bootstrap=request.bootstrap,
        seed=request.seed,
        holdout_largest=request.holdout_largest,
        budget=budget,
    )
    if out is not None:
        from planner.fitting.userlaw import fitted_law, law_comments
        from planner.lawfile import save_law

        law = fitted_law(
            report, law_id, authors=request.author or "unknown", domain=request.domain or "language"
        )
        header, comments = law_comments(report)
        save_law(law, out, force=request.force, header=header, comments=comments)
        report = dataclasses.replace(report, law_file=str(out))
    output.coded_notices(report.notices)
    if request.json:
        output.fit_json(report)
    else:
        output.fit_tables(report)
    return 0
