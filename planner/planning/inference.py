"""Inference-aware planning: the model size that minimises training plus lifetime inference.

Sardana, Portes, Doubov, Frankle 2023, "Beyond Chinchilla-Optimal: Accounting for Inference
in Language Model Scaling Laws", arXiv 2401.00448: with D_inf lifetime inference tokens,
choose (N, D_tr) minimising 6 N D_tr + 2 N D_inf subject to L(N, D_tr) = l. The paper has
no closed form (it solves numerically). Here D_tr(N) is the law solved for D at loss l,
so the total is a function of N alone on (N_floor, inf), N_floor being the size that
reaches l only with unlimited data; it is minimised in log N by `planner.optimize.minimize_log`
between N_floor and the Chinchilla-style size (training FLOPs alone are least there, and
inference only adds cost that grows with N, so the optimum is never larger).

With hardware and a price, objective "cost" minimises dollars: training FLOPs at the
training MFU plus inference FLOPs at the inference MFU on the same chip, which is the FLOP
objective with D_inf scaled by MFU_train / MFU_inference. Owns `inference_optimum` and
`InferenceAware`. Standard library only; loaded only for a plan with lifetime inference tokens.
"""

from __future__ import annotations

import math

from planner.errors import InfeasibleError, InputError
from planner.forms.base import Law
from planner.planning.budget import plan_one
from planner.planning.inverse import check_target, least_flops, plannable_law
from planner.planning.notices import range_notice
from planner.planning.results import Allocation, InferenceAware, Objective
from planner.planning.sense import check_positive, question
from planner.units import FLOPS_PER_PARAM_TOKEN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from planner.hardware import Hardware
    from planner.planning.results import Plan

INFERENCE_FLOPS_PER_PARAM_TOKEN = 2.0
"""A forward pass costs 2N FLOPs per token (Kaplan et al. 2020, arXiv 2001.08361, Sec. 2.1),
as Sardana et al.'s objective 6 N D_tr + 2 N D_inf counts inference."""


