"""`plan fit RUNS`: its options, and its body: read the runs, fit, save a law file, print.

Only this command loads numpy and scipy. Raises PlannerError for bad input; never parses argv.
"""

from __future__ import annotations

from pathlib import Path

from planner.cli.declare import FORMAT, NO_PROGRESS, Argument, Command, Option, Request, count, output_format
from planner.errors import InputError
from planner.fitting.limits import RESAMPLES
from planner.output import streams

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from planner.fitting.runs import Runs

OPTIONS = (
    Option("--params-col", "NAME", "Column of parameter counts. Default: params, N, Model Size, ..."),
    Option("--tokens-col", "NAME", "Column of training tokens. Default: tokens, D, ..."),
    Option(
        "--flops-col",
        "NAME",
        "Column of training FLOPs, if there is no tokens column: tokens = FLOPs / (6 params). "
        "Default: flops, C, Training FLOP, ...",
    ),
    Option("--loss-col", "NAME", "Column of final losses. Default: loss, L, ..."),
    Option(
        "--form",
        "FORM",
        "chinchilla (E + A/N^alpha + B/D^beta) or kaplan-nd (Kaplan et al. Eq. 1.5).",
        default="chinchilla",
    ),
    Option(
        "--drop-highest",
        "K",
        "Leave out the K runs of highest loss first.",
        kind="whole",
        default="0",
        example="2",
    ),
    Option(
        "--asymmetric",
        "W",
        "Weigh runs the curve predicts too high W times more (e.g. 10): fit the lower envelope.",
        kind="count",
        example="10",
    ),
    Option(
        "--bootstrap",
        "K",
        "Resamples for standard errors and intervals; 0 for none.",
        kind="whole",
        default=str(RESAMPLES),
        example="1000",
    ),
    Option("--seed", "S", "Seed of the bootstrap.", kind="whole", default="0", example="0"),
    Option(
        "--holdout-largest",
        "K",
        "Also fit without the K largest-compute runs and predict them.",
        kind="whole",
        default="0",
        example="5",
    ),
    Option("--budget", "FLOPS", "Plan at this budget under the fit, with intervals.", kind="count"),
    Option(
        "--isoflop",
        None,
        "Also fit Chinchilla's approach 2: a parabola in log N per FLOP budget, then power laws of "
        "the minima; budgets are found from the runs' FLOPs.",
        kind="flag",
    ),
    Option(
        "--isoflop-budgets",
        "FLOPS,...",
        "The FLOP budgets of approach 2, comma-separated (implies --isoflop), e.g. 1e19,1e20,1e21.",
        example="1e19,1e20,1e21",
    ),
    Option(
        "--isoflop-tolerance",
        "FRACTION",
        "How far a run's FLOPs may lie from its budget's, as a fraction. Default: 0.1.",
        kind="count",
        default="0.1",
        example="0.1",
    ),
    Option("--out", "FILE", "Save the fit as a law file named after its id, e.g. mylab2026.toml."),
    Option(
        "--id",
        "ID",
        "The fitted law's id, e.g. mylab2026: saved as ID.toml, here or in the folder --out names.",
        example="mylab2026",
        field="law_id",
    ),
    Option("--force", None, "Replace the --out file if it exists.", kind="flag"),
    Option("--author", "NAME", "Who made the fit, for the law file. Default: unknown."),
    Option("--domain", "DOMAIN", "The law file's domain. Default: language."),
    Option("--json", None, "The report as one JSON object.", kind="flag", panel="output"),
    FORMAT,
    NO_PROGRESS,
)


def runs_of(request: Request, **options: Any) -> Runs:
    """The runs file of a request, read with its column options (and `options`, such as
    `where`, for read_runs); DataFileError naming every bad row, before numpy loads."""
    from planner.fitting.runs import read_runs

    return read_runs(
        request.runs,
        params_col=request.params_col,
        tokens_col=request.tokens_col,
        flops_col=request.flops_col,
        loss_col=request.loss_col,
        **options,
    )


def budgets_of(request: Request) -> tuple[float, ...]:
    """The --isoflop-budgets list as numbers, or InputError naming the one that is not a count."""
    text = request.isoflop_budgets
    if text is None:
        return ()
    option = COMMAND.option("--isoflop-budgets")
    assert option is not None
    return tuple(count(option, part.strip()) for part in text.split(","))


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


