"""Tables of the inverse questions: sizes around the optimum, and the inference-aware plan
beside the compute-optimal one.
"""

from __future__ import annotations

from planner.output._base import count, days, footer, interval_lines, sci, span
from planner.output.grid import Screen, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from planner.planning.results import Plan, SizeCurve


def size_curve_table(curve: SizeCurve) -> None:
    """Model sizes around the optimum at one budget: loss, and compute to match the optimum."""
    table = Table(
        title=f"Model sizes around the optimum at {sci(curve.flops)} FLOPs under {curve.law.id}",
    )
    bounds = curve.intervals
    banded = any(point.loss_interval is not None for point in curve.points)
    names = ["size", "params", "tokens", "tokens/param", "loss"]
    names += [f"loss, {bounds.level:.0%}"] if banded and bounds is not None else []
    for name in [*names, "+loss", "FLOPs to match", "overhead"]:
        table.column(name, wrap=name.startswith("loss,"))
    for point in curve.points:
        matched = point.flops_to_match
        overhead = point.compute_overhead
        band = point.loss_interval
        table.row(
            f"{point.fraction:g}x",
            count(point.params),
            count(point.tokens),
            f"{point.tokens_per_param:.3g}",
            f"{point.loss:.4f}",
            *([span(band.low, band.high, show=lambda v: f"{v:.3f}") if band else ""] if banded else []),
            f"+{point.loss_gap:.4f}",
            "never" if matched is None else sci(matched),
            "" if overhead is None else f"+{overhead:.1%}",
        )
    screen = Screen()
    screen.table(table)
    if banded and bounds is not None:
        screen.line(
            f"loss, {bounds.level:.0%}: the interval of each size's loss, from the draws of the law's "
            "parameters and the model error; +loss and the FLOPs to match are the point estimate's"
        )
    screen.line(
        "loss: each size trained on the tokens the budget leaves (C = 6ND); FLOPs to match: what "
        f"that size needs, trained on more or fewer tokens, to reach the optimum's loss "
        f"{curve.optimum.loss:.4f}; overhead: that above the budget"
    )
    screen.line(f"loss: {curve.predicts}")
    screen.line(f"law: {curve.law.name}; {curve.law.citation}; {curve.law.locator}")
    if bounds is not None:
        interval_lines(screen, bounds)


def inference_table(item: Plan) -> None:
    """The lifetime-optimal plan beside the compute-optimal one for the same loss."""
    from planner.output._base import money
    from planner.output.tabular import hardware_line

    life = item.inference
    assert life is not None
    table = Table(
        title=f"Training plus inference for loss {life.target_loss:.4f} and {count(life.inference_tokens)} "
        f"inference tokens under {item.law.id}",
    )
    priced = life.total_cost is not None
    names = ["", "params", "tokens", "tokens/param", "training FLOPs", "inference FLOPs", "total FLOPs"]
    names += ["total cost"] if priced else []
    for name in names:
        table.column(name, right=bool(name))
    best, usual = item.optimum, life.compute_optimal
    rows = [
        (
            "given size" if life.size_given else "inference-aware",
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
    chosen = life.lifetime_optimal
    if chosen is not None and life.lifetime_optimal_total_flops is not None:
        lifetime_training = 6.0 * chosen.params * chosen.tokens
        lifetime = (
            "inference-aware",
            chosen,
            lifetime_training,
            life.lifetime_optimal_total_flops - lifetime_training,
            life.lifetime_optimal_total_flops,
            None,
        )
        rows.insert(1, lifetime)
    for label, split, training, inference, total, cost in rows:
        row = [label, count(split.params), count(split.tokens), f"{split.tokens_per_param:.3g}"]
        row += [sci(training), sci(inference), sci(total)]
        row += [money(cost)] if priced else []
        table.row(*row)
    screen = Screen()
    screen.table(table)
    if chosen is not None and life.lifetime_optimal_total_flops is not None:
        screen.line(
            f"the given size has {life.params_fraction:.2%} of the compute-optimal model's parameters and "
            f"needs {life.total_flops_fraction:.2%} of its total FLOPs, and "
            f"{life.total_flops / life.lifetime_optimal_total_flops:.2%} of the inference-aware size's "
            f"(objective: {life.objective}) for the same loss and inference; inference costs 2N FLOPs "
            "per token (Sardana et al. 2023, arXiv:2401.00448)"
        )
    else:
        screen.line(
            f"the inference-aware model has {life.params_fraction:.2%} of the parameters and needs "
            f"{life.total_flops_fraction:.2%} of the total FLOPs of the compute-optimal one "
            f"(saves {sci(life.flops_saved)} FLOPs); objective: {life.objective}; "
            "inference costs 2N FLOPs per token (Sardana et al. 2023, arXiv:2401.00448)"
        )
    if priced and life.cost_saved is not None:
        screen.line(
            f"cost: training {money(life.training_cost)} + inference {money(life.inference_cost)} at "
            f"inference MFU {life.inference_mfu:g}; saves {money(life.cost_saved)}"
        )
    if item.hardware is not None:
        spent = item.hardware
        time = f", {days(spent.days)} days" if spent.days is not None else ""
        screen.line(f"training: {spent.gpu_hours:,.0f} GPU-hours{time}")
        screen.line(hardware_line(spent))
    footer(screen, item)