@question("the inference-aware plan")
def inference_optimum(
    inference_tokens: float,
    law: Law | str | None = None,
    *,
    target_loss: float | None = None,
    flops: float | None = None,
    domain: str | None = None,
    hardware: Hardware | None = None,
    objective: Objective = "flops",
    inference_mfu: float | None = None,
    params: float | None = None,
) -> Plan:
    """The plan minimising training plus inference FLOPs (or dollars) for one loss; or,
    with `params`, what serving that fixed size costs beside the lifetime optimum.

    Args:
        inference_tokens: lifetime inference tokens D_inf (input plus output), 0 or more.
        law: a `Law`, id or path of form chinchilla, data-constrained or kaplan-nd.
        target_loss: the loss to reach; or give `flops` for the loss of the compute-optimal
            plan at that budget. Exactly one of the two.
        hardware: chip, training MFU, GPUs and price; the plan's `hardware` is the training run's.
        objective: "flops" (Sardana et al.'s objective) or "cost" (needs hardware with a price
            and `inference_mfu`).
        inference_mfu: the MFU inference achieves, in (0, 1]; no default (it varies widely with
            batch size and serving setup, and we know of no published figure to cite).
        params: a fixed size: the plan trains it on the tokens that reach the loss and serves
            it; `inference.lifetime_optimal` is the size the objective would choose instead.

    Raises:
        InputError: both or neither of target_loss and flops, a target at or below the law's
            irreducible loss, or cost options that are missing.
        InfeasibleError: a frontier-form law, which cannot price sizes off the optimum.
    """
    chosen = plannable_law(law, domain)
    if chosen.off_optimum is not None:
        raise InfeasibleError(
            f"law {chosen.id} gives {chosen.off_optimum}, so it cannot "
            "price the smaller, longer-trained models inference favours; use a law of form "
            "chinchilla or kaplan-nd"
        )
    served = float(inference_tokens)
    if not (math.isfinite(served) and served >= 0):
        raise InputError(f"inference tokens must be a finite number, 0 or more (got {inference_tokens!r})")
    if (target_loss is None) == (flops is None):
        raise InputError("give the loss to reach: a target loss or a FLOP budget, exactly one of the two")
    if target_loss is not None:
        loss = check_target(chosen, target_loss)
        reference, _ = least_flops(chosen, loss)
        if not (math.isfinite(reference) and reference > 0):
            raise InfeasibleError(
                f"target loss {loss:g} is beyond what law {chosen.id} can compute in floating point"
            )
    else:
        assert flops is not None
        reference = check_positive("flops", flops)
        reached = plan_one(reference, chosen).optimum.loss
        assert reached is not None  # a law without a loss has an off_optimum: refused above
        loss = reached
    mfu_ratio = 1.0
    if objective == "cost" or inference_mfu is not None:
        if hardware is None:
            raise InputError("the cost objective and an inference MFU need hardware (a GPU)")
        if inference_mfu is None:
            raise InputError(
                "the cost objective needs the inference MFU (--inference-mfu): it varies widely with "
                "batch size and serving setup, so planner assumes none"
            )
        from planner.hardware import check_mfu

        inference_mfu = check_mfu("inference MFU", inference_mfu)
        if objective == "cost":
            if hardware.price_per_gpu_hour is None:
                raise InputError("the cost objective needs a price per GPU-hour (--price-per-gpu-hour)")
            mfu_ratio = hardware.mfu / inference_mfu
    elif objective != "flops":
        raise InputError(f"objective must be flops or cost (got {objective!r})")

    compute_optimal = plan_one(reference, chosen).optimum
    form = chosen.params
    weight = INFERENCE_FLOPS_PER_PARAM_TOKEN * served * mfu_ratio

    def tokens(n: float) -> float:
        return float(form.tokens_for_loss(n, loss))

    def total(n: float) -> float:
        return FLOPS_PER_PARAM_TOKEN * n * tokens(n) + weight * n

    floor = form.params_floor(loss)
    high = compute_optimal.params
    low = min(floor * (1.0 + 1e-9), high)
    from planner.optimize import minimize_log

    n = minimize_log(total, low, high) if weight > 0 else high
    d = tokens(n) if n != high else compute_optimal.tokens
    best: Allocation | None = None
    if params is not None:
        given = check_positive("params", params, least=1)
        if given <= floor:
            raise InfeasibleError(
                f"{given:.3g} parameters cannot reach loss {loss:g} under law {chosen.id} with any amount "
                f"of data; the least size that can is {floor:.3g}"
            )
        best = Allocation(n, d, d / n, form.loss(n, d))
        n = given
        d = tokens(n) if n != high else compute_optimal.tokens
    if not (math.isfinite(d) and d >= 1):
        raise InfeasibleError(
            f"the inference-aware size for loss {loss:g} is beyond what law {chosen.id} can compute"
        )
    training = FLOPS_PER_PARAM_TOKEN * n * d
    base = plan_one(training, chosen, hardware=hardware)
    optimum = Allocation(n, d, d / n, form.loss(n, d))
    per_token = INFERENCE_FLOPS_PER_PARAM_TOKEN * served
    inference = per_token * n
    reference_training = FLOPS_PER_PARAM_TOKEN * compute_optimal.params * compute_optimal.tokens
    reference_inference = per_token * compute_optimal.params
    costs: tuple[float | None, ...] = (None,) * 5
    if hardware is not None and inference_mfu is not None and hardware.price_per_gpu_hour is not None:
        from planner.hardware import SECONDS_PER_HOUR

        dollars_per_flop = hardware.price_per_gpu_hour / (
            hardware.chip.peak_flops_per_second * SECONDS_PER_HOUR
        )
        train_cost = training / hardware.mfu * dollars_per_flop
        serve_cost = inference / inference_mfu * dollars_per_flop
        reference_cost = (
            reference_training / hardware.mfu + reference_inference / inference_mfu
        ) * dollars_per_flop
        costs = (
            train_cost,
            serve_cost,
            train_cost + serve_cost,
            reference_cost,
            reference_cost - train_cost - serve_cost,
        )
    lifetime = InferenceAware(
        inference_tokens=served,
        objective=objective,
        target_loss=loss,
        training_flops=training,
        inference_flops=inference,
        total_flops=training + inference,
        compute_optimal=compute_optimal,
        compute_optimal_training_flops=reference_training,
        compute_optimal_inference_flops=reference_inference,
        compute_optimal_total_flops=reference_training + reference_inference,
        params_fraction=n / compute_optimal.params,
        total_flops_fraction=(training + inference) / (reference_training + reference_inference),
        flops_saved=reference_training + reference_inference - training - inference,
        inference_mfu=inference_mfu,
        training_cost=costs[0],
        inference_cost=costs[1],
        total_cost=costs[2],
        compute_optimal_total_cost=costs[3],
        cost_saved=costs[4],
        size_given=best is not None,
        lifetime_optimal=best,
        lifetime_optimal_total_flops=(
            best.params * (FLOPS_PER_PARAM_TOKEN * best.tokens + per_token) if best is not None else None
        ),
    )
    notices = [notice for notice in base.notices if notice.code != "extrapolation"]
    outside = range_notice(chosen, {"flops": training, "params": n, "tokens": d})
    return base.replace(
        optimum=optimum,
        intervals=None,  # the base plan's intervals are for its own split, not this one
        notices=tuple(notices if outside is None else [outside, *notices]),
        inference=lifetime,
    )
