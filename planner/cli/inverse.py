"""The main command's inverse questions: which options ask which, and the answers.

Owns the meaning of `--target-loss`, `--params` or `--tokens` alone or with `--flops`,
`--size-range` and `--inference-tokens` (with `--objective`, `--inference-mfu`):

    --target-loss L                  least compute whose optimum reaches L     (inverse.for_loss)
    --params N                       budget at which N is compute-optimal      (inverse.for_params)
    --tokens D                       budget at which D is compute-optimal      (inverse.for_tokens)
    --params N --tokens D            evaluate the run (planner.cli.questions)
    --params N --flops C ...         N trained on C / 6N tokens, judged        (evaluation.judge)
    --tokens D --flops C ...         C / 6D params on D tokens, judged         (evaluation.judge)
    --params N --tokens D --flops C  the run, if 6ND is C; otherwise refused
    --flops C ... --size-range A B   sizes A..B times the optimum at C         (inverse.size_curve)
    --inference-tokens T (--target-loss L | --flops C)   lifetime optimum     (inference)
    --inference-tokens T --params N (--target-loss L | --flops C)   serving a fixed size

Anything else with these options is refused with one line naming what to drop. Raises
InputError; never prints. Loaded only when one of these options is given.
"""

from __future__ import annotations

import math

from planner.cli.intervals import level_of
from planner.errors import InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from planner.cli.declare import Request
    from planner.hardware import Hardware
    from planner.planning.results import Plan, SizeCurve

CONSISTENT = 1e-9
"""Relative difference within which 6 N D equals a given --flops (rounding of typed numbers)."""


def _refuse_extras(request: Request, what: str, timed: bool = False) -> None:
    """Options that shape other kinds of plan, refused with the question's name (`timed`:
    the question takes its budget from --days, --weeks or --hours)."""
    given = request.given("budgets_file", "max_params", "max_tokens", "compare")
    given += [] if timed else request.given("days", "weeks", "hours")
    given += request.given("unique_tokens", "repeated_fraction", "repeats")
    if given:
        raise InputError(f"{what} takes no {', '.join(given)}; drop {'it' if len(given) == 1 else 'them'}")


def answer(request: Request, setup: Hardware | None) -> Sequence[Plan | SizeCurve]:
    """The results of an inverse question, all inputs checked first (the caller has checked
    the data limits, which these questions refuse)."""
    budgets = list(request.flops)
    params, tokens, target = request.params, request.tokens, request.target_loss
    if request.inference_tokens is not None:
        return [_lifetime(request, setup, budgets, params, tokens, target)]
    if request.objective is not None or request.inference_mfu is not None:
        raise InputError(
            "--objective and --inference-mfu need --inference-tokens, the lifetime inference tokens"
        )
    if request.size_range is not None:
        if target is not None or params is not None or tokens is not None:
            raise InputError(
                "--size-range varies the size at --flops budgets; drop --target-loss, --params and --tokens"
            )
        timed = bool(request.given("days", "weeks", "hours"))
        _refuse_extras(request, "--size-range", timed=timed)
        if timed:
            if budgets:
                raise InputError(
                    "--size-range takes one budget: --flops, or time (--days, --weeks or --hours) on --gpus"
                )
            from planner.cli.walltime import time_budget

            budgets = [time_budget(request, setup)]
        elif setup is not None:
            raise InputError(
                "--size-range prints no GPU time; drop --gpu and its options, or take the budget "
                "from time with --gpus and --days"
            )
        if not budgets:
            raise InputError("--size-range needs a budget, e.g. plan --flops 1e22 --size-range 0.25 2")
        from planner.planning.inverse import size_curve

        low, high = request.size_range
        level = level_of(request)
        curves = [
            size_curve(budget, low, high, request.law, domain=request.domain, level=level)
            for budget in budgets
        ]
        return [_timed_curve(request, setup, curve) for curve in curves] if timed else curves
    if target is not None:
        if budgets or params is not None or tokens is not None:
            raise InputError(
                "--target-loss asks for the budget that reaches a loss; drop --flops, --params and --tokens "
                "(or add --inference-tokens to plan for lifetime inference)"
            )
        _refuse_extras(request, "--target-loss")
        from planner.planning.inverse import for_loss

        return [for_loss(target, request.law, domain=request.domain, hardware=setup, level=level_of(request))]
    _refuse_extras(request, "--params or --tokens")
    if not budgets:
        from planner.planning.inverse import for_params, for_tokens

        if params is not None:
            return [
                for_params(
                    params, request.law, domain=request.domain, hardware=setup, level=level_of(request)
                )
            ]
        assert tokens is not None
        return [
            for_tokens(tokens, request.law, domain=request.domain, hardware=setup, level=level_of(request))
        ]
    return [_at_budget(request, setup, budget, params, tokens) for budget in budgets]


