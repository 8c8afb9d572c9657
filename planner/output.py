"""Everything planner writes: rich tables, JSON Lines and messages on stderr.

Owns presentation only; the only module that imports rich, and only inside the functions
that draw tables, so `--json` and error paths never load it. Results go to stdout,
messages to stderr. Must not compute plans or read files.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from planner.laws import Law, defaults, is_default
from planner.planning import FORMAT, Comparison, Intervals, Notice, Plan

if TYPE_CHECKING:
    from rich.console import Console

    from planner.fitting.report import FitReport


def error(message: str) -> None:
    """One `error: ...` line on stderr (indented detail lines may follow)."""
    sys.stderr.write(f"error: {message}\n")


def notices(items: Iterable[Notice]) -> None:
    """Warnings and notes about results, on stderr, one line each."""
    for notice in items:
        sys.stderr.write(f"{notice.level}: {notice.message}\n")


def _json_line(data: dict[str, Any]) -> None:
    # allow_nan=False: a NaN in a result is a bug, and it must fail loudly, not print NaN.
    sys.stdout.write(json.dumps(data, allow_nan=False, separators=(",", ":")) + "\n")


def json_lines(results: Iterable[Plan | Comparison]) -> None:
    """One compact JSON object per result per line."""
    for result in results:
        _json_line(dataclasses.asdict(result))


def law_record(law: Law) -> dict[str, Any]:
    """A law as plain data, without the empty alternatives of its format."""

    def prune(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: prune(item) for key, item in value.items() if item is not None}
        if isinstance(value, (list, tuple)):
            return [prune(item) for item in value]
        return value

    from planner import __version__

    record: dict[str, Any] = prune(dataclasses.asdict(law))
    return {
        "format": FORMAT,
        "planner_version": __version__,
        **record,
        "citation": law.citation,
        "default": is_default(law),
    }


def laws_json(laws: Iterable[Law]) -> None:
    """The catalog as JSON Lines, one law per line."""
    for law in laws:
        _json_line(law_record(law))


def count(value: float) -> str:
    """A count for people: 2.78B, 60.0B, 1.33T; scientific beyond quadrillions."""
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if 1 <= value / size < 1000:
            return f"{value / size:#.3g}".rstrip(".") + suffix
    return sci(value)


def sci(value: float) -> str:
    """Scientific notation as people type it: 1e21, 5.76e23."""
    text = f"{value:.3g}"
    return text.replace("e+", "e").replace("e0", "e").replace("e-0", "e-")


def _console() -> Console:
    import os

    from rich.console import Console

    # No markup: law files and runs files supply text, and "[params]" in it is not a style.
    console = Console(highlight=False, markup=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        # Piped or redirected: no screen to fit, so do not squeeze tables into 80 columns.
        console = Console(highlight=False, markup=False, width=120)
    return console


def plans_table(plans: list[Plan]) -> None:
    """Plans for several budgets under one law, as one table."""
    from rich.table import Table

    law = plans[0].law
    table = Table(title=f"Compute-optimal plan under {law.id}", title_justify="left")
    for name in ("FLOPs", "params", "tokens", "tokens/param", "loss"):
        table.add_column(name, justify="right")
    for amount in plans[0].natural_units:
        table.add_column(f"{amount.unit}s", justify="right")
        table.add_column(f"nats/{amount.unit}", justify="right")
    constrained = any(p.constraints and p.constraints.binding for p in plans)
    if constrained:
        table.add_column("binds", justify="left")
        table.add_column("extra loss", justify="right")
    bounded = [p.intervals for p in plans if p.intervals is not None]
    for item in plans:
        row = [
            sci(item.flops),
            count(item.optimum.params),
            count(item.optimum.tokens),
            f"{item.optimum.tokens_per_param:.3g}",
            f"{item.optimum.loss:.4f}",
        ]
        for amount in item.natural_units:
            row += [count(amount.count), f"{amount.loss_per_unit:#.4g}".rstrip(".")]
        if constrained:
            limits = item.constraints
            binding = limits.binding if limits else None
            increase = limits.loss_increase if limits else None
            row += [binding or "", f"+{increase:.4f}" if increase is not None else ""]
        table.add_row(*row)
        if item.intervals is not None:
            table.add_row(*_interval_row(item.intervals), *[""] * (len(row) - 5))
    console = _console()
    console.print(table)
    _footer(console, plans[0])
    if constrained:
        console.print("extra loss: above the unconstrained optimum at the same FLOPs", soft_wrap=True)
    if bounded:
        console.print(f"intervals: {bounded[0].method}", soft_wrap=True)


def span(low: float, high: float, show: Any = None) -> str:
    """An interval for people: 2.10B to 3.61B, or with `show` (a formatter) for other numbers."""
    text = show or count
    return f"{text(low)} to {text(high)}"


def _interval_row(bounds: Intervals) -> list[str]:
    """Cells of a row under a plan's own: the interval of params, tokens and loss."""
    return [
        f"{bounds.level:.0%} interval",
        span(*bounds.params),
        span(*bounds.tokens),
        "",
        span(*bounds.loss, show=lambda v: f"{v:.4f}"),
    ]


