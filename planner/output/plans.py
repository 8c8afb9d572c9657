"""Tables of plans: one law over budgets, every law at a budget, a given run beside the
optimum, and a fine-tune priced beside a plan.
"""

from __future__ import annotations

from planner.output._base import (
    count,
    days,
    footer,
    interval_lines,
    interval_row,
    law_cells,
    law_columns,
    law_lines,
    loss_cell,
    money,
    sci,
    span,
)
from planner.output.grid import Screen, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from planner.planning.results import Comparison, Plan


def plans_table(plans: list[Plan]) -> None:
    """Plans for several budgets under one law, as one table."""
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
    table = Table(title=title)
    names = ["FLOPs", "params", "tokens"]
    names += ["epochs", "D'", "N'"] if limited else ["tokens/param"]
    names += ["loss"]
    names += ["+loss", "dL/dlnC", "returns"] if limited else []
    bounded = [p.intervals for p in plans if p.intervals is not None]
    for name in names:
        # An interval row's cells ("2.10B to 3.61B") may wrap at their spaces.
        table.column(name, wrap=bool(bounded) and name in ("params", "tokens", "loss"))
    for amount in plans[0].natural_units:
        table.column(f"{amount.unit}s")
        table.column(f"nats/{amount.unit}")
    added = law_columns(plans[0])
    for name in added:
        table.column(name)
    constrained = any(p.constraints and p.constraints.binding for p in plans)
    if constrained:
        table.column("binds", right=False)
        table.column("extra loss")
    spent = plans[0].hardware
    timed = spent is not None and spent.days is not None
    priced = spent is not None and spent.cost is not None
    if spent is not None:
        table.column("GPU-hours", wrap=bool(bounded))
    if timed:
        table.column("days", wrap=bool(bounded))
    if priced:
        table.column("cost", wrap=bool(bounded))
    for item in plans:
        row = [sci(item.flops), count(item.optimum.params), count(item.optimum.tokens)]
        data = item.data
        if data is None:
            row += [f"{item.optimum.tokens_per_param:.3g}", loss_cell(item.optimum.loss)]
        else:
            row += [
                f"{data.epochs:.3g}",
                count(data.effective_tokens),
                count(data.effective_params),
                loss_cell(item.optimum.loss),
                f"+{data.loss_penalty:.4f}",
                f"{data.loss_per_ln_flops:.3g}",
                "n/a" if data.returns is None else f"{data.returns * 100:.3g}%",
            ]
        for amount in item.natural_units:
            row += [count(amount.count), f"{amount.loss_per_unit:#.4g}".rstrip(".")]
        row += law_cells(item)
        if constrained:
            limits = item.constraints
            binding = limits.binding if limits else None
            increase = limits.loss_increase if limits else None
            row += [binding or "", f"{increase:+.4f}" if increase is not None else ""]
        if item.hardware is not None:
            row.append(f"{item.hardware.gpu_hours:,.0f}")
            if timed:
                row.append("" if item.hardware.days is None else days(item.hardware.days))
            if priced:
                row.append(money(item.hardware.cost))
        table.row(*row)
        bounds = item.intervals
        if bounds is not None:
            cells = interval_row(bounds)
            if data is not None:  # epochs, D' and N' sit where tokens/param would, then three more
                cells = [*cells[:3], "", "", "", cells[4], "", "", ""]
            cells += (
                ["", ""] * len(item.natural_units) + [""] * len(added) + (["", ""] if constrained else [])
            )
            if item.hardware is not None:
                hours = bounds.gpu_hours
                cells.append(span(hours.low, hours.high, show=lambda v: f"{v:,.0f}") if hours else "")
                if timed:
                    spent_days = bounds.days
                    cells.append(span(spent_days.low, spent_days.high, show=days) if spent_days else "")
                if priced:
                    cost = bounds.cost
                    cells.append(span(cost.low, cost.high, show=money) if cost else "")
            table.row(*cells, label=True)
    screen = Screen()
    screen.table(table)
    if asked is not None:
        screen.line(f"solved by {asked.method}")
    if spent is not None:
        from planner.output.tabular import hardware_line

        screen.line(hardware_line(spent))
    footer(screen, plans[0])
    law_lines(screen, plans[0])
    if constrained:
        increases = [p.constraints.loss_increase or 0.0 for p in plans if p.constraints]
        side = "above" if min(increases) >= 0 else "against (negative: below)"
        screen.line(f"extra loss: {side} the unconstrained optimum at the same FLOPs")
    if bounded:
        if len(plans) == 1:
            interval_lines(screen, bounded[0])
        else:
            screen.line(f"intervals: {bounded[0].method}")
    if plans[0].finetune is not None:
        _finetune_table(screen, plans)


