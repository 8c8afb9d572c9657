"""Inverse questions: the plan for a target loss, a fixed model size or a fixed token count,
and the trade-off of model sizes off the optimum at a budget.

Owns `for_loss`, `for_params`, `for_tokens` (each gives the compute-optimal `Plan` that the
question pins down, marked with what was given in `Plan.inverse`) and `size_curve` (a
`SizeCurve`). Each form's inverses are closed forms in `planner.forms` (our algebra on the
published equations), except the least compute for a loss under kaplan-nd, which bisects
the monotone frontier with `planner.planning.run.flops_for_loss`. Checks its inputs and
raises `InputError`; never prints. Standard library only; loaded only for these questions.
"""

from __future__ import annotations

import math

from planner.errors import InfeasibleError, InputError
from planner.forms.base import Law
from planner.planning.budget import plan_one, resolve_law, why_unplannable
from planner.planning.results import (
    Given,
    Inverse,
    Notice,
    SizeCurve,
    SizePoint,
    law_ref,
    planner_version,
)
from planner.planning.sense import LEVEL, check_level, check_positive, question
from planner.units import FLOPS_PER_PARAM_TOKEN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from planner.hardware import Hardware
    from planner.planning.results import Intervals, Plan


def plannable_law(law: Law | str | None, domain: str | None) -> Law:
    chosen: Law = resolve_law(law, domain)
    reason = why_unplannable(chosen)
    if reason is not None:
        raise InfeasibleError(
            f"law {chosen.id} cannot answer this: {reason}; use a {chosen.domain} law that gives N_opt"
        )
    return chosen


def _marked(plan: Plan, given: Given, value: float, method: str) -> Plan:
    return plan.replace(inverse=Inverse(given, value, method))


def _budget(law: Law, what: str, solve: float) -> float:
    if not (math.isfinite(solve) and solve > 0):
        raise InfeasibleError(
            f"{what} is beyond what law {law.id} can compute in floating point; "
            "give a value nearer the range the law was fitted on"
        )
    return solve


def least_flops(law: Law, target: float) -> tuple[float, str]:
    """(the least compute whose compute-optimal loss is `target`, how it was found)."""
    try:
        return law.params.frontier_budget(target), law.params.FRONTIER_BUDGET_METHOD
    except (OverflowError, ZeroDivisionError):
        return math.inf, ""


def check_target(law: Law, target: float, name: str = "target loss") -> float:
    """The target as a float, or InputError unless it is finite and above the law's floor."""
    reason = law.why_no_loss()
    if reason is not None:
        raise InfeasibleError(
            f"law {law.id} cannot be asked for a {name}: {reason}; pass --law with a "
            f"{law.domain} law that predicts a loss (see plan laws)"
        )
    number = float(target)
    if not math.isfinite(number):
        raise InputError(f"{name} must be a finite number (got {target!r}); give e.g. 2.0")
    floor = float(law.params.irreducible_loss)
    if number <= floor:
        raise InputError(
            f"{name} {number:g} is at or below the irreducible loss {floor:.4g} of law {law.id}: "
            f"no amount of compute reaches it; give a target above {floor:.4g}"
        )
    return number


@question("the plan for that loss")
def for_loss(
    target: float,
    law: Law | str | None = None,
    *,
    domain: str | None = None,
    hardware: Hardware | None = None,
    level: float | None = LEVEL,
) -> Plan:
    """The compute-optimal plan with the least compute whose predicted loss is `target`;
    with intervals (at `level`; None for none) on the FLOPs it needs and its split.

    Raises:
        InputError: a target at or below the law's irreducible loss (the message names it).
        InfeasibleError: a law that cannot split a budget, or a target out of floating-point reach.
    """
    chosen = plannable_law(law, domain)
    loss = check_target(chosen, target)
    flops, method = least_flops(chosen, loss)
    flops = _budget(chosen, f"target loss {loss:g}", flops)
    found = plan_one(flops, chosen, hardware=hardware, level=_level(level))
    if found.intervals is not None:
        from planner.planning.intervals import target_intervals

        found = _reasked(found, chosen, target_intervals(chosen, loss, found.intervals.level, hardware))
    return _marked(found, "loss", loss, method)


@question("the plan for that size")
def for_params(
    params: float,
    law: Law | str | None = None,
    *,
    domain: str | None = None,
    hardware: Hardware | None = None,
    level: float | None = LEVEL,
) -> Plan:
    """The plan whose compute-optimal size is `params`: N_opt(C) inverted (closed form);
    with intervals (at `level`; None for none) on the budget, its tokens and loss."""
    chosen = plannable_law(law, domain)
    n = check_positive("params", params, least=1)
    try:
        flops = chosen.params.budget_for_params(n)
    except (OverflowError, ZeroDivisionError):
        flops = math.inf
    flops = _budget(chosen, f"{n:.3g} parameters", flops)
    found = _size_given(
        plan_one(flops, chosen, hardware=hardware, level=_level(level)), chosen, "params", n, hardware
    )
    return _marked(found, "params", n, "closed form (N_opt(C) solved for C)")


@question("the plan for those tokens")
def for_tokens(
    tokens: float,
    law: Law | str | None = None,
    *,
    domain: str | None = None,
    hardware: Hardware | None = None,
    level: float | None = LEVEL,
) -> Plan:
    """The plan whose compute-optimal tokens are `tokens`: D_opt(C) inverted (closed form);
    with intervals (at `level`; None for none) on the budget, its size and loss."""
    chosen = plannable_law(law, domain)
    d = check_positive("tokens", tokens, least=1)
    try:
        flops = chosen.params.budget_for_tokens(d)
    except ValueError:
        raise InfeasibleError(
            f"under law {chosen.id} the optimal tokens do not grow with compute, so no budget "
            "makes a given token count optimal; give --params or --flops instead"
        ) from None
    except (OverflowError, ZeroDivisionError):
        flops = math.inf
    flops = _budget(chosen, f"{d:.3g} tokens", flops)
    found = _size_given(
        plan_one(flops, chosen, hardware=hardware, level=_level(level)), chosen, "tokens", d, hardware
    )
    return _marked(found, "tokens", d, "closed form (D_opt(C) solved for C)")