def _footer(console: Console, item: Plan) -> None:
    console.print(
        f"params: {_counts(item.units.params)} parameters; loss in {item.units.loss}", soft_wrap=True
    )
    console.print(f"FLOPs: {item.units.flops}", soft_wrap=True)
    console.print(f"tokens: {item.units.tokens}", soft_wrap=True)
    for amount in item.natural_units:
        console.print(f"{amount.unit}: {amount.tokens_per_unit:,.0f} tokens", soft_wrap=True)
    console.print(f"law: {item.law.name}; {item.law.citation}; {item.law.locator}", soft_wrap=True)
    for caveat in item.caveats:
        console.print(f"caveat: {caveat}", soft_wrap=True)


def comparison_table(result: Comparison) -> None:
    """Every law of a domain at one budget, and how far apart they are."""
    from rich.table import Table

    table = Table(title=f"{sci(result.flops)} FLOPs under every {result.domain} law", title_justify="left")
    for name in ("law", "params", "tokens", "tokens/param", "loss"):
        table.add_column(name, justify="left" if name == "law" else "right", no_wrap=name == "law")
    for item in result.plans:
        table.add_row(
            item.law.id,
            count(item.optimum.params),
            count(item.optimum.tokens),
            f"{item.optimum.tokens_per_param:.3g}",
            f"{item.optimum.loss:.4f}",
        )
    spread = result.spread
    table.add_row("spread (max/min)", f"{spread.params:.3g}x", f"{spread.tokens:.3g}x", "", "", style="bold")
    console = _console()
    console.print(table)
    console.print(
        "Laws count parameters, tokens and loss differently (see below): the spread shows "
        "how much the choice of law matters, not an error bar.",
        soft_wrap=True,
    )
    for item in result.plans:
        console.print(
            f"{item.law.id}: {item.law.citation}; {item.units.tokens}; loss {item.units.loss}", soft_wrap=True
        )


def laws_table(laws: list[Law]) -> None:
    """The catalog: one row per law."""
    from rich.table import Table

    table = Table(title="Scaling laws", title_justify="left")
    for name in ("id", "domain", "form", "source"):
        table.add_column(name, no_wrap=True)
    for law in laws:
        table.add_row(
            f"{law.id} *" if is_default(law) else law.id,
            law.domain,
            law.form,
            f"{law.source.authors.split(',')[0]}{' et al.' if ',' in law.source.authors else ''} {law.source.year}",
        )
    console = _console()
    console.print(table)
    console.print(
        "* the domain's default law. In full, with source and parameters: plan laws show ID", soft_wrap=True
    )


def _counts(params: str) -> str:
    return {"total": "total", "non_embedding": "non-emb."}.get(params, params)


def _parameter_table(title: str, params: Any, stderr: dict[str, float]) -> Any:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column("name")
    table.add_column("value", justify="right")
    table.add_column("std. error", justify="right")
    for field in dataclasses.fields(params):
        value = getattr(params, field.name)
        if value is None:
            continue
        spread = stderr.get(field.name)
        table.add_row(
            field.name,
            f"{value:g}" if isinstance(value, float) else str(value),
            f"{spread:g}" if spread is not None else "",
        )
    return table


