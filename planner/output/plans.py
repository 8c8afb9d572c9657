"""Tables of plans: one law over budgets, every law at a budget, a given run beside the
optimum, and a fine-tune priced beside a plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from planner.output._base import count, footer, interval_row, new_console, sci
from planner.planning.results import Comparison, Plan

if TYPE_CHECKING:
    from rich.console import Console


def plans_table(plans: list[Plan]) -> None:
    """Plans for several budgets under one law, as one table."""
    from rich.table import Table

    law = plans[0].law
    limited = plans[0].data
    title = f"Compute-optimal plan under {law.id}"
    asked = plans[0].inverse
    if asked is not None:
        title = {
            "loss": f"Least compute to reach loss {asked.value:.4f} under {law.id}",
            "params": f"Budget at which {count(asked.value)} parameters are compute-optimal under {law.id}",
            "tokens": f"Budget at which {count(asked.value)} tokens are compute-optimal under {law.id}",
        }[asked.given]
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
    spent = plans[0].hardware
    timed = spent is not None and spent.days is not None
    priced = spent is not None and spent.cost is not None
    if spent is not None:
        table.add_column("GPU-hours", justify="right")
    if timed:
        table.add_column("days", justify="right")
    if priced:
        table.add_column("cost", justify="right")
    bounded = [p.intervals for p in plans if p.intervals is not None]
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
            row += [binding or "", f"{increase:+.4f}" if increase is not None else ""]
        if item.hardware is not None:
            row.append(f"{item.hardware.gpu_hours:,.0f}")
            if timed:
                row.append(f"{item.hardware.days:,.1f}")
            if priced:
                from planner.output.tabular import money

                row.append(money(item.hardware.cost))
        table.add_row(*row)
        if item.intervals is not None:
            table.add_row(*interval_row(item.intervals), *[""] * (len(row) - 5))
    console = new_console()
    console.print(table)
    if asked is not None:
        console.print(f"solved by {asked.method}", soft_wrap=True)
    if spent is not None:
        from planner.output.tabular import hardware_line

        console.print(hardware_line(spent), soft_wrap=True)
    footer(console, plans[0])
    if constrained:
        increases = [p.constraints.loss_increase or 0.0 for p in plans if p.constraints]
        side = "above" if min(increases) >= 0 else "against (negative: below)"
        console.print(f"extra loss: {side} the unconstrained optimum at the same FLOPs", soft_wrap=True)
    if bounded:
        console.print(f"intervals: {bounded[0].method}", soft_wrap=True)
    if plans[0].finetune is not None:
        _finetune_table(console, plans)


def _finetune_table(console: Console, plans: list[Plan]) -> None:
    """The fine-tune part of each plan: a second table, from a second law."""
    from rich.table import Table

    fines = [item.finetune for item in plans if item.finetune is not None]
    first = fines[0]
    estimate = first.transfer
    limited = first.mode == "data_limited"
    in_tokens = first.effective_tokens is not None
    title = "Data-limited fine-tune" if limited else "Fine-tuning set at the plan's N"
    table = Table(title=f"{title}, under {estimate.law.id}", title_justify="left")
    names = ["FLOPs", "D_F chars", "D_E tokens" if in_tokens else "D_E chars", "multiplier", "from transfer"]
    for name in [*names, *(["scratch loss"] if limited else [])]:
        table.add_column(name, justify="right")
    for item, fine in zip(plans, fines, strict=True):
        effective = fine.effective_tokens if fine.effective_tokens is not None else fine.transfer.effective
        row = [
            sci(item.flops),
            count(fine.transfer.finetune_chars),
            count(effective),
            f"{fine.transfer.multiplier:.4g}",
            f"{fine.transfer.fraction_transferred:.1%}",
        ]
        if fine.loss_from_scratch is not None:
            row.append(f"{fine.loss_from_scratch:.4f}")
        table.add_row(*row)
    console.print(table)
    ratio = estimate.chars_per_token
    per = f"; tokens at {ratio:g} characters per token (given)" if ratio is not None else ""
    if limited:
        console.print(
            f"D_F: the tokens trained on, in characters{per}; the plan's loss is at D_E in place of D; "
            "scratch loss: the same N and tokens without pre-training",
            soft_wrap=True,
        )
    else:
        console.print(f"D_F: the whole fine-tuning set{per}; the plan itself is unchanged", soft_wrap=True)
    console.print(
        "D_E = D_F + D_T, the effective data; multiplier D_E / D_F; from transfer D_T / D_E", soft_wrap=True
    )
    console.print(
        f"transfer law: {estimate.law.name}; {estimate.law.citation}; {estimate.law.locator}", soft_wrap=True
    )
    for caveat in estimate.caveats:
        console.print(f"caveat ({estimate.law.id}): {caveat}", soft_wrap=True)


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
    console = new_console()
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


def evaluation_table(item: Plan) -> None:
    """A given run beside the compute-optimal plan at the same FLOPs, and the gap."""
    from rich.table import Table

    from planner.output.tabular import hardware_line, money

    run = item.run
    assert run is not None
    table = Table(
        title=f"Your run and the optimum at {sci(item.flops)} FLOPs",
        title_justify="left",
    )
    for name in ("", "params", "tokens", "tokens/param", "loss"):
        table.add_column(name, justify="left" if not name else "right")
    table.add_row(
        "your run", count(run.params), count(run.tokens), f"{run.tokens_per_param:.3g}", f"{run.loss:.4f}"
    )
    best = item.optimum
    table.add_row(
        "compute-optimal",
        count(best.params),
        count(best.tokens),
        f"{best.tokens_per_param:.3g}",
        f"{best.loss:.4f}",
    )
    console = new_console()
    console.print(table)
    console.print(
        f"FLOPs: {sci(item.flops)} (C = 6ND); gap: +{run.loss_gap:.4f} nats, {run.loss_gap_percent:.3g}% above "
        f"the optimum's loss; params {run.params_ratio:.3g}x the optimum's",
        soft_wrap=True,
    )
    console.print(
        f"the compute-optimal plan reaches loss {run.loss:.4f} with {sci(run.optimal_flops_for_loss)} FLOPs, "
        f"{run.compute_fraction:.1%} of this run's: this run spends {run.compute_overhead:.1%} more",
        soft_wrap=True,
    )
    if item.hardware is not None:
        spent = item.hardware
        cost = f", {money(spent.cost)}" if spent.cost is not None else ""
        days = f", {spent.days:,.1f} days" if spent.days is not None else ""
        console.print(f"this run: {spent.gpu_hours:,.0f} GPU-hours{days}{cost}", soft_wrap=True)
        console.print(hardware_line(spent), soft_wrap=True)
    footer(console, item)