def _level(level: float | None) -> float | None:
    return None if level is None else check_level(level)


def _size_given(found: Plan, law: Law, given: str, value: float, hardware: Hardware | None) -> Plan:
    """`found` with the intervals of its inverse question in place of its budget's."""
    if found.intervals is None:
        return found
    from planner.planning.intervals import size_given_intervals

    bounds = size_given_intervals(law, given, value, found.flops, found.intervals.level, hardware)
    return _reasked(found, law, bounds)


def _reasked(found: Plan, law: Law, bounds: Intervals | None) -> Plan:
    """`found` with the inverse question's intervals; a notice where the draws give none."""
    if bounds is not None:
        return found.replace(intervals=bounds)
    notice = Notice(
        "no_intervals",
        f"no intervals: fewer than half the draws from the covariance of {law.id} answer this question",
    )
    return found.replace(intervals=None, notices=(*found.notices, notice))


NICE = (1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
"""Mantissas of the fractions between the ends of a size range: a 1-1.25-1.5-2-... series."""

WIDEST = (1e-3, 1e3)
"""The size range may span at most 1/1000x to 1000x the optimum (60 rows at most)."""


def size_grid(low: float, high: float) -> list[float]:
    """Fractions of the optimum: both ends, 1, and the NICE fractions between the ends."""
    if not (math.isfinite(low) and math.isfinite(high) and 0 < low < high):
        raise InputError(f"a size range needs 0 < low < high (got {low:g} and {high:g}); give e.g. 0.25 2")
    if low < WIDEST[0] or high > WIDEST[1]:
        raise InputError(
            f"a size range must lie within {WIDEST[0]:g}x to {WIDEST[1]:g}x the optimum (got {low:g} to {high:g})"
        )
    inside = {
        round(mantissa * 10.0**exponent, 12)
        for exponent in range(-4, 4)
        for mantissa in NICE
        if low < mantissa * 10.0**exponent < high
    }
    return sorted({low, high, 1.0} | inside)


@question("the size curve")
def size_curve(
    flops: float,
    low: float,
    high: float,
    law: Law | str | None = None,
    *,
    domain: str | None = None,
    level: float | None = LEVEL,
) -> SizeCurve:
    """Loss and compute overhead of model sizes from `low` to `high` times the optimum at `flops`.

    Each size is trained on what the budget leaves (C / 6N) for its loss; its compute to
    match the optimum's loss trains the same size on the tokens that reach that loss (the
    law solved for D), as Kaplan et al. (2020, App. B.4) price suboptimal sizes.

    Raises:
        InputError: a bad budget or range.
        InfeasibleError: a frontier-form law, which gives the loss of the optimum only.
    """
    chosen = plannable_law(law, domain)
    if chosen.off_optimum is not None:
        raise InfeasibleError(
            f"law {chosen.id} gives {chosen.off_optimum}, so it cannot "
            "price sizes off the optimum; use a law of form chinchilla or kaplan-nd"
        )
    budget = check_positive("flops", flops)
    fractions = size_grid(low, high)
    base = plan_one(budget, chosen, level=_level(level))
    best = base.optimum
    bands = None
    if base.intervals is not None:
        from planner.planning.intervals import size_intervals

        sizes = [best.params * fraction for fraction in fractions]
        bands = size_intervals(chosen, budget, sizes, base.intervals.level)
    points: list[SizePoint] = []
    form = chosen.params
    for fraction in fractions:
        n = best.params * fraction
        d = budget / (FLOPS_PER_PARAM_TOKEN * n)
        loss = form.loss(n, d)
        if not (math.isfinite(loss) and d >= 1 and n >= 1):
            raise InfeasibleError(
                f"{fraction:g}x the optimum at {budget:.3g} FLOPs is {n:.3g} parameters on {d:.3g} "
                "tokens, which the law cannot price; narrow the size range or give a larger budget"
            )
        matched = None
        if fraction == 1.0:
            matched = budget
        else:
            needed = form.tokens_for_loss(n, best.loss)
            if math.isfinite(needed):
                matched = FLOPS_PER_PARAM_TOKEN * n * needed
        points.append(
            SizePoint(
                fraction=fraction,
                params=n,
                tokens=d,
                tokens_per_param=d / n,
                loss=loss,
                loss_gap=max(0.0, loss - best.loss),
                flops_to_match=matched,
                compute_overhead=None if matched is None else max(0.0, matched / budget - 1.0),
                loss_interval=bands[len(points)] if bands is not None else None,
            )
        )
    notices = list(base.notices)
    unreachable = [p.fraction for p in points if p.flops_to_match is None]
    if unreachable:
        notices.append(
            Notice(
                "size_cannot_match",
                f"{', '.join(f'{f:g}x' for f in unreachable)} the optimum cannot reach its loss "
                f"{best.loss:.4f} with any amount of data under {chosen.id}",
                level="note",
            )
        )
    return SizeCurve(
        planner_version=planner_version(),
        law=law_ref(chosen),
        flops=budget,
        optimum=best,
        points=tuple(points),
        intervals=base.intervals,
        notices=tuple(notices),
    )