def law_detail(law: Law, reproduced: list[dict[str, float]]) -> None:
    """One law in full: formula, parameters with standard errors, source, range, caveats,
    and each quoted number beside what the law gives for it."""
    console = _console()
    from rich.text import Text

    console.print(Text.assemble((law.id, "bold"), f": {law.name}"), soft_wrap=True)
    source = law.source
    if source.kind == "user-fit":
        console.print(f'source: a fit by {source.authors} ({source.year}), "{source.title}"', soft_wrap=True)
        digest = f" (sha256 {source.data_sha256})" if source.data_sha256 else ""
        console.print(f"runs: {source.data}{digest}", soft_wrap=True)
    else:
        where = f"arXiv:{source.arxiv}" if source.arxiv else f"doi:{source.doi}"
        console.print(f'source: {source.authors} ({source.year}), "{source.title}", {where}', soft_wrap=True)
    console.print(f"where: {source.locator}", soft_wrap=True)
    console.print(f"domain: {law.domain}   form: {law.form}", soft_wrap=True)
    if is_default(law):
        console.print(f"the {law.domain} default: {defaults()[law.domain].why}", soft_wrap=True)
    console.print(f"formula: {law.params.FORMULA}", soft_wrap=True)
    console.print(_parameter_table("parameters (as printed)", law.params, law.stderr or {}))
    model_size = getattr(law, "model_size", None)
    if model_size is not None:
        console.print(f"the same source's model-size law: {model_size.FORMULA}", soft_wrap=True)
        console.print(_parameter_table("L(N) parameters (as printed)", model_size, {}))
    quantities = law.quantities
    console.print(f"N counts: {quantities.params.replace('_', '-')} parameters", soft_wrap=True)
    console.print(f"tokens: {quantities.tokens}", soft_wrap=True)
    for unit in law.units:
        console.print(f"{unit.name}: {unit.tokens:,.0f} tokens ({unit.note or ''})", soft_wrap=True)
    console.print(f"loss: {quantities.loss} ({quantities.loss_units})", soft_wrap=True)
    console.print(f"FLOPs: {quantities.flops}", soft_wrap=True)
    bounds = law.fitted_range.bounds()
    for name, (low, high) in bounds.items():
        console.print(f"fitted range, {name}: {sci(low)} to {sci(high)}")
    if law.fitted_range.note:
        console.print(f"fitted range: {law.fitted_range.note}", soft_wrap=True)
    if law.covariance is not None:
        cov = law.covariance
        how = f"{cov.method}" + (f", {cov.resamples} resamples" if cov.resamples else "")
        how += f", seed {cov.seed}" if cov.seed is not None else ""
        console.print(
            f"covariance: {how}, of {', '.join(cov.names)}; plans under this law carry intervals",
            soft_wrap=True,
        )
    for caveat in law.caveats:
        console.print(f"caveat: {caveat}", soft_wrap=True)
    for row, got in zip(law.reproduces, reproduced, strict=True):
        per = f" per {row.unit}" if row.unit else ""
        at = f"at {sci(row.flops)} FLOPs, " if row.flops is not None else ""
        pairs = ", ".join(
            f"{name} {sci(value)} (gives {sci(got[name])})" for name, value in row.expected().items()
        )
        console.print(
            f'reproduces: "{row.quote}" ({row.locator or law.source.locator}): {at}{pairs}{per}, '
            f"within {row.rel_tol:.0%}",
            soft_wrap=True,
        )


def coded_notices(items: Iterable[Notice]) -> None:
    """Diagnostics on stderr, one line each, with the code that JSON output carries."""
    for notice in items:
        sys.stderr.write(f"{notice.level}[{notice.code}]: {notice.message}\n")


def fit_json(report: FitReport) -> None:
    """The fit report as one compact JSON object on one line."""
    _json_line(dataclasses.asdict(report))


