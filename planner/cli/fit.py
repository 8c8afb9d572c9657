"""The body of `plan fit`: read the runs, fit, save the law file if asked, print the report.

Kept apart from planner.cli.commands, which the fast path for plain plans imports: defining
FitRequest there cost a millisecond of every `plan --flops` start. Only the typer app
imports this module. Raises PlannerError for bad input; never parses argv.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner import output
from planner.cli.commands import parse_count
from planner.errors import InputError


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

    from planner.laws.write import check_writable, law_id_for

    out = Path(request.out) if request.out is not None else None
    if out is not None:  # before the fit, so a bad name costs no waiting
        law_id = law_id_for(out, datetime.date.today().year)
        check_writable(out, force=request.force)
    if request.domain is not None:
        from planner.laws.catalog import check_domain

        check_domain(request.domain)
    budget = parse_count("--budget", request.budget) if request.budget is not None else None
    asymmetric = parse_count("--asymmetric", request.asymmetric) if request.asymmetric is not None else None

    one_blas_thread()
    from planner.fitting.procedure import FORMS, fit
    from planner.fitting.runs import read_runs

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
        from planner.laws.write import save_law

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
