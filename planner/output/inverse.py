"""Tables of the inverse questions: sizes around the optimum, and the inference-aware plan
beside the compute-optimal one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from planner.output._base import count, footer, new_console, sci
from planner.planning.results import Plan

if TYPE_CHECKING:
    from planner.planning.results import SizeCurve


def size_curve_table(curve: SizeCurve) -> None:
    """Model sizes around the optimum at one budget: loss, and compute to match the optimum."""
    from rich.table import Table

    table = Table(
        title=f"Model sizes around the optimum at {sci(curve.flops)} FLOPs under {curve.law.id}",
        title_justify="left",
    )
    for name in ("size", "params", "tokens", "tokens/param", "loss", "+loss", "FLOPs to match", "overhead"):
        table.add_column(name, justify="right")
    for point in curve.points:
        matched = point.flops_to_match
        overhead = point.compute_overhead
        table.add_row(
            f"{point.fraction:g}x",
            count(point.params),
            count(point.tokens),
            f"{point.tokens_per_param:.3g}",
            f"{point.loss:.4f}",
            f"+{point.loss_gap:.4f}",
            "never" if matched is None else sci(matched),
            "" if overhead is None else f"+{overhead:.1%}",
        )
    console = new_console()
    console.print(table)
    console.print(
        "loss: each size trained on the tokens the budget leaves (C = 6ND); FLOPs to match: what "
        f"that size needs, trained on more or fewer tokens, to reach the optimum's loss "
        f"{curve.optimum.loss:.4f}; overhead: that above the budget",
        soft_wrap=True,
    )
    console.print(f"law: {curve.law.name}; {curve.law.citation}; {curve.law.locator}", soft_wrap=True)


def inference_table(item: Plan) -> None:
    """The lifetime-optimal plan beside the compute-optimal one for the same loss."""
    from rich.table import Table

    from planner.output.tabular import hardware_line, money

    life = item.inference
    assert life is not None
    table = Table(
        title=f"Training plus inference for loss {life.target_loss:.4f} and {count(life.inference_tokens)} "
        f"inference tokens under {item.law.id}",
        title_justify="left",
    )
    priced = life.total_cost is not None
    names = ["", "params", "tokens", "tokens/param", "training FLOPs", "inference FLOPs", "total FLOPs"]
    names += ["total cost"] if priced else []
    for name in names:
        table.add_column(name, justify="left" if not name else "right")
    best, usual = item.optimum, life.compute_optimal
    rows = [
        (
            "inference-aware",
            best,
            life.training_flops,
            life.inference_flops,
            life.total_flops,
            life.total_cost,
        ),
        (
            "compute-optimal",
            usual,
            life.compute_optimal_training_flops,
            life.compute_optimal_inference_flops,
            life.compute_optimal_total_flops,
            life.compute_optimal_total_cost,
        ),
    ]
    for label, split, training, inference, total, cost in rows:
        row = [label, count(split.params), count(split.tokens), f"{split.tokens_per_param:.3g}"]
        row += [sci(training), sci(inference), sci(total)]
        row += [money(cost)] if priced else []
        table.add_row(*row)
    console = new_console()
    console.print(table)
    console.print(
        f"the inference-aware model has {life.params_fraction:.2%} of the parameters and needs "
        f"{life.total_flops_fraction:.2%} of the total FLOPs of the compute-optimal one "
        f"(saves {sci(life.flops_saved)} FLOPs); objective: {life.objective}; "
        "inference costs 2N FLOPs per token (Sardana et al. 2023, arXiv:2401.00448)",
        soft_wrap=True,
    )
    if priced and life.cost_saved is not None:
        console.print(
            f"cost: training {money(life.training_cost)} + inference {money(life.inference_cost)} at "
            f"inference MFU {life.inference_mfu:g}; saves {money(life.cost_saved)}",
            soft_wrap=True,
        )
    if item.hardware is not None:
        spent = item.hardware
        days = f", {spent.days:,.1f} days" if spent.days is not None else ""
        console.print(f"training: {spent.gpu_hours:,.0f} GPU-hours{days}", soft_wrap=True)
        console.print(hardware_line(spent), soft_wrap=True)
    footer(console, item)