def _timed_curve(request: Request, setup: Hardware | None, curve: SizeCurve) -> SizeCurve:
    """A size curve whose budget came from time, with a note saying how."""
    from planner.cli.walltime import wall_clock
    from planner.planning.results import Notice

    days, hours = wall_clock(request, setup)
    assert setup is not None  # wall_clock refuses a time without hardware
    assert setup.gpus is not None
    time = f"{days:g} days" if days is not None else f"{hours:g} hours"
    mfu = f"MFU {setup.mfu:g}" + ("" if setup.mfu_given else " (assumed; give your own with --mfu)")
    message = (
        f"the budget is {setup.gpus:g} {setup.chip.id} GPUs for {time} at {mfu}: {curve.flops:.3g} FLOPs"
    )
    return curve.replace(notices=(*curve.notices, Notice("time_budget", message, "note")))


def _at_budget(
    request: Request, setup: Hardware | None, budget: float, params: float | None, tokens: float | None
) -> Plan:
    """A fixed size (or token count) at a fixed budget, judged against the optimum there."""
    from planner.planning.run import evaluate

    if params is not None and tokens is not None:
        spent = 6.0 * params * tokens
        if not math.isclose(spent, budget, rel_tol=CONSISTENT):
            raise InputError(
                f"--params {params:g} and --tokens {tokens:g} make {spent:.4g} FLOPs (C = 6ND), not "
                f"--flops {budget:g}; drop one of the three"
            )
        return evaluate(
            params, tokens, request.law, hardware=setup, domain=request.domain, level=level_of(request)
        )
    from planner.planning.run import at_budget

    return at_budget(
        budget,
        request.law,
        params=params,
        tokens=tokens,
        hardware=setup,
        domain=request.domain,
        level=level_of(request),
    )


def _lifetime(
    request: Request,
    setup: Hardware | None,
    budgets: list[float],
    params: float | None,
    tokens: float | None,
    target: float | None,
) -> Plan:
    from planner.planning.inference import inference_optimum

    if tokens is not None or request.size_range is not None:
        raise InputError(
            "--inference-tokens chooses the size, or prices --params N; drop --tokens and --size-range"
        )
    _refuse_extras(request, "--inference-tokens")
    if (target is None) == (not budgets):
        raise InputError(
            "--inference-tokens needs the loss to reach: give --target-loss, or one --flops budget "
            "whose compute-optimal loss to match, not both"
        )
    if len(budgets) > 1:
        raise InputError("--inference-tokens plans for one --flops budget at a time")
    objective = request.objective or "flops"
    if objective == "cost":
        missing = [
            option
            for option, value in (
                ("--gpu", request.gpu),
                ("--price-per-gpu-hour", request.price_per_gpu_hour),
                ("--inference-mfu", request.inference_mfu),
            )
            if value is None
        ]
        if missing:
            raise InputError(
                f"--objective cost needs {', '.join(missing)} (no inference MFU is assumed: it varies "
                "widely with batch size and serving setup)"
            )
    if request.inference_mfu is not None and request.gpu is None:
        raise InputError("--inference-mfu needs --gpu; name the chip, e.g. --gpu h100 (see plan gpus)")
    served = request.inference_tokens
    mfu = None
    if request.inference_mfu is not None:
        from planner.hardware import check_mfu

        mfu = check_mfu("--inference-mfu", request.inference_mfu)
    return inference_optimum(
        served,
        request.law,
        target_loss=target,
        flops=budgets[0] if budgets else None,
        domain=request.domain,
        hardware=setup,
        objective="cost" if objective == "cost" else "flops",
        inference_mfu=mfu,
        params=params,
    )
