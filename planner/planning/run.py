"""A given run judged against the compute-optimal plan at the same FLOPs.

Owns `evaluate(params, tokens)`: the run's FLOPs (C = 6ND), its predicted loss, the
optimum at those FLOPs, and the gap, in extra loss and in the compute the optimal plan
would need to reach the run's loss. Checks its inputs and raises `InputError`; never prints.
Standard library only.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from planner.errors import InfeasibleError
from planner.forms.chinchilla import ChinchillaParams
from planner.forms.kaplan_nd import KaplanNDParams
from planner.laws.catalog import ChinchillaLaw, FrontierLaw, KaplanNDLaw, Law
from planner.planning.notices import range_notice
from planner.planning.budget import Plan, check_positive, plan_one, resolve_law
from planner.units import FLOPS_PER_PARAM_TOKEN

if TYPE_CHECKING:
    from planner.hardware import Hardware


@dataclass(frozen=True)
class RunEvaluation:
    """A given run (params, tokens) against the compute-optimal plan at the same FLOPs.

    `loss_gap` is the run's loss above the optimum's, never negative; `params_ratio` is
    params / optimum params; `optimal_flops_for_loss` is the compute the optimal plan needs
    to reach the run's loss, `compute_fraction` that as a fraction of the run's FLOPs, and
    `compute_overhead` the run's FLOPs over that, minus one (what the run spends beyond it).
    """

    params: float
    tokens: float
    tokens_per_param: float
    loss: float
    loss_gap: float
    loss_gap_percent: float
    params_ratio: float
    optimal_flops_for_loss: float
    compute_fraction: float
    compute_overhead: float


def frontier_loss(form: ChinchillaParams | KaplanNDParams, flops: float) -> float:
    """Loss of the compute-optimal split of `flops`; inf where floating point gives up."""
    try:
        value = form.budget_loss(flops, form.optimal_params(flops))
    except (OverflowError, ZeroDivisionError):
        return math.inf
    return value if math.isfinite(value) else math.inf


def flops_for_loss(form: ChinchillaParams | KaplanNDParams, target: float, upper: float) -> float:
    """The least compute, at most `upper`, whose compute-optimal loss is at most `target`.

    The frontier loss falls monotonically with compute for both forms (more compute never
    hurts the optimum), so a bracket [lower, upper] with frontier(lower) > target >=
    frontier(upper) is found by stepping down decades, then bisected in log FLOPs to
    floating-point resolution. `upper` must satisfy frontier(upper) <= target (the run's own FLOPs do: the optimum at the
    run's FLOPs is at least as good as the run); where rounding breaks that, `upper` is the
    answer.
    """
    if frontier_loss(form, upper) > target:
        return upper
    lower = upper
    while frontier_loss(form, lower) <= target:
        lower /= 10.0
        if lower < 1e-300:
            return lower  # the target is never exceeded: any compute reaches it
    high = upper
    for _ in range(400):
        middle = math.exp(0.5 * (math.log(lower) + math.log(high)))
        if not lower < middle < high:
            break
        if frontier_loss(form, middle) <= target:
            high = middle
        else:
            lower = middle
    return high


def evaluate(
    params: float,
    tokens: float,
    law: Law | str | None = None,
    *,
    hardware: Hardware | None = None,
    domain: str | None = None,
) -> Plan:
    """The plan at the run's FLOPs (6 * params * tokens), with the run judged against it.

    Args:
        params: the run's parameter count, counted as the law counts them.
        tokens: the run's training tokens.
        law: a `Law`, an id, a path, or None for the default language law.
        hardware: as for `plan`; the GPU time and cost are the run's.
        domain: as for `plan`: the domain whose default law to use when law is None.

    Raises:
        InputError: params or tokens not a finite number above zero.
        InfeasibleError: a frontier-form law, which gives the loss of the optimum only.
    """
    chosen = resolve_law(law, domain)
    n = check_positive("params", params)
    d = check_positive("tokens", tokens)
    _refuse_frontier(chosen)
    flops = FLOPS_PER_PARAM_TOKEN * n * d
    if not math.isfinite(flops):
        raise InfeasibleError(
            f"{n:.3g} parameters on {d:.3g} tokens is beyond what floating point can count; "
            "give a smaller run"
        )
    return judge(plan_one(flops, chosen, hardware=hardware), chosen, n, d)


def judge(base: Plan, law: Law, params: float, tokens: float | None = None) -> Plan:
    """`base` (a plan under `law`) with a run of `params` on its FLOPs judged against it.

    `tokens` defaults to what the budget leaves, C / (6 params).
    """
    _refuse_frontier(law)
    assert isinstance(law, (ChinchillaLaw, KaplanNDLaw))
    n = check_positive("params", params)
    d = check_positive("tokens", tokens) if tokens is not None else base.flops / (FLOPS_PER_PARAM_TOKEN * n)
    flops = base.flops
    loss = law.params.loss(n, d)
    if not math.isfinite(loss) or d < 1:
        raise InfeasibleError(
            f"{n:.3g} parameters on {d:.3g} tokens is beyond what law {law.id} can compute; "
            "give a run nearer the range the law was fitted on"
        )
    optimum = base.optimum
    gap = max(0.0, loss - optimum.loss)  # the optimum is the minimum; only rounding goes below
    needed = min(flops, flops_for_loss(law.params, loss, flops))
    run = RunEvaluation(
        params=n,
        tokens=d,
        tokens_per_param=d / n,
        loss=loss,
        loss_gap=gap,
        loss_gap_percent=100.0 * gap / optimum.loss,
        params_ratio=n / optimum.params,
        optimal_flops_for_loss=needed,
        compute_fraction=needed / flops,
        compute_overhead=flops / needed - 1.0,
    )
    outside = range_notice(law, {"params": n, "tokens": d}, " (the given run)")
    notices = (*base.notices, outside) if outside is not None else base.notices
    return dataclasses.replace(base, run=run, notices=notices)


def _refuse_frontier(law: Law) -> None:
    if not isinstance(law, (ChinchillaLaw, KaplanNDLaw)):
        what = (
            "the loss on its compute-optimal frontier only"
            if isinstance(law, FrontierLaw)
            else "no loss for a given number of tokens"
        )
        raise InfeasibleError(
            f"law {law.id} gives {what}, so it cannot evaluate a run of given params and tokens; "
            "use a law of form chinchilla or kaplan-nd"
        )
