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
from planner.planning import FORMAT, Comparison, Notice, Plan

if TYPE_CHECKING:
    from rich.console import Console


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

    console = Console(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        # Piped or redirected: no screen to fit, so do not squeeze tables into 80 columns.
        console = Console(highlight=False, width=120)
    return console


def plans_table(plans: list[Plan]) -> None:
    """Plans for several budgets under one law, as one table."""
    from rich.table import Table

    law = plans[0].law
    limited = plans[0].data
    title = f"Compute-optimal plan under {law.id}"
    if limited is not None:
        title += f" with {count(limited.unique_tokens)} unique tokens"
    table = Table(title=title, title_justify="left")
    names = ["FLOPs", "params", "tokens"]
    names += ["epochs", "D'", "N'"] if limited else ["tokens/param"]
    names += ["loss"]
    names += ["+loss", "dL/dlnC", "returns"] if limited else []
    for name in names:
        table.add_column(name, justify="right")
    for amount in plans[0].natural_units:
        table.add_column(f"{amount.unit}s", justify="right")
        table.add_column(f"nats/{amount.unit}", justify="right")
    constrained = any(p.constraints and p.constraints.binding for p in plans)
    if constrained:
        table.add_column("binds", justify="left")
        table.add_column("extra loss", justify="right")
    for item in plans:
        row = [sci(item.flops), count(item.optimum.params), count(item.optimum.tokens)]
        data = item.data
        if data is None:
            row += [f"{item.optimum.tokens_per_param:.3g}", f"{item.optimum.loss:.4f}"]
        else:
            row += [
                f"{data.epochs:.3g}",
                count(data.effective_tokens),
                count(data.effective_params),
                f"{item.optimum.loss:.4f}",
                f"+{data.loss_penalty:.4f}",
                f"{data.loss_per_ln_flops:.3g}",
                "n/a" if data.returns is None else f"{data.returns * 100:.3g}%",
            ]
        for amount in item.natural_units:
            row += [count(amount.count), f"{amount.loss_per_unit:#.4g}".rstrip(".")]
        if constrained:
            limits = item.constraints
            binding = limits.binding if limits else None
            increase = limits.loss_increase if limits else None
            row += [binding or "", f"+{increase:.4f}" if increase is not None else ""]
        table.add_row(*row)
    console = _console()
    console.print(table)
    _footer(console, plans[0])
    if constrained:
        console.print("extra loss: above the unconstrained optimum at the same FLOPs", soft_wrap=True)


def _data_footer(console: Console, item: Plan) -> None:
    data = item.data
    if data is not None:
        console.print(
            "epochs: tokens / unique tokens; D' and N': effective tokens and params, what repeated "
            "tokens and parameters beyond the unique data's use are worth, with decay constants "
            f"R_D* {data.R_D_star} and R_N* {data.R_N_star} ({data.decay_source})",
            soft_wrap=True,
        )
        console.print(
            "+loss: above the plan with unlimited unique data; dL/dlnC: change in loss per e-fold "
            "(x2.72) more compute, by central difference; returns: dL/dlnC as a share of its value "
            "with unlimited unique data",
            soft_wrap=True,
        )
    subset = item.repeated_subset
    if subset is not None:
        console.print(
            f"repeated subset: {subset.fraction * 100:.3g}% of the training tokens seen {subset.repeats:g} "
            f"times, {subset.token_share * 100:.3g}% of the run; not priced (no published formula)",
            soft_wrap=True,
        )


def _footer(console: Console, item: Plan) -> None:
    _data_footer(console, item)
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
    console.print(f"[bold]{law.id}[/bold]: {law.name}", soft_wrap=True)
    source = law.source
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
    for caveat in law.caveats:
        console.print(f"caveat: {caveat}", soft_wrap=True)
    for row, got in zip(law.reproduces, reproduced, strict=True):
        per = f" per {row.unit}" if row.unit else ""
        at = f"at {sci(row.flops)} FLOPs, " if row.flops is not None else ""
        if row.unique_tokens is not None:
            at += f"{sci(row.unique_tokens)} unique tokens, "
        pairs = ", ".join(
            f"{name} {sci(value)} (gives {sci(got[name])})" for name, value in row.expected().items()
        )
        console.print(
            f'reproduces: "{row.quote}" ({row.locator or law.source.locator}): {at}{pairs}{per}, '
            f"within {row.rel_tol:.0%}",
            soft_wrap=True,
        )
