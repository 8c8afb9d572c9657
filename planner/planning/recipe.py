"""From a plan to a training recipe: learning rate, batch, steps and time.

Owns `recipe(plan, ...)`: every shipped hyper-parameter law of the plan's domain evaluated
at the plan's run (its C, or its N and D, as the law takes them), the spread between them,
the steps of each batch, and, with a GPU count, the tokens a second and days at the plan's
MFU and at Llama 3's. Each law's setting (optimizer, schedule, what its learning rate means)
travels with its numbers, and a law asked beyond its fitted runs says how far. Checks its
inputs and raises InputError; never prints. Standard library only.
"""

from __future__ import annotations

import math

from planner.errors import InfeasibleError, InputError
from planner.hardware import DEFAULT_MFU_SOURCE, LLAMA3_MFU, LLAMA3_MFU_SOURCE
from planner.laws.catalog import hyperparameter_laws
from planner.planning.notices import range_notice
from planner.planning.results import Hyperparameters, Interval, Notice, Recipe, RecipeTime, law_ref
from planner.planning.sense import sensible
from planner.units import FLOPS_PER_PARAM_TOKEN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from planner.forms.base import Law
    from planner.hardware import Hardware
    from planner.planning.results import Plan

SEQ_LEN = 4096
"""The sequence length of a recipe unless one is given: DeepSeek LLM's and Llama 2's
(Bi et al. 2024, Table 2; Touvron et al. 2023, Table 1), the batch sizes' unit there."""

SECONDS_PER_DAY = 86400.0


def check_seq_len(value: object, name: str = "seq_len") -> int:
    """A sequence length: a whole number of tokens, at least one; InputError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise InputError(f"{name} must be a whole number of tokens (got {value!r}); give e.g. 4096")
    if math.isinf(value) or value < 1 or value != int(value):
        raise InputError(
            f"{name} must be a whole number of tokens, at least 1 (got {value:g}); give e.g. 4096"
        )
    return int(value)


def recipe(
    plan: Plan,
    *,
    seq_len: int = SEQ_LEN,
    gpu: str | None = None,
    gpus: int | None = None,
    mfu: float | None = None,
    hardware: Hardware | None = None,
) -> Recipe:
    """The training recipe of `plan`: each hyper-parameter law's peak learning rate and
    batch at the plan's run, their spread, the steps, and the time on the GPUs.

    Args:
        plan: a plan from `planner.plan` (or any question that gives a `Plan`).
        seq_len: tokens per sequence, the unit of the batch in sequences (default 4096).
        gpu, gpus, mfu: the chip (an id from `plan gpus`), how many run at once and their
            MFU (default PaLM's 0.462), for the time; or `hardware` (planner.hardware.hardware)
            in their place; without either, the plan's own hardware, if it has GPUs.

    Raises:
        InputError: a sequence length that is not a whole number of tokens, or bad hardware.
        InfeasibleError: a domain without a hyper-parameter law.
    """
    length = check_seq_len(seq_len)
    setup = hardware
    if gpu is not None:
        from planner.hardware import hardware as chip_setup

        setup = chip_setup(gpu, gpus=gpus, mfu=mfu)
    elif gpus is not None or mfu is not None:
        raise InputError("gpus and mfu need gpu, the chip (see plan gpus), e.g. gpu='h100'")
    laws = hyperparameter_laws(plan.law.domain)
    if not laws:
        raise InfeasibleError(
            f"no shipped hyper-parameter law covers the {plan.law.domain} domain; a recipe is "
            "given for language plans (see plan laws)"
        )
    n, d, flops = plan.optimum.params, plan.optimum.tokens, plan.flops
    estimates = []
    notices = []
    for law in laws:
        estimate, notice = _estimate(law, flops, n, d, length)
        estimates.append(estimate)
        if notice is not None:
            notices.append(notice)
    if plan.units.params == "total":
        notices.append(
            Notice(
                "hyperparameter_inputs",
                "the hyper-parameter laws take non-embedding N and DeepSeek's C counts attention "
                f"(C = M D); the plan's N counts total parameters and its C = 6ND ({plan.law.id}), "
                "which they are given as they are",
                level="note",
            )
        )
    rates = [e.learning_rate for e in estimates]
    batches = [e.batch_tokens for e in estimates]
    steps = [e.steps for e in estimates]
    steps_band = Interval(min(steps), max(steps))
    time = _time(plan, setup, steps_band, FLOPS_PER_PARAM_TOKEN * n)
    found = Recipe(
        seq_len=length,
        flops_per_token=FLOPS_PER_PARAM_TOKEN * n,
        flop_convention="6N",
        hyperparameters=tuple(estimates),
        learning_rate=Interval(min(rates), max(rates)),
        batch_tokens=Interval(min(batches), max(batches)),
        steps=steps_band,
        time=time,
        notices=tuple(notices),
    )
    return sensible(found, "the recipe")


def _estimate(
    law: Law, flops: float, n: float, d: float, seq_len: int
) -> tuple[Hyperparameters, Notice | None]:
    params = law.params
    rate = params.learning_rate(flops, n, d)
    batch = params.batch_tokens(flops, n, d)
    ranged = law.fitted_range.bounds()
    observed = {"flops": flops, "params": n, "tokens": d}
    inputs = f"C = {flops:.3g}" if "flops" not in law.unranged else f"N = {n:.3g}, D = {d:.3g}"
    used = {name: value for name, value in observed.items() if name not in law.unranged}
    factors = []
    for name, value in used.items():
        bounds = ranged.get(name)
        if bounds is not None:
            low, high = bounds
            factors.append(value / high if value > high else low / value if value < low else 1.0)
    beyond = max(factors) if factors and max(factors) > 1.0 else None
    notice = range_notice(law, used, " (hyper-parameters)")
    setting = law.setting  # type: ignore[attr-defined]
    return (
        Hyperparameters(
            law=law_ref(law),
            learning_rate=rate,
            batch_tokens=batch,
            batch_sequences=batch / seq_len,
            steps=d / batch,
            inputs=inputs,
            beyond_fit=beyond,
            optimizer=setting.optimizer,
            schedule=setting.schedule,
            learning_rate_meaning=setting.learning_rate,
            caveats=law.caveats,
        ),
        notice,
    )


def _time(plan: Plan, setup: Hardware | None, steps: Interval, flops_per_token: float) -> RecipeTime | None:
    """Tokens a second and days on the plan's GPUs (or `setup`'s); None without a GPU count."""
    spent = plan.hardware
    if setup is not None:
        peak, mfu, gpus = setup.chip.peak_flops_per_second, setup.mfu, setup.gpus
        source = "given" if setup.mfu_given else DEFAULT_MFU_SOURCE
    elif spent is not None:
        peak, mfu, gpus = spent.peak_flops_per_second, spent.mfu, spent.gpus
        source = spent.mfu_source
    else:
        return None
    if gpus is None:
        return None
    rate = gpus * peak * mfu / flops_per_token
    days = plan.optimum.tokens / rate / SECONDS_PER_DAY
    low, high = LLAMA3_MFU
    return RecipeTime(
        steps=steps,
        tokens_per_second=rate,
        days=days,
        mfu=mfu,
        mfu_source=source,
        days_at_llama3_mfu=Interval(days * mfu / high, days * mfu / low),
        llama3_mfu_source=LLAMA3_MFU_SOURCE,
    )
