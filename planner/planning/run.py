"""A given run judged against the compute-optimal plan at the same FLOPs.

Owns `evaluate(params, tokens)`: the run's FLOPs (C = 6ND, or with attention under
--flop-convention 6N+attn), its predicted loss, the
optimum at those FLOPs, and the gap, in extra loss and in the compute the optimal plan
would need to reach the run's loss. Checks its inputs and raises `InputError`; never prints.
Standard library only.
"""

from __future__ import annotations

import math

from planner.errors import InfeasibleError, InputError
from planner.forms.base import Law
from planner.optimize import flops_for_loss
from planner.planning.budget import attention_of, plan_one, resolve_law
from planner.planning.notices import range_notice
from planner.planning.results import Plan, RunEvaluation
from planner.planning.sense import LEVEL, check_level, check_positive, question
from planner.units import FLOPS_PER_PARAM_TOKEN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from planner.forms.base import Limited
    from planner.hardware import Hardware
    from planner.planning.flop_convention import AttentionCost


@question("the evaluation of the run")
def evaluate(
    params: float,
    tokens: float,
    law: Law | str | None = None,
    *,
    hardware: Hardware | None = None,
    domain: str | None = None,
    level: float | None = LEVEL,
    flop_convention: str | None = None,
    seq_len: int | None = None,
    vocab: int | str | None = None,
    tied: bool | None = None,
    unique_tokens: float | None = None,
    granularity: float | None = None,
    experts: float | None = None,
    param_convention: str | None = None,
) -> Plan:
    """The plan at the run's FLOPs (6 * params * tokens), with the run judged against it.

    Args:
        params: the run's parameter count, counted as the law counts them.
        tokens: the run's training tokens.
        law: a `Law`, an id, a path, or None for the default language law.
        hardware: as for `plan`; the GPU time and cost are the run's.
        domain: as for `plan`: the domain whose default law to use when law is None.
        level: of the intervals, on the optimum and on the run's own loss (`run_loss`); None for none.
        flop_convention, seq_len, vocab, tied: as for `plan`: under "6N+attn" the run's
            FLOPs count attention, (6N + 12 n_layer d_model seq_len) D, and the optimum it is
            judged against is the best point on that budget line.
        unique_tokens: the unique tokens the run's data holds: its loss prices the repeats
            (Muennighoff et al. 2023's decay, as `plan` does), `run.data_penalty` says what they
            cost against unlimited data, and the optimum it is judged against has the same supply.
        param_convention: what `params` counts, where not what the law counts: converted
            (with vocab, a number or "auto"), as `plan` converts max_params.
        granularity, experts: as for `plan`, for a fine-grained MoE law (params then count
            the run's active parameters).

    Raises:
        InputError: params or tokens not a finite number above zero.
        InfeasibleError: a frontier-form law, which gives the loss of the optimum only.
    """
    chosen = resolve_law(law, domain, granularity, experts)
    n = asked = check_positive("params", params, least=1)
    conversion = None
    if param_convention is not None:
        from planner.planning import conversions

        conversion = conversions.converter(chosen, param_convention, vocab, tied)
        param_convention = conversions.check_convention(param_convention)
        if conversion is not None:
            n = conversion.to_law(param_convention, chosen.quantities.params, n)
    if isinstance(vocab, str):
        if flop_convention is not None:
            raise InputError(
                "vocab 'auto' sets a conversion's vocabulary; 6N+attn prices attention at a given one"
            )
        vocab = None
    d = check_positive("tokens", tokens, least=1)
    _refuse_frontier(chosen)
    cost = attention_of(chosen, flop_convention, seq_len, vocab, tied, False)
    flops = (FLOPS_PER_PARAM_TOKEN * n if cost is None else cost.per_token(n)) * d
    if not math.isfinite(flops):
        raise InfeasibleError(
            f"{n:.3g} parameters on {d:.3g} tokens is beyond what floating point can count; "
            "give a smaller run"
        )
    chosen_level = None if level is None else check_level(level)
    supply = None
    if unique_tokens is not None:
        from planner.planning.limited_data import limited_form

        unique_tokens = check_positive("unique_tokens", unique_tokens, least=1)
        supply = limited_form(chosen, unique_tokens)
    base = plan_one(
        flops, chosen, hardware=hardware, level=chosen_level, cost=cost, unique_tokens=unique_tokens
    )
    judged = judge(base, chosen, n, d, cost=cost, supply=supply)
    if conversion is None or param_convention is None:
        return judged
    from planner.planning.conversions import record

    return judged.replace(
        params_conversion=record(conversion, param_convention, chosen, judged.optimum.params, asked)
    )