def run_fit(request: Request) -> int:
    """`plan fit RUNS`: fit a law to the runs, print the report, save it as a law file if asked.

    Everything that can be refused is, before numpy and scipy load and before the slow fit:
    the --out name, the domain, every row of the runs, and the size of the fit
    (planner.fitting.limits); a fit expected to take long gets a note first, and on a
    terminal a progress display while it runs (planner.output.progress).
    """
    import dataclasses
    import datetime

    from planner.laws.write import check_writable, law_id_for

    chosen = output_format(request)

    out = _out_path(request.out, request.law_id)
    if out is not None:  # before the fit, so a bad name costs no waiting
        law_id = law_id_for(out, datetime.date.today().year)
        check_writable(out, force=request.force)
    if request.domain is not None:
        from planner.laws.catalog import check_domain

        check_domain(request.domain)
    budget, asymmetric = request.budget, request.asymmetric
    budgets_of(request)
    if request.isoflop_tolerance >= 1:
        raise InputError(
            f"--isoflop-tolerance must be a fraction below 1, e.g. 0.1 (got {request.isoflop_tolerance:g})"
        )

    from planner.fitting.limits import check_budget, check_size, slow_note

    check_budget(budget)

    runs = runs_of(request)
    check_size(
        len(runs),
        bootstrap=request.bootstrap,
        seed=request.seed,
        drop_highest=request.drop_highest,
        holdout_largest=request.holdout_largest,
        source=runs.source,
    )

    one_blas_thread()
    from planner.fitting.forms import fitter
    from planner.fitting.procedure import fit

    fitter(request.form)  # an unknown form, before the slow part
    note = slow_note(len(runs) - request.drop_highest, request.bootstrap)
    if note is not None:
        from planner.planning.results import Notice

        streams.notices([Notice("slow_fit", note, "note")])
    from planner.output.progress import shown

    with shown(not request.no_progress) as progress:  # erased before anything else is printed
        report = fit(
            runs,
            form=request.form,
            drop_highest=request.drop_highest,
            asymmetric=asymmetric,
            bootstrap=request.bootstrap,
            seed=request.seed,
            holdout_largest=request.holdout_largest,
            budget=budget,
            isoflop=request.isoflop,
            isoflop_budgets=budgets_of(request),
            isoflop_tolerance=request.isoflop_tolerance,
            progress=progress,
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
    streams.coded_notices(report.notices)
    from planner.output.fit import fit_json, fit_tables

    if chosen == "json":
        fit_json(report)
    elif chosen in ("csv", "markdown"):
        from planner.output.fit import fit_left_out, fit_row
        from planner.output.flat import write

        write([fit_row(report)], chosen, "fit", left=fit_left_out(report))
    else:
        fit_tables(report)
    return 0


def _out_path(name: str | None, law_id: str | None = None) -> Path | None:
    """The law file to write from --out and --id, or InputError for a name that cannot be a
    law file's: --id alone is ID.toml here, with --out a folder it is in that folder, and
    with --out a file it must be that file's name."""
    if law_id is not None:
        _check_id(law_id)
        named = f"{law_id}.toml"
        if name is None:
            return Path(named)
        folder = Path(name)
        if folder.is_dir():
            return folder / named
        if folder.name != named:
            raise InputError(
                f"--out {name} and --id {law_id} name two laws: a law file is named after its id; "
                f"give --out {folder.with_name(named)}, or --out a folder, or drop one of them"
            )
    if name is None:
        return None
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in name):
        raise InputError(
            "--out holds a control character (such as a NUL byte or a newline); "
            "give a file name such as mylab2026.toml"
        )
    path = Path(name)
    if name.strip() == "" or path.name in ("", ".", ".."):
        raise InputError(f"--out {name!r} is not a file name; give one such as --out mylab2026.toml")
    if path.is_dir():
        raise InputError(
            f"cannot write {name}: it is a folder; give a file name, such as {path / 'mylab2026.toml'}"
        )
    return path


def _check_id(law_id: str) -> None:
    """InputError, saying what an id looks like, unless `law_id` is a valid law id."""
    import datetime

    from planner.laws.format import LAW_ID
    from planner.laws.write import suggest_id

    if not LAW_ID.fullmatch(law_id):
        suggestion = suggest_id(law_id, datetime.date.today().year)
        raise InputError(
            f"--id {law_id!r}: a law id is lower-case letters and digits with a four-digit year and an "
            f"optional -variant, e.g. mylab2026 or mylab2026-small; use e.g. --id {suggestion}"
        )


COMMAND = Command(
    "fit",
    "Fit a law to your own training runs: parameters with intervals, diagnostics, a law file.",
    OPTIONS,
    run_fit,
    arguments=(
        Argument("runs", "RUNS", "CSV or JSON Lines file of training runs, one per row; - for stdin."),
    ),
    examples=(
        "plan fit runs.csv",
        "plan fit runs.csv --bootstrap 0 --json",
        "plan fit runs.csv --out mylab2026.toml",
    ),
)