def _finetune_table(screen: Screen, plans: list[Plan]) -> None:
    """The fine-tune part of each plan: a second table, from a second law."""
    fines = [item.finetune for item in plans if item.finetune is not None]
    first = fines[0]
    estimate = first.transfer
    limited = first.mode == "data_limited"
    in_tokens = first.effective_tokens is not None
    title = "Data-limited fine-tune" if limited else "Fine-tuning set at the plan's N"
    table = Table(title=f"{title}, under {estimate.law.id}")
    names = ["FLOPs", "D_F chars", "D_E tokens" if in_tokens else "D_E chars", "multiplier", "from transfer"]
    for name in [*names, *(["scratch loss"] if limited else [])]:
        table.column(name)
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
        table.row(*row)
    screen.table(table)
    ratio = estimate.chars_per_token
    per = f"; tokens at {ratio:g} characters per token (given)" if ratio is not None else ""
    if limited:
        screen.line(
            f"D_F: the tokens trained on, in characters{per}; the plan's loss is at D_E in place of D; "
            "scratch loss: the same N and tokens without pre-training"
        )
    else:
        screen.line(f"D_F: the whole fine-tuning set{per}; the plan itself is unchanged")
    screen.line("D_E = D_F + D_T, the effective data; multiplier D_E / D_F; from transfer D_T / D_E")
    screen.line(f"transfer law: {estimate.law.name}; {estimate.law.citation}; {estimate.law.locator}")
    for caveat in estimate.caveats:
        screen.line(f"caveat ({estimate.law.id}): {caveat}")


def comparison_table(result: Comparison) -> None:
    """Every law of a domain at one budget, and how far apart they are."""
    table = Table(title=f"{sci(result.flops)} FLOPs under every {result.domain} law")
    for name in ("law", "params", "tokens", "tokens/param", "loss"):
        table.column(name, right=name != "law")
    for item in result.plans:
        table.row(
            item.law.id,
            count(item.optimum.params),
            count(item.optimum.tokens),
            f"{item.optimum.tokens_per_param:.3g}",
            loss_cell(item.optimum.loss),
        )
    spread = result.spread
    table.row(
        "spread (max/min)", f"{spread.params:.3g}x", f"{spread.tokens:.3g}x", "", "", bold=True, section=True
    )
    screen = Screen()
    screen.table(table)
    screen.line(
        "Laws count parameters, tokens and loss differently (see below): the spread shows "
        "how much the choice of law matters, not an error bar."
    )
    for item in result.plans:
        screen.line(f"{item.law.id}: {item.law.citation}; {item.units.tokens}; loss {item.units.loss}")


def evaluation_table(item: Plan) -> None:
    """A given run beside the compute-optimal plan at the same FLOPs, and the gap."""
    from planner.output.tabular import hardware_line

    run = item.run
    assert run is not None
    table = Table(
        title=f"Your run and the optimum at {sci(item.flops)} FLOPs",
    )
    for name in ("", "params", "tokens", "tokens/param", "loss"):
        table.column(
            name, right=bool(name), wrap=item.intervals is not None and name in ("params", "tokens", "loss")
        )
    added = law_columns(item)
    for name in added:
        table.column(name)
    table.row(
        "your run",
        count(run.params),
        count(run.tokens),
        f"{run.tokens_per_param:.3g}",
        f"{run.loss:.4f}",
        *law_cells(item, run=True),
    )
    bounds = item.intervals
    if bounds is not None and bounds.run_loss is not None:
        band = bounds.run_loss
        table.row(
            f"{bounds.level:.0%} interval",
            "",
            "",
            "",
            span(band.low, band.high, show=lambda v: f"{v:.4f}"),
            *[""] * len(added),
        )
    best = item.optimum
    table.row(
        "compute-optimal",
        count(best.params),
        count(best.tokens),
        f"{best.tokens_per_param:.3g}",
        f"{best.loss:.4f}",
        *law_cells(item),
    )
    if bounds is not None:
        table.row(*interval_row(bounds), *[""] * len(added), label=True)
    screen = Screen()
    screen.table(table)
    screen.line(
        f"FLOPs: {sci(item.flops)} ({item.attention.formula if item.attention else 'C = 6ND'}); gap: +{run.loss_gap:.4f} nats, {run.loss_gap_percent:.3g}% above "
        f"the optimum's loss; params {run.params_ratio:.3g}x the optimum's"
    )
    if run.unique_tokens is not None and run.epochs is not None and run.data_penalty is not None:
        screen.line(
            f"unique data: {count(run.unique_tokens)} tokens, {run.epochs:.3g} epochs: the repeats cost "
            f"+{run.data_penalty:.4f} nats against unlimited unique data (loss {run.loss_unlimited_data:.4f}); "
            "the optimum has the same supply"
        )
    screen.line(
        f"the compute-optimal plan reaches loss {run.loss:.4f} with {sci(run.optimal_flops_for_loss)} FLOPs, "
        f"{run.compute_fraction:.1%} of this run's: this run spends {run.compute_overhead:.1%} more"
    )
    if item.hardware is not None:
        spent = item.hardware
        cost = f", {money(spent.cost)}" if spent.cost is not None else ""
        time = f", {days(spent.days)} days" if spent.days is not None else ""
        screen.line(f"this run: {spent.gpu_hours:,.0f} GPU-hours{time}{cost}")
        screen.line(hardware_line(spent))
    footer(screen, item)
    law_lines(screen, item)
    if bounds is not None:
        interval_lines(screen, bounds)