def fit_tables(report: FitReport) -> None:
    """The fit report for people: parameters, how the fit went, the plan, the holdout."""
    from rich.table import Table

    runs, method = report.runs, report.method
    console = _console()
    console.print(f"{report.form} fit to {runs.source}: {runs.fitted} of {runs.count} runs", soft_wrap=True)
    table = Table()
    table.add_column("param")
    table.add_column("estimate", justify="right")
    table.add_column("std. error", justify="right")
    level = report.bootstrap.level if report.bootstrap else 0.95
    table.add_column(f"{level:.0%} interval", justify="right")
    for estimate in report.params:
        table.add_row(
            estimate.name,
            f"{estimate.value:.6g}",
            f"{estimate.stderr:.4g}" if estimate.stderr is not None else "",
            span(*estimate.interval, show=lambda v: f"{v:.4g}") if estimate.interval else "",
        )
    console.print(table)
    console.print(f"form: {report.formula}", soft_wrap=True)
    state = "converged" if method.converged else "NOT converged"
    envelope = f", runs above the curve weighted {method.asymmetric:g}x" if method.asymmetric else ""
    console.print(
        f"fit: Huber loss (delta {method.delta:g}) on log loss{envelope}, {method.starts:,} starts; "
        f"objective {method.objective:.6g}, {state} (projected gradient {method.projected_gradient:.2g})",
        soft_wrap=True,
    )
    if report.bootstrap is not None:
        boot = report.bootstrap
        console.print(
            f"bootstrap: {boot.resamples} resamples (seed {boot.seed}), {boot.converged} converged; "
            f"intervals are percentiles of the refits",
            soft_wrap=True,
        )
    else:
        console.print("bootstrap: none (--bootstrap 0), so no standard errors or intervals", soft_wrap=True)
    res = report.residuals
    console.print(
        f"residuals, log(predicted / observed loss) over {res.runs} runs: RMS {res.rms:.3g}, "
        f"median {res.median:.2g}, largest {res.max_abs:.3g}",
        soft_wrap=True,
    )
    ranges = "; ".join(
        f"{name} {sci(low)} to {sci(high)}" for name, (low, high) in report.fitted_range.bounds().items()
    )
    console.print(f"fitted range: {ranges or report.fitted_range.note}", soft_wrap=True)
    if report.plan is not None:
        _budget_table(console, report)
    if report.holdout is not None:
        _holdout_table(console, report)
    if report.law_file is not None:
        console.print(
            f"law file: {report.law_file}; plan with it: plan --flops {sci(report.plan.flops) if report.plan else '1e22'} "
            f"--law {_as_path(report.law_file)}",
            soft_wrap=True,
        )


def _as_path(name: str) -> str:
    """A law file name as `--law` takes it: with a folder, so it is not read as an id."""
    return name if "/" in name else f"./{name}"


def _budget_table(console: Console, report: FitReport) -> None:
    from rich.table import Table

    plan = report.plan
    assert plan is not None
    console.print(f"Compute-optimal plan under the fit at {sci(plan.flops)} FLOPs", soft_wrap=True)
    table = Table()
    for name in ("FLOPs", "params", "tokens", "tokens/param", "loss"):
        table.add_column(name, justify="right")
    best = plan.optimum
    table.add_row(
        sci(plan.flops),
        count(best.params),
        count(best.tokens),
        f"{best.tokens_per_param:.3g}",
        f"{best.loss:.4f}",
    )
    if plan.intervals is not None:
        table.add_row(*_interval_row(plan.intervals))
    console.print(table)
    if plan.intervals is not None:
        console.print(f"intervals: {plan.intervals.method}", soft_wrap=True)


def _holdout_table(console: Console, report: FitReport) -> None:
    from rich.table import Table

    holdout = report.holdout
    assert holdout is not None
    console.print(
        f"Holdout: the {len(holdout.runs)} largest-compute runs, predicted by a fit to the other {holdout.fitted}",
        soft_wrap=True,
    )
    table = Table()
    for name in ("row", "params", "tokens", "FLOPs", "loss", "predicted", "error"):
        table.add_column(name, justify="right")
    for run in holdout.runs:
        table.add_row(
            str(run.row),
            count(run.params),
            count(run.tokens),
            sci(run.flops),
            f"{run.loss:.4f}",
            f"{run.predicted:.4f}",
            f"{run.relative_error:+.2%}",
        )
    console.print(table)
    console.print(
        f"holdout: RMS log residual {holdout.rms_log_residual:.3g}, largest error {holdout.max_abs_relative_error:.2%}; "
        "fitted without them: " + ", ".join(f"{e.name} {e.value:.4g}" for e in holdout.params),
        soft_wrap=True,
    )