@question("the plan at that size")
def at_budget(
    flops: float,
    law: Law | str | None = None,
    *,
    params: float | None = None,
    tokens: float | None = None,
    hardware: Hardware | None = None,
    domain: str | None = None,
    level: float | None = LEVEL,
) -> Plan:
    """The plan at `flops` with a run of `params` parameters (or of `tokens` tokens) on the
    same budget judged against it: what a fixed size costs at a fixed budget.

    Raises:
        InputError: a budget, size or token count that is not a finite number above zero, or
            neither params nor tokens.
        InfeasibleError: a budget too small to plan, or a frontier-form law.
    """
    chosen = resolve_law(law, domain)
    budget = check_positive("flops", flops, least=FLOPS_PER_PARAM_TOKEN)
    if params is None and tokens is None:
        raise InputError("give params or tokens: the size or data of the run at that budget")
    d = None if tokens is None else check_positive("tokens", tokens, least=1)
    if params is not None:
        n = check_positive("params", params, least=1)
    else:
        assert d is not None
        n = budget / (FLOPS_PER_PARAM_TOKEN * d)
    chosen_level = None if level is None else check_level(level)
    return judge(plan_one(budget, chosen, hardware=hardware, level=chosen_level), chosen, n, d)


def judge(
    base: Plan,
    law: Law,
    params: float,
    tokens: float | None = None,
    cost: AttentionCost | None = None,
    supply: Limited | None = None,
) -> Plan:
    """`base` (a plan under `law`) with a run of `params` on its FLOPs judged against it.

    `tokens` defaults to what the budget leaves, C / (6 params). `cost`: the FLOPs count
    attention (planner.planning.flop_convention); the compute the optimum needs is then
    counted the same way. `supply`: the run's unique data is limited (the law's limited-data
    form prices its loss and the optimum it is judged against).
    """
    _refuse_frontier(law)
    n = check_positive("params", params, least=1)
    d = (
        check_positive("tokens", tokens, least=1)
        if tokens is not None
        else base.flops / (FLOPS_PER_PARAM_TOKEN * n)
    )
    flops = base.flops
    unlimited = law.params.loss(n, d)
    loss = unlimited if supply is None else supply.loss(n, d)
    if not math.isfinite(loss) or d < 1:
        raise InfeasibleError(
            f"{n:.3g} parameters on {d:.3g} tokens is beyond what law {law.id} can compute; "
            "give a run nearer the range the law was fitted on"
        )
    optimum = base.optimum
    best = optimum.loss
    assert best is not None  # a law without a loss was refused above
    gap = max(0.0, loss - best)  # the optimum is the minimum; only rounding goes below
    form: Any = law.params if supply is None else supply
    if cost is not None:
        from planner.planning.flop_convention import priced

        form = priced(law, form, cost)
    needed = min(flops, flops_for_loss(form, loss, flops))
    run = RunEvaluation(
        params=n,
        tokens=d,
        tokens_per_param=d / n,
        loss=loss,
        loss_gap=gap,
        loss_gap_percent=100.0 * gap / best,
        params_ratio=n / optimum.params,
        optimal_flops_for_loss=needed,
        compute_fraction=needed / flops,
        compute_overhead=flops / needed - 1.0,
        unique_tokens=supply.U if supply is not None else None,
        epochs=d / supply.U if supply is not None else None,
        loss_unlimited_data=unlimited if supply is not None else None,
        data_penalty=max(0.0, loss - unlimited) if supply is not None else None,
    )
    outside = range_notice(law, {"params": n, "tokens": d}, " (the given run)")
    notices = (*base.notices, outside) if outside is not None else base.notices
    intervals = base.intervals
    if intervals is not None:
        from planner.planning.intervals import run_intervals

        intervals = run_intervals(law, intervals, n, d, intervals.level, form=supply)
    errors = tuple(
        proxy.replace(run_error=error)
        for proxy, (*_, error) in zip(base.average_top1_error_proxy, law.error_proxies(loss), strict=True)
    )
    mixture, sized = base.mixture_of_experts, law.mixture(n)
    if mixture is not None and sized is not None:
        mixture = mixture.replace(run_total_params=sized[2])
    return base.replace(
        run=run,
        notices=notices,
        intervals=intervals,
        average_top1_error_proxy=errors,
        mixture_of_experts=mixture,
    )


def _refuse_frontier(law: Law) -> None:
    if law.off_optimum is not None:
        raise InfeasibleError(
            f"law {law.id} gives {law.off_optimum}, so it cannot evaluate a run of given params and tokens; "
            "use a law of form chinchilla or kaplan-nd"
        )
